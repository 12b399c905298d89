// What a callback node tells the person running it: the status under the node (counts, whether
// deliveries are verified, the catch-up, the shared store) and the log lines that go with it, each
// kind at a pace that a flood of deliveries cannot turn into a flood of updates or lines.
import type { NodeStatus } from 'node-red';
import type { RejectionReason } from '../../lib/delivery/authentication';
import type { JournalEntry } from '../../lib/delivery/journal';
import { RedisTimeoutError, type RedisClaims } from '../../lib/delivery/redis-claims';
import type { RepeatFilter } from '../../lib/delivery/repeats';
import { OUTPUT, type RoutedDelivery } from '../../lib/delivery/routing';
import { errorMessage } from '../../lib/records';
import type { Arrival, IntakeEvents } from './intake';

/** A key of the node's catalog in words. */
export type Translate = (key: string, vars?: Record<string, string | number>) => string;

/** Where the status and the log lines go: the node's own methods. */
export interface StatusSink {
  status(status: NodeStatus): void;
  log(text: string): void;
  warn(text: string): void;
  error(text: string): void;
}

export interface StatusOptions {
  readonly path: string;
  /** False when the account has no secret: deliveries from anyone are accepted. */
  readonly verified: boolean;
  readonly shared: RedisClaims | null;
  /** The delivery ids, whose claims the shared store may have failed to check. */
  readonly repeats: RepeatFilter;
}

const STATUS_EVERY_MS = 500;
const REJECTION_LOG_EVERY_MS = 60 * 1000;
/** A Redis that comes and goes (slow rather than down) is logged at most this often. */
const SHARED_STORE_LOG_EVERY_MS = 60 * 1000;

export class CallbackStatus implements IntakeEvents {
  readonly counts = { received: 0, deviating: 0, invalid: 0, rejected: 0, redelivered: 0, recovered: 0, parked: 0, repeats: 0 };
  private catchUpFailing = false;
  private catchUpWithoutKey = false;
  private sharedWith = 0;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private rejectionsSinceLog = 0;
  private lastRejectionLog = 0;
  private lastUnavailableLog = 0;
  private readonly unwatchShared: () => void;

  constructor(
    private readonly t: Translate,
    private readonly sink: StatusSink,
    private readonly options: StatusOptions,
  ) {
    this.unwatchShared = this.watchShared();
  }

  show(): void {
    this.timer = null;
    const { t, counts } = this;
    const { path, verified, shared, repeats } = this.options;
    if (this.sharedWith > 0) {
      this.sink.status({ fill: 'red', shape: 'dot', text: t('status.pathShared', { path }) });
      return;
    }
    const parts = [t(verified ? 'status.verified' : 'status.unverified'), t('status.received', { count: counts.received })];
    if (counts.redelivered > 0) parts.push(t('status.redelivered', { count: counts.redelivered }));
    if (counts.recovered > 0) parts.push(t('status.recovered', { count: counts.recovered }));
    if (this.catchUpFailing) parts.push(t('status.catchUpFailing'));
    if (this.catchUpWithoutKey) parts.push(t('status.catchUpNoKey'));
    if (counts.deviating > 0) parts.push(t('status.deviating', { count: counts.deviating }));
    if (counts.invalid > 0) parts.push(t('status.invalid', { count: counts.invalid }));
    if (counts.rejected > 0) parts.push(t('status.rejected', { count: counts.rejected }));
    if (counts.parked > 0) parts.push(t('status.parked', { count: counts.parked }));
    const sharedDown = shared?.state === 'down';
    if (sharedDown) parts.push(t('status.sharedStoreDown'));
    if (shared && repeats.unchecked > 0) parts.push(t('status.unchecked', { count: repeats.unchecked }));
    const attention = counts.parked > 0 || !verified || sharedDown;
    const fill = counts.parked > 0 ? 'red' : verified && !sharedDown ? 'green' : 'yellow';
    this.sink.status({ fill, shape: attention ? 'ring' : 'dot', text: parts.join(' · ') });
  }

