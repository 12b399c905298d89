// A stand-in, on 127.0.0.1, for the two Meeting BaaS services the nodes talk to: the storage
// that serves signed, expiring artifact URLs (S3-like: 403 "Request has expired" XML, byte ranges
// for resumed downloads) and the bot API under /v2/ (./bot-api), whose `GET /v2/bots/{bot_id}`
// hands out fresh URLs.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BOT_ID, BotApi, type BotApiOptions } from './bot-api';
import { error, routeNotFound, unauthorized } from './api-checks';
import { noLinks, type ArtifactName, type ArtifactUrls } from './artifact-links';
import { DEMO_API_KEY } from './demo';
import { apiKeyHeader } from './openapi';
import {
  chatMessages,
  diarizationJsonLines,
  loadSampleMeeting,
  meetingTimes,
  rawTranscriptionDocument,
  transcriptionDocument,
  type SampleMeeting,
} from './meeting';

/** Signed URLs are valid 4 hours after sending, as Meeting BaaS documents. */
export const URL_LIFETIME_SECONDS = 4 * 3600;

/**
 * Signs the simulator's URLs. Not a secret: it only has to be the same in the process that makes
 * URLs (`meetingbaas-simulator`) and the one that checks them (its --serve, or `npm start`).
 */
export const SIMULATOR_SIGNING_KEY = 'meeting-baas-simulator-url-signing-key';

interface ArtifactFile {
  readonly name: Exclude<ArtifactName, 'video'>;
  readonly file: string;
  readonly contentType: string;
}

/** What the storage holds for each bot. No video: the simulated bots record in `audio_only` mode. */
const ARTIFACT_FILES: readonly ArtifactFile[] = [
  { name: 'audio', file: 'audio.flac', contentType: 'audio/flac' },
  { name: 'transcription', file: 'transcription.json', contentType: 'application/json' },
  { name: 'raw_transcription', file: 'raw_transcription.json', contentType: 'application/json' },
  { name: 'diarization', file: 'diarization.jsonl', contentType: 'application/x-ndjson' },
  { name: 'chat_messages', file: 'chat_messages.json', contentType: 'application/json' },
];

export interface SignUrlOptions {
  /** When the URL was signed; URLs signed more than 4 hours ago answer 403 "Request has expired". */
  readonly signedAt?: Date;
  readonly signingKey?: string;
}

/** `20261127T172600Z`, the form of `X-Amz-Date`. */
function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function parseAmzDate(value: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return null;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

function urlSignature(key: string, pathname: string, date: string, expires: string): string {
  return createHmac('sha256', key).update(`${pathname}\n${date}\n${expires}`).digest('hex');
}

/**
 * The artifact URLs of one bot on a simulator at `baseUrl`, signed like S3 presigned URLs.
 * Usable without a running server, so that another process can make URLs the server accepts.
 */
export function signedArtifactUrls(baseUrl: string, botId: string, options: SignUrlOptions = {}): ArtifactUrls {
  const signedAt = options.signedAt ?? new Date();
  const key = options.signingKey ?? SIMULATOR_SIGNING_KEY;
  const date = amzDate(signedAt);
  const expires = String(URL_LIFETIME_SECONDS);
  const urls = noLinks();
  for (const artifact of ARTIFACT_FILES) {
    const url = new URL(`/recordings/${botId}/${artifact.file}`, baseUrl);
    url.searchParams.set('X-Amz-Algorithm', 'AWS4-HMAC-SHA256');
    url.searchParams.set('X-Amz-Credential', `SIMULATOR/${date.slice(0, 8)}/local/s3/aws4_request`);
    url.searchParams.set('X-Amz-Date', date);
    url.searchParams.set('X-Amz-Expires', expires);
    url.searchParams.set('X-Amz-SignedHeaders', 'host');
    url.searchParams.set('X-Amz-Signature', urlSignature(key, url.pathname, date, expires));
    urls[artifact.name] = url.toString();
  }
  return urls;
}

/** URLs signed 5 hours ago: already expired, for showing how a node refreshes them. */
export function expiredArtifactUrls(baseUrl: string, botId: string, now: Date = new Date()): ArtifactUrls {
  return signedArtifactUrls(baseUrl, botId, { signedAt: new Date(now.getTime() - 5 * 3600 * 1000) });
}

export interface ArtifactServerOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /**
   * The account's API key: every /v2/ request without it is refused with 401, as the real API
   * refuses a wrong key. Default: the demo's key (DEMO_API_KEY).
   */
  readonly apiKey?: string;
  readonly meeting?: SampleMeeting;
  readonly signingKey?: string;
  /** The simulated bots: how long their meetings last, how many tokens the account has. */
  readonly bots?: BotApiOptions;
}

