// What can go wrong with a download, as stable kinds and codes (in the manner of undici's
// errors: a class, a `name`, a `code`), and how the errors of the parts below become one.
// Failures are told apart by their class or code, never by the words of their message.
import type { Problem } from '../problem';
import { AddressRefusedError } from './address-policy';

export type DownloadErrorKind =
  | 'invalid-url'
  | 'refused'
  | 'expired'
  | 'forbidden'
  | 'not-found'
  | 'status'
  | 'redirects'
  | 'too-large'
  | 'length-mismatch'
  | 'timeout'
  | 'network'
  | 'aborted'
  | 'file';

/** `too-large` → `ERR_MEETINGBAAS_DOWNLOAD_TOO_LARGE` */
export type DownloadErrorCode = `ERR_MEETINGBAAS_DOWNLOAD_${string}`;

export function codeOfKind(kind: DownloadErrorKind): DownloadErrorCode {
  return `ERR_MEETINGBAAS_DOWNLOAD_${kind.toUpperCase().replace(/-/g, '_')}`;
}

export interface DownloadErrorDetails {
  /** The URL without its query string: signed URLs carry credentials there. */
  readonly url: string;
  readonly statusCode?: number;
  readonly limit?: number;
  readonly size?: number;
  /** `length-mismatch`: the length the answer announced (`size` is what arrived). */
  readonly expected?: number;
  readonly detail?: string;
  /** `refused`: why, as a code for the node to say. */
  readonly problem?: Problem;
}

export class DownloadError extends Error {
  readonly code: DownloadErrorCode;

  constructor(
    readonly kind: DownloadErrorKind,
    readonly details: DownloadErrorDetails,
  ) {
    const parts = [kind, details.url];
    if (details.statusCode !== undefined) parts.push(`HTTP ${details.statusCode}`);
    if (details.expected !== undefined) parts.push(`size=${details.size ?? '?'}, expected=${details.expected}`);
    if (details.detail) parts.push(details.detail);
    super(parts.join(': '));
    this.name = 'DownloadError';
    this.code = codeOfKind(kind);
  }

  /** Storage said no: the signed URL has (probably) expired, and fresh URLs may help. */
  get refreshable(): boolean {
    return this.kind === 'expired' || this.kind === 'forbidden';
  }
}

/**
 * undici's redirect handler refused to follow a redirect (it refuses one back to an address
 * already visited): raised by the storage client in place of undici's error, which only its
 * message would tell apart.
 */
export class RedirectRefusedError extends Error {
  readonly code = 'ERR_MEETINGBAAS_REDIRECT_REFUSED';

  constructor(
    readonly statusCode: number,
    options: { readonly cause: unknown },
  ) {
    super(`a ${statusCode} redirect was not followed`, options);
    this.name = 'RedirectRefusedError';
  }
}

/** `https://bucket.s3.amazonaws.com/a/video.mp4?X-Amz-Signature=…` → `https://bucket.s3.amazonaws.com/a/video.mp4?…` */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}${parsed.search ? '?…' : ''}`;
  } catch {
    return url.length > 40 ? `${url.slice(0, 40)}…` : url;
  }
}

/** What S3 and its look-alikes put in the body of a 403 for a signed URL past its expiry. */
const EXPIRED = /Request has expired|<Code>ExpiredToken<\/Code>/i;

/** The error for an answer that is not 2xx; `body` is the start of the answer's body (403 only). */
export function statusError(statusCode: number, url: string, body: string): DownloadError {
  if (statusCode === 403 && EXPIRED.test(body)) return new DownloadError('expired', { url, statusCode });
  if (statusCode === 403) return new DownloadError('forbidden', { url, statusCode });
  if (statusCode === 404) return new DownloadError('not-found', { url, statusCode });
  if (statusCode >= 300 && statusCode < 400) return new DownloadError('redirects', { url, statusCode });
  return new DownloadError('status', { url, statusCode });
}

const TIMEOUT_CODES: ReadonlySet<string> = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

function property(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[name] : undefined;
}

/** The `code` of a Node.js or undici error. */
export function errorCode(error: unknown): string | undefined {
  const code = property(error, 'code');
  return typeof code === 'string' ? code : undefined;
}

function isAbortError(error: unknown): boolean {
  // Node's AbortError has the code ABORT_ERR; a signal's default reason is a DOMException with the legacy numeric one.
  return errorCode(error) === 'ABORT_ERR' || (error instanceof DOMException && error.code === DOMException.ABORT_ERR);
}

/** The one DownloadError for whatever a request or its body failed with. */
export function classify(error: unknown, url: string, signal: AbortSignal | undefined): DownloadError {
  if (error instanceof DownloadError) return error;
  const safe = redactUrl(url);
  if (signal?.aborted) return new DownloadError('aborted', { url: safe });
  let cause: unknown = error;
  for (let depth = 0; depth < 4 && cause; depth += 1) {
    if (cause instanceof AddressRefusedError) return new DownloadError('refused', { url: safe, problem: cause.problem });
    cause = property(cause, 'cause');
  }
  if (error instanceof RedirectRefusedError) return new DownloadError('redirects', { url: safe, statusCode: error.statusCode });
  const statusCode = property(error, 'statusCode');
  if (typeof statusCode === 'number') {
    // A refusal after part of the body arrived: the resume was refused, as an expired URL does.
    return statusError(statusCode, safe, '');
  }
  const code = errorCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (code && TIMEOUT_CODES.has(code)) return new DownloadError('timeout', { url: safe, detail });
  if (isAbortError(error)) return new DownloadError('aborted', { url: safe });
  return new DownloadError('network', { url: safe, detail: code ? `${code} ${detail}` : detail });
}
