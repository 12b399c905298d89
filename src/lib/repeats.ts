// Deliveries repeat (Meeting BaaS retries on 5xx and network errors, Svix on any non-2xx):
// remember what was seen for a while, in a key-value store that several Node-RED instances can share.
import { createHash } from 'node:crypto';

/** The part of a Node-RED context store this needs, with callbacks so that every store plugin works. */
export interface KeyValueStore {
  get(key: string, callback: (err: Error | null | undefined, value: unknown) => void): void;
  set(key: string, value: unknown, callback: (err: Error | null | undefined) => void): void;
  keys(callback: (err: Error | null | undefined, keys: readonly unknown[]) => void): void;
}

const KEY_PREFIX = 'meetingbaas-seen-';

/** Svix gives each message an id that every retry repeats; without one, the body itself identifies it. */
export function deliveryKey(signedId: string | null, rawBody: Buffer): string {
  return signedId !== null ? `svix:${signedId}` : `sha256:${createHash('sha256').update(rawBody).digest('hex')}`;
}

export class SeenDeliveries {
  /** Keys being checked right now in this process, so that two copies racing in are not both let through. */
  private readonly inFlight = new Set<string>();
  private readonly prefix: string;

  /** `namespace` keeps the entries of one node apart from another's in a shared store. */
  constructor(
    private readonly store: KeyValueStore,
    private readonly windowMs: number,
    namespace = '',
    private readonly now: () => number = Date.now,
  ) {
    this.prefix = `${KEY_PREFIX}${namespace.replace(/[^A-Za-z0-9_-]/g, '_')}-`;
  }

  /**
   * Context stores read `.` and `[` in keys as property paths, and a delivery id may hold anything:
   * the stored key is a digest.
   */
  private storeKey(key: string): string {
    return this.prefix + createHash('sha256').update(key).digest('hex');
  }

  get enabled(): boolean {
    return this.windowMs > 0;
  }

  /**
   * Resolves true the first time a key is offered within the window (and remembers it), false for a repeat.
   * A store that fails is treated as "not seen": a duplicate is better than a lost delivery.
   */
  firstSighting(key: string): Promise<boolean> {
    if (!this.enabled) return Promise.resolve(true);
    if (this.inFlight.has(key)) return Promise.resolve(false);
    this.inFlight.add(key);
    const storeKey = this.storeKey(key);
    return new Promise<boolean>((resolve) => {
      this.store.get(storeKey, (getError, expiresAt) => {
        const now = this.now();
        if (!getError && typeof expiresAt === 'number' && expiresAt > now) {
          this.inFlight.delete(key);
          resolve(false);
          return;
        }
        this.store.set(storeKey, now + this.windowMs, () => {
          this.inFlight.delete(key);
          resolve(true);
        });
      });
    });
  }

  /** Forgets a key offered but not delivered after all, so that the sender's retry gets through. */
  forget(key: string): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    return new Promise((resolve) => this.store.set(this.storeKey(key), undefined, () => resolve()));
  }

  /** Deletes expired entries; returns how many were removed. */
  prune(): Promise<number> {
    return new Promise((resolve) => {
      this.store.keys((err, keys) => {
        if (err) return resolve(0);
        const ours = keys.filter((k): k is string => typeof k === 'string' && k.startsWith(this.prefix));
        let pending = ours.length;
        let removed = 0;
        if (pending === 0) return resolve(0);
        const now = this.now();
        for (const key of ours) {
          this.store.get(key, (getError, expiresAt) => {
            const expired = !getError && (typeof expiresAt !== 'number' || expiresAt <= now);
            const finish = (): void => {
              pending -= 1;
              if (pending === 0) resolve(removed);
            };
            if (!expired) return finish();
            removed += 1;
            // Node-RED context stores delete a key when it is set to undefined.
            this.store.set(key, undefined, finish);
          });
        }
      });
    });
  }
}