/** Bodies the API stand-in reads (bot requests are small). */
const MAX_API_BODY = 256 * 1024;

/** Emitted as `request` for each request answered, so callers can wait for one instead of sleeping. */
export interface ServedRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly artifact?: ArtifactName;
  readonly botId?: string;
}

type Answer = { status: number; headers: Record<string, string>; body: Buffer };

export class ArtifactServer extends EventEmitter {
  /** The bot endpoints; tests inject faults and read the bots created through it. */
  readonly api: BotApi;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly options: ArtifactServerOptions,
    private readonly meeting: SampleMeeting,
  ) {
    super();
    this.api = new BotApi(meeting.script, (botId) => this.artifactUrls(botId), options.bots);
  }

  /** Listens on 127.0.0.1 only: the simulator is never reachable from another machine. */
  static async start(options: ArtifactServerOptions = {}): Promise<ArtifactServer> {
    const meeting = options.meeting ?? loadSampleMeeting();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const instance = new ArtifactServer(server, `http://127.0.0.1:${port}`, options, meeting);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => instance.handle(req, res));
    return instance;
  }

  artifactUrls(botId: string, options: { readonly signedAt?: Date } = {}): ArtifactUrls {
    return signedArtifactUrls(this.baseUrl, botId, { ...options, signingKey: this.signingKey });
  }

  close(): Promise<void> {
    this.api.close();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      // Keep-alive connections would hold close() open until they time out.
      this.server.closeAllConnections();
    });
  }

  private get signingKey(): string {
    return this.options.signingKey ?? SIMULATOR_SIGNING_KEY;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'GET' || req.method === 'HEAD') return this.answer(req, res, '');
    // Requests with a body (POST /v2/bots…): read it first, bounded.
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length <= MAX_API_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      if (length > MAX_API_BODY) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ success: false, error: 'Payload Too Large', code: 'PAYLOAD_TOO_LARGE', statusCode: 413 }));
        return;
      }
      this.answer(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  }

  private answer(req: IncomingMessage, res: ServerResponse, requestBody: string): void {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const method = req.method ?? 'GET';
    let served: { answer: Answer; artifact?: ArtifactName; botId?: string };
    try {
      served = this.route(method, url, req, requestBody);
    } catch (thrown) {
      served = { answer: error(500, 'Internal Server Error', 'INTERNAL_ERROR', thrown instanceof Error ? thrown.message : String(thrown)) };
    }
    const { answer } = served;
    res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
    res.end(method === 'HEAD' ? undefined : answer.body);
    const record: ServedRequest = {
      method,
      path: url.pathname,
      status: answer.status,
      ...(served.artifact ? { artifact: served.artifact } : {}),
      ...(served.botId ? { botId: served.botId } : {}),
    };
    this.emit('request', record);
  }

  private route(
    method: string,
    url: URL,
    req: IncomingMessage,
    requestBody: string,
  ): { answer: Answer; artifact?: ArtifactName; botId?: string } {
    const recording = /^\/recordings\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (recording) {
      const botId = recording[1] ?? '';
      const artifact = ARTIFACT_FILES.find((a) => a.file === recording[2]);
      if (!artifact || !BOT_ID.test(botId)) return { answer: s3Error(404, 'NoSuchKey', 'The specified key does not exist.') };
      if (method !== 'GET' && method !== 'HEAD') {
        return { answer: s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.') };
      }
      return { answer: this.artifact(artifact, botId, url, req.headers.range), artifact: artifact.name, botId };
    }
    if (url.pathname.startsWith('/v2/')) {
      // The key first, as the real API does: a wrong key never learns whether a path exists.
      if (!this.hasApiKey(req.headers[apiKeyHeader()])) return { answer: unauthorized() };
      const fault = this.api.takeFault();
      if (fault) return { answer: fault };
      const answer = this.api.route(method, url.pathname, requestBody, url.searchParams);
      const botId = /^\/v2\/bots\/([^/]+)/.exec(url.pathname)?.[1];
      return { answer, ...(botId ? { botId } : {}) };
    }
    if (url.pathname === '/' && (method === 'GET' || method === 'HEAD')) {
      const text =
        'Meeting BaaS simulator: signed artifact URLs under /recordings/{bot_id}/, ' +
        'and GET /v2/bots/{bot_id} (header x-meeting-baas-api-key) for fresh ones.\n';
      return { answer: { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from(text) } };
    }
    return { answer: routeNotFound(method, url.pathname) };
  }

  private artifact(artifact: ArtifactFile, botId: string, url: URL, range: string | undefined): Answer {
    const params = url.searchParams;
    const date = params.get('X-Amz-Date') ?? '';
    const expires = params.get('X-Amz-Expires') ?? '';
    const signature = params.get('X-Amz-Signature') ?? '';
    const signedAt = parseAmzDate(date);
    if (!signedAt || !/^\d+$/.test(expires) || signature === '') {
      return s3Error(403, 'AccessDenied', 'Query-string authentication requires the Signature, Date and Expires parameters');
    }
    const expected = Buffer.from(urlSignature(this.signingKey, url.pathname, date, expires));
    const presented = Buffer.from(signature);
    if (expected.length !== presented.length || !timingSafeEqual(expected, presented)) {
      return s3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    }
    const expiresAt = new Date(signedAt.getTime() + Number(expires) * 1000);
    if (Date.now() > expiresAt.getTime()) {
      return s3Error(403, 'AccessDenied', 'Request has expired', {
        'X-Amz-Expires': expires,
        Expires: expiresAt.toISOString(),
        ServerTime: new Date().toISOString(),
      });
    }
    const body = this.artifactBody(artifact.name, botId, signedAt);
    const headers: Record<string, string> = {
      'content-type': artifact.contentType,
      'accept-ranges': 'bytes',
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      'last-modified': new Date(signedAt.getTime() - 30_000).toUTCString(),
    };
    const wanted = byteRange(range, body.length);
    if (wanted === 'unsatisfiable') {
      return { status: 416, headers: { ...headers, 'content-range': `bytes */${body.length}` }, body: Buffer.alloc(0) };
    }
    if (wanted) {
      headers['content-range'] = `bytes ${wanted.start}-${wanted.end}/${body.length}`;
      return { status: 206, headers, body: body.subarray(wanted.start, wanted.end + 1) };
    }
    return { status: 200, headers, body };
  }

  /** Documents carry the bot's id and times derived from when the URL was signed (when the delivery was sent). */
  private artifactBody(name: ArtifactFile['name'], botId: string, signedAt: Date): Buffer {
    const { script, audio } = this.meeting;
    const { joinedAt, exitedAt } = meetingTimes(script, signedAt);
    switch (name) {
      case 'audio':
        return audio;
      case 'transcription':
        return jsonBytes(transcriptionDocument(script, botId, exitedAt));
      case 'raw_transcription':
        return jsonBytes(rawTranscriptionDocument(script, botId, exitedAt));
      case 'diarization':
        return Buffer.from(diarizationJsonLines(script));
      case 'chat_messages':
        return jsonBytes(chatMessages(script, botId, joinedAt));
    }
  }

  /** Whether the request carries the account's key, in the header the document names. */
  private hasApiKey(apiKey: string | string[] | undefined): boolean {
    return typeof apiKey === 'string' && apiKey !== '' && sameText(apiKey, this.options.apiKey ?? DEMO_API_KEY);
  }
}

function sameText(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

function jsonBytes(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** S3's error document, which is what an expired presigned URL answers. */
function s3Error(status: number, code: string, message: string, details: Record<string, string> = {}): Answer {
  const extra = Object.entries(details)
    .map(([name, value]) => `<${name}>${xmlEscape(value)}</${name}>`)
    .join('');
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>${extra}` +
    `<RequestId>${requestId}</RequestId><HostId>simulator</HostId></Error>`;
  return { status, headers: { 'content-type': 'application/xml' }, body: Buffer.from(body) };
}

/** One `bytes=` range (what a resuming download sends); several ranges are answered with the whole body, as S3 does. */
function byteRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null;
  const [, from = '', to = ''] = m;
  if (from === '' && to === '') return null;
  let start: number;
  let end: number;
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(from);
    end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}
