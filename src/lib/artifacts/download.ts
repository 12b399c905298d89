// Downloads one artifact, to a file or into memory, with bounded memory whatever its size.
// A file is written under a hidden partial name and renamed into place only when complete, as
// long as announced and on disk, so a reader never sees half a recording under its final name.
// The partial name is fixed per file and the partial is kept when the download is aborted (or
// the process dies), so the next attempt can ask storage for the rest instead of starting over.
import { mkdir, open, readdir, readFile, rename, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Dispatcher } from 'undici';
import { undici } from '../undici';
import { checkUrl, type AddressPolicy, AddressRefusedError } from './address-policy';
import type { Problem } from '../problem';
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
  /** `refused`: why, as a code for the node to say. */
  readonly problem?: Problem;
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

export interface SavedToFile extends Downloaded {
  readonly path: string;
  /** Bytes taken from a partial file of an earlier attempt (0: downloaded from the start). */
  readonly resumedFrom: number;
}

/** How many leading bytes decide a file's type. */
export const SNIFF_BYTES = 16;

const EXPIRED = /Request has expired|<Code>ExpiredToken<\/Code>/i;
const ERROR_BODY_LIMIT = 16 * 1024;
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

interface Opened {
  readonly body: Readable;
  readonly statusCode: number;
  readonly contentType: string | null;
  readonly expectedLength: number | null;
  readonly validators: Validators;
  readonly contentRange: ContentRange | null;
}

/** What identifies one version of a stored object; a re-signed URL for it keeps them. */
interface Validators {
  readonly etag: string | null;
  readonly lastModified: string | null;
}

interface ContentRange {
  readonly start: number;
  readonly end: number;
  readonly total: number;
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
    if (cause instanceof AddressRefusedError) return new DownloadError('refused', { url: safe, problem: cause.problem });
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

function contentRangeOf(value: string | undefined): ContentRange | null {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value?.trim() ?? '');
  if (!match) return null;
  return { start: Number(match[1]), end: Number(match[2]), total: Number(match[3]) };
}

