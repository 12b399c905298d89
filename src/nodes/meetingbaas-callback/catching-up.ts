// The catch-up of one callback node: looks, through the API, for the meetings that ended while
// their callback could not reach this Node-RED (it was down for longer than Meeting BaaS retries,
// or a tunnel was), and hands each to the node as a delivery rebuilt from the bot's details.
//
// A checkpoint file says how far back the looks have covered, so that a start after a downtime
// looks from there; a node with no checkpoint yet recovers nothing from before it existed.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { missedMeetings, type CatchUpApi, type ListEnd, type RecoveredDelivery } from '../../lib/delivery/catch-up';
import { errorCode, isRecord } from '../../lib/records';

export interface CatchUpTiming {
  /** Between two looks while the node runs. */
  readonly everyMs: number;
  /** A look leaves out bots that ended this recently: their callback may still be on its way. */
  readonly settleMs: number;
  /** The look at start leaves out less: the node was not there to receive those callbacks. */
  readonly settleAtStartMs: number;
  /** Each look starts this much before the covered time: a bot's `ended_at` and our clock differ a little. */
  readonly marginMs: number;
  readonly checkpointEveryMs: number;
  /** The first wait after a failed look; doubled each time, up to `everyMs`. */
  readonly retryMs: number;
}

export const CATCH_UP_TIMING: CatchUpTiming = {
  everyMs: 10 * 60 * 1000,
  settleMs: 2 * 60 * 1000,
  // Meeting BaaS retries a callback for about 21 s.
  settleAtStartMs: 30 * 1000,
  marginMs: 5 * 60 * 1000,
  checkpointEveryMs: 60 * 1000,
  retryMs: 30 * 1000,
};

/** Held by one process at a time, for at most `ttlMs` (one that died while holding it blocks no one for long). */
export interface CatchUpLock {
  acquire(ttlMs: number): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * How far the looks of all instances have covered, kept where they all can read it: an instance
 * that comes back after a long downtime looks from there, not from its own old checkpoint, and so
 * does not bring back meetings another instance had long since delivered.
 */
export interface SharedCoveredTime {
  /** Null when none is kept yet. */
  read(): Promise<number | null>;
  /** Never moves it back. */
  raise(coveredUntil: number): Promise<void>;
}

/** How long a look may hold the lock; a longer one may overlap with another instance's (the claims keep meetings apart). */
const LOCK_MS = 5 * 60 * 1000;

export interface CatchUpOptions {
  /** The checkpoint file of this node. */
  readonly file: string;
  readonly api: CatchUpApi;
  readonly timing: CatchUpTiming;
  /** The bots (lower-case ids) whose terminal event the flow already had; asked once per look. */
  readonly deliveredBots: () => ReadonlySet<string>;
  /** Sends a recovered meeting on; false when it could not be (the next look tries again). */
  readonly deliver: (botId: string, delivery: RecoveredDelivery) => Promise<boolean>;
  readonly events: CatchUpEvents;
  readonly now?: () => number;
  /** A bound on the pages one look reads (the library's own when not given). */
  readonly maxPages?: number;
  /** Several instances behind a load balancer: a look runs only while holding this lock. */
  readonly lock?: CatchUpLock;
  readonly shared?: SharedCoveredTime;
}

export interface CatchUpEvents {
  /** A look failed; the next one is in `retryInMs`. */
  failed(error: unknown, retryInMs: number): void;
  /** A look succeeded after one or more failed. */
  resumed(): void;
  /** The checkpoint could not be read (DamagedCheckpoint when it holds none) or written. */
  checkpointProblem(error: unknown): void;
  /**
   * A look could not read the whole list of ended bots, so the meetings that ended since `since`
   * (ms since the epoch) are not all looked at yet. Said once, until a look reads a list to its end.
   */
  behind(why: { readonly reason: 'page-limit' | 'stuck-cursor'; readonly since: number }): void;
  /** A look read the whole list after one or more could not. */
  caughtUp(): void;
}

interface Checkpoint {
  readonly version: 1;
  /** Bots that ended before this moment (ms since the epoch) were looked at. */
  readonly coveredUntil: number;
  /** The last moment this node was known to be up. */
  readonly upAt: number;
  /** Its first start: nothing that ended before is recovered, margin or not. */
  readonly since: number;
  readonly unfinished?: Unfinished;
}

/**
 * A look cut short at the page bound. The list is in creation order, so a bot not read yet may have
 * ended anywhere in the window: the covered time stays, and the next look reads on from `cursor`
 * in the same window instead of reading the same first pages again.
 */
interface Unfinished {
  readonly endedAfter: number;
  readonly endedBefore: number;
  readonly cursor: string;
  /** Every meeting found so far in this window could be sent. */
  readonly allSent: boolean;
}

export class CatchingUp {
  private coveredUntil: number;
  private readonly since: number;
  private unfinished: Unfinished | null;
  /** A look was cut short and none has read a list to its end since. */
  private behind = false;
  private lookTimer: NodeJS.Timeout | null = null;
  private readonly checkpointTimer: NodeJS.Timeout;
  private looking: Promise<void> | null = null;
  private failures = 0;
  /** The last look found the lock held by another instance. */
  private lockedOut = false;
  private closed = false;
  private readonly now: () => number;

