// Files that appear under their final name only when complete. The bytes go to a hidden
// temporary file beside the final one (`.video.mp4.part`), flushed to disk, then renamed into
// place, so a reader never sees half a recording under its final name, even after a power cut.
// A download's temporary file (its "partial") keeps a fixed name and outlives an aborted
// attempt, so that the next one can continue it; stale ones are swept by removeStalePartials.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';

/** How many leading bytes decide a file's type. */
export const SNIFF_BYTES = 16;

const PARTIAL_NAME = /^\..+\.part(\.json)?$/;

/** `dir/video.mp4` → `dir/.video.mp4.part`; with `unique`, `dir/.video.mp4.<unique>.part`. */
function temporaryPathFor(finalPath: string, unique?: string): string {
  const name = `.${basename(finalPath)}${unique ? `.${unique}` : ''}`;
  return join(dirname(finalPath), name.endsWith('.part') ? name : `${name}.part`);
}

/** Where the bytes of a download go until it is complete: hidden, in the final file's folder, the same on every attempt. */
export function partialPathFor(finalLikePath: string): string {
  return temporaryPathFor(finalLikePath);
}

/** The partial's record of which object it holds (see resume.ts). */
export function recordPathOf(partialPath: string): string {
  return `${partialPath}.json`;
}

/** Removes a partial and its record, if there. */
export async function removePartial(partialPath: string): Promise<void> {
  await unlink(partialPath).catch(() => undefined);
  await unlink(recordPathOf(partialPath)).catch(() => undefined);
}

/**
 * Writes a small file (subtitles) the same all-or-nothing way as the downloads: flushed to disk
 * before the rename, so a power cut never leaves it short under its final name. Resolves to the
 * bytes written: the text encoded once, so that the size reported is the file's, not a count of characters.
 */
export async function writeFileAtomically(path: string, content: string): Promise<number> {
  const temp = temporaryPathFor(path, randomBytes(6).toString('hex'));
  const bytes = Buffer.from(content, 'utf8');
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    return bytes.length;
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
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

/** The disk failed under a partial file (full, no permission…); `cause` is the file system's error. */
export class TemporaryFileError extends Error {
  readonly code = 'ERR_MEETINGBAAS_TEMPORARY_FILE';

  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'TemporaryFileError';
  }
}

async function onDisk<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    throw new TemporaryFileError(error);
  }
}

/** Where a resumed partial stands: its length, and its first bytes, which chose its final name. */
export interface PartialStart {
  readonly size: number;
  readonly head: Buffer;
}

/**
 * The writing end of a download. It opens its file only when the first bytes have arrived,
 * because the final name (and so the folder the final file goes to) depends on them; a resumed
 * partial already holds those bytes. The disk's failures come out as TemporaryFileError, and
 * what `choose` throws comes out as it is (see `choiceFailure`).
 */
export class PartialFile extends Writable {
  private head: Buffer[] = [];
  private headLength = 0;
  private handle: FileHandle | null = null;
  /** The open in progress, so that close() never runs between open() and its result. */
  private opening: Promise<void> | null = null;
  private written = false;
  finalPath: string | null = null;
  /** What `choose` threw: the caller's own error, to be given back unchanged. */
  choiceFailure: { readonly error: unknown } | null = null;

  constructor(
    private readonly choose: (head: Buffer) => string,
    readonly partialPath: string,
    private readonly resumed: PartialStart | null,
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
      await onDisk(this.handle?.datasync() ?? Promise.resolve());
      await onDisk(this.handle?.close() ?? Promise.resolve());
      this.handle = null;
    })().then(() => callback(), callback);
  }

  private async take(chunk: Buffer): Promise<void> {
    if (this.handle) return onDisk(writeAll(this.handle, chunk));
    this.head.push(chunk);
    this.headLength += chunk.length;
    if (this.resumed || this.headLength >= SNIFF_BYTES) await this.openWithHead();
  }

  private async takeMany(buffers: Buffer[]): Promise<void> {
    if (this.handle) return onDisk(writevAll(this.handle, buffers));
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
    let finalPath: string;
    try {
      finalPath = this.choose(this.resumed ? this.resumed.head : buffered);
    } catch (error) {
      this.choiceFailure = { error };
      throw error;
    }
    await onDisk(mkdir(dirname(finalPath), { recursive: true }));
    this.finalPath = finalPath;
    this.written = true;
    // Appending only after checking the partial ends where storage's answer starts; otherwise from zero.
    this.handle = await onDisk(open(this.partialPath, this.resumed ? 'a' : 'w'));
    await onDisk(writeAll(this.handle, buffered));
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

  /** Renames the complete partial to its final name, and drops its record. */
  async commit(): Promise<string> {
    if (!this.finalPath) throw new Error('nothing was written');
    await onDisk(rename(this.partialPath, this.finalPath));
    await unlink(recordPathOf(this.partialPath)).catch(() => undefined);
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
    const first = pending[0];
    if (written === 0 && first) {
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
