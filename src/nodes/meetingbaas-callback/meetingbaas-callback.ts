// "callback in": an HTTP endpoint for Meeting BaaS deliveries. Authenticates each one, drops
// repeats, validates it and sends it on the output for its kind; answers before the flow runs.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeStatus } from 'node-red';
import type { Request, RequestHandler, Response } from 'express';
import { ApiError, catchUpApiOf, MeetingBaasApi } from '../../lib/api';
import { DeliveryAuthenticator, WebhookSecretError, type RejectionReason } from '../../lib/delivery/authentication';
import type { RecoveredDelivery } from '../../lib/delivery/catch-up';
import { DELIVERY_SOURCES, OUTPUT, readDelivery, routeDelivery, type BodyRefusal, type RoutedDelivery } from '../../lib/delivery/routing';
import type { JournalEntry } from '../../lib/delivery/journal';
import { RedisClaims, redisIdentity, RedisSettingsError, RedisTimeoutError, type RedisSettings } from '../../lib/delivery/redis-claims';
import { errorMessage } from '../../lib/records';
import { BoundedClaims, deliveryKey, meetingKey, PersistedClaims, RepeatFilter, type KeyValueStore } from '../../lib/delivery/repeats';
import { readAccount } from '../shared/account';
import { CALLBACK_DEFAULTS, type CallbackMethod } from '../shared/defaults';
import { callbackMethodOf } from '../shared/urls';
import type { JournalRef } from '../shared/finishing';
import { apiErrorText, type SayApiProblem } from '../shared/problems';
import { stoppedIds, watchDeploys, type DeployEvent } from './deploys';
import { downstreamOf, finishersByOutput, type FlowNode } from './finishers';
import { JournaledDeliveries } from './journaling';
import { CATCH_UP_TIMING, CatchingUp, DamagedCheckpoint } from './catching-up';
import {
  answerRead,
  DEFAULT_BODY_LIMIT,
  DEFAULT_BODY_TIMEOUT_SECONDS,
  endpointRegistry,
  pathProblem,
  RESTARTING,
  RETRY_SHORTLY,
  type EarlyAnswer,
  type Endpoint,
} from './endpoints';
import { attachToSidebar, registerSidebarRoutes } from './sidebar';
import { extraMeta } from './sidebar-view';
import { registerTestDeliveryRoute } from './test-delivery';

interface CallbackDef extends NodeDef {
  /** Where each output is wired, as the flow holds it. */
  wires?: string[][];
  account?: string;
  url?: string;
  method?: string;
  maxBodyKB?: number | string;
  bodyTimeoutSeconds?: number | string;
  dedupeHours?: number | string;
  dedupeMax?: number | string;
  store?: string;
  /** Deliveries that deviate from the documented schema go to output 4 even when the flow could use them. */
  strict?: boolean | string;
  /** Copies of a meeting's bot.completed or bot.failed (same event and bot) within this window are repeats. */
  dedupeMeetingMinutes?: number | string;
  /** Each delivery accepted is on disk before the 2xx, and sent again after a restart until the flow is done with it. */
  journal?: boolean | string;
  maxRedeliveries?: number | string;
  /** Looks through the API for meetings that ended while their callback could not get here. */
  catchUp?: boolean | string;
  catchUpMinutes?: number | string;
}

const ALLOWED_METHODS: Readonly<Record<CallbackMethod, readonly string[]>> = {
  post: ['POST'],
  put: ['PUT'],
  any: ['POST', 'PUT'],
};

/** settings.js may give httpNodeMiddleware as one function or, since Node-RED 3, as an array of them. */
function httpNodeMiddlewareOf(RED: NodeAPI): RequestHandler[] {
  const configured: unknown = RED.settings.httpNodeMiddleware;
  const handlers: unknown[] = Array.isArray(configured) ? configured : [configured];
  return handlers.filter((handler): handler is RequestHandler => typeof handler === 'function');
}

const {
  dedupeHours: DEFAULT_DEDUPE_HOURS,
  dedupeMax: DEFAULT_DEDUPE_MAX,
  dedupeMeetingMinutes: DEFAULT_DEDUPE_MEETING_MINUTES,
  maxRedeliveries: DEFAULT_MAX_REDELIVERIES,
  catchUpMinutes: DEFAULT_CATCH_UP_MINUTES,
} = CALLBACK_DEFAULTS;
/** How long a close waits for the deliveries being handled (a few ms each): a deploy must not hang on a stuck one. */
const CLOSE_WAIT_MS = 5000;
/** The terminal events of bots this process handed to the flow, for the catch-up; oldest forgotten first. */
const MAX_DELIVERED_BOTS = 10_000;
const SAVE_REPEATS_AFTER_MS = 30 * 1000;
const LOAD_REPEATS_TIMEOUT_MS = 10 * 1000;
const STATUS_EVERY_MS = 500;
const REJECTION_LOG_EVERY_MS = 60 * 1000;
/** A Redis that comes and goes (slow rather than down) is logged at most this often. */
const SHARED_STORE_LOG_EVERY_MS = 60 * 1000;

