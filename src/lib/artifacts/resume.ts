// Continuing a download where an earlier attempt stopped. Beside its partial file a download
// writes a record of the object it holds (length, ETag, Last-Modified); the next attempt asks
// storage for the rest with Range and If-Range, and keeps the partial only if the answer proves
// it is the rest of that same object.
import { mkdir, open, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isRecord } from '../records';
import type { Opened, Validators } from './request';
import { recordPathOf, SNIFF_BYTES, type PartialStart } from './temporary-file';

/** What a partial holds, read back from its record and from the file itself. */
export interface ResumePoint extends PartialStart {
  readonly length: number;
  readonly validators: Validators;
}

export interface PartialRecord {
  readonly length: number;
  readonly etag: string | null;
  readonly lastModified: string | null;
}

function isStrongEtag(etag: string | null): etag is string {
  return etag !== null && !etag.startsWith('W/');
}

/** Without a strong ETag or a Last-Modified, nothing proves the rest storage sends belongs to the same object. */
export function canResume(record: PartialRecord): boolean {
  return Number.isSafeInteger(record.length) && record.length > 0 && (isStrongEtag(record.etag) || record.lastModified !== null);
}

export async function writeRecord(partialPath: string, record: PartialRecord): Promise<void> {
  await mkdir(dirname(partialPath), { recursive: true });
  await writeFile(recordPathOf(partialPath), JSON.stringify(record));
}

/**
 * A record read back from the disk, where anything may be (a crash, another version, a hand
 * edit): what does not describe an object is no record. A validator left out is one storage did
 * not send.
 */
function recordFrom(text: string): PartialRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(value)) return null;
  const { length, etag = null, lastModified = null } = value;
  if (typeof length !== 'number') return null;
  if (etag !== null && typeof etag !== 'string') return null;
  if (lastModified !== null && typeof lastModified !== 'string') return null;
  return { length, etag, lastModified };
}

/**
 * A partial worth resuming: its record allows it (canResume) and it holds at least the bytes
 * that chose its final name, but not the whole object.
 */
export async function readResumePoint(partialPath: string): Promise<ResumePoint | null> {
  let text: string;
  let size: number;
  try {
    text = await readFile(recordPathOf(partialPath), 'utf8');
    size = (await stat(partialPath)).size;
  } catch {
    return null;
  }
  const record = recordFrom(text);
  if (!record || !canResume(record)) return null;
  const { length, etag, lastModified } = record;
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

export function rangeHeaders(point: ResumePoint): Record<string, string> {
  // If-Range lets storage answer the whole object (200) at once when it changed.
  const ifRange = isStrongEtag(point.validators.etag) ? point.validators.etag : point.validators.lastModified;
  return ifRange ? { range: `bytes=${point.size}-`, 'if-range': ifRange } : { range: `bytes=${point.size}-` };
}

/** The answer is the rest of the object the partial holds the beginning of. */
export function continuesPartial(point: ResumePoint, opened: Opened): boolean {
  const range = opened.contentRange;
  if (opened.statusCode !== 206 || !range) return false;
  if (range.start !== point.size || range.total !== point.length || range.end !== point.length - 1) return false;
  const { etag, lastModified } = point.validators;
  if (etag !== null && opened.validators.etag !== etag) return false;
  if (lastModified !== null && opened.validators.lastModified !== null && opened.validators.lastModified !== lastModified) return false;
  return isStrongEtag(etag) || opened.validators.lastModified !== null;
}
