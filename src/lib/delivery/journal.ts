// The journal of one callback node: every delivery it accepts is appended and flushed to disk
// before Meeting BaaS is told 2xx, so that a crash, a power cut or a restart after the answer
// cannot lose it; what happened to it next (sent again, finished, parked) is appended after it.
//
// One record a line: the CRC-32 of the JSON (8 hex digits), a space, the JSON. A power cut in the
// middle of a write leaves a torn last line whose CRC fails: it is skipped and cut off when the
// journal opens, never a reason not to start. Appends that arrive while a write is on its way are
// written and flushed together (group commit), so one fdatasync serves many deliveries under load.
// Finished entries older than the retention are dropped by rewriting the live ones into a new
// file that replaces the old one atomically. Whether that would pay is a look over every entry:
// past the size for it, the journal looks again only once the file has grown by an eighth, so
// that the look costs a constant per byte written instead of the whole window of entries per write.
import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { errorCode, errorMessage } from '../records';

/** What the node keeps of an accepted delivery to send it again after a restart. */
export interface JournalDelivery {
  readonly deliveryId: string;
  /** Milliseconds since the epoch. */
  readonly receivedAt: number;
  readonly verifiedBy: string;
  /** The raw delivery as received (UTF-8). */
  readonly body: string;
  /** Small facts a reader needs without the body (event, bot id, output). */
  readonly meta: Readonly<Record<string, string | number | boolean | null>>;
}

/** A file (or, kept in a message, a buffer) a node further down the flow saved of a delivery. */
export interface SavedArtifact {
  /** An artifact's name, or `subtitles` for those fetch artifacts made of the transcript; read as any text. */
  readonly artifact: string;
  readonly bytes: number;
  /** Null when it went into a message instead of a file. */
  readonly path: string | null;
}

/** At most this many saved artifacts per entry (a meeting has about eight, subtitles included), newest kept. */
export const MAX_SAVED_PER_ENTRY = 16;
/** A longer name or path is not a file this package wrote: cut, so that one record stays small. */
const MAX_SAVED_TEXT = 1024;

export interface JournalEntry extends Omit<JournalDelivery, 'body'> {
  readonly seq: number;
  /** Attempts used up: times it was sent again, and times the flow reported it failed. */
  readonly attempts: number;
  /** Of these, the times it was actually sent again (in journals written before they were told apart: all). */
  readonly sentAgain: number;
  /** The flow reported it failed since it was last sent: it waits to be sent again (at the next start). */
  readonly failedInFlow: boolean;
  readonly lastProblem: string | null;
  /** Why it is not sent again by itself, or null. */
  readonly parked: string | null;
  readonly finishedAt: number | null;
  /** What the flow saved of it, as reported; empty in entries written before this was kept. */
  readonly saved: readonly SavedArtifact[];
}

export interface JournalAppend {
  readonly seq: number;
  readonly written: Promise<void>;
}

export interface JournalOptions {
  /** Finished entries are kept this long (the repeat window), then compacted away. */
  readonly retentionMs: number;
  /**
   * Compaction runs once the file has grown past this many bytes and holds mostly dropped entries
   * (looked at again each time the file has grown by an eighth).
   */
  readonly compactAtBytes?: number;
  readonly now?: () => number;
  /** Told when a compaction fails; the journal goes on with its old file. */
  readonly onCompactionError?: (error: JournalError) => void;
}

/** Stable codes for what can go wrong, so that nodes can say it in the user's language. */
export type JournalErrorCode = 'write-failed' | 'closed' | 'unknown-entry';

export class JournalError extends Error {
  override readonly name = 'JournalError';
  constructor(
    readonly code: JournalErrorCode,
    readonly detail = '',
  ) {
    super(detail ? `${code}: ${detail}` : code);
  }
}

type JournalRecord =
  | { k: 'a'; s: number; id: string; at: number; by: string; m: JournalDelivery['meta']; b: string }
  /** An attempt used up; `f`: by a failure the flow reported, not by a sending (absent in older journals). */
  | { k: 't'; s: number; e: string | null; f?: 1 }
  | { k: 'f'; s: number; at: number }
  | { k: 'p'; s: number; r: string }
  /** Artifacts saved: artifact, bytes, path (null: in a message). */
  | { k: 's'; s: number; f: Array<[string, number, string | null]> }
  /** Dropped: the delivery was not accepted after all (its sender was asked to retry). */
  | { k: 'd'; s: number }
  /** First line of a compacted file: sequence numbers continue from here. */
  | { k: 'n'; s: number };

