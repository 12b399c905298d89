// Downloads one artifact, to a file or into memory, with bounded memory whatever its size.
// A file is written under a temporary name beside its final one and renamed into place only
// when complete and as long as announced, so a reader never sees half a recording.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import { checkUrl, type AddressPolicy, AddressRefusedError } from './address-policy';
import type { HttpClient } from './http-client';

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

export interface DownloadErrorDetails {
  /** The URL without its query string: signed URLs carry credentials there. */
  readonly url: string;
  readonly statusCode?: number;
  readonly limit?: number;
  readonly size?: number;
  readonly detail?: string;
}

export class DownloadError extends Error {
  constructor(
    readonly kind: DownloadErrorKind,
    readonly details: DownloadErrorDetails,
  ) {
    const parts = [kind, details.url];
    if (details.statusCode !== undefined) parts.push(`HTTP ${details.statusCode}`);
    if (details.detail) parts.push(details.detail);
    super(parts.join(': '));
    this.name = 'DownloadError';
  }

  /** Storage said no: the signed URL has (probably) expired, and fresh URLs may help. */
  get refreshable(): boolean {
    return this.kind === 'expired' || this.kind === 'forbidden';
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

export interface DownloadOptions {
  readonly client: HttpClient;
  readonly policy: AddressPolicy;
  readonly signal?: AbortSignal;
  /** Larger bodies fail with `too-large`, before reading when the length is announced. */
  readonly maxBytes: number;
  readonly onProgress?: (received: number, expected: number | null) => void;
}

export interface Downloaded {
  readonly contentType: string | null;
  readonly size: number;
}

/** How many leading bytes decide a file's type. */
export const SNIFF_BYTES = 16;

const EXPIRED = /Request has expired|<Code>ExpiredToken<\/Code>/i;
const ERROR_BODY_LIMIT = 16 * 1024;
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

interface Opened {
  readonly body: Readable;
  readonly contentType: string | null;
  readonly expectedLength: number | null;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function classify(error: unknown, url: string, signal: AbortSignal | undefined): DownloadError {
  if (error instanceof DownloadError) return error;
  const safe = redactUrl(url);
  if (signal?.aborted) return new DownloadError('aborted', { url: safe });
  let cause: unknown = error;
  for (let depth = 0; depth < 4 && cause; depth += 1) {
    if (cause instanceof AddressRefusedError) return new DownloadError('refused', { url: safe, detail: cause.message });
    cause = (cause as { cause?: unknown }).cause;
  }
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  if (typeof statusCode === 'number') {
    // A refusal after part of the body arrived: the resume was refused, as an expired URL does.
    return statusError(statusCode, safe, '');
  }
  const code = codeOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (/redirect loop/i.test(detail)) return new DownloadError('redirects', { url: safe, detail });
  if (code && TIMEOUT_CODES.has(code)) return new DownloadError('timeout', { url: safe, detail });
  if (code === 'ABORT_ERR' || (error as Error | null)?.name === 'AbortError') return new DownloadError('aborted', { url: safe });
  return new DownloadError('network', { url: safe, detail: code ? `${code} ${detail}` : detail });
}

function statusError(statusCode: number, url: string, body: string): DownloadError {
  if (statusCode === 403 && EXPIRED.test(body)) return new DownloadError('expired', { url, statusCode });
  if (statusCode === 403) return new DownloadError('forbidden', { url, statusCode });
  if (statusCode === 404) return new DownloadError('not-found', { url, statusCode });
  if (statusCode >= 300 && statusCode < 400) return new DownloadError('redirects', { url, statusCode });
  return new DownloadError('status', { url, statusCode });
}

/** Drops a body we will not read; its destroy error has nobody to tell. */
function discard(body: Readable): void {
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

async function openBody(url: string, options: DownloadOptions): Promise<Opened> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DownloadError('invalid-url', { url: redactUrl(url) });
  }
  const refusal = checkUrl(parsed, options.policy);
  if (refusal) throw new DownloadError('refused', { url: redactUrl(url), detail: refusal.message });
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await untilAborted(
      request(parsed, {
        dispatcher: options.client.dispatcher,
        method: 'GET',
        // Identity encoding: the bytes on disk are the bytes announced, so lengths can be checked.
        headers: { 'accept-encoding': 'identity' },
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
  return { body, contentType, expectedLength };
}

/** Counts bytes for progress and the size cap, without holding any. */
function meter(url: string, options: DownloadOptions, expected: number | null): Transform & { received: number } {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      counter.received += chunk.length;
      if (counter.received > options.maxBytes) {
        callback(new DownloadError('too-large', { url: redactUrl(url), limit: options.maxBytes }));
        return;
      }
      options.onProgress?.(counter.received, expected);
      callback(null, chunk);
    },
  }) as Transform & { received: number };
  counter.received = 0;
  return counter;
}

function checkLength(url: string, received: number, expected: number | null): void {
  if (expected !== null && received !== expected) {
    throw new DownloadError('length-mismatch', {
      url: redactUrl(url),
      size: received,
      detail: `received ${received} bytes, announced ${expected}`,
    });
  }
}

export async function downloadToBuffer(url: string, options: DownloadOptions): Promise<Downloaded & { body: Buffer }> {
  const opened = await openBody(url, options);
  const counter = meter(url, options, opened.expectedLength);
  const chunks: Buffer[] = [];
  try {
    await pipeline(
      opened.body,
      counter,
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          chunks.push(chunk);
          callback();
        },
      }),
      { signal: options.signal },
    );
  } catch (error) {
    throw classify(error, url, options.signal);
  }
  checkLength(url, counter.received, opened.expectedLength);
  return { body: Buffer.concat(chunks), contentType: opened.contentType, size: counter.received };
}