async function openBody(url: string, options: DownloadOptions, extraHeaders: Record<string, string> = {}): Promise<Opened> {
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

/** Counts bytes for progress and the size cap, without holding any; `offset` bytes are already on disk. */
function meter(url: string, options: DownloadOptions, expected: number | null, offset = 0): Transform & { received: number } {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      counter.received += chunk.length;
      if (offset + counter.received > options.maxBytes) {
        callback(new DownloadError('too-large', { url: redactUrl(url), limit: options.maxBytes }));
        return;
      }
      options.onProgress?.(offset + counter.received, expected);
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

/** Where the bytes of a final file go until it is complete: hidden, in the final file's folder. */
export function partialPathFor(finalLikePath: string): string {
  const name = `.${basename(finalLikePath)}`;
  return join(dirname(finalLikePath), name.endsWith('.part') ? name : `${name}.part`);
}

/** The partial's record of which object it holds, written when its download starts. */
function recordPathOf(partialPath: string): string {
  return `${partialPath}.json`;
}

/** What a partial holds, read back from its record and from the file itself. */
interface ResumePoint {
  readonly size: number;
  readonly head: Buffer;
  readonly length: number;
  readonly validators: Validators;
}

interface PartialRecord {
  readonly length: number;
  readonly etag: string | null;
  readonly lastModified: string | null;
}

function isStrongEtag(etag: string | null): etag is string {
  return etag !== null && !etag.startsWith('W/');
}

function canResume(record: PartialRecord): boolean {
  return Number.isSafeInteger(record.length) && record.length > 0 && (isStrongEtag(record.etag) || record.lastModified !== null);
}

/**
 * A partial worth resuming: its record names a strong ETag or a Last-Modified (without one,
 * nothing proves the rest storage sends belongs to the same object) and it holds at least the
 * bytes that chose its final name.
 */
async function readResumePoint(partialPath: string): Promise<ResumePoint | null> {
  let record: Partial<PartialRecord>;
  let size: number;
  try {
    record = JSON.parse(await readFile(recordPathOf(partialPath), 'utf8')) as Partial<PartialRecord>;
    size = (await stat(partialPath)).size;
  } catch {
    return null;
  }
  const etag = typeof record.etag === 'string' ? record.etag : null;
  const lastModified = typeof record.lastModified === 'string' ? record.lastModified : null;
  const length = record.length;
  if (typeof length !== 'number' || !canResume({ length, etag, lastModified })) return null;
  if (size < SNIFF_BYTES || size >= length) return null;
  const handle = await open(partialPath, 'r');
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
    return { size, head: head.subarray(0, bytesRead), length, validators: { etag, lastModified } };
  } finally {
    await handle.close();
  }
}

function rangeHeaders(point: ResumePoint): Record<string, string> {
  // If-Range lets storage answer the whole object (200) at once when it changed.
  const ifRange = isStrongEtag(point.validators.etag) ? point.validators.etag : point.validators.lastModified;
  return ifRange ? { range: `bytes=${point.size}-`, 'if-range': ifRange } : { range: `bytes=${point.size}-` };
}

/** The answer is the rest of the object the partial holds the beginning of. */
function continuesPartial(point: ResumePoint, opened: Opened): boolean {
  const range = opened.contentRange;
  if (opened.statusCode !== 206 || !range) return false;
  if (range.start !== point.size || range.total !== point.length || range.end !== point.length - 1) return false;
  const { etag, lastModified } = point.validators;
  if (etag !== null && opened.validators.etag !== etag) return false;
  if (lastModified !== null && opened.validators.lastModified !== null && opened.validators.lastModified !== lastModified) return false;
  return isStrongEtag(etag) || opened.validators.lastModified !== null;
}

/** Downloads of one file in this process, one at a time: they share its partial file. */
const busyFiles = new Map<string, Promise<unknown>>();

/** Runs `task` once no other task for `key` runs; tasks for one key run in arrival order. */
export function exclusively<T>(key: string, task: () => Promise<T>): Promise<T> {
  const before = busyFiles.get(key) ?? Promise.resolve();
  const run = before.then(task, task);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  busyFiles.set(key, settled);
  void settled.then(() => {
    if (busyFiles.get(key) === settled) busyFiles.delete(key);
  });
  return run;
}

/**
 * Opens its file only when the first bytes have arrived, because the final name (and so the
 * folder the final file goes to) depends on them. A resumed partial already holds those bytes.
 */
class PartialFile extends Writable {
  private head: Buffer[] = [];
  private headLength = 0;
  private handle: FileHandle | null = null;
  /** The open in progress, so that close() never runs between open() and its result. */
  private opening: Promise<void> | null = null;
  private written = false;
  finalPath: string | null = null;

  constructor(
    private readonly choose: (head: Buffer) => string,
    readonly partialPath: string,
    private readonly resumed: ResumePoint | null,
  ) {
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
      // On disk before the rename, so that a power cut never leaves a short file under the final name.
      await this.handle?.datasync();
      await this.handle?.close();
      this.handle = null;
    })().then(() => callback(), callback);
  }

  private async take(chunk: Buffer): Promise<void> {
    if (this.handle) return writeAll(this.handle, chunk);
    this.head.push(chunk);
    this.headLength += chunk.length;
    if (this.resumed || this.headLength >= SNIFF_BYTES) await this.openWithHead();
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
    const buffered = Buffer.concat(this.head);
    this.head = [];
    const finalPath = this.choose(this.resumed ? this.resumed.head : buffered);
    await mkdir(dirname(finalPath), { recursive: true });
    this.finalPath = finalPath;
    this.written = true;
    // Appending only after checking the partial ends where storage's answer starts; otherwise from zero.
    this.handle = await open(this.partialPath, this.resumed ? 'a' : 'w');
    await writeAll(this.handle, buffered);
  }

  /** Closes the file; deletes the partial and its record unless `keep`. Safe to call more than once. */
  async close(keep: boolean): Promise<void> {
    // A pipeline that fails rejects at once, possibly while the file is being opened: wait for
    // that, or the file would be created after this cleanup, its handle unclosed.
    await this.opening?.catch(() => undefined);
    const handle = this.handle;
    this.handle = null;
    await handle?.close().catch(() => undefined);
    if (!keep && (this.written || this.resumed)) await removePartial(this.partialPath);
  }

  async commit(): Promise<string> {
    if (!this.finalPath) throw new Error('nothing was written');
    await rename(this.partialPath, this.finalPath);
    await unlink(recordPathOf(this.partialPath)).catch(() => undefined);
    return this.finalPath;
  }
}

