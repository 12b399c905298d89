// Deliveries repeat (Meeting BaaS retries on 5xx and network errors, Svix on any non-2xx): remember
// the deliveries that were accepted for a while, so that a repeat is acknowledged but not sent again.
//
// A delivery is claimed when it arrives and stays remembered only once it is settled (handed to
// the flow); anything else forgets it, so that the sender's retry gets through. A copy arriving while
// the first is undecided waits for the first's outcome instead of being told "duplicate" about a
// delivery that may still fail.
import { createHash } from 'node:crypto';

/** Svix gives each message an id that every retry repeats; without one, the body itself identifies it. */
export function deliveryKey(signedId: string | null, rawBody: Buffer): string {
  return signedId !== null ? `svix:${signedId}` : `sha256:${createHash('sha256').update(rawBody).digest('hex')}`;
}

/**
 * A meeting ends once: its `bot.completed` or `bot.failed` is the same meeting whichever way a copy
 * came (a retry with a fresh `sent_at`, the account webhook, the catch-up). Null for other events.
 */
export function meetingKey(event: string | null, botId: string | null): string | null {
  if (botId === null || botId === '' || (event !== 'bot.completed' && event !== 'bot.failed')) return null;
  return `meeting:${event}:${botId}`;
}

/**
 * Where claims are held. `claim` records a key unless it is held already (true: this call recorded
 * it); a held key expires after `windowMs`. A store shared by several processes must make `claim`
 * atomic (in Redis, `SET key value NX PX ms`), and may answer `'elsewhere'`: another process holds
 * the key and has not settled it yet, so the delivery may still fail there.
 */
export interface ClaimStore {
  claim(key: string, windowMs: number): Promise<ClaimAnswer>;
  /** The claim stands for its whole window (a shared store holds an unsettled claim only briefly). */
  settle?(key: string, windowMs: number): Promise<void>;
  forget(key: string): Promise<void>;
}

export type ClaimAnswer = boolean | 'elsewhere';

/** `busy`: another process is handling a copy and has not decided: the sender should try again shortly. */
export type ClaimResult = 'new' | 'repeat' | 'busy';
type Outcome = 'settled' | 'forgotten';

export class RepeatFilter {
  /** Claims of this process not settled or forgotten yet, with what copies that arrive meanwhile wait for. */
  private readonly undecided = new Map<string, { outcome: Promise<Outcome>; decide: (outcome: Outcome) => void }>();
  /** Claims the store failed to decide, taken as new: possible duplicates. */
  unchecked = 0;

  constructor(
    private readonly store: ClaimStore,
    private windowMs: number,
  ) {}

  get enabled(): boolean {
    return this.windowMs > 0;
  }

  /** A changed window applies to claims made from now on. */
  setWindow(windowMs: number): void {
    this.windowMs = windowMs;
  }

  /**
   * 'new': the caller owns the delivery and must `settle` or `forget` it. 'repeat': it was accepted
   * before, within the window. 'busy': another process is deciding about it. A store that fails
   * counts as "not seen": a duplicate beats a loss.
   */
  async claim(key: string, windowMs = this.windowMs): Promise<ClaimResult> {
    if (!this.enabled) return 'new';
    // Several copies may wait for one first; when it is forgotten, the first of them to run claims it anew.
    for (let pending = this.undecided.get(key); pending; pending = this.undecided.get(key)) {
      if ((await pending.outcome) === 'settled') return 'repeat';
    }
    let decide: (outcome: Outcome) => void = () => {};
    const outcome = new Promise<Outcome>((resolve) => (decide = resolve));
    this.undecided.set(key, { outcome, decide });
    const claimed = await this.store.claim(key, windowMs).catch(() => {
      this.unchecked += 1;
      return true;
    });
    if (claimed === true) return 'new';
    // Copies waiting here are asked again, and are told the same while the other process decides.
    if (claimed === 'elsewhere') {
      this.decide(key, 'forgotten');
      return 'busy';
    }
    this.decide(key, 'settled');
    return 'repeat';
  }