  private constructor(
    private readonly options: CatchUpOptions,
    saved: Pick<Checkpoint, 'coveredUntil' | 'since' | 'unfinished'>,
  ) {
    this.now = options.now ?? Date.now;
    this.coveredUntil = saved.coveredUntil;
    this.since = saved.since;
    this.unfinished = saved.unfinished ?? null;
    this.checkpointTimer = setInterval(() => void this.saveCheckpoint(), options.timing.checkpointEveryMs);
    this.checkpointTimer.unref();
  }

  /** Reads the checkpoint and looks at once; later looks follow by themselves until `close`. */
  static async start(options: CatchUpOptions): Promise<CatchingUp> {
    const now = (options.now ?? Date.now)();
    const saved = await readCheckpoint(options.file).catch((error: unknown) => {
      options.events.checkpointProblem(error);
      return null;
    });
    const catchingUp = new CatchingUp(options, saved ?? { coveredUntil: now, since: now });
    await catchingUp.saveCheckpoint();
    catchingUp.lookNow(options.timing.settleAtStartMs);
    return catchingUp;
  }

  /** Resolves when the look under way (if any) has ended: for tests and for close. */
  idle(): Promise<void> {
    return this.looking ?? Promise.resolve();
  }

  /**
   * `removed`: the node was deleted, and its checkpoint goes with it. A look under way is not
   * waited for (an API call may take its time, and a deploy must not): it sends nothing more, and
   * what it had not covered is looked at again by the next start.
   */
  async close(removed: boolean): Promise<void> {
    this.closed = true;
    clearInterval(this.checkpointTimer);
    if (this.lookTimer) clearTimeout(this.lookTimer);
    if (removed) await rm(this.options.file, { force: true }).catch(() => undefined);
    else await this.saveCheckpoint();
  }

