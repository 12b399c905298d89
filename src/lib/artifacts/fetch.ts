// Fetches the artifacts of one message: each download in a slot of the node's limiter, one
// refresh of the signed URLs when storage says they expired, then the parsing a flow needs.
import { readFile, stat } from 'node:fs/promises';
import type { ArtifactName } from './names';
import { problem, type Problem } from '../problem';
import { ArtifactParseError, parseDiarization, toSrt, toWebVtt, transcriptText, utterancesOf } from './transcript';
import type { AddressPolicy } from './address-policy';
import { downloadToBuffer, downloadToFile } from './download';
import { DownloadError, type DownloadErrorKind } from './download-errors';
import { artifactPath, contentTypeForExtension, extensionFor, FileNameError, isBotId, POSSIBLE_EXTENSIONS } from './file-names';
import type { HttpClient } from './http-client';
import type { ArtifactRequest, SkipReason } from './input';
import type { Limiter } from './limiter';
import { exclusively, partialPathFor, writeFileAtomically } from './temporary-file';

export type Mode = 'file' | 'message';
export type Subtitles = 'none' | 'srt' | 'vtt';
const SUBTITLE_EXTENSIONS: ReadonlySet<string> = new Set(['srt', 'vtt']);

export interface FetchSettings {
  readonly mode: Mode;
  /** Absolute; only used in file mode. */
  readonly directory: string;
  readonly template: string;
  readonly maxMessageBytes: number;
  readonly maxFileBytes: number;
  readonly subtitles: Subtitles;
  /**
   * File mode: an artifact whose final file exists is reported as saved instead of downloaded
   * again. For deliveries sent again after a restart; a first sending downloads afresh.
   */
  readonly keepSaved?: boolean;
}

/** What a refresh brings: the bot's links as the API answered them, read here for the artifacts. */
export interface FreshLinks {
  readonly artifacts_deleted?: unknown;
  readonly [field: string]: unknown;
}

/** Why the refresh got no links, as the API client said it: for the node to word. */
export interface RefreshFailure {
  readonly detail: string;
  readonly problems?: readonly Problem[];
  /** The API client's code for what went wrong. */
  readonly apiError: string;
  readonly statusCode?: number;
  readonly retryAfterSeconds?: number;
}

export type RefreshResult = { readonly ok: true; readonly links: FreshLinks } | { readonly ok: false; readonly failure: RefreshFailure };

/**
 * Fresh signed links for a bot (`GET /v2/bots/{bot_id}`), passed in by the node: the storage
 * client, which follows redirects to wherever a link leads, never sees the API key. A failure the
 * API client can name is a result; anything else it throws is reported as any other error here.
 */
export type RefreshLinks = (botId: string, signal: AbortSignal) => Promise<RefreshResult>;

export interface FetchContext {
  readonly client: HttpClient;
  readonly policy: AddressPolicy;
  readonly refresh: RefreshLinks | null;
  readonly limiter: Limiter;
  readonly signal: AbortSignal;
  readonly onProgress?: (artifact: ArtifactName, received: number, expected: number | null) => void;
}

export type FailureKind =
  | DownloadErrorKind
  | 'no-bot-id'
  | 'file-name'
  | 'parse'
  | 'refresh'
  | 'gone-after-refresh';

export interface Failure {
  readonly kind: FailureKind;
  /** The storage refused the URL and there is no API key to get a fresh one. */
  readonly needsApiKey: boolean;
  readonly refreshed: boolean;
  readonly detail: string;
  /** What exactly, as codes for the node to say (an address refused, a file name, an API request or answer). */
  readonly problems?: readonly Problem[];
  readonly statusCode?: number;
  /** `refresh`: what went wrong asking the API, the API client's code, for the node to say. */
  readonly apiError?: string;
  readonly retryAfterSeconds?: number;
  readonly limit?: number;
  readonly size?: number;
  /** `length-mismatch`: the length announced; `size` is what arrived. */
  readonly expected?: number;
}