  /**
   * Records a delivery accepted at `acceptedAt` (one the journal holds) as if it had been settled
   * then: for what is left of its window, so that a restart does not start the window again.
   */
  async remember(key: string, acceptedAt: number, now: number = Date.now()): Promise<void> {
    const leftMs = acceptedAt + this.windowMs - now;
    if (leftMs <= 0) return;
    if ((await this.claim(key, leftMs)) === 'new') this.settle(key, leftMs);
  }

  /** The delivery was accepted: it stays remembered, and copies waiting for it are repeats. */
  settle(key: string, windowMs = this.windowMs): void {
    // A store that cannot make it last lets its short claim expire: at worst a later copy gets through.
    if (this.enabled) void this.store.settle?.(key, windowMs).catch(() => undefined);
    this.decide(key, 'settled');
  }

  /** The delivery was not accepted after all: forget it, so that a retry (or a waiting copy) gets through. */
  async forget(key: string): Promise<void> {
    if (!this.enabled && !this.undecided.has(key)) return;
    await this.store.forget(key).catch(() => undefined);
    this.decide(key, 'forgotten');
  }

  private decide(key: string, outcome: Outcome): void {
    const pending = this.undecided.get(key);
    if (!pending) return;
    this.undecided.delete(key);
    pending.decide(outcome);
  }
}

/**
 * Claims in this process's memory, at most `max` of them: past that, the oldest are forgotten first.
 * Keys are kept as digests, so each entry has the same small size whatever the delivery id.
 */
export class BoundedClaims implements ClaimStore {
  /** Digest → its claim; a claim in `order` that is not the one here was forgotten or claimed anew. */
  private readonly byDigest = new Map<string, Claim>();
  /**
   * Claims oldest first, read from `head`. An array rather than the Map's own order: V8 walks over
   * the Map's deleted slots when iterating from the start, which made every claim cost O(max).
   */
  private order: Claim[] = [];
  private head = 0;
  /** Called after every change, e.g. to schedule a save. */
  onChange: () => void = () => {};

  constructor(
    private max: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.byDigest.size;
  }

  setMax(max: number): void {
    this.max = max;
    if (this.trim()) this.onChange();
  }

  claim(key: string, windowMs: number): Promise<boolean> {
    const now = this.now();
    this.prune(now);
    const digest = digestOf(key);
    const held = this.byDigest.get(digest);
    if (held !== undefined && held.expiresAt > now) return Promise.resolve(false);
    if (this.max < 1) return Promise.resolve(true);
    this.add({ digest, expiresAt: now + windowMs });
    this.trim();
    this.onChange();
    return Promise.resolve(true);
  }

  forget(key: string): Promise<void> {
    if (this.byDigest.delete(digestOf(key))) this.onChange();
    return Promise.resolve();
  }

  /**
   * Deletes expired claims from the old end and stops at the first live one: the cost is what it
   * removes. (After a change of window an expired claim may sit behind a live one for a while; the
   * bound and the expiry check of `claim` still hold.)
   */
  prune(now = this.now()): number {
    let removed = 0;
    for (let oldest = this.oldest(); oldest && oldest.expiresAt <= now; oldest = this.oldest()) {
      this.dropOldest();
      removed += 1;
    }
    return removed;
  }

  /** The live claims, oldest first, in a form any context store can keep (JSON). */
  snapshot(): SavedClaims {
    this.prune();
    const claims: Array<[string, number]> = [];
    for (let i = this.head; i < this.order.length; i++) {
      const claim = this.order[i];
      if (claim && this.byDigest.get(claim.digest) === claim) claims.push([claim.digest, claim.expiresAt]);
    }
    return { version: 1, claims };
  }

  /** Adds saved claims older than the ones held now; reads tolerantly whatever a store gives back. */
  restore(saved: unknown): void {
    if (typeof saved !== 'object' || saved === null || !('claims' in saved) || !Array.isArray(saved.claims)) return;
    const now = this.now();
    const held = this.snapshot().claims;
    this.byDigest.clear();
    this.order = [];
    this.head = 0;
    const claims: readonly unknown[] = saved.claims;
    for (const entry of claims) {
      if (!Array.isArray(entry)) continue;
      const pair: readonly unknown[] = entry;
      const [digest, expiresAt] = pair;
      if (typeof digest === 'string' && typeof expiresAt === 'number' && expiresAt > now) this.add({ digest, expiresAt });
    }
    for (const [digest, expiresAt] of held) this.add({ digest, expiresAt });
    this.trim();
  }