  private lookNow(settleMs: number): void {
    this.looking = this.look(settleMs).finally(() => {
      this.looking = null;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.closed) return;
    const { everyMs, retryMs, settleMs } = this.options.timing;
    const backOff = Math.min(everyMs, retryMs * 2 ** (this.failures - 1));
    // Locked out, or a long list to read on: soon again rather than a whole period later, so that the covered time keeps up.
    const soon = this.lockedOut || (this.unfinished !== null && this.failures === 0);
    const wait = soon ? retryMs : this.failures === 0 ? everyMs : backOff;
    this.lookTimer = setTimeout(() => this.lookNow(settleMs), wait);
    this.lookTimer.unref();
  }

  private async look(settleMs: number): Promise<void> {
    const lock = this.options.lock;
    if (lock === undefined) return this.lookHolding(settleMs);
    this.lockedOut = !(await lock.acquire(LOCK_MS));
    if (this.lockedOut) return;
    try {
      await this.lookHolding(settleMs);
    } finally {
      await lock.release();
    }
  }

  private async lookHolding(settleMs: number): Promise<void> {
    const { timing, api, deliveredBots, deliver, events, shared, maxPages } = this.options;
    // Unreadable: this instance's own covered time, at worst a few copies the meeting claims drop.
    const sharedCovered = shared ? await shared.read().catch(() => null) : null;
    if (sharedCovered !== null && sharedCovered > this.coveredUntil) this.coveredUntil = Math.min(sharedCovered, this.now());
    // Another instance read the whole window since: nothing left to read on.
    if (this.unfinished !== null && this.coveredUntil >= this.unfinished.endedBefore) this.unfinished = null;
    const window = this.unfinished ?? {
      endedAfter: Math.max(this.coveredUntil - timing.marginMs, this.since),
      endedBefore: this.now() - settleMs,
      cursor: null,
      allSent: true,
    };
    if (window.endedBefore <= window.endedAfter) return;
    let allSent = window.allSent;
    let end: ListEnd;
    try {
      const delivered = deliveredBots();
      const found = missedMeetings(api, {
        endedAfter: new Date(window.endedAfter),
        endedBefore: new Date(window.endedBefore),
        alreadyDelivered: (botId) => delivered.has(botId),
        cursor: window.cursor,
        ...(maxPages === undefined ? {} : { maxPages }),
      });
      for (let step = await found.next(); ; step = await found.next()) {
        if (this.closed) return;
        if (step.done) {
          end = step.value;
          break;
        }
        const result = step.value;
        if (result.kind === 'recovered' && !(await deliver(result.botId, result.delivery))) allSent = false;
      }
    } catch (error) {
      if (this.closed) return;
      this.failures += 1;
      const { everyMs, retryMs } = timing;
      events.failed(error, Math.min(everyMs, retryMs * 2 ** (this.failures - 1)));
      return;
    }
    if (this.failures > 0) events.resumed();
    this.failures = 0;
    if (end.kind !== 'complete') {
      // The covered time stays where it is, so that the bots not read are inside the next look.
      this.unfinished = end.kind === 'page-limit' ? { ...window, cursor: end.cursor, allSent } : null;
      if (!this.behind) events.behind({ reason: end.kind, since: window.endedAfter });
      this.behind = true;
      await this.saveCheckpoint();
      return;
    }
    this.unfinished = null;
    if (this.behind) events.caughtUp();
    this.behind = false;
    // A meeting that could not be sent is looked for again next time: the covered time stays.
    if (allSent) this.coveredUntil = Math.max(this.coveredUntil, window.endedBefore);
    await this.saveCheckpoint();
    if (allSent) await shared?.raise(this.coveredUntil).catch(() => undefined);
  }

  private async saveCheckpoint(): Promise<void> {
    const checkpoint: Checkpoint = {
      version: 1,
      coveredUntil: this.coveredUntil,
      upAt: this.now(),
      since: this.since,
      ...(this.unfinished === null ? {} : { unfinished: this.unfinished }),
    };
    const file = this.options.file;
    try {
      await mkdir(dirname(file), { recursive: true });
      // Written aside and renamed: a crash mid-write leaves the previous checkpoint whole.
      await writeFile(`${file}.new`, JSON.stringify(checkpoint));
      await rename(`${file}.new`, file);
    } catch (error) {
      this.options.events.checkpointProblem(error);
    }
  }
}

/** A checkpoint file that holds no checkpoint (cut short, or written by something else). */
export class DamagedCheckpoint extends Error {
  constructor(readonly file: string) {
    super(`damaged-checkpoint(file=${file})`);
    this.name = 'DamagedCheckpoint';
  }
}

/** The saved checkpoint, or null when there is none yet; a damaged one is reported and treated as none. */
async function readCheckpoint(file: string): Promise<Checkpoint | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DamagedCheckpoint(file);
  }
  if (!isRecord(value)) throw new DamagedCheckpoint(file);
  const { coveredUntil, upAt, since, unfinished } = value;
  if (typeof coveredUntil !== 'number' || !Number.isFinite(coveredUntil)) throw new DamagedCheckpoint(file);
  const readOn = unfinishedOf(unfinished);
  return {
    version: 1,
    coveredUntil,
    upAt: typeof upAt === 'number' ? upAt : coveredUntil,
    since: typeof since === 'number' && since <= coveredUntil ? since : Number.NEGATIVE_INFINITY,
    ...(readOn === null ? {} : { unfinished: readOn }),
  };
}

/** A saved unfinished look, or null for anything else: the next look then reads the window from its start. */
function unfinishedOf(value: unknown): Unfinished | null {
  if (!isRecord(value)) return null;
  const { endedAfter, endedBefore, cursor, allSent } = value;
  if (typeof endedAfter !== 'number' || !Number.isFinite(endedAfter)) return null;
  if (typeof endedBefore !== 'number' || !Number.isFinite(endedBefore) || endedBefore <= endedAfter) return null;
  if (typeof cursor !== 'string' || cursor === '') return null;
  return { endedAfter, endedBefore, cursor, allSent: allSent === true };
}