export interface Fetched {
  readonly status: 'fetched';
  readonly artifact: ArtifactName;
  readonly contentType: string | null;
  readonly size: number;
  /** Buffer (media), parsed JSON, array (diarization), or the file path in file mode. */
  readonly payload: unknown;
  readonly path?: string;
  /** Transcription only: one `[hh:mm:ss] Speaker: text` line per utterance. */
  readonly text?: string;
  readonly subtitles?: string;
  readonly subtitlesPath?: string;
  /** The subtitles' size in bytes: of the file written, or of `subtitles` as UTF-8 in message mode. */
  readonly subtitlesSize?: number;
  /** The signed URL had expired and a fresh one from the API was used. */
  readonly refreshed: boolean;
  /** File mode, `keepSaved`: the file was complete from an earlier attempt; nothing was downloaded. */
  readonly alreadySaved?: boolean;
}

export type Outcome =
  | Fetched
  | { readonly status: 'skipped'; readonly artifact: ArtifactName; readonly reason: SkipReason }
  | { readonly status: 'failed'; readonly artifact: ArtifactName; readonly failure: Failure };

const MEDIA: ReadonlySet<ArtifactName> = new Set(['video', 'audio']);

function failureOf(error: unknown, refreshed: boolean, needsApiKey = false): Failure {
  if (error instanceof DownloadError) {
    const { statusCode, limit, size, expected, detail, problem } = error.details;
    return { kind: error.kind, needsApiKey, refreshed, detail: detail ?? error.details.url, ...(problem ? { problems: [problem] } : {}), statusCode, limit, size, expected };
  }
  if (error instanceof FileNameError) return { kind: 'file-name', needsApiKey, refreshed, detail: error.message, problems: [error.problem] };
  if (error instanceof ArtifactParseError) return { kind: 'parse', needsApiKey, refreshed, detail: error.message, problems: [error.problem] };
  const detail = error instanceof Error ? error.message : String(error);
  const kind = (error as { syscall?: unknown } | null)?.syscall ? 'file' : 'parse';
  return { kind, needsApiKey, refreshed, detail };
}

/** The final file of an artifact saved by an earlier attempt, whatever extension it got then. */
async function savedFile(settings: FetchSettings, botId: string, artifact: ArtifactName): Promise<{ path: string; ext: string; size: number } | null> {
  let newest: { path: string; ext: string; size: number; mtimeMs: number } | null = null;
  const seen = new Set<string>();
  for (const ext of POSSIBLE_EXTENSIONS) {
    // The subtitles this node writes beside the transcript share its name: they are not the artifact.
    if (SUBTITLE_EXTENSIONS.has(ext)) continue;
    const path = artifactPath(settings.directory, settings.template, { botId, artifact, ext });
    if (seen.has(path)) continue;
    seen.add(path);
    const found = await stat(path).catch(() => null);
    if (found?.isFile() && (!newest || found.mtimeMs > newest.mtimeMs)) newest = { path, ext, size: found.size, mtimeMs: found.mtimeMs };
  }
  return newest && { path: newest.path, ext: newest.ext, size: newest.size };
}

function parseText(artifact: ArtifactName, text: string): unknown {
  if (artifact === 'diarization') return parseDiarization(text);
  return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
}

