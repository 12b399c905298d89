// Continuing a download where an earlier attempt stopped. Beside its partial file a download
// writes a record of the object it holds (length, ETag, Last-Modified); the next attempt asks
// storage for the rest with Range and If-Range, and keeps the partial only if the answer proves
// it is the rest of that same object.
import { mkdir, open, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
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
 * A partial worth resuming: its record allows it (canResume) and it holds at least the bytes
 * that chose its final name, but not the whole object.
 */
export async function readResumePoint(partialPath: string): Promise<ResumePoint | null> {
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
