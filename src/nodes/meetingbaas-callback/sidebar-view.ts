// What the "Meeting BaaS" sidebar shows of the journals of the callback nodes, without Node-RED:
// the state of a delivery in words the editor translates, the rows of one page across every
// callback node (newest first, filtered, bounded), and a payload with its secrets hidden.
import type { JournalEntry } from '../../lib/delivery/journal';
import { MAX_PAGE, type DeliveryRow, type DeliveryState, type StateFilter } from './sidebar-contract';

export interface DeliveryFilter {
  readonly node?: string;
  readonly state?: StateFilter;
  readonly event?: string;
  /** Part of the bot id or of a value of `extra`, any case. */
  readonly search?: string;
}

/** The most `extra` kept in a journal record: enough to show and search, never a large object. */
export const MAX_EXTRA_CHARS = 2048;

/** The journal meta of `extra` (beside `event` and `data`): compact JSON, or null when absent, not an object or too large. */
export function extraMeta(payload: unknown): string | null {
  const extra = payload !== null && typeof payload === 'object' ? (payload as { extra?: unknown }).extra : undefined;
  if (extra === null || typeof extra !== 'object' || Array.isArray(extra)) return null;
  const text = JSON.stringify(maskSecrets(extra));
  return text.length <= MAX_EXTRA_CHARS ? text : null;
}

export function deliveryState(entry: JournalEntry): DeliveryState {
  if (entry.finishedAt !== null) return 'finished';
  if (entry.parked !== null) return 'parked';
  if (entry.failedInFlow) return 'failed';
  return entry.sentAgain > 0 ? 'sent-again' : 'in-flow';
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A row of a journal entry; records from before `output` and `extra` were kept read as unknown. */
export function rowOf(node: string, entry: JournalEntry): DeliveryRow {
  let extra: Record<string, unknown> | null = null;
  const kept = text(entry.meta.extra);
  if (kept !== null) {
    try {
      const parsed: unknown = JSON.parse(kept);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) extra = parsed as Record<string, unknown>;
    } catch {
      extra = null;
    }
  }
  const output = entry.meta.output;
  return {
    node,
    seq: entry.seq,
    receivedAt: entry.receivedAt,
    event: text(entry.meta.event),
    botId: text(entry.meta.botId),
    extra,
    verifiedBy: entry.verifiedBy,
    output: typeof output === 'number' && Number.isInteger(output) && output >= 0 && output <= 3 ? output : null,
    state: deliveryState(entry),
    recovered: entry.verifiedBy === 'api',
    attempts: entry.sentAgain,
    problem: entry.parked ?? entry.lastProblem,
    finishedAt: entry.finishedAt,
  };
}

function extraValues(extra: unknown): string[] {
  if (extra === null || extra === undefined) return [];
  if (typeof extra === 'object') return Object.values(extra as Record<string, unknown>).flatMap(extraValues);
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects are handled above: a primitive is left
  return [String(extra)];
}

export function matches(row: DeliveryRow, filter: DeliveryFilter): boolean {
  if (filter.node && row.node !== filter.node) return false;
  if (filter.event && row.event !== filter.event) return false;
  if (filter.state === 'recovered' ? !row.recovered : filter.state && row.state !== filter.state) return false;
  const search = filter.search?.trim().toLowerCase();
  if (search) {
    const haystack = [row.botId ?? '', ...extraValues(row.extra)];
    if (!haystack.some((value) => value.toLowerCase().includes(search))) return false;
  }
  return true;
}

/** Where a page stops, for each callback node: the next page starts below these sequence numbers. */
export type Cursor = Readonly<Record<string, number>>;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** Null when it is not a cursor this module wrote. */
export function decodeCursor(value: string): Cursor | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    const entries = Object.entries(parsed as Record<string, unknown>);
    if (!entries.every(([, seq]) => typeof seq === 'number' && Number.isSafeInteger(seq))) return null;
    return Object.fromEntries(entries) as Cursor;
  } catch {
    return null;
  }
}

/** The journal of one callback node, as a page needs it. */
export interface PagedJournal {
  readonly node: string;
  /** Newest first, `limit` at most, below `beforeSeq`. */
  list(limit: number, beforeSeq: number): JournalEntry[];
}

export interface Page {
  readonly rows: DeliveryRow[];
  /** Null when there is nothing older. */
  readonly next: string | null;
}

/** The entries looked at per node for one page: a filter that matches little gives a short page, never a long scan. */
export const MAX_SCAN_PER_NODE = 5000;
const CHUNK = 100;

/**
 * One page of rows across the journals, newest first (by time received, then node and entry),
 * `limit` at most, starting below `cursor`. Reads each journal in chunks, never whole.
 */