  /** Status updates cross to every open editor: at most a few a second, whatever the load. */
  schedule(): void {
    if (this.timer === null && !this.closed) this.timer = setTimeout(() => this.show(), STATUS_EVERY_MS);
  }

  rejected(reason: RejectionReason): void {
    this.counts.rejected += 1;
    // One line a minute at most, so that a flood of forged deliveries cannot flood the log.
    this.rejectionsSinceLog += 1;
    const now = Date.now();
    if (now - this.lastRejectionLog >= REJECTION_LOG_EVERY_MS) {
      this.sink.warn(this.t('warnings.rejected', { count: this.rejectionsSinceLog, reason: this.t(`reasons.${reason}`) }));
      this.rejectionsSinceLog = 0;
      this.lastRejectionLog = now;
    }
    this.schedule();
  }

  repeat(): void {
    this.counts.repeats += 1;
  }

  delivered(routed: RoutedDelivery, how: Arrival): void {
    this.counts[how] += 1;
    if (routed.output === OUTPUT.invalid) this.counts.invalid += 1;
    else if (routed.message.meetingbaas.deviations) this.counts.deviating += 1;
    this.schedule();
  }

  failed(error: unknown): void {
    this.sink.error(this.t('errors.unexpected', { detail: String(error) }));
  }

  parked(entry: JournalEntry): void {
    this.counts.parked += 1;
    const botId = String(entry.meta.botId ?? '?');
    const event = String(entry.meta.event ?? '?');
    this.sink.warn(this.t('warnings.parked', { botId, event, attempts: entry.attempts, problem: entry.parked ?? '' }));
    this.schedule();
  }

  /** A request came whose body something else had read: it cannot be authenticated. Logged once a minute at most. */
  bodyUnavailable(): void {
    const now = Date.now();
    if (now - this.lastUnavailableLog < REJECTION_LOG_EVERY_MS) return;
    this.lastUnavailableLog = now;
    this.sink.error(this.t('errors.bodyUnavailable'));
  }

  /** Another node took, shares or left this node's path; `isPrimary`: this node still receives. */
  pathShared(others: number, isPrimary: boolean): void {
    const wasShared = this.sharedWith > 0;
    this.sharedWith = others;
    if (others > 0 && !wasShared) this.sink.warn(this.t(isPrimary ? 'warnings.pathSharedPrimary' : 'warnings.pathShared', { path: this.options.path }));
    if (others === 0 && wasShared) this.show();
    else this.schedule();
  }

  catchUp(state: { readonly failing?: boolean; readonly withoutKey?: boolean }): void {
    this.catchUpFailing = state.failing ?? this.catchUpFailing;
    this.catchUpWithoutKey = state.withoutKey ?? this.catchUpWithoutKey;
    this.schedule();
  }

  get isCatchUpFailing(): boolean {
    return this.catchUpFailing;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.unwatchShared();
  }

  /**
   * Once per outage (and once a minute at most, for a Redis that keeps coming and going); the
   * claims outlive this node instance, so it stops watching at close.
   */
  private watchShared(): () => void {
    const { shared, repeats } = this.options;
    if (!shared) return () => undefined;
    let lastLog = 0;
    let outageLogged = false;
    // Deliveries taken as new because Redis could not say: counted from the start of the outage logged.
    let uncheckedBefore = 0;
    return shared.watch({
      down: (error) => {
        this.schedule();
        const now = Date.now();
        if (outageLogged || now - lastLog < SHARED_STORE_LOG_EVERY_MS) return;
        outageLogged = true;
        lastLog = now;
        uncheckedBefore = repeats.unchecked;
        const detail = error instanceof RedisTimeoutError ? this.t('warnings.sharedStoreTimeout', { ms: error.ms }) : errorMessage(error);
        this.sink.warn(this.t('warnings.sharedStoreDown', { store: shared.displayName, detail }));
      },
      up: () => {
        this.schedule();
        if (outageLogged) this.sink.log(this.t('log.sharedStoreBack', { store: shared.displayName, count: repeats.unchecked - uncheckedBefore }));
        outageLogged = false;
      },
    });
  }
}
