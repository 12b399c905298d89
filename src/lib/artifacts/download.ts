// Downloads one artifact, to a file or into memory, with bounded memory whatever its size:
// the request is opened (request.ts), its body counted (meter.ts) and streamed into memory or
// into a partial file renamed into place when complete (temporary-file.ts), continuing the
// partial of an earlier attempt when storage proves it sends the rest (resume.ts).
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AddressPolicy } from './address-policy';
import { classify, DownloadError, redactUrl } from './download-errors';
import type { HttpClient } from './http-client';
import { Meter } from './meter';
import { discard, openRequest, type Opened } from './request';
import { canResume, continuesPartial, rangeHeaders, readResumePoint, writeRecord, type PartialRecord } from './resume';
import { PartialFile, removePartial, TemporaryFileError } from './temporary-file';

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

export async function downloadToBuffer(url: string, options: DownloadOptions): Promise<Downloaded & { body: Buffer }> {
  const opened = await openRequest(url, options);
  const meter = new Meter(url, options, opened.expectedLength);
  const chunks: Buffer[] = [];
  try {
    await pipeline(
      opened.body,
      meter,
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
  meter.checkComplete();
  return { body: Buffer.concat(chunks), contentType: opened.contentType, size: meter.received };
}

/** Decides the final path once the Content-Type and the first bytes are known. */
export type ChoosePath = (contentType: string | null, head: Buffer) => string;

function fileError(url: string, error: TemporaryFileError): DownloadError {
  return new DownloadError('file', { url: redactUrl(url), detail: error.message });
}

/**
 * Downloads `url` to the file `choosePath` names, through `partialPath` (see partialPathFor).
 * A partial left by an aborted attempt is continued with a Range request when storage proves it
 * sends the rest of the same object; any other answer restarts from zero. Callers that may run
 * twice for one file at once go through `exclusively(partialPath, …)`. What `choosePath` throws
 * is thrown as it is.
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
    opened = await openRequest(url, options, resumed ? rangeHeaders(resumed) : {});
  } catch (error) {
    // 416: the partial is not shorter than the object; start over.
    if (!resumed || !(error instanceof DownloadError) || error.details.statusCode !== 416) throw error;
    resumed = null;
    opened = await openRequest(url, options);
  }
  if (resumed && !continuesPartial(resumed, opened)) {
    resumed = null;
    if (opened.statusCode === 206) {
      discard(opened.body);
      opened = await openRequest(url, options);
    }
  }
  const offset = resumed ? resumed.size : 0;
  const record: PartialRecord = { length: opened.expectedLength ?? -1, ...opened.validators };
  // Without a validator nothing could prove a later answer continues this object: no record, and
  // the partial is not worth keeping.
  const resumable = resumed !== null || canResume(record);
  if (!resumed) {
    await removePartial(partialPath);
    if (resumable) await writeRecord(partialPath, record);
  }
  const meter = new Meter(url, options, opened.expectedLength, offset);
  const { contentType } = opened;
  const file = new PartialFile((head) => choosePath(contentType, head), partialPath, resumed);
  let keep = false;
  try {
    try {
      await pipeline(opened.body, meter, file, { signal: options.signal });
    } catch (error) {
      if (file.choiceFailure && error === file.choiceFailure.error) throw error;
      if (error instanceof TemporaryFileError && !options.signal?.aborted) throw fileError(url, error);
      const failure = classify(error, url, options.signal);
      // Aborted by a close or redeploy: the delivery comes again and continues from here.
      keep = resumable && failure.kind === 'aborted';
      throw failure;
    }
    meter.checkComplete();
    let path: string;
    try {
      path = await file.commit();
    } catch (error) {
      throw error instanceof TemporaryFileError ? fileError(url, error) : error;
    }
    return { path, contentType, size: offset + meter.received, resumedFrom: offset };
  } finally {
    await file.close(keep);
  }
}
