// Claims in Redis, for several Node-RED instances behind a load balancer: a context store offers
// get and set only, so two instances could both decide that a delivery is new. `SET key value NX PX`
// is atomic in Redis, so exactly one of them wins.
//
// A claim is first held briefly as "pending by this process", and made to last its whole window
// once the delivery was accepted (settled). Another instance that meets a pending claim waits a
// little for its outcome rather than calling the copy a duplicate of a delivery that may still fail
// there; if the holder dies, the pending claim expires soon and the sender's retry gets through.
//
// Redis unreachable or slow must never hold a request: every call has a deadline, a failed claim
// counts as "not seen" (a duplicate beats a lost meeting), and the client reconnects by itself.
import { createHash, randomBytes } from 'node:crypto';
import type { RedisClientType } from '@redis/client';
import type { ClaimAnswer, ClaimStore } from './repeats';

/** Where the shared store is, as the account gives it. */
export interface RedisSettings {
  /** `redis://host:port/db` or `rediss://…` for TLS. */
  readonly url: string;
  readonly password?: string;
  /** Put before every key, so that several deployments can share one Redis. */
  readonly prefix: string;
}

export interface RedisTiming {
  /** The most one call may take; past it the call counts as failed. */
  readonly callTimeoutMs: number;
  /** How long an unsettled claim holds: longer than handling a delivery takes, shorter than a sender's retries. */
  readonly pendingMs: number;
  /** How long a copy waits for another instance to settle or forget a pending claim, before "busy". */
  readonly waitForOtherMs: number;
  readonly pollMs: number;
  /** The longest wait between two reconnection attempts. */
  readonly maxReconnectDelayMs: number;
  /** Calls waiting in the client at most; past that they fail at once instead of queueing. */
  readonly maxQueued: number;
  /** Deliveries accepted while Redis could not record them, kept to record once it is back; the oldest go first. */
  readonly maxUnrecorded: number;
}

export const REDIS_TIMING: RedisTiming = {
  callTimeoutMs: 500,
  pendingMs: 10_000,
  waitForOtherMs: 1000,
  pollMs: 20,
  maxReconnectDelayMs: 2000,
  maxQueued: 1000,
  maxUnrecorded: 10_000,
};

export type RedisState = 'connecting' | 'up' | 'down';

/** What the node is told about the connection; it may come and go while these claims stay. */
export interface RedisWatcher {
  /** The first failure of an outage: a lost connection, a refused one, or a call past its deadline (RedisTimeoutError). */
  down(error: unknown): void;
  /** Redis answers again. */
  up(): void;
}

export type RedisProblem = 'bad-url';

/** A call that Redis did not answer within its deadline (`ms`). */
export class RedisTimeoutError extends Error {
  readonly code = 'timeout';
  constructor(readonly ms: number) {
    super(`timeout(ms=${ms})`);
    this.name = 'RedisTimeoutError';
  }
}

export class RedisSettingsError extends Error {
  constructor(readonly code: RedisProblem) {
    super(code);
  }
}

const SETTLED = 's';

// Only the holder may turn its pending claim into a lasting one, or forget it: a claim that another
// instance took meanwhile stays theirs. A missing one is recorded (this process accepted the delivery
// while Redis could not be asked, or held it pending longer than the pending time).
const SETTLE_SCRIPT =
  "local held = redis.call('get', KEYS[1]) " +
  "if held == false or held == ARGV[1] then return redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) end return 0";
const FORGET_SCRIPT = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";
// A lock already held by this process is renewed, so that a look never waits for its own stale lock.
/** Sets a number, unless the one held is larger: several instances raise it, none moves it back. */
const RAISE_SCRIPT =
  "local held = tonumber(redis.call('get', KEYS[1])) " +
  "if held == nil or held < tonumber(ARGV[1]) then redis.call('set', KEYS[1], ARGV[1]) end return 1";

const LOCK_SCRIPT =
  "if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end " +
  "if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('pexpire', KEYS[1], ARGV[2]) return 1 end return 0";

/**
 * `redis://user@host:6379/2` without a password, for logs and status: a password typed into the
 * URL is never shown. Null when it is not a redis:// or rediss:// URL.
 */
export function redisDisplayName(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null;
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') return null;
  const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : '';
  return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}

/** Equal for equal settings, and shows no password: to tell whether the account's store changed. */
export function redisIdentity(settings: RedisSettings): string {
  return `redis:${createHash('sha256').update(JSON.stringify([settings.url, settings.password ?? '', settings.prefix])).digest('hex')}`;
}

