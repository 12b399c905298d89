// The repeat claims of the callback nodes of one Node-RED, by node id, kept across redeploys: a
// retry that reaches a node's new instance must still be recognised, and a copy that reaches it must
// wait for a first still being answered by the old one. They live in memory, saved to a context
// store, or in a Redis that several instances share.
import type { NodeContextData } from 'node-red';
import type { JournalEntry } from '../../lib/delivery/journal';
import { RedisClaims, redisIdentity, RedisSettingsError, type RedisSettings } from '../../lib/delivery/redis-claims';
import { BoundedClaims, meetingKey, PersistedClaims, RepeatFilter, type KeyValueStore } from '../../lib/delivery/repeats';
import { CALLBACK_DEFAULTS } from '../shared/defaults';

export interface NodeClaims {
  /** Which store: a context store's name, or a digest of the shared store's settings. */
  readonly where: string;
  /** Null when the claims are in the shared store. */
  readonly saved: PersistedClaims | null;
  /** Delivery ids. */
  readonly repeats: RepeatFilter;
  /**
   * Meetings (event + bot id of a bot.completed or bot.failed), with their own window and bound.
   * Held in memory only: after a restart the journal says which meetings reached the flow.
   */
  readonly meetings: RepeatFilter;
  /** Null when the claims are in the shared store. */
  readonly meetingClaims: BoundedClaims | null;
  /** The Redis that several instances share, when the account names one. */
  readonly shared: RedisClaims | null;
  /** Made for this node instance, not kept from an earlier one: the journal's entries are not known to it yet. */
  readonly fresh: boolean;
}

export interface ClaimsSettings {
  /** Where the claims are saved without Redis: a context store of Node-RED, by name. */
  readonly storeName: string;
  /** Global, not node, context: Node-RED deletes a node's context when the node changes. */
  readonly context: NodeContextData;
  /** With it, both kinds of claims are in Redis, shared with the other instances. */
  readonly redis: RedisSettings | null;
  readonly windowMs: number;
  readonly meetingWindowMs: number;
  /** Remember: how many delivery ids are held. The meetings have a bound of their own, `meetingBound(max)`. */
  readonly max: number;
  /** Called when these are created and what was saved cannot be read. */
  onNotLoaded(): void;
  /** Called when the Redis settings cannot be used: the claims are then kept as without them. */
  onBadRedis(): void;
}

const SAVE_AFTER_MS = 30 * 1000;

/**
 * How many meetings are held in memory: at least the default of Remember, so that a small Remember
 * (0 turns off remembering deliveries) does not also turn off Same meeting, which has its own 0.
 */
export function meetingBound(max: number): number {
  return Math.max(max, CALLBACK_DEFAULTS.dedupeMax);
}
const LOAD_TIMEOUT_MS = 10 * 1000;

export class KeptClaims {
  private readonly byNode = new Map<string, NodeClaims>();

  /** Those of `nodeId`, kept when they are in the same store, with the window and bound of the node instance that asks. */
  of(nodeId: string, settings: ClaimsSettings): NodeClaims {
    let claims: NodeClaims;
    try {
      claims = this.keptOrNew(nodeId, settings);
    } catch (error) {
      if (!(error instanceof RedisSettingsError) || settings.redis === null) throw error;
      settings.onBadRedis();
      claims = this.keptOrNew(nodeId, { ...settings, redis: null });
    }
    claims.repeats.setWindow(settings.windowMs);
    claims.meetings.setWindow(settings.meetingWindowMs);
    claims.saved?.claims.setMax(settings.max);
    claims.meetingClaims?.setMax(meetingBound(settings.max));
    return claims;
  }

  /** The node was deleted: its claims go, unless a newer instance of it holds others. */
  drop(nodeId: string, claims: NodeClaims): void {
    if (this.byNode.get(nodeId)?.repeats !== claims.repeats) return;
    this.byNode.delete(nodeId);
    void claims.shared?.close();
  }

  private keptOrNew(nodeId: string, settings: ClaimsSettings): NodeClaims {
    const { redis } = settings;
    const where = redis === null ? `context:${settings.storeName}` : redisIdentity(redis);
    const known = this.byNode.get(nodeId);
    if (known && known.where === where) return { ...known, fresh: false };
    if (known) {
      void known.saved?.discard();
      void known.shared?.close();
      this.byNode.delete(nodeId);
    }
    const created = redis === null ? inMemory(nodeId, where, settings) : inRedis(nodeId, where, redis, settings);
    this.byNode.set(nodeId, created);
    return created;
  }
}

function inRedis(nodeId: string, where: string, redis: RedisSettings, settings: ClaimsSettings): NodeClaims {
  // Keys by node id: the instances run the same flows, so the same node decides together.
  const shared = RedisClaims.open(redis, nodeId);
  return {
    where,
    saved: null,
    repeats: new RepeatFilter(shared, settings.windowMs),
    meetings: new RepeatFilter(shared, settings.meetingWindowMs),
    meetingClaims: null,
    shared,
    fresh: true,
  };
}

function inMemory(nodeId: string, where: string, settings: ClaimsSettings): NodeClaims {
  const key = `meetingbaas-repeats-${nodeId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const { context, storeName } = settings;
  const store: KeyValueStore = {
    get: (name, cb) => context.get(name, storeName, cb),
    set: (name, value, cb) => context.set(name, value, storeName, cb),
  };
  const saved = new PersistedClaims(new BoundedClaims(settings.max), store, key, {
    saveDelayMs: SAVE_AFTER_MS,
    loadTimeoutMs: LOAD_TIMEOUT_MS,
  });
  void saved.loaded.then((result) => {
    if (result !== 'loaded') settings.onNotLoaded();
  });
  const meetingClaims = new BoundedClaims(meetingBound(settings.max));
  return {
    where,
    saved,
    repeats: new RepeatFilter(saved, settings.windowMs),
    meetings: new RepeatFilter(meetingClaims, settings.meetingWindowMs),
    meetingClaims,
    shared: null,
    fresh: true,
  };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The meeting key of a journaled bot.completed or bot.failed; null for other events. */
export function journaledMeeting(entry: JournalEntry): string | null {
  return meetingKey(stringOrNull(entry.meta.event), stringOrNull(entry.meta.botId));
}

/**
 * Claims made anew (after a restart, or in another store) do not know what the journal holds: a
 * sender's retry of an entry, or another copy of its meeting, is a repeat, within the window that
 * began when the entry arrived. Oldest first, so that the bounded claims forget the oldest first.
 */
export async function rememberJournaled(
  entries: readonly JournalEntry[],
  claims: Pick<NodeClaims, 'repeats' | 'meetings'>,
  now: number = Date.now(),
): Promise<void> {
  for (const entry of [...entries].reverse()) {
    await claims.repeats.remember(entry.deliveryId, entry.receivedAt, now);
    const meeting = journaledMeeting(entry);
    if (meeting !== null) await claims.meetings.remember(meeting, entry.receivedAt, now);
  }
}