async function removePartial(partialPath: string): Promise<void> {
  await unlink(partialPath).catch(() => undefined);
  await unlink(recordPathOf(partialPath)).catch(() => undefined);
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
  for (let first = pending[0]; first !== undefined; first = pending[0]) {
    let written = (await handle.writev(pending)).bytesWritten;
    if (written === 0) {
      // Nothing taken (a full disk can answer so): a plain write reports the reason.
      await writeAll(handle, first);
      written = first.length;
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

/**
 * Downloads `url` to the file `choosePath` names, through `partialPath` (see partialPathFor).
 * A partial left by an aborted attempt is continued with a Range request when storage proves it
 * sends the rest of the same object; any other answer restarts from zero. Callers that may run
 * twice for one file at once go through `exclusively(partialPath, …)`.
 */
export async function downloadToFile(
  url: string,
  choosePath: ChoosePath,
  options: DownloadOptions,
  partialPath: string,
): Promise<SavedToFile> {
  let resumed = await readResumePoint(partialPath);
  let opened: Opened;
  try {
    opened = await openBody(url, options, resumed ? rangeHeaders(resumed) : {});
  } catch (error) {
    // 416: the partial is not shorter than the object; start over.
    if (!resumed || !(error instanceof DownloadError) || error.details.statusCode !== 416) throw error;
    resumed = null;
    opened = await openBody(url, options);
  }
  if (resumed && !continuesPartial(resumed, opened)) {
    resumed = null;
    if (opened.statusCode === 206) {
      discard(opened.body);
      opened = await openBody(url, options);
    }
  }
  const offset = resumed ? resumed.size : 0;
  const record: PartialRecord = { length: opened.expectedLength ?? -1, ...opened.validators };
  // Without a validator nothing could prove a later answer continues this object: no record, and
  // the partial is not worth keeping.
  const resumable = resumed !== null || canResume(record);
  if (!resumed) {
    await removePartial(partialPath);
    if (resumable) {
      await mkdir(dirname(partialPath), { recursive: true });
      await writeFile(recordPathOf(partialPath), JSON.stringify(record));
    }
  }
  const counter = meter(url, options, opened.expectedLength, offset);
  const file = new PartialFile((head) => choosePath(opened.contentType, head), partialPath, resumed);
  let keep = false;
  try {
    try {
      await pipeline(opened.body, counter, file, { signal: options.signal });
    } catch (error) {
      if (error instanceof Error && error.name === 'FileNameError') throw error;
      const code = codeOf(error);
      if (!options.signal?.aborted && code && /^E[A-Z]+$/.test(code) && (error as { syscall?: unknown }).syscall) {
        throw new DownloadError('file', { url: redactUrl(url), detail: (error as Error).message });
      }
      const failure = classify(error, url, options.signal);
      // Aborted by a close or redeploy: the delivery comes again and continues from here.
      keep = resumable && failure.kind === 'aborted';
      throw failure;
    }
    checkLength(url, offset + counter.received, opened.expectedLength);
    const path = await file.commit();
    return { path, contentType: opened.contentType, size: offset + counter.received, resumedFrom: offset };
  } finally {
    await file.close(keep);
  }
}

const PARTIAL_NAME = /^\..+\.part(\.json)?$/;

/**
 * Removes partial files (and their records) older than `maxAgeMs` under `root`, looking
 * `depth` folders deep at most: those of meetings whose delivery never came back.
 * Returns how many files were removed.
 */
export async function removeStalePartials(root: string, depth: number, maxAgeMs: number, now = Date.now()): Promise<number> {
  let removed = 0;
  const visit = async (folder: string, level: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (level < depth) await visit(full, level + 1);
        continue;
      }
      if (!entry.isFile() || !PARTIAL_NAME.test(entry.name)) continue;
      try {
        if (now - (await stat(full)).mtimeMs < maxAgeMs) continue;
        await unlink(full);
        removed += 1;
      } catch {
        // Gone already, or not ours to remove: the next sweep tries again.
      }
    }
  };
  await visit(root, 0);
  return removed;
}
