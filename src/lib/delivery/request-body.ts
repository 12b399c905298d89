// Reading a delivery's raw bytes with a limit, and deciding whether they are JSON.
import type { IncomingMessage } from 'node:http';
import { problem, type Problem } from '../problem';

export type RawBody =
  | { readonly kind: 'complete'; readonly bytes: Buffer }
  | { readonly kind: 'too-large' }
  | { readonly kind: 'timed-out' }
  | { readonly kind: 'over-capacity' }
  | { readonly kind: 'aborted' }
  /** Something else read the stream first: its bytes will never come. */
  | { readonly kind: 'consumed' };

export interface BodyReadOptions {
  /** Bytes kept; past it reading stops with `too-large`. */
  readonly limit: number;
  /** Time from the start of reading to the last byte. */
  readonly timeoutMs: number;
  /** Asks for room for `bytes` more buffered bytes; false stops reading with `over-capacity`. */
  readonly reserve: (bytes: number) => boolean;
}

/** The Content-Length a request declares, or null (none, chunked, or not a number). */
export function declaredLength(req: IncomingMessage): number | null {
  const header = req.headers['content-length'];
  if (header === undefined || !/^\d+$/.test(header.trim())) return null;
  return Number(header);
}

/** Whether a body follows the headers, by the rules of RFC 9112 section 6. */
export function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (declaredLength(req) ?? 0) > 0;
}

/**
 * Reads the whole body, with a limit in bytes and in time. What a caller does with a body that
 * was not read to its end (answer, discard the rest, close) is up to the caller: the stream is
 * left paused where reading stopped.
 */
export function readRawBody(req: IncomingMessage, options: BodyReadOptions): Promise<RawBody> {
  return new Promise((resolve) => {
    if (req.readableEnded) {
      resolve({ kind: 'consumed' });
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let reserved = 0;
    let settled = false;
    const settle = (result: RawBody): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onClose);
      if (result.kind !== 'complete') req.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > options.limit) return settle({ kind: 'too-large' });
      if (received > reserved) {
        if (!options.reserve(received - reserved)) return settle({ kind: 'over-capacity' });
        reserved = received;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => settle({ kind: 'complete', bytes: Buffer.concat(chunks, received) });
    const onAbort = (): void => settle({ kind: 'aborted' });
    const onClose = (): void => {
      if (!req.complete) onAbort();
    };
    const timer = setTimeout(() => settle({ kind: 'timed-out' }), options.timeoutMs);
    timer.unref();
    const declared = declaredLength(req);
    if (declared !== null && declared > options.limit) {
      settle({ kind: 'too-large' });
      return;
    }
    if (declared !== null && declared > 0) {
      if (!options.reserve(declared)) {
        settle({ kind: 'over-capacity' });
        return;
      }
      reserved = declared;
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onClose);
  });
}

/**
 * Bytes of bodies being read at once, against a capacity, so that many slow or parallel senders
 * cannot make the process hold more than that.
 */
export class BytesInFlight {
  private total = 0;

  /** Takes `bytes` if the total stays within `capacity`. */
  take(bytes: number, capacity: number): boolean {
    if (this.total + bytes > capacity) return false;
    this.total += bytes;
    return true;
  }

  give(bytes: number): void {
    this.total = Math.max(0, this.total - bytes);
  }

  get bytes(): number {
    return this.total;
  }
}

/** Why a body is not JSON; `not-json` has the parser's `detail`. */
export const BODY_PROBLEMS = ['not-utf8', 'empty', 'not-json'] as const;
export type BodyProblem = Problem<(typeof BODY_PROBLEMS)[number]>;

export type ParsedBody =
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'unsupported-media-type'; readonly contentType: string; readonly text: string }
  | { readonly kind: 'not-json'; readonly text: string; readonly problem: BodyProblem };

/** `application/json`, `application/*+json`, or no Content-Type at all; UTF-8 if a charset is named. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType.trim() === '') return true;
  const [mediaType = '', ...params] = contentType.toLowerCase().split(';');
  const type = mediaType.trim();
  if (type !== 'application/json' && !(type.startsWith('application/') && type.endsWith('+json'))) return false;
  for (const param of params) {
    const [name, value = ''] = param.split('=');
    if (name?.trim() === 'charset' && !['utf-8', 'utf8'].includes(value.trim().replace(/^"|"$/g, ''))) return false;
  }
  return true;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function parseJsonBody(bytes: Buffer, contentType: string | undefined): ParsedBody {
  if (!isJsonContentType(contentType)) {
    return { kind: 'unsupported-media-type', contentType: contentType ?? '', text: bytes.toString('utf8') };
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { kind: 'not-json', text: bytes.toString('utf8'), problem: problem('not-utf8') };
  }
  if (text.trim() === '') return { kind: 'not-json', text, problem: problem('empty') };
  try {
    return { kind: 'json', value: JSON.parse(text) };
  } catch (error) {
    return { kind: 'not-json', text, problem: problem('not-json', { detail: error instanceof Error ? error.message : String(error) }) };
  }
}