function positiveNumber(value: unknown, fallback: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** Resolves once every promise has settled, or after `ms`, whichever comes first. */
function settledWithin(promises: readonly Promise<unknown>[], ms: number): Promise<void> {
  if (promises.length === 0) return Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([Promise.allSettled(promises).then(() => undefined), timeout]).finally(() => clearTimeout(timer));
}

/** A checkbox that flows written before it existed leave out: absent means `fallback`. */
function flag(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return value === true || value === 'true';
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

const RECEIVED: EarlyAnswer = { status: 200, body: { received: true } };
const DUPLICATE: EarlyAnswer = { status: 200, body: { received: true, duplicate: true } };
const NOT_JSON_TYPE: EarlyAnswer = { status: 415, body: { error: 'Content-Type must be application/json' } };
const UNAUTHORIZED: EarlyAnswer = { status: 401, body: { error: 'unauthorized' } };
const COPY_BUSY: EarlyAnswer = { status: 503, body: { error: 'another copy of this delivery is being handled, retry shortly' }, headers: RETRY_SHORTLY };
const NOT_SAVED: EarlyAnswer = { status: 503, body: { error: 'the delivery could not be saved, retry shortly' }, headers: RETRY_SHORTLY };
const INTERNAL_ERROR: EarlyAnswer = { status: 500, body: { error: 'internal error' } };

interface RememberedDeliveries {
  /** Which store: a context store's name, or a digest of the shared store's settings. */
  readonly where: string;
  /** Null when the claims are in the shared store. */
  readonly saved: PersistedClaims | null;
  readonly filter: RepeatFilter;
  /**
   * Meetings (event + bot id of a bot.completed or bot.failed), with their own window and bound.
   * Held in memory only: after a restart the journal says which meetings reached the flow.
   */
  readonly meetings: RepeatFilter;
  /** Null when the claims are in the shared store. */
  readonly meetingClaims: BoundedClaims | null;
  /** The Redis that several instances share, when the account names one. */
  readonly shared: RedisClaims | null;
  /** Made by this node instance, not kept from an earlier one: the journal's entries are not known to it yet. */
  readonly fresh: boolean;
}

export = (RED: NodeAPI): void => {
  const nodeMiddleware = httpNodeMiddlewareOf(RED);
  // By node id, across redeploys: a retry that reaches the new node must still be recognised, and a
  // copy that reaches it must wait for a first still being answered by the old one.
  const remembered = new Map<string, RememberedDeliveries>();
  // By node id, across redeploys: journal entries handed to nodes that are still running. A
  // redeploy of the callback node alone must not send them again while the flow works on them.
  const inFlow = new Map<string, Set<number>>();

  /**
   * `onNotLoaded`: called when these are created and what was saved cannot be read. With `redis`,
   * both kinds of claims are in Redis, shared with the other instances; throws `RedisSettingsError`.
   */
  function rememberedBy(node: Node, storeName: string, redis: RedisSettings | null, onNotLoaded: () => void): RememberedDeliveries {
    const where = redis === null ? `context:${storeName}` : redisIdentity(redis);
    const known = remembered.get(node.id);
    if (known && known.where === where) return { ...known, fresh: false };
    if (known) {
      void known.saved?.discard();
      void known.shared?.close();
      remembered.delete(node.id);
    }
    if (redis !== null) {
      // Keys by node id: the instances run the same flows, so the same node decides together.
      const shared = RedisClaims.open(redis, node.id);
      const created = {
        where,
        saved: null,
        filter: new RepeatFilter(shared, DEFAULT_DEDUPE_HOURS * 3600 * 1000),
        meetings: new RepeatFilter(shared, DEFAULT_DEDUPE_MEETING_MINUTES * 60 * 1000),
        meetingClaims: null,
        shared,
        fresh: true,
      };
      remembered.set(node.id, created);
      return created;
    }
    // Global, not node, context: Node-RED deletes a node's context when the node changes.
    const context = node.context().global;
    const store: KeyValueStore = {
      get: (key, cb) => context.get(key, storeName, cb),
      set: (key, value, cb) => context.set(key, value, storeName, cb),
    };
    const key = `meetingbaas-repeats-${node.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    // The bound and the window are set by each node instance that uses these.
    const saved = new PersistedClaims(new BoundedClaims(DEFAULT_DEDUPE_MAX), store, key, {
      saveDelayMs: SAVE_REPEATS_AFTER_MS,
      loadTimeoutMs: LOAD_REPEATS_TIMEOUT_MS,
    });
    void saved.loaded.then((result) => {
      if (result !== 'loaded') onNotLoaded();
    });
    const meetingClaims = new BoundedClaims(DEFAULT_DEDUPE_MAX);
    const created = {
      where,
      saved,
      filter: new RepeatFilter(saved, DEFAULT_DEDUPE_HOURS * 3600 * 1000),
      meetings: new RepeatFilter(meetingClaims, DEFAULT_DEDUPE_MEETING_MINUTES * 60 * 1000),
      meetingClaims,
      shared: null,
      fresh: true,
    };
    remembered.set(node.id, created);
    return created;
  }

  function MeetingBaasCallback(this: Node, def: CallbackDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const t = (key: string, vars?: Record<string, string | number>): string =>
      RED._(`meetingbaas-callback.${key}`, vars);
    const sayApiProblem: SayApiProblem = ({ code, params }) => t(`apiProblems.${code}`, params);
    const sayRefusal = ({ code, params }: BodyRefusal): string => t(`bodyProblems.${code}`, params);
    /** An error of the catch-up for the log: an API error with its problems in words. */
    const errorText = (error: unknown): string => (error instanceof ApiError ? apiErrorText(sayApiProblem, error) : String(error));
    /** This node's file of a kind, in the user directory (Node-RED's default one when the settings name none). */
    const stateFile = (kind: string, extension: string): string =>
      join(RED.settings.userDir ?? join(homedir(), '.node-red'), 'meetingbaas', kind, `${node.id.replace(/[^A-Za-z0-9_-]/g, '_')}${extension}`);

    const method = callbackMethodOf(def.method);
    const allowed = ALLOWED_METHODS[method];
    const path = (def.url ?? '').trim();
    const bodyLimit = Math.round(positiveNumber(def.maxBodyKB, DEFAULT_BODY_LIMIT / 1024) * 1024) || DEFAULT_BODY_LIMIT;
    const bodyTimeoutMs = (positiveNumber(def.bodyTimeoutSeconds, DEFAULT_BODY_TIMEOUT_SECONDS) || DEFAULT_BODY_TIMEOUT_SECONDS) * 1000;
    const dedupeMs = positiveNumber(def.dedupeHours, DEFAULT_DEDUPE_HOURS) * 3600 * 1000;
    const dedupeMax = Math.floor(positiveNumber(def.dedupeMax, DEFAULT_DEDUPE_MAX));
    const storeName = def.store?.trim() || CALLBACK_DEFAULTS.store;
    const strict = flag(def.strict, CALLBACK_DEFAULTS.strict);
    const dedupeMeetingMs = positiveNumber(def.dedupeMeetingMinutes, DEFAULT_DEDUPE_MEETING_MINUTES) * 60 * 1000;
    const journalOn = flag(def.journal, CALLBACK_DEFAULTS.journal);
    const maxRedeliveries = Math.floor(positiveNumber(def.maxRedeliveries, DEFAULT_MAX_REDELIVERIES));
    const catchUpOn = flag(def.catchUp, CALLBACK_DEFAULTS.catchUp);
    const catchUpMs = (positiveNumber(def.catchUpMinutes, DEFAULT_CATCH_UP_MINUTES) || DEFAULT_CATCH_UP_MINUTES) * 60 * 1000;

    if (RED.settings.httpNodeRoot === false) {
      node.status({ fill: 'red', shape: 'ring', text: t('status.httpDisabled') });
      node.error(t('errors.httpDisabled'));
      return;
    }
    const problem = pathProblem(path);
    if (problem) {
      node.status({ fill: 'red', shape: 'ring', text: t('status.badPath') });
      node.error(t(problem === 'missing' ? 'errors.missingPath' : 'errors.badPath', { path }));
      return;
    }

    const account = readAccount(RED, def.account);
    let authenticator: DeliveryAuthenticator;
    try {
      authenticator = new DeliveryAuthenticator(account.credentials);
    } catch (error) {
      node.status({ fill: 'red', shape: 'ring', text: t('status.badSecret') });
      node.error(error instanceof WebhookSecretError ? t('errors.badWebhookSecret') : t('errors.unexpected', { detail: String(error) }));
      return;
    }

    const notLoaded = (): void => node.warn(t('warnings.repeatsNotLoaded', { store: storeName }));
    let repeats: RememberedDeliveries;
    try {
      repeats = rememberedBy(node, storeName, account.redis, notLoaded);
    } catch (error) {
      if (!(error instanceof RedisSettingsError)) throw error;
      // The URL itself is not repeated: it may hold a password.
      node.error(t('errors.sharedStoreUrl'));
      repeats = rememberedBy(node, storeName, null, notLoaded);
    }
    repeats.filter.setWindow(dedupeMs);
    repeats.meetings.setWindow(dedupeMeetingMs);
    repeats.saved?.claims.setMax(dedupeMax);
    repeats.meetingClaims?.setMax(dedupeMax);
    const seen = repeats.filter;
    const seenMeetings = repeats.meetings;
    const savedRepeats = repeats.saved;
    const shared = repeats.shared;
    const wiredTo = (def.wires ?? []).flat();
    const deploys = watchDeploys(RED, node.id, wiredTo);

    const counts = { received: 0, deviating: 0, invalid: 0, rejected: 0, redelivered: 0, recovered: 0, parked: 0, repeats: 0 };
    let catchUpFailing = false;
    let catchUpWithoutKey = false;
    let sharedWith = 0;
    let closed = false;

    let statusTimer: NodeJS.Timeout | null = null;
    const showStatus = (): void => {
      statusTimer = null;
      let status: NodeStatus;
      if (sharedWith > 0) {
        status = { fill: 'red', shape: 'dot', text: t('status.pathShared', { path }) };
      } else {
        const verified = !authenticator.acceptsUnverified;
        const parts = [t(verified ? 'status.verified' : 'status.unverified'), t('status.received', { count: counts.received })];
        if (counts.redelivered > 0) parts.push(t('status.redelivered', { count: counts.redelivered }));
        if (counts.recovered > 0) parts.push(t('status.recovered', { count: counts.recovered }));
        if (catchUpFailing) parts.push(t('status.catchUpFailing'));
        if (catchUpWithoutKey) parts.push(t('status.catchUpNoKey'));
        if (counts.deviating > 0) parts.push(t('status.deviating', { count: counts.deviating }));
        if (counts.invalid > 0) parts.push(t('status.invalid', { count: counts.invalid }));
        if (counts.rejected > 0) parts.push(t('status.rejected', { count: counts.rejected }));
        if (counts.parked > 0) parts.push(t('status.parked', { count: counts.parked }));
        const sharedDown = shared?.state === 'down';
        if (sharedDown) parts.push(t('status.sharedStoreDown'));
        if (shared && seen.unchecked > 0) parts.push(t('status.unchecked', { count: seen.unchecked }));
        const attention = counts.parked > 0 || !verified || sharedDown;
        status = { fill: counts.parked > 0 ? 'red' : verified && !sharedDown ? 'green' : 'yellow', shape: attention ? 'ring' : 'dot', text: parts.join(' · ') };
      }
      node.status(status);
    };
    // Status updates cross to every open editor: at most a few a second, whatever the load.
    const scheduleStatus = (): void => {
      if (statusTimer === null && !closed) statusTimer = setTimeout(showStatus, STATUS_EVERY_MS);
    };

    // Once per outage (and once a minute at most, for a Redis that keeps coming and going); the
    // claims outlive this node instance, so it stops watching at close.
    let lastSharedLog = 0;
    let outageLogged = false;
    // Deliveries taken as new because Redis could not say: counted from the start of the outage logged.
    let uncheckedBefore = 0;
    const unwatchShared = shared?.watch({
      down: (error) => {
        scheduleStatus();
        const now = Date.now();
        if (outageLogged || now - lastSharedLog < SHARED_STORE_LOG_EVERY_MS) return;
        outageLogged = true;
        lastSharedLog = now;
        uncheckedBefore = seen.unchecked;
        const detail = error instanceof RedisTimeoutError ? t('warnings.sharedStoreTimeout', { ms: error.ms }) : errorMessage(error);
        node.warn(t('warnings.sharedStoreDown', { store: shared.displayName, detail }));
      },
      up: () => {
        scheduleStatus();
        if (outageLogged) node.log(t('log.sharedStoreBack', { store: shared.displayName, count: seen.unchecked - uncheckedBefore }));
        outageLogged = false;
      },
    });

    // One line a minute at most, so that a flood of forged deliveries cannot flood the log.
    let rejectionsSinceLog = 0;
    let lastRejectionLog = 0;
    const noteRejection = (reason: RejectionReason): void => {
      counts.rejected += 1;
      rejectionsSinceLog += 1;
      const now = Date.now();
      if (now - lastRejectionLog >= REJECTION_LOG_EVERY_MS) {
        node.warn(t('warnings.rejected', { count: rejectionsSinceLog, reason: t(`reasons.${reason}`) }));
        rejectionsSinceLog = 0;
        lastRejectionLog = now;
      }
      scheduleStatus();
    };
    const reject = (res: Response, reason: RejectionReason): void => {
      noteRejection(reason);
      answerRead(res, UNAUTHORIZED);
    };

    // The journal opens while the flows start; a delivery that arrives meanwhile waits for it.
    const journalFile = stateFile('journals', '.journal');
    const journaling: Promise<JournaledDeliveries | null> = journalOn
      ? JournaledDeliveries.open(
          { nodeId: node.id, file: journalFile, retentionMs: Math.max(dedupeMs, dedupeMeetingMs), maxRedeliveries },
          {
            redeliver: (entry, text, attempt) => redeliver(entry, text, attempt),
            parked: (entry) => {
              counts.parked += 1;
              node.warn(t('warnings.parked', { botId: String(entry.meta.botId ?? '?'), event: String(entry.meta.event ?? '?'), attempts: entry.attempts, problem: entry.parked ?? '' }));
              scheduleStatus();
            },
            problem: (code, detail) => node.error(t(`errors.journal.${code}`, { detail, file: journalFile })),
          },
        )
          .then(async (journal) => {
            // Memory made anew (after a restart, or with another store) does not know what the
            // journal holds: a sender's retry of it, or another copy of its meeting, is a repeat.
            // Kept memory (a redeploy) knows, and its order of age stays as it is.
            if (!repeats.fresh) return journal;
            for (const entry of journal.entries().reverse()) {
              await seen.remember(entry.deliveryId);
              const meeting = meetingKey(stringOrNull(entry.meta.event), stringOrNull(entry.meta.botId));
              if (meeting !== null) await seenMeetings.remember(meeting);
            }
            return journal;
          })
          .catch((error: unknown) => {
            node.error(t('errors.journal.open-failed', { detail: String(error), file: journalFile }));
            return null;
          })
      : Promise.resolve(null);

    const detachSidebar = attachToSidebar({
      node: node.id,
      label: def.name || `[${method === 'any' ? 'post|put' : method}] ${path}`,
      journaling,
      counts: () => ({ rejected: counts.rejected, repeats: counts.repeats }),
      replay: (entry, text, attempt) => redeliver(entry, text, attempt, true),
      api: account.credentials.apiKey ? { baseUrl: account.baseUrl, apiKey: account.credentials.apiKey } : null,
    });

    // What each request has claimed. Its answer decides: one that says the flow has it keeps
    // it remembered; any other (a deploy, an exception anywhere) forgets it first, so that the
    // sender's retry gets through. `handedOver` is true for a 2xx, and for the 415 of a delivery that
    // still went to output 4.
    interface Claimed {
      readonly deliveryId: string;
      meeting?: string;
      kept?: { readonly journaling: JournaledDeliveries; readonly ref: JournalRef };
    }
    const claimed = new WeakMap<Response, Claimed>();
    const conclude = (res: Response, answer: EarlyAnswer, handedOver = answer.status >= 200 && answer.status < 300): void => {
      const claim = claimed.get(res);
      claimed.delete(res);
      if (claim === undefined) return answerRead(res, answer);
      if (handedOver) {
        seen.settle(claim.deliveryId);
        if (claim.meeting !== undefined) seenMeetings.settle(claim.meeting);
        return answerRead(res, answer);
      }
      claim.kept?.journaling.withdraw(claim.kept.ref);
      const forgotten = [seen.forget(claim.deliveryId), claim.meeting !== undefined ? seenMeetings.forget(claim.meeting) : Promise.resolve()];
      void Promise.all(forgotten).then(() => answerRead(res, answer));
    };

    /**
     * Sends a routed delivery on its output; `handedOver` runs once Node-RED has handed it to the
     * wired nodes, with false when a deploy stopped them in between (the message is then gone).
     */
    const sendOn = (routed: RoutedDelivery, handedOver: (delivered: boolean) => void): void => {
      const outputs: Array<NodeMessage | null> = [null, null, null, null];
      outputs[routed.output] = routed.message;
      const epoch = deploys.epoch;
      node.send(outputs);
      // Node-RED hands the message over on the next turn of the event loop.
      setImmediate(() => handedOver(deploys.epoch === epoch));
    };

    const count = (routed: RoutedDelivery): void => {
      if (routed.output === OUTPUT.invalid) counts.invalid += 1;
      else if (routed.message.meetingbaas.deviations) counts.deviating += 1;
      scheduleStatus();
    };

    let lastUnavailableLog = 0;
    // Deliveries being handled: at close, the ones a deploy cut short say so in the journal
    // (dropped, their sender retries) before the next instance of this node reads it.
    const inProgress = new Set<Promise<void>>();

    const handle = async (req: Request, res: Response, bytes: Buffer): Promise<void> => {
      const auth = authenticator.authenticate(req.headers, bytes);
      if (!auth.ok) return reject(res, auth.reason);

      // Only a verified signature makes the Svix id trustworthy, and only the id of the headers it was verified with.
      const signedId = auth.verifiedBy === 'svix' ? auth.messageId : null;
      const deliveryId = deliveryKey(signedId, bytes);
      // Opened, and what it holds remembered, before this delivery can be claimed.
      const journal = await journaling;
      const claim = await seen.claim(deliveryId);
      const mine: Claimed = { deliveryId };
      if (claim === 'new') claimed.set(res, mine);
      if (closed || deploys.restarting) return conclude(res, RESTARTING);
      if (claim === 'repeat') {
        counts.repeats += 1;
        return answerRead(res, DUPLICATE);
      }
      if (claim === 'busy') return answerRead(res, COPY_BUSY);

      const contentType = req.headers['content-type'];
      const body = readDelivery(bytes, contentType);
      const receivedAt = new Date();
      const routed = routeDelivery(body, { deliveryId, verifiedBy: auth.verifiedBy, receivedAt }, { strict, sayRefusal });
      const info = routed.message.meetingbaas;

      // Another copy of a meeting that already reached the flow (the account webhook's, a retry
      // with a fresh sent_at): acknowledged, not sent on. Its own id stays remembered too.
      const meeting = seenMeetings.enabled && routed.output !== OUTPUT.invalid ? meetingKey(info.event, info.botId) : null;
      if (meeting !== null) {
        const meetingClaim = await seenMeetings.claim(meeting);
        if (meetingClaim === 'repeat') {
          counts.repeats += 1;
          conclude(res, DUPLICATE);
          return;
        }
        // Another instance is handling a copy of the meeting: this copy's sender retries.
        if (meetingClaim === 'busy') return conclude(res, COPY_BUSY);
        mine.meeting = meeting;
      }

      if (journal) {
        const kept = journal.keep({
          deliveryId,
          receivedAt: receivedAt.getTime(),
          verifiedBy: auth.verifiedBy,
          body: bytes.toString('utf8'),
          meta: { event: info.event, botId: info.botId, contentType: contentType ?? null, output: routed.output, extra: extraMeta(routed.message.payload) },
        });
        mine.kept = { journaling: journal, ref: kept.ref };
        info.journal = { node: kept.ref.node, entry: kept.ref.entry };
        try {
          await kept.written;
        } catch {
          // Not on disk: a 2xx now would lose the delivery in a crash. The sender retries a 503.
          return conclude(res, NOT_SAVED);
        }
        // A deploy that began while the delivery was being written stopped the flow it was for.
        if (closed || deploys.restarting) return conclude(res, RESTARTING);
      }

      await new Promise<void>((resolve) => sendOn(routed, (delivered) => {
        try {
          // Had a deploy stopped the receiving nodes in between, the message is gone: ask for a retry.
          if (!delivered) return conclude(res, RESTARTING);
          if (mine.kept) handedOver(mine.kept.journaling, mine.kept.ref.entry, routed.output);
          noteDelivered(routed);
          counts.received += 1;
          count(routed);
          // Authentic deliveries are acknowledged even when invalid: a 4xx would make Meeting BaaS drop them for good.
          if (body.kind === 'unsupported-media-type') conclude(res, NOT_JSON_TYPE, true);
          else conclude(res, RECEIVED);
        } catch (error) {
          failed(res, error);
        } finally {
          resolve();
        }
      }));
    };

    const failed = (res: Response, error: unknown): void => {
      node.error(t('errors.unexpected', { detail: String(error) }));
      conclude(res, INTERNAL_ERROR);
    };

    // The bots whose terminal event this process handed to the flow: with the journal's, what the
    // catch-up leaves out. A Set keeps insertion order, so the oldest is the first to go.
    const deliveredBots = new Set<string>();
    const noteDelivered = (routed: RoutedDelivery): void => {
      const { event, botId } = routed.message.meetingbaas;
      if (botId === null || meetingKey(event, botId) === null) return;
      deliveredBots.add(botId.toLowerCase());
      if (deliveredBots.size > MAX_DELIVERED_BOTS) deliveredBots.delete(deliveredBots.values().next().value ?? '');
    };

    const handedOver = (journal: JournaledDeliveries, entry: number, output: number): void => {
      if (journal.handedOver({ node: node.id, entry }, output) === 'finished') return;
      const handed = inFlow.get(node.id) ?? new Set<number>();
      handed.add(entry);
      inFlow.set(node.id, handed);
    };

    /** A journaled delivery the flow has not finished with, sent again as it was received; `replayed` when someone asked for it. */
    function redeliver(entry: JournalEntry, text: string, attempt: number, replayed = false): void {
      const contentType = typeof entry.meta.contentType === 'string' ? entry.meta.contentType : undefined;
      const verifiedBy = DELIVERY_SOURCES.find((by) => by === entry.verifiedBy) ?? 'none';
      const routed = routeDelivery(readDelivery(Buffer.from(text, 'utf8'), contentType), { deliveryId: entry.deliveryId, verifiedBy, receivedAt: new Date(entry.receivedAt) }, { strict, sayRefusal });
      routed.message.meetingbaas.journal = { node: node.id, entry: entry.seq };
      routed.message.meetingbaas.redelivered = attempt;
      if (replayed) routed.message.meetingbaas.replayed = true;
      if (verifiedBy === 'api') routed.message.meetingbaas.recovered = true;
      void journaling.then((journal) => {
        if (!journal || closed) return;
        sendOn(routed, (delivered) => {
          // Not handed over: still unfinished, and sent again at the next start or deploy.
          if (!delivered) return;
          handedOver(journal, entry.seq, routed.output);
          noteDelivered(routed);
          counts.redelivered += 1;
          count(routed);
        });
      });
    }

    /**
     * A meeting the catch-up found: the same steps as a delivery received (a copy of a meeting
     * already in the flow is left out, the journal keeps it before it is sent), with no sender to
     * answer. False when it was not sent: the next look tries again.
     */
    const recover = async (botId: string, recovered: RecoveredDelivery): Promise<boolean> => {
      const journal = await journaling;
      if (closed || deploys.restarting) return false;
      const meeting = meetingKey(recovered.event, botId);
      const meetingClaim = meeting === null ? 'new' : await seenMeetings.claim(meeting);
      if (meetingClaim === 'repeat') return true;
      // Another instance is handling it: the next look sees whether it got through.
      if (meetingClaim === 'busy') return false;
      const bytes = Buffer.from(JSON.stringify(recovered), 'utf8');
      const receivedAt = new Date();
      const deliveryId = `api:${recovered.event}:${botId}`;
      const routed = routeDelivery(readDelivery(bytes, 'application/json'), { deliveryId, verifiedBy: 'api', receivedAt }, { strict, sayRefusal });
      const info = routed.message.meetingbaas;
      info.recovered = true;
      let ref: JournalRef | null = null;
      const notSent = async (): Promise<false> => {
        if (journal && ref) journal.withdraw(ref);
        if (meeting !== null) await seenMeetings.forget(meeting);
        return false;
      };
      if (journal) {
        const kept = journal.keep({
          deliveryId,
          receivedAt: receivedAt.getTime(),
          verifiedBy: 'api',
          body: bytes.toString('utf8'),
          meta: { event: info.event, botId: info.botId, contentType: 'application/json', output: routed.output, extra: extraMeta(routed.message.payload) },
        });
        ref = kept.ref;
        info.journal = { node: kept.ref.node, entry: kept.ref.entry };
        if (!(await kept.written.then(() => true, () => false))) return notSent();
      }
      if (closed || deploys.restarting) return notSent();
      return new Promise<boolean>((resolve) => {
        sendOn(routed, (delivered) => {
          if (!delivered) return void notSent().then(resolve);
          if (journal && ref) handedOver(journal, ref.entry, routed.output);
          if (meeting !== null) seenMeetings.settle(meeting);
          noteDelivered(routed);
          counts.recovered += 1;
          count(routed);
          resolve(true);
        });
      });
    };

    /** With an API key: the catch-up, once the flows run. Null when it is off or cannot run. */
    const startCatchUp = async (): Promise<CatchingUp | null> => {
      if (!catchUpOn) return null;
      // An example imported as it is has no key yet: said in the status and the log, not as a warning.
      if (!account.credentials.apiKey) {
        catchUpWithoutKey = true;
        node.log(t('log.catchUpNoKey'));
        scheduleStatus();
        return null;
      }
      let api: MeetingBaasApi;
      try {
        api = new MeetingBaasApi({ baseUrl: account.baseUrl, apiKey: account.credentials.apiKey });
      } catch (error) {
        node.warn(t('warnings.catchUpUnavailable', { detail: errorText(error) }));
        return null;
      }
      const journal = await journaling;
      const catchingUp = await CatchingUp.start({
        file: stateFile('catch-up', '.json'),
        // A close aborts the call under way: a deploy does not wait for the API.
        api: catchUpApiOf(api, stopCatchUp.signal),
        timing: { ...CATCH_UP_TIMING, everyMs: catchUpMs },
        deliveredBots: () => {
          const bots = new Set(deliveredBots);
          for (const entry of journal?.entries() ?? []) {
            const botId = stringOrNull(entry.meta.botId);
            if (botId !== null && meetingKey(stringOrNull(entry.meta.event), botId) !== null) bots.add(botId.toLowerCase());
          }
          return bots;
        },
        deliver: recover,
        // With a shared store, one instance at a time looks (the claims keep the meetings apart anyway).
        ...(shared ? { lock: shared.lock('catch-up'), shared: shared.rising('catch-up-covered-until') } : {}),
        events: {
          failed: (error, retryInMs) => {
            if (!catchUpFailing) node.warn(t('warnings.catchUpFailed', { detail: errorText(error), seconds: Math.round(retryInMs / 1000) }));
            catchUpFailing = true;
            scheduleStatus();
          },
          resumed: () => {
            catchUpFailing = false;
            node.log(t('log.catchUpResumed'));
            scheduleStatus();
          },
          checkpointProblem: (error) => {
            const detail = error instanceof DamagedCheckpoint ? t('warnings.damagedCheckpoint', { file: error.file }) : String(error);
            node.warn(t('warnings.catchUpCheckpoint', { detail }));
          },
        },
      });
      if (closed) {
        await catchingUp.close(false);
        stopCatchUp.abort();
        await api.close();
        return null;
      }
      closeApi = () => {
        stopCatchUp.abort();
        return api.close();
      };
      return catchingUp;
    };
    let catchingUp: Promise<CatchingUp | null> = Promise.resolve(null);
    const stopCatchUp = new AbortController();
    let closeApi: () => Promise<void> = () => Promise.resolve();

    const endpoint: Endpoint = {
      bodyLimit,
      bodyTimeoutMs,
      accepting: () => !closed && !deploys.restarting,
      beforeBody: (req): EarlyAnswer | null => {
        if (!allowed.includes(req.method ?? '')) {
          return { status: 405, body: { error: 'method not allowed' }, headers: { Allow: allowed.join(', ') } };
        }
        const reason = authenticator.rejectionBeforeBody(req.headers);
        if (reason === null) return null;
        noteRejection(reason);
        return UNAUTHORIZED;
      },
      onBodyUnavailable: () => {
        const now = Date.now();
        if (now - lastUnavailableLog < REJECTION_LOG_EVERY_MS) return;
        lastUnavailableLog = now;
        node.error(t('errors.bodyUnavailable'));
      },
      handle: (req, res, bytes) => {
        const handling = handle(req, res, bytes).catch((error: unknown) => failed(res, error));
        inProgress.add(handling);
        void handling.finally(() => inProgress.delete(handling));
      },
      onPathShared: (others, isPrimary) => {
        const wasShared = sharedWith > 0;
        sharedWith = others;
        if (others > 0 && !wasShared) node.warn(t(isPrimary ? 'warnings.pathSharedPrimary' : 'warnings.pathShared', { path }));
        if (others === 0 && wasShared) showStatus();
        else scheduleStatus();
      },
    };
    const attachment = endpointRegistry(RED.httpNode, nodeMiddleware).attach(path, endpoint);
    showStatus();

    // Once the flows run: which outputs lead to a node that says when the flow is done with a
    // delivery, then what was left unfinished is sent again: everything after this node started,
    // after that only what a deploy of the nodes further down interrupted.
    let startedOnce = false;
    let catchUpStarted = false;
    let downstream: ReadonlySet<string> = new Set();
    const onFlowsStarted = (): void => {
      void journaling.then(async (journal) => {
        if (!journal || closed) return;
        const flowNodes: FlowNode[] = [];
        RED.nodes.eachNode((config) => flowNodes.push(config));
        journal.setFinishers(finishersByOutput(flowNodes, node.id));
        downstream = downstreamOf(flowNodes, node.id);
        const first = !startedOnce;
        startedOnce = true;
        const handed = journal.unfinishedOf(inFlow.get(node.id) ?? new Set());
        inFlow.set(node.id, handed);
        await (first ? journal.redeliverUnfinished(handed) : journal.redeliverInterrupted());
        scheduleStatus();
      });
      if (!catchUpStarted) {
        catchUpStarted = true;
        catchingUp = startCatchUp().catch((error: unknown) => {
          node.error(t('errors.unexpected', { detail: String(error) }));
          return null;
        });
      }
    };
    // A deploy that stops a node further down drops what that node held (core nodes say nothing).
    const onFlowsStopping = (event: DeployEvent): void => {
      const stopped = stoppedIds(event);
      const handed = inFlow.get(node.id);
      if (!handed || handed.size === 0) return;
      if (stopped !== null && ![...downstream].some((id) => stopped.has(id))) return;
      void journaling.then((journal) => journal?.interrupt(handed));
      inFlow.delete(node.id);
    };
    RED.events.on('flows:started', onFlowsStarted);
    RED.events.on('flows:stopping', onFlowsStopping);

    node.on('close', (removed: boolean, done: () => void) => {
      closed = true;
      detachSidebar();
      attachment.detach(removed);
      deploys.stop();
      RED.events.removeListener('flows:started', onFlowsStarted);
      RED.events.removeListener('flows:stopping', onFlowsStopping);
      if (removed) inFlow.delete(node.id);
      if (statusTimer) clearTimeout(statusTimer);
      unwatchShared?.();
      if (removed && remembered.get(node.id)?.filter === seen) {
        remembered.delete(node.id);
        void shared?.close();
      }
      // Saved at every stop, so that a persistent store has them when Node-RED starts again. Not
      // waited for: a store that does not answer must not hold up the deploy.
      void (removed ? savedRepeats?.discard() : savedRepeats?.flush());
      // The next instance of this node opens the same file: the writes on their way land first.
      void catchingUp
        .then((catchUp) => catchUp?.close(removed))
        .then(() => closeApi())
        .then(() => settledWithin([...inProgress], CLOSE_WAIT_MS))
        .then(() => journaling)
        .then((journal) => journal?.close(removed))
        .catch((error: unknown) => node.error(t('errors.journal.write-failed', { detail: String(error), file: journalFile })))
        .finally(done);
    });
  }

  RED.nodes.registerType('meetingbaas-callback', MeetingBaasCallback);
  registerTestDeliveryRoute(RED);
  registerSidebarRoutes(RED);
};