  private add(claim: Claim): void {
    this.byDigest.set(claim.digest, claim);
    this.order.push(claim);
    // Forgotten and renewed claims leave stale entries behind: compact once they outnumber the live ones.
    if (this.order.length - this.head > 2 * this.byDigest.size + 1024) {
      this.order = this.order.slice(this.head).filter((c) => this.byDigest.get(c.digest) === c);
      this.head = 0;
    }
  }

  /** The oldest live claim, skipping (and dropping) stale entries. */
  private oldest(): Claim | undefined {
    for (;;) {
      const claim = this.order[this.head];
      if (claim === undefined || this.byDigest.get(claim.digest) === claim) return claim;
      this.advance();
    }
  }

  private dropOldest(): void {
    const claim = this.oldest();
    if (claim === undefined) return;
    this.byDigest.delete(claim.digest);
    this.advance();
  }

  private advance(): void {
    this.head += 1;
    if (this.head >= 1024 && this.head * 2 >= this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }

  /** Returns whether anything was dropped. */
  private trim(): boolean {
    let dropped = false;
    while (this.byDigest.size > Math.max(this.max, 0)) {
      this.dropOldest();
      dropped = true;
    }
    return dropped;
  }
}

interface Claim {
  readonly digest: string;
  readonly expiresAt: number;
}

export interface SavedClaims {
  version: 1;
  claims: Array<[string, number]>;
}

function digestOf(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

/** The part of a Node-RED context store this needs, with callbacks so that every store plugin works. */
export interface KeyValueStore {
  get(key: string, callback: (err: Error | null | undefined, value: unknown) => void): void;
  set(key: string, value: unknown, callback: (err: Error | null | undefined) => void): void;
}

export type LoadResult = 'loaded' | 'failed' | 'timed-out';

export interface SavedClaimsOptions {
  /** How long after a change the claims are saved; `flush` saves at once. */
  saveDelayMs: number;
  /** Claims wait this long at most for the saved claims; then they go on without them. */
  loadTimeoutMs: number;
}

/**
 * Bounded claims saved under one key of a key-value store (a Node-RED context store), so that a
 * persistent store keeps them over a restart. Claims made before the saved ones are loaded wait for them.
 */
export class PersistedClaims implements ClaimStore {
  /** Resolves once the saved claims were read, or could not be read in time. */
  readonly loaded: Promise<LoadResult>;
  private saveTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    readonly claims: BoundedClaims,
    private readonly store: KeyValueStore,
    private readonly key: string,
    private readonly options: SavedClaimsOptions,
  ) {
    this.loaded = new Promise<LoadResult>((resolve) => {
      const timer = setTimeout(() => resolve('timed-out'), options.loadTimeoutMs);
      timer.unref();
      store.get(key, (error, value) => {
        clearTimeout(timer);
        if (error) return resolve('failed');
        claims.restore(value);
        resolve('loaded');
      });
    });
    claims.onChange = () => this.scheduleSave();
  }

  async claim(key: string, windowMs: number): Promise<boolean> {
    await this.loaded;
    return this.claims.claim(key, windowMs);
  }

  async forget(key: string): Promise<void> {
    await this.loaded;
    return this.claims.forget(key);
  }

  /** Saves now (cancelling a scheduled save); resolves when the store has taken it. */
  flush(): Promise<void> {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    return new Promise((resolve) => this.store.set(this.key, this.claims.snapshot(), () => resolve()));
  }

  /** Stops saving and deletes the saved claims (the node was removed). */
  discard(): Promise<void> {
    this.stopped = true;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    // Node-RED context stores delete a key when it is set to undefined.
    return new Promise((resolve) => this.store.set(this.key, undefined, () => resolve()));
  }

  private scheduleSave(): void {
    if (this.saveTimer || this.stopped) return;
    this.saveTimer = setTimeout(() => void this.flush(), this.options.saveDelayMs);
    this.saveTimer.unref();
  }
}