/** The claims of one callback node (by `namespace`) in a shared Redis, over one connection of its own. */
export class RedisClaims implements ClaimStore {
  /** Says which process holds a pending claim or a lock. */
  private readonly token = randomBytes(12).toString('base64url');
  private readonly pendingValue = `p:${this.token}`;
  private readonly keyPrefix: string;
  private readonly watchers = new Set<RedisWatcher>();
  private client: RedisClientType | null = null;
  /** The client's own deadline errors, known once it is loaded: the same event as ours, said as ours. */
  private clientTimeouts: readonly (abstract new (...args: never[]) => Error)[] = [];
  private readonly ready: Promise<void>;
  private everReady = false;
  private closed = false;
  private state_: RedisState = 'connecting';
  private detail = '';
  /** Key → when its window ends: accepted here, not yet recorded in Redis (it could not be reached). */
  private readonly unrecorded = new Map<string, number>();
  private recording = false;

  private constructor(
    private readonly settings: RedisSettings,
    namespace: string,
    private readonly timing: RedisTiming,
  ) {
    this.keyPrefix = `${settings.prefix}${namespace}:`;
    this.ready = this.connect();
    // Nobody may be waiting for it; a failure shows in the state and the watchers.
    this.ready.catch(() => undefined);
  }

  /**
   * Starts connecting (the Redis client is loaded now, not before) and returns at once; calls made
   * before the first connection wait for it within their deadline. Throws `RedisSettingsError` for
   * a URL that is not redis:// or rediss://.
   */
  static open(settings: RedisSettings, namespace: string, timing: RedisTiming = REDIS_TIMING): RedisClaims {
    if (redisDisplayName(settings.url) === null) throw new RedisSettingsError('bad-url');
    return new RedisClaims(settings, namespace, timing);
  }

  get state(): RedisState {
    return this.state_;
  }

  /** Where it connects to, without any password. */
  get displayName(): string {
    return redisDisplayName(this.settings.url) ?? '';
  }

  /** Why the last call or connection failed; '' while all is well. */
  get lastProblem(): string {
    return this.detail;
  }

  /** Returns a function that stops watching. */
  watch(watcher: RedisWatcher): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  async claim(key: string, windowMs: number): Promise<ClaimAnswer> {
    // Accepted here while Redis was away: this instance knows, whatever Redis says.
    if ((this.unrecorded.get(key) ?? 0) > Date.now()) return false;
    const full = this.keyPrefix + key;
    const giveUpAt = Date.now() + this.timing.waitForOtherMs;
    for (;;) {
      const set = await this.call((c) => c.set(full, this.pendingValue, { condition: 'NX', expiration: { type: 'PX', value: Math.min(this.timing.pendingMs, windowMs) } }));
      if (set !== null) return true;
      const held = await this.call((c) => c.get(full));
      if (held === SETTLED) return false;
      // Ours: an earlier claim of this process whose outcome was lost (a call past its deadline that Redis still ran).
      if (held === this.pendingValue) return true;
      if (Date.now() >= giveUpAt) return 'elsewhere';
      // Gone between the two calls (forgotten or expired): claim it again at once.
      if (held !== null) await delay(this.timing.pollMs);
    }
  }

  /**
   * Makes the claim last its window. When Redis cannot be reached, the delivery is kept here and
   * recorded once it is back, so that copies arriving after the outage are still recognised.
   */
  async settle(key: string, windowMs: number): Promise<void> {
    try {
      await this.record(key, windowMs);
    } catch (error) {
      this.unrecorded.delete(key);
      this.unrecorded.set(key, Date.now() + windowMs);
      if (this.unrecorded.size > this.timing.maxUnrecorded) this.unrecorded.delete(this.unrecorded.keys().next().value ?? '');
      throw error;
    }
  }

  async forget(key: string): Promise<void> {
    this.unrecorded.delete(key);
    await this.call((c) => c.eval(FORGET_SCRIPT, { keys: [this.keyPrefix + key], arguments: [this.pendingValue] }));
  }

  /** How many accepted deliveries wait to be recorded in Redis. */
  get waitingToRecord(): number {
    return this.unrecorded.size;
  }

  private async record(key: string, windowMs: number): Promise<void> {
    await this.call((c) => c.eval(SETTLE_SCRIPT, { keys: [this.keyPrefix + key], arguments: [this.pendingValue, SETTLED, String(windowMs)] }));
  }

  /** Records what was accepted during an outage, oldest first; stops at the first failure (the next reconnection goes on). */
  private async recordAccepted(): Promise<void> {
    if (this.recording) return;
    this.recording = true;
    try {
      for (const [key, until] of [...this.unrecorded]) {
        if (this.closed) return;
        const windowMs = until - Date.now();
        if (windowMs > 0) await this.record(key, windowMs);
        // Settled again meanwhile, with a window of its own: leave that one.
        if (this.unrecorded.get(key) === until) this.unrecorded.delete(key);
      }
    } catch {
      // Still out of reach: the rest waits for the next time it answers.
    } finally {
      this.recording = false;
    }
  }