export function pageOf(journals: readonly PagedJournal[], filter: DeliveryFilter, limit: number, cursor: Cursor = {}): Page {
  const size = Math.max(1, Math.min(MAX_PAGE, Math.floor(limit) || 1));
  interface Reader {
    readonly journal: PagedJournal;
    /** Matching rows read and not yet taken, newest first. */
    buffer: DeliveryRow[];
    /** Below which sequence number reading goes on. */
    before: number;
    exhausted: boolean;
    scanned: number;
  }
  const readers: Reader[] = journals
    .filter((journal) => !filter.node || journal.node === filter.node)
    .map((journal) => ({ journal, buffer: [], before: cursor[journal.node] ?? Number.MAX_SAFE_INTEGER, exhausted: false, scanned: 0 }));
  const fill = (reader: Reader): void => {
    while (reader.buffer.length === 0 && !reader.exhausted) {
      if (reader.scanned >= MAX_SCAN_PER_NODE) return;
      const entries = reader.journal.list(CHUNK, reader.before);
      if (entries.length < CHUNK) reader.exhausted = true;
      for (const entry of entries) {
        reader.scanned += 1;
        reader.before = entry.seq;
        const row = rowOf(reader.journal.node, entry);
        if (matches(row, filter)) reader.buffer.push(row);
      }
    }
  };
  const rows: DeliveryRow[] = [];
  /** Per node, below which entry the next page starts: after the last row taken, or after what was scanned. */
  const next: Record<string, number> = {};
  while (rows.length < size) {
    let best: Reader | null = null;
    for (const reader of readers) {
      fill(reader);
      const head = reader.buffer[0];
      if (!head) continue;
      const top = best?.buffer[0];
      if (!top || head.receivedAt > top.receivedAt || (head.receivedAt === top.receivedAt && (head.node > top.node || (head.node === top.node && head.seq > top.seq)))) best = reader;
    }
    const taken = best?.buffer.shift();
    if (!best || !taken) break;
    rows.push(taken);
    next[best.journal.node] = taken.seq;
  }
  let more = false;
  for (const reader of readers) {
    const head = reader.buffer[0];
    // Rows read but not taken are read again from the next page; a scan cut short goes on from where it stopped.
    if (head) next[reader.journal.node] = head.seq + 1;
    else if (!reader.exhausted) next[reader.journal.node] = reader.before;
    else if (next[reader.journal.node] === undefined) next[reader.journal.node] = 0;
    if (head || !reader.exhausted) more = true;
  }
  return { rows, next: more ? encodeCursor(next) : null };
}

const HIDDEN = '[hidden]';
/** Names of fields whose value is a secret. */
const SECRET_NAME = /pass(word|phrase)?|secret|token|api[-_]?key|authori[sz]ation|credential|cookie|signature|private[-_]?key|session/i;
/** Query parameters of signed links (S3, CloudFront, GCS, Azure SAS) and tokens. */
const SIGNED_PARAM = /^(x-amz-.*|x-goog-.*|signature|sig|se|sp|sv|sr|skoid|sktid|policy|key-pair-id|googleaccessid|expires|token|access_token|auth|key|api_key|apikey)$/i;
/** Values that are secrets whatever their name: webhook secrets, bearer tokens, JWTs, Stripe-like keys. */
const SECRET_VALUE = /^(whsec_\S+|Bearer\s+\S+|Basic\s+\S+|eyJ[\w-]+\.[\w-]+\.[\w-]*|(sk|pk|rk)_(live|test)_\w+)$/i;

/** A URL with the values of signing and token parameters hidden; anything else as it is. */
export function maskUrl(value: string): string {
  if (!/^https?:\/\//i.test(value)) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  let changed = false;
  if (url.username || url.password) {
    url.username = '';
    url.password = '';
    changed = true;
  }
  const params = [...url.searchParams.keys()];
  for (const name of new Set(params)) {
    if (SIGNED_PARAM.test(name) || SECRET_NAME.test(name)) {
      url.searchParams.set(name, HIDDEN);
      changed = true;
    }
  }
  return changed ? url.toString().replace(/%5Bhidden%5D/g, HIDDEN) : value;
}

/** A copy of a JSON value with secrets hidden: fields named like one, values that look like one, and signed query strings. */
export function maskSecrets(value: unknown, depth = 0): unknown {
  if (depth > 100) return HIDDEN;
  if (typeof value === 'string') return SECRET_VALUE.test(value.trim()) ? HIDDEN : maskUrl(value);
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
    out[name] = SECRET_NAME.test(name) && item !== null && typeof item !== 'object' && typeof item !== 'boolean' ? HIDDEN : maskSecrets(item, depth + 1);
  }
  return out;
}

/** Any text (a body that is not JSON, a problem) with signed links and secret-looking words hidden. */
export function maskText(value: string): string {
  return value
    .replace(/https?:\/\/[^\s"'<>]+/gi, (url) => maskUrl(url))
    .replace(/\b(whsec_\S+|eyJ[\w-]+\.[\w-]+\.[\w-]*|(sk|pk|rk)_(live|test)_\w+)/gi, HIDDEN)
    .replace(/\b(Bearer|Basic)\s+\S+/gi, `$1 ${HIDDEN}`);
}