/** Decides the final path once the Content-Type and the first bytes are known. */
export type ChoosePath = (contentType: string | null, head: Buffer) => string;

/**
 * Opens its temporary file only when the first bytes have arrived, because the final name
 * (and so the directory the temporary file must share) depends on them.
 */
class TemporaryFile extends Writable {
  private head: Buffer[] = [];
  private headLength = 0;
  private handle: FileHandle | null = null;
  /** The open in progress, so that discard() never runs between open() and its result. */
  private opening: Promise<void> | null = null;
  finalPath: string | null = null;
  tempPath: string | null = null;

  constructor(private readonly choose: (head: Buffer) => string) {
    super({ highWaterMark: 1024 * 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.take(chunk).then(() => callback(), callback);
  }

  /** Chunks that queued up while a write was under way go to the disk in one call. */
  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.takeMany(chunks.map((c) => c.chunk)).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    (async () => {
      if (!this.handle) await this.openWithHead();
      await this.handle?.close();
      this.handle = null;
    })().then(() => callback(), callback);
  }

  private async take(chunk: Buffer): Promise<void> {
    if (this.handle) return writeAll(this.handle, chunk);
    this.head.push(chunk);
    this.headLength += chunk.length;
    if (this.headLength >= SNIFF_BYTES) await this.openWithHead();
  }

  private async takeMany(buffers: Buffer[]): Promise<void> {
    if (this.handle) return writevAll(this.handle, buffers);
    for (const buffer of buffers) await this.take(buffer);
  }

  private openWithHead(): Promise<void> {
    const opening = this.openNow().finally(() => {
      if (this.opening === opening) this.opening = null;
    });
    this.opening = opening;
    return opening;
  }

  private async openNow(): Promise<void> {
    const head = Buffer.concat(this.head);
    this.head = [];
    const finalPath = this.choose(head);
    await mkdir(dirname(finalPath), { recursive: true });
    this.finalPath = finalPath;
    this.tempPath = join(dirname(finalPath), `.${basename(finalPath)}.${randomBytes(6).toString('hex')}.part`);
    this.handle = await open(this.tempPath, 'wx');
    await writeAll(this.handle, head);
  }

  /** Closes and deletes the temporary file; safe to call more than once. */
  async discard(): Promise<void> {
    // A pipeline that fails rejects at once, possibly while the file is being opened: wait for
    // that, or the file would be created after this cleanup and left behind, its handle unclosed.
    await this.opening?.catch(() => undefined);
    const handle = this.handle;
    this.handle = null;
    await handle?.close().catch(() => undefined);
    const temp = this.tempPath;
    this.tempPath = null;
    if (temp) await unlink(temp).catch(() => undefined);
  }

  async commit(): Promise<string> {
    if (!this.tempPath || !this.finalPath) throw new Error('nothing was written');
    await rename(this.tempPath, this.finalPath);
    this.tempPath = null;
    return this.finalPath;
  }
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

async function writevAll(handle: FileHandle, buffers: Buffer[]): Promise<void> {
  let pending = buffers;
  while (pending.length > 0) {
    let written = (await handle.writev(pending)).bytesWritten;
    if (written === 0) {
      // Nothing taken (a full disk can answer so): a plain write reports the reason.
      await writeAll(handle, pending[0]!);
      written = pending[0]!.length;
    }
    const rest: Buffer[] = [];
    for (const buffer of pending) {
      if (written >= buffer.length) {
        written -= buffer.length;
        continue;
      }
      rest.push(written > 0 ? buffer.subarray(written) : buffer);
      written = 0;
    }
    pending = rest;
  }
}

export async function downloadToFile(
  url: string,
  choosePath: ChoosePath,
  options: DownloadOptions,
): Promise<Downloaded & { path: string }> {
  const opened = await openBody(url, options);
  const counter = meter(url, options, opened.expectedLength);
  const file = new TemporaryFile((head) => choosePath(opened.contentType, head));
  try {
    try {
      await pipeline(opened.body, counter, file, { signal: options.signal });
    } catch (error) {
      if (error instanceof Error && error.name === 'FileNameError') throw error;
      const code = codeOf(error);
      if (!options.signal?.aborted && code && /^E[A-Z]+$/.test(code) && (error as { syscall?: unknown }).syscall) {
        throw new DownloadError('file', { url: redactUrl(url), detail: (error as Error).message });
      }
      throw classify(error, url, options.signal);
    }
    checkLength(url, counter.received, opened.expectedLength);
    const path = await file.commit();
    return { path, contentType: opened.contentType, size: counter.received };
  } finally {
    await file.discard();
  }
}
