// Opens the request for one artifact: the address policy before anything is sent, the GET
// through the storage client, and the answer's status and headers read into what a download
// needs (length, type, the validators a resume is checked against). The body is left unread.
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { undici } from '../undici';
import { checkUrl, type AddressPolicy } from './address-policy';
import { classify, DownloadError, redactUrl, statusError } from './download-errors';
import type { HttpClient } from './http-client';

export interface RequestOptions {
  readonly client: HttpClient;
  readonly policy: AddressPolicy;
  readonly signal?: AbortSignal;
  /** Larger bodies fail with `too-large`, before reading when the length is announced. */
  readonly maxBytes: number;
}

/** What identifies one version of a stored object; a re-signed URL for it keeps them. */
export interface Validators {
  readonly etag: string | null;
  readonly lastModified: string | null;
}

export interface ContentRange {
  readonly start: number;
  readonly end: number;
  readonly total: number;
}

export interface Opened {
  readonly body: Readable;
  readonly statusCode: number;
  readonly contentType: string | null;
  /** The whole object's length, also for a 206. */
  readonly expectedLength: number | null;
  readonly validators: Validators;
  readonly contentRange: ContentRange | null;
}

const ERROR_BODY_LIMIT = 16 * 1024;

/** Drops a body we will not read; its destroy error has nobody to tell. */
export function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

async function readSome(body: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= limit) break;
    }
  } catch {
    // The error body is only a hint; the status code already says what happened.
  }
  discard(body);
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function lengthOf(statusCode: number, headers: Record<string, string | string[] | undefined>): number | null {
  if (statusCode === 206) {
    const total = /\/(\d+)\s*$/.exec(headerValue(headers['content-range']) ?? '');
    return total?.[1] ? Number(total[1]) : null;
  }
  const length = headerValue(headers['content-length']);
  return length !== undefined && /^\d+$/.test(length) ? Number(length) : null;
}

function contentRangeOf(value: string | undefined): ContentRange | null {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value?.trim() ?? '');
  if (!match) return null;
  return { start: Number(match[1]), end: Number(match[2]), total: Number(match[3]) };
}

/**
 * undici's retry interceptor does not watch the signal while it waits before the next attempt
 * (a Retry-After can be minutes): settle as soon as the signal aborts, so that closing a node
 * does not wait for that timer. The request itself fails on its own later; that is ignored.
 */
function untilAborted<T>(pending: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return pending;
  if (signal.aborted) {
    pending.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      pending.catch(() => undefined);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** GETs `url`; a 2xx answer with its body unread, anything else a DownloadError. */
export async function openRequest(url: string, options: RequestOptions, extraHeaders: Record<string, string> = {}): Promise<Opened> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DownloadError('invalid-url', { url: redactUrl(url) });
  }
  const refusal = checkUrl(parsed, options.policy);
  if (refusal) throw new DownloadError('refused', { url: redactUrl(url), problem: refusal.problem });
  let response: Dispatcher.ResponseData;
  try {
    response = await untilAborted(
      undici().request(parsed, {
        dispatcher: options.client.dispatcher,
        method: 'GET',
        // Identity encoding: the bytes on disk are the bytes announced, so lengths can be checked.
        headers: { 'accept-encoding': 'identity', ...extraHeaders },
        signal: options.signal,
      }),
      options.signal,
    );
  } catch (error) {
    throw classify(error, url, options.signal);
  }
  const { statusCode, headers, body } = response;
  if (statusCode < 200 || statusCode >= 300) {
    const text = statusCode === 403 ? await readSome(body, ERROR_BODY_LIMIT) : (discard(body), '');
    throw statusError(statusCode, redactUrl(url), text);
  }
  const expectedLength = lengthOf(statusCode, headers);
  if (expectedLength !== null && expectedLength > options.maxBytes) {
    discard(body);
    throw new DownloadError('too-large', { url: redactUrl(url), limit: options.maxBytes, size: expectedLength });
  }
  const contentType = headerValue(headers['content-type'])?.split(';')[0]?.trim().toLowerCase() || null;
  const validators = { etag: headerValue(headers.etag) ?? null, lastModified: headerValue(headers['last-modified']) ?? null };
  const contentRange = statusCode === 206 ? contentRangeOf(headerValue(headers['content-range'])) : null;
  return { body, statusCode, contentType, expectedLength, validators, contentRange };
}