export async function fetchArtifacts(
  request: ArtifactRequest,
  settings: FetchSettings,
  context: FetchContext,
  onOutcome?: (outcome: Outcome) => void,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = request.skipped.map(({ artifact, reason }) => ({ status: 'skipped', artifact, reason }));
  let details: Promise<RefreshResult> | null = null;
  const freshDetails = (botId: string, refresh: RefreshLinks): Promise<RefreshResult> => {
    // One API call per message, however many of its URLs expired.
    details ??= refresh(botId, context.signal);
    return details;
  };

  const download = async (artifact: ArtifactName, url: string): Promise<Omit<Fetched, 'refreshed'>> => {
    const options = {
      client: context.client,
      policy: context.policy,
      signal: context.signal,
      maxBytes: settings.mode === 'file' ? settings.maxFileBytes : settings.maxMessageBytes,
      onProgress: (received: number, expected: number | null) => context.onProgress?.(artifact, received, expected),
    };
    if (settings.mode === 'file') {
      const botId = request.botId ?? '';
      // Fixed per artifact before anything is downloaded, because the extension depends on the bytes.
      const partialPath = partialPathFor(artifactPath(settings.directory, settings.template, { botId, artifact, ext: 'part' }));
      return exclusively(partialPath, async () => {
        const saved = settings.keepSaved ? await savedFile(settings, botId, artifact) : null;
        if (saved) {
          const { path, size } = saved;
          return { status: 'fetched', artifact, contentType: contentTypeForExtension(saved.ext), size, payload: path, path, alreadySaved: true };
        }
        const result = await downloadToFile(
          url,
          (contentType, head) =>
            artifactPath(settings.directory, settings.template, { botId, artifact, ext: extensionFor(artifact, contentType, head) }),
          options,
          partialPath,
        );
        return { status: 'fetched', artifact, contentType: result.contentType, size: result.size, payload: result.path, path: result.path };
      });
    }
    const result = await downloadToBuffer(url, options);
    const payload = MEDIA.has(artifact) ? result.body : parseText(artifact, result.body.toString('utf8'));
    return { status: 'fetched', artifact, contentType: result.contentType, size: result.size, payload };
  };

  /** Plain text and subtitles for a transcription, in both modes. */
  const addTranscript = async (fetched: Fetched): Promise<Fetched> => {
    if (fetched.artifact !== 'transcription') return fetched;
    let json = fetched.payload;
    if (fetched.path) {
      if (fetched.size > settings.maxMessageBytes) return fetched;
      json = JSON.parse((await readFile(fetched.path, 'utf8')).replace(/^\uFEFF/, '')) as unknown;
    }
    const utterances = utterancesOf(json);
    const extra: { text: string; subtitles?: string; subtitlesPath?: string; subtitlesSize?: number } = { text: transcriptText(utterances) };
    if (settings.subtitles !== 'none') {
      const subtitles = settings.subtitles === 'srt' ? toSrt(utterances) : toWebVtt(utterances);
      extra.subtitles = subtitles;
      if (fetched.path) {
        extra.subtitlesPath = fetched.path.replace(/\.[a-z0-9]+$/, '') + `.${settings.subtitles}`;
        extra.subtitlesSize = await writeFileAtomically(extra.subtitlesPath, subtitles);
      } else {
        extra.subtitlesSize = Buffer.byteLength(subtitles, 'utf8');
      }
    }
    return { ...fetched, ...extra };
  };

  const one = async (artifact: ArtifactName, url: string): Promise<Outcome> => {
    if (settings.mode === 'file' && !isBotId(request.botId)) {
      return { status: 'failed', artifact, failure: failureOf(new FileNameError(problem('bad-bot-id', { botId: String(request.botId).slice(0, 60) })), false) };
    }
    let refreshed = false;
    try {
      try {
        return await addTranscript({ ...(await download(artifact, url)), refreshed });
      } catch (error) {
        if (!(error instanceof DownloadError) || !error.refreshable) throw error;
        const refresh = context.refresh;
        if (!refresh || !isBotId(request.botId)) {
          return { status: 'failed', artifact, failure: failureOf(error, false, true) };
        }
        refreshed = true;
        const result = await freshDetails(request.botId, refresh);
        if (!result.ok) return { status: 'failed', artifact, failure: { kind: 'refresh', needsApiKey: false, refreshed, ...result.failure } };
        const fresh = result.links;
        const freshUrl = fresh[artifact];
        if (typeof freshUrl !== 'string' || fresh.artifacts_deleted) {
          return {
            status: 'failed',
            artifact,
            failure: { kind: 'gone-after-refresh', needsApiKey: false, refreshed, detail: fresh.artifacts_deleted ? 'artifacts_deleted' : 'null' },
          };
        }
        return await addTranscript({ ...(await download(artifact, freshUrl)), refreshed });
      }
    } catch (error) {
      return { status: 'failed', artifact, failure: failureOf(error, refreshed) };
    }
  };

  for (const outcome of outcomes) onOutcome?.(outcome);
  const entries = Object.entries(request.urls) as Array<[ArtifactName, string]>;
  const results = await Promise.all(
    entries.map(async ([artifact, url]) => {
      let outcome: Outcome;
      try {
        outcome = await context.limiter.run(() => one(artifact, url), context.signal);
      } catch {
        // Only the limiter throws here: the node closed while this download waited for a slot.
        outcome = { status: 'failed', artifact, failure: failureOf(new DownloadError('aborted', { url: '' }), false) };
      }
      onOutcome?.(outcome);
      return outcome;
    }),
  );
  return [...outcomes, ...results];
}