interface EntryState {
  seq: number;
  deliveryId: string;
  receivedAt: number;
  verifiedBy: string;
  meta: JournalDelivery['meta'];
  attempts: number;
  sentAgain: number;
  failedInFlow: boolean;
  lastProblem: string | null;
  parked: string | null;
  finishedAt: number | null;
  saved: SavedArtifact[];
  /** Where its accepted record is in the file, once written. */
  offset: number;
  length: number;
}

/** The state of a delivery just accepted: nothing has happened to it yet. */
function acceptedEntry(seq: number, accepted: Pick<EntryState, 'deliveryId' | 'receivedAt' | 'verifiedBy' | 'meta'>, offset: number, length: number): EntryState {
  const { deliveryId, receivedAt, verifiedBy, meta } = accepted;
  return { seq, deliveryId, receivedAt, verifiedBy, meta, attempts: 0, sentAgain: 0, failedInFlow: false, lastProblem: null, parked: null, finishedAt: null, saved: [], offset, length };
}

interface PendingWrite {
  /** null asks for a compaction. */
  readonly line: Buffer | null;
  readonly entry?: EntryState;
  readonly written: { resolve(): void; reject(error: Error): void };
}

const NEWLINE = 0x0a;
const DEFAULT_COMPACT_AT_BYTES = 8 * 1024 * 1024;

function encode(record: JournalRecord): Buffer {
  const json = Buffer.from(JSON.stringify(record), 'utf8');
  const crc = crc32(json).toString(16).padStart(8, '0');
  return Buffer.concat([Buffer.from(`${crc} `, 'ascii'), json, Buffer.from('\n', 'ascii')]);
}

