// Fetches the artifacts of one message: each download in a slot of the node's limiter, one
// refresh of the signed URLs when storage says they expired, then the parsing a flow needs.
import { readFile, stat } from 'node:fs/promises';
import { ApiError, MeetingBaasApi, type ApiErrorKind, type FreshLinks } from '../api';
import type { ArtifactName } from '../delivery/routing';
import { problem, type Problem } from '../problem';
import { parseDiarization, toSrt, toWebVtt, transcriptText, utterancesOf } from './transcript';
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

/** Fresh signed links for a bot, from `GET /v2/bots/{bot_id}`. */
export type RefreshLinks = (botId: string, signal: AbortSignal) => Promise<FreshLinks>;

export interface LinkRefresher {
  /** null: the account has no API key, so expired links cannot be refreshed. */
  readonly refresh: RefreshLinks | null;
  close(): Promise<void>;
}

/**
 * The refresh goes through the bot API client, the only one that carries the API key: to the
 * account's API URL only, https (plain http only to this machine), no redirect followed. The
 * storage client, which follows redirects to wherever a link leads, never sees the key.
 */
export function linkRefresher(baseUrl: string, apiKey: string | undefined): LinkRefresher {
  if (!apiKey) return { refresh: null, close: () => Promise.resolve() };
  let api: MeetingBaasApi;
  try {
    api = new MeetingBaasApi({ baseUrl, apiKey, retries: 2 });
  } catch (error) {
    // An API URL the key may not go to: said when a refresh is needed, as other refresh failures.
    return { refresh: () => Promise.reject(error), close: () => Promise.resolve() };
  }
  return { refresh: (botId, signal) => api.freshLinks(botId, signal), close: () => api.close() };
}

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
  /** `refresh`: what went wrong asking the API, for the node to say. */
  readonly apiError?: ApiErrorKind;
  readonly retryAfterSeconds?: number;
  readonly limit?: number;
  readonly size?: number;
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
    const { statusCode, limit, size, detail, problem } = error.details;
    return { kind: error.kind, needsApiKey, refreshed, detail: detail ?? error.details.url, ...(problem ? { problems: [problem] } : {}), statusCode, limit, size };
  }
  if (error instanceof FileNameError) return { kind: 'file-name', needsApiKey, refreshed, detail: error.message, problems: [error.problem] };
  if (error instanceof ApiError) {
    return {
      kind: 'refresh',
      needsApiKey,
      refreshed,
      ...(error.apiMessage !== undefined ? { detail: error.apiMessage } : { detail: error.message, problems: error.problems }),
      apiError: error.kind,
      ...(error.statusCode !== undefined ? { statusCode: error.statusCode } : {}),
      ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    };
  }
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
  let details: Promise<FreshLinks> | null = null;
  const freshDetails = (botId: string, refresh: RefreshLinks): Promise<FreshLinks> => {
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
    const extra: { text: string; subtitles?: string; subtitlesPath?: string } = { text: transcriptText(utterances) };
    if (settings.subtitles !== 'none') {
      extra.subtitles = settings.subtitles === 'srt' ? toSrt(utterances) : toWebVtt(utterances);
      if (fetched.path) {
        extra.subtitlesPath = fetched.path.replace(/\.[a-z0-9]+$/, '') + `.${settings.subtitles}`;
        await writeFileAtomically(extra.subtitlesPath, extra.subtitles);
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
        const fresh = await freshDetails(request.botId, refresh);
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