  /**
   * A lock with an expiry, so that a process that died while holding it does not hold it for ever.
   * `acquire` answers true when Redis cannot be asked: doing the work twice beats not doing it.
   */
  lock(name: string): SharedLock {
    const key = `${this.keyPrefix}lock:${name}`;
    const value = `l:${this.token}`;
    return {
      acquire: async (ttlMs) => {
        try {
          return (await this.call((c) => c.eval(LOCK_SCRIPT, { keys: [key], arguments: [value, String(ttlMs)] }))) === 1;
        } catch {
          return true;
        }
      },
      release: async () => {
        await this.call((c) => c.eval(FORGET_SCRIPT, { keys: [key], arguments: [value] })).catch(() => undefined);
      },
    };
  }

  /** A number shared by the instances that only grows (the catch-up's covered time); calls fail while Redis is out of reach. */
  rising(name: string): { read(): Promise<number | null>; raise(value: number): Promise<void> } {
    const key = `${this.keyPrefix}rising:${name}`;
    return {
      read: async () => {
        const held: unknown = await this.call((c) => c.get(key));
        const value = typeof held === 'string' ? Number(held) : Number.NaN;
        return Number.isFinite(value) ? value : null;
      },
      raise: async (value) => {
        await this.call((c) => c.eval(RAISE_SCRIPT, { keys: [key], arguments: [String(value)] }));
      },
    };
  }

  /** Ends the connection; calls made after this fail. */
  async close(): Promise<void> {
    this.closed = true;
    this.watchers.clear();
    const client = this.client;
    this.client = null;
    if (client === null) return;
    if (!client.isReady) return client.destroy();
    // A Redis that does not answer the QUIT must not hold up a deploy.
    const closing = client.close().catch(() => client.destroy());
    await Promise.race([closing, delay(this.timing.callTimeoutMs).then(() => client.destroy())]);
  }

  private async connect(): Promise<void> {
    const { createClient, TimeoutError, TimeoutReadError } = await import('@redis/client');
    this.clientTimeouts = [TimeoutError, TimeoutReadError];
    if (this.closed) return;
    const { url, password } = splitPassword(this.settings.url);
    const client: RedisClientType = createClient({
      url,
      // The account's credential; a password typed into the URL still works but is never shown.
      ...(this.settings.password || password ? { password: this.settings.password || password } : {}),
      // A call while disconnected fails at once instead of waiting in a queue that grows with the outage.
      disableOfflineQueue: true,
      commandsQueueMaxLength: this.timing.maxQueued,
      socket: {
        connectTimeout: Math.max(this.timing.callTimeoutMs, 1000),
        // Never gives up: the node resumes claiming once Redis is back.
        reconnectStrategy: (retries) => Math.min(50 * 2 ** Math.min(retries, 10), this.timing.maxReconnectDelayMs) + Math.floor(Math.random() * 50),
      },
    });
    this.client = client;
    // The client emits an error for every failed connection attempt; without a listener it would be thrown.
    client.on('error', (error: unknown) => this.failed(error));
    client.on('ready', () => {
      this.everReady = true;
      this.succeeded();
    });
    const connecting = client.connect();
    // The connection must not keep Node-RED (or a test) running once everything else has stopped.
    client.unref();
    await connecting;
  }

  /** One Redis call within the deadline; rejects on any failure, Redis's own or the deadline's. */
  private async call<T>(command: (client: RedisClientType) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('closed');
    const deadline = this.timing.callTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisTimeoutError(deadline)), deadline);
    });
    try {
      const result = await Promise.race([this.run(command, deadline), timeout]);
      this.succeeded();
      return result;
    } catch (error) {
      // The client drops a call at the same deadline, and under load its timer may fire first.
      const failure = this.clientTimeouts.some((kind) => error instanceof kind) ? new RedisTimeoutError(deadline) : error;
      this.failed(failure);
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  private async run<T>(command: (client: RedisClientType) => Promise<T>, deadline: number): Promise<T> {
    // Only while the first connection is being made: after a failure, a call while disconnected fails at once.
    if (!this.everReady && this.state_ === 'connecting') await this.ready;
    const client = this.client;
    if (client === null) throw new Error('closed');
    // The client drops a call past its deadline from its queue too, so that a slow Redis cannot fill it.
    return command(client.withCommandOptions({ timeout: deadline, rejectInFlight: true }));
  }

  private succeeded(): void {
    if (this.closed || this.state_ === 'up') return;
    const wasDown = this.state_ === 'down';
    this.state_ = 'up';
    this.detail = '';
    if (this.unrecorded.size > 0) void this.recordAccepted();
    if (wasDown) for (const watcher of this.watchers) watcher.up();
  }

  private failed(error: unknown): void {
    if (this.closed) return;
    this.detail = error instanceof Error ? error.message : String(error);
    if (this.state_ === 'down') return;
    this.state_ = 'down';
    for (const watcher of this.watchers) watcher.down(error);
  }
}

/** The part of the catch-up that may run on one instance at a time. */
export interface SharedLock {
  acquire(ttlMs: number): Promise<boolean>;
  release(): Promise<void>;
}

/** The URL without its password, and that password: the client gets them apart, so that no error message of its can show it. */
function splitPassword(url: string): { url: string; password: string } {
  const parsed = new URL(url.trim());
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { url: parsed.toString(), password };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