/** The record of one line (without its newline), or null when it is torn or damaged. */
function decode(line: Buffer): JournalRecord | null {
  if (line.length < 10 || line[8] !== 0x20) return null;
  const json = line.subarray(9);
  if (crc32(json).toString(16).padStart(8, '0') !== line.subarray(0, 8).toString('ascii')) return null;
  try {
    const record: unknown = JSON.parse(json.toString('utf8'));
    return isRecord(record) ? record : null;
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is JournalRecord {
  if (value === null || typeof value !== 'object' || !('k' in value) || !('s' in value)) return false;
  const { k, s } = value;
  return typeof k === 'string' && 'atfpdns'.includes(k) && k.length === 1 && typeof s === 'number' && Number.isSafeInteger(s);
}

function publicEntry(state: EntryState): JournalEntry {
  const { offset: _offset, length: _length, saved, ...entry } = state;
  return { ...entry, saved: [...saved] };
}

/** The saved artifacts of a record, as far as they make sense; written by another version, read tolerantly. */
function savedOf(files: unknown): SavedArtifact[] {
  if (!Array.isArray(files)) return [];
  return files.flatMap((file: unknown) => {
    if (!Array.isArray(file)) return [];
    const fields: readonly unknown[] = file;
    const [artifact, bytes, path] = fields;
    if (typeof artifact !== 'string' || typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) return [];
    return [{ artifact: artifact.slice(0, MAX_SAVED_TEXT), bytes, path: typeof path === 'string' ? path.slice(0, MAX_SAVED_TEXT) : null }];
  });
}

/** `earlier` with `reported` laid over it: one artifact saved to the same place again replaces its line; newest kept. */
function mergeSaved(earlier: readonly SavedArtifact[], reported: readonly SavedArtifact[]): SavedArtifact[] {
  const same = (a: SavedArtifact, b: SavedArtifact): boolean => a.artifact === b.artifact && a.path === b.path;
  const kept = earlier.filter((old) => !reported.some((file) => same(old, file)));
  return [...kept, ...reported].slice(-MAX_SAVED_PER_ENTRY);
}

function savedRecord(seq: number, files: readonly SavedArtifact[]): JournalRecord {
  return { k: 's', s: seq, f: files.map((file) => [file.artifact, file.bytes, file.path]) };
}

async function syncDirectory(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export class DeliveryJournal {
  private readonly entries = new Map<number, EntryState>();
  private readonly pending: PendingWrite[] = [];
  private flushing: Promise<void> | null = null;
  private nextSeq: number;
  private size: number;
  /** The size the file must reach before the next look at whether compacting by itself would pay. */
  private nextLookAt = 0;
  private closed = false;
  private readonly now: () => number;
  private readonly compactAtBytes: number;

  private constructor(
    private readonly file: string,
    private handle: FileHandle,
    state: { entries: EntryState[]; nextSeq: number; size: number },
    private readonly options: JournalOptions,
  ) {
    for (const entry of state.entries) this.entries.set(entry.seq, entry);
    this.nextSeq = state.nextSeq;
    this.size = state.size;
    this.now = options.now ?? Date.now;
    this.compactAtBytes = options.compactAtBytes ?? DEFAULT_COMPACT_AT_BYTES;
  }

  /** Opens (or creates) the journal at `file`, reading back what it holds; torn records are skipped. */
  static async open(file: string, options: JournalOptions): Promise<{ journal: DeliveryJournal; skippedRecords: number }> {
    await mkdir(dirname(file), { recursive: true });
    // A compaction that did not finish leaves its new file; the old one is still whole.
    await rm(`${file}.compacting`, { force: true });
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
      bytes = Buffer.alloc(0);
    }
    const { entries, nextSeq, goodBytes, skippedRecords } = replay(bytes);
    const handle = await open(file, 'a+');
    if (goodBytes < bytes.length) {
      // A torn last record would otherwise run into the next one appended.
      await handle.truncate(goodBytes);
      await handle.datasync();
    }
    const journal = new DeliveryJournal(file, handle, { entries, nextSeq, size: goodBytes }, options);
    return { journal, skippedRecords };
  }

  /** Entries not finished yet, oldest first (parked ones included: they are not finished). */
  unfinished(): JournalEntry[] {
    return [...this.entries.values()].filter((e) => e.finishedAt === null).map(publicEntry);
  }

  /** Every entry kept, newest first, `limit` at most, older than `beforeSeq` when given. */
  list(limit: number, beforeSeq = Number.POSITIVE_INFINITY): JournalEntry[] {
    const out: JournalEntry[] = [];
    for (const seq of [...this.entries.keys()].sort((a, b) => b - a)) {
      if (seq >= beforeSeq) continue;
      const entry = this.entries.get(seq);
      if (entry) out.push(publicEntry(entry));
      if (out.length >= limit) break;
    }
    return out;
  }

  get(seq: number): JournalEntry | undefined {
    const entry = this.entries.get(seq);
    return entry && publicEntry(entry);
  }

  /**
   * Appends a delivery. Its sequence number is known at once, so that the message can carry it
   * while the record is on its way to the disk; `written` resolves once it is there.
   */
  append(delivery: JournalDelivery): JournalAppend {
    if (this.closed) return { seq: 0, written: Promise.reject(new JournalError('closed')) };
    const seq = this.nextSeq++;
    const entry = acceptedEntry(seq, delivery, -1, 0);
    const record: JournalRecord = { k: 'a', s: seq, id: delivery.deliveryId, at: delivery.receivedAt, by: delivery.verifiedBy, m: delivery.meta, b: delivery.body };
    this.entries.set(seq, entry);
    const written = this.write(encode(record), entry).catch((error: unknown) => {
      this.entries.delete(seq);
      throw error;
    });
    return { seq, written };
  }

  /** The body of an entry, read back from the file. */
  async body(seq: number): Promise<string> {
    for (;;) {
      if (this.flushing) await this.flushing.catch(() => undefined);
      const entry = this.entries.get(seq);
      if (!entry || entry.offset < 0) throw new JournalError('unknown-entry', String(seq));
      const { handle, offset, length } = { handle: this.handle, offset: entry.offset, length: entry.length };
      const line = Buffer.alloc(length);
      try {
        await handle.read(line, 0, length, offset);
      } catch (error) {
        // A compaction replaced the file while this read was on its way: read the new one.
        if (handle !== this.handle) continue;
        throw error;
      }
      if (handle !== this.handle) continue;
      const record = decode(line.subarray(0, length - 1));
      if (record?.k !== 'a') throw new JournalError('unknown-entry', String(seq));
      return record.b;
    }
  }

  /** Counts one more sending of an unfinished entry, or with `failed`, a failure the flow reported (it is sent again later). */
  attempt(seq: number, problem: string | null = null, failed = false): Promise<void> {
    const entry = this.entries.get(seq);
    if (!entry) return Promise.reject(new JournalError('unknown-entry', String(seq)));
    countAttempt(entry, problem, failed);
    return this.write(encode(failed ? { k: 't', s: seq, e: problem, f: 1 } : { k: 't', s: seq, e: problem }));
  }

  finish(seq: number): Promise<void> {
    const entry = this.entries.get(seq);
    if (!entry) return Promise.reject(new JournalError('unknown-entry', String(seq)));
    if (entry.finishedAt !== null) return Promise.resolve();
    entry.finishedAt = this.now();
    return this.write(encode({ k: 'f', s: seq, at: entry.finishedAt }));
  }

  /**
   * Forgets an entry whose delivery was not accepted after all (answered 5xx): it is neither sent
   * again nor a repeat of the sender's retry.
   */
  drop(seq: number): Promise<void> {
    if (!this.entries.delete(seq)) return Promise.resolve();
    return this.write(encode({ k: 'd', s: seq }));
  }

  /** Records what the flow saved of an entry (laid over what it had reported before). */
  saved(seq: number, files: readonly SavedArtifact[]): Promise<void> {
    const entry = this.entries.get(seq);
    if (!entry) return Promise.reject(new JournalError('unknown-entry', String(seq)));
    // The same checks as a record read back: a caller's odd value is not written to be refused later.
    const reported = savedOf(files.slice(-MAX_SAVED_PER_ENTRY).map((file) => [file.artifact, file.bytes, file.path]));
    if (reported.length === 0) return Promise.resolve();
    entry.saved = mergeSaved(entry.saved, reported);
    return this.write(encode(savedRecord(seq, reported)));
  }

  park(seq: number, reason: string): Promise<void> {
    const entry = this.entries.get(seq);
    if (!entry) return Promise.reject(new JournalError('unknown-entry', String(seq)));
    entry.parked = reason;
    return this.write(encode({ k: 'p', s: seq, r: reason }));
  }

  /** Drops finished entries past the retention by rewriting the file, if that frees anything. */
  compact(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.write(null);
  }

  /** Writes what is pending and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.flushing) await this.flushing.catch(() => undefined);
    await this.handle.close();
  }

  /** Queues a line (or, for null, a compaction) and resolves once it is on disk. */
  private write(line: Buffer | null, entry?: EntryState): Promise<void> {
    if (this.closed) return Promise.reject(new JournalError('closed'));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line, ...(entry ? { entry } : {}), written: { resolve, reject } });
      this.startFlushing();
    });
  }

  private startFlushing(): void {
    if (this.flushing) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = null;
      // Writes queued by the callers the last batch woke up, after the loop had looked.
      if (this.pending.length > 0) this.startFlushing();
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      const lines = batch.filter((w): w is PendingWrite & { line: Buffer } => w.line !== null);
      const compactions = batch.filter((w) => w.line === null);
      if (lines.length > 0) {
        let offset = this.size;
        for (const write of lines) {
          if (write.entry) {
            write.entry.offset = offset;
            write.entry.length = write.line.length;
          }
          offset += write.line.length;
        }
        try {
          await this.writeAndSync(Buffer.concat(lines.map((w) => w.line)));
          for (const write of lines) write.written.resolve();
        } catch (error) {
          const failure = new JournalError('write-failed', errorMessage(error));
          for (const write of lines) write.written.reject(failure);
        }
      }
      if (compactions.length === 0 && (this.size < this.compactAtBytes || this.size < this.nextLookAt)) continue;
      try {
        await this.compactNow(compactions.length > 0);
        for (const write of compactions) write.written.resolve();
      } catch (error) {
        const failure = new JournalError('write-failed', errorMessage(error));
        for (const write of compactions) write.written.reject(failure);
        // The old file is still whole; what was not dropped is dropped at the next compaction.
        this.options.onCompactionError?.(failure);
      }
      // Also after a failure: one that persists is then retried (and reported) as rarely.
      this.nextLookAt = this.size + Math.floor(this.size / 8);
    }
  }

  private async writeAndSync(bytes: Buffer): Promise<void> {
    try {
      await this.handle.write(bytes);
      await this.handle.datasync();
      this.size += bytes.length;
    } catch (error) {
      // Cut a partial write off, so that the next record does not run into it.
      await this.handle.truncate(this.size).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Rewrites the kept entries into a new file that then replaces the old one. Done when asked
   * and something can go, or by itself once the file is large and at least half of it can go:
   * rewriting costs as much as what is kept.
   */
  private async compactNow(asked: boolean): Promise<void> {
    const oldest = this.now() - this.options.retentionMs;
    const written = [...this.entries.values()].filter((e) => e.offset >= 0);
    const kept = written.filter((e) => e.finishedAt === null || e.finishedAt > oldest);
    if (kept.length === written.length) return;
    const keptBytes = kept.reduce((sum, e) => sum + e.length, 0);
    if (!asked && keptBytes * 2 > this.size) return;
    const target = `${this.file}.compacting`;
    const out = await open(target, 'w');
    const moved = new Map<number, { offset: number; length: number }>();
    let size = 0;
    try {
      const put = async (bytes: Buffer): Promise<void> => {
        await out.write(bytes);
        size += bytes.length;
      };
      await put(encode({ k: 'n', s: this.nextSeq }));
      for (const entry of kept) {
        const line = Buffer.alloc(entry.length);
        await this.handle.read(line, 0, entry.length, entry.offset);
        moved.set(entry.seq, { offset: size, length: line.length });
        await put(line);
        // Sendings and failures in an order that leaves the entry as it is: a failure last while it waits to be sent again.
        const sending = encode({ k: 't', s: entry.seq, e: entry.lastProblem });
        const failure = encode({ k: 't', s: entry.seq, e: entry.lastProblem, f: 1 });
        const failures = Array<Buffer>(entry.attempts - entry.sentAgain).fill(failure);
        const sendings = Array<Buffer>(entry.sentAgain).fill(sending);
        for (const line of entry.failedInFlow ? [...sendings, ...failures] : [...failures, ...sendings]) await put(line);
        if (entry.parked !== null) await put(encode({ k: 'p', s: entry.seq, r: entry.parked }));
        if (entry.saved.length > 0) await put(encode(savedRecord(entry.seq, entry.saved)));
        if (entry.finishedAt !== null) await put(encode({ k: 'f', s: entry.seq, at: entry.finishedAt }));
      }
      await out.datasync();
    } finally {
      await out.close();
    }
    await rename(target, this.file);
    await syncDirectory(dirname(this.file));
    const old = this.handle;
    this.handle = await open(this.file, 'a+');
    await old.close();
    this.size = size;
    // Entries appended meanwhile are still waiting in the queue: they keep their place there.
    for (const entry of written) {
      const place = moved.get(entry.seq);
      if (place) {
        entry.offset = place.offset;
        entry.length = place.length;
      } else {
        this.entries.delete(entry.seq);
      }
    }
  }
}

function countAttempt(entry: EntryState, problem: string | null, failed: boolean): void {
  entry.attempts += 1;
  entry.lastProblem = problem;
  entry.failedInFlow = failed;
  if (!failed) entry.sentAgain += 1;
}

/** Rebuilds the entries from the file's bytes; stops trusting the file at its first torn line's end. */
function replay(bytes: Buffer): { entries: EntryState[]; nextSeq: number; goodBytes: number; skippedRecords: number } {
  const entries = new Map<number, EntryState>();
  let nextSeq = 1;
  let offset = 0;
  let goodBytes = 0;
  let skippedRecords = 0;
  while (offset < bytes.length) {
    const end = bytes.indexOf(NEWLINE, offset);
    if (end < 0) {
      // No newline: the last write was cut short.
      skippedRecords += 1;
      break;
    }
    const record = decode(bytes.subarray(offset, end));
    const length = end + 1 - offset;
    if (record === null) {
      skippedRecords += 1;
    } else {
      nextSeq = Math.max(nextSeq, record.k === 'n' ? record.s : record.s + 1);
      apply(entries, record, offset, length);
    }
    offset = end + 1;
    goodBytes = offset;
  }
  return { entries: [...entries.values()], nextSeq, goodBytes, skippedRecords };
}

function apply(entries: Map<number, EntryState>, record: JournalRecord, offset: number, length: number): void {
  if (record.k === 'n') return;
  if (record.k === 'a') {
    entries.set(record.s, acceptedEntry(record.s, { deliveryId: record.id, receivedAt: record.at, verifiedBy: record.by, meta: record.m }, offset, length));
    return;
  }
  const entry = entries.get(record.s);
  if (!entry) return;
  if (record.k === 'd') {
    entries.delete(record.s);
  } else if (record.k === 't') {
    countAttempt(entry, record.e, record.f === 1);
  } else if (record.k === 'f') {
    entry.finishedAt = record.at;
  } else if (record.k === 's') {
    entry.saved = mergeSaved(entry.saved, savedOf(record.f));
  } else {
    entry.parked = record.r;
  }
}
