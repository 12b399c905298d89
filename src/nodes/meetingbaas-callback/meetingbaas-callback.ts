// "callback in": an HTTP endpoint for Meeting BaaS deliveries. Authenticates each one, drops
// repeats, validates it and sends it on the output for its kind; answers before the flow runs.
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow, NodeStatus } from 'node-red';
import type { Request, RequestHandler, Response } from 'express';
import { DeliveryAuthenticator, type RejectionReason } from '../../lib/authentication';
import { OUTPUT, readDelivery, routeDelivery } from '../../lib/delivery';
import { BoundedClaims, deliveryKey, PersistedClaims, RepeatFilter, type KeyValueStore } from '../../lib/repeats';
import { readAccount } from '../meetingbaas-config/account';
import { watchDeploys } from './deploys';
import {
  DEFAULT_BODY_LIMIT,
  DEFAULT_BODY_TIMEOUT_SECONDS,
  endpointRegistry,
  pathProblem,
  RETRY_AFTER_SECONDS,
  type EarlyAnswer,
  type Endpoint,
} from './endpoints';
import { registerTestDeliveryRoute } from './test-delivery';

interface CallbackDef extends NodeDef {
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
}

type Method = 'post' | 'put' | 'any';
const ALLOWED_METHODS: Readonly<Record<Method, readonly string[]>> = {
  post: ['POST'],
  put: ['PUT'],
  any: ['POST', 'PUT'],
};

const DEFAULT_DEDUPE_HOURS = 6;
const DEFAULT_DEDUPE_MAX = 10_000;
const SAVE_REPEATS_AFTER_MS = 30 * 1000;
const LOAD_REPEATS_TIMEOUT_MS = 10 * 1000;
const STATUS_EVERY_MS = 500;
const REJECTION_LOG_EVERY_MS = 60 * 1000;

function positiveNumber(value: unknown, fallback: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : fallback;
}

const RESTARTING_BODY = { error: 'the callback node is restarting, retry shortly' };
const RESTARTING_HEADERS = { 'Retry-After': String(RETRY_AFTER_SECONDS) };

function answer(res: Response, status: number, body: object, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
}

interface RememberedDeliveries {
  readonly storeName: string;
  readonly saved: PersistedClaims;
  readonly filter: RepeatFilter;
}

export = (RED: NodeAPI): void => {
  const nodeMiddleware: RequestHandler[] = [RED.settings.httpNodeMiddleware ?? []].flat() as RequestHandler[];
  // By node id, across redeploys: a retry that reaches the new node must still be recognised, and a
  // copy that reaches it must wait for a first still being answered by the old one.
  const remembered = new Map<string, RememberedDeliveries>();

  /** `onNotLoaded`: called when these are created and what was saved cannot be read. */
  function rememberedBy(node: Node, storeName: string, onNotLoaded: () => void): RememberedDeliveries {
    const known = remembered.get(node.id);
    if (known && known.storeName === storeName) return known;
    if (known) void known.saved.discard();
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
    const created = { storeName, saved, filter: new RepeatFilter(saved, DEFAULT_DEDUPE_HOURS * 3600 * 1000) };
    remembered.set(node.id, created);
    return created;
  }

  function MeetingBaasCallback(this: Node, def: CallbackDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const t = (key: string, vars?: Record<string, string | number>): string =>
      RED._(`meetingbaas-callback.${key}`, vars);

    const methodName = (def.method ?? 'post').toLowerCase();
    const method: Method = methodName in ALLOWED_METHODS ? (methodName as Method) : 'post';
    const allowed = ALLOWED_METHODS[method];
    const path = (def.url ?? '').trim();
    const bodyLimit = Math.round(positiveNumber(def.maxBodyKB, DEFAULT_BODY_LIMIT / 1024) * 1024) || DEFAULT_BODY_LIMIT;
    const bodyTimeoutMs = (positiveNumber(def.bodyTimeoutSeconds, DEFAULT_BODY_TIMEOUT_SECONDS) || DEFAULT_BODY_TIMEOUT_SECONDS) * 1000;
    const dedupeMs = positiveNumber(def.dedupeHours, DEFAULT_DEDUPE_HOURS) * 3600 * 1000;
    const dedupeMax = Math.floor(positiveNumber(def.dedupeMax, DEFAULT_DEDUPE_MAX));
    const storeName = def.store?.trim() || 'memory';
    const strict = def.strict === true || def.strict === 'true';

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

    let authenticator: DeliveryAuthenticator;
    try {
      authenticator = new DeliveryAuthenticator(readAccount(RED, def.account).credentials);
    } catch (error) {
      node.status({ fill: 'red', shape: 'ring', text: t('status.badSecret') });
      node.error(t('errors.badWebhookSecret', { detail: (error as Error).message }));
      return;
    }

    const repeats = rememberedBy(node, storeName, () => node.warn(t('warnings.repeatsNotLoaded', { store: storeName })));
    repeats.filter.setWindow(dedupeMs);
    repeats.saved.claims.setMax(dedupeMax);
    const seen = repeats.filter;
    const savedRepeats = repeats.saved;
    const wiredTo = ((def as NodeDef & { wires?: string[][] }).wires ?? []).flat();
    const deploys = watchDeploys(RED, node.id, wiredTo);

    const counts = { received: 0, deviating: 0, invalid: 0, rejected: 0 };
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
        if (counts.deviating > 0) parts.push(t('status.deviating', { count: counts.deviating }));
        if (counts.invalid > 0) parts.push(t('status.invalid', { count: counts.invalid }));
        if (counts.rejected > 0) parts.push(t('status.rejected', { count: counts.rejected }));
        status = { fill: verified ? 'green' : 'yellow', shape: verified ? 'dot' : 'ring', text: parts.join(' · ') };
      }
      node.status(status);
    };
    // Status updates cross to every open editor: at most a few a second, whatever the load.
    const scheduleStatus = (): void => {
      if (statusTimer === null && !closed) statusTimer = setTimeout(showStatus, STATUS_EVERY_MS);
    };

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
    const UNAUTHORIZED = { status: 401, body: { error: 'unauthorized' } } as const;
    const reject = (res: Response, reason: RejectionReason): void => {
      noteRejection(reason);
      answer(res, UNAUTHORIZED.status, UNAUTHORIZED.body);
    };

    // The delivery each request has claimed. Its answer decides: one that says the flow has it keeps
    // it remembered; any other (a deploy, an exception anywhere) forgets it first, so that the
    // sender's retry gets through. `handedOver` is true for a 2xx, and for the 415 of a delivery that
    // still went to output 4.
    const claimed = new WeakMap<Response, string>();
    const conclude = (res: Response, status: number, body: object, headers: Record<string, string> = {}, handedOver = status >= 200 && status < 300): void => {
      const deliveryId = claimed.get(res);
      claimed.delete(res);
      if (deliveryId === undefined) return answer(res, status, body, headers);
      if (handedOver) {
        seen.settle(deliveryId);
        return answer(res, status, body, headers);
      }
      void seen.forget(deliveryId).then(() => answer(res, status, body, headers));
    };

    let lastUnavailableLog = 0;

    const handle = async (req: Request, res: Response, bytes: Buffer): Promise<void> => {
      const auth = authenticator.authenticate(req.headers, bytes);
      if (!auth.ok) return reject(res, auth.reason);

      // Only a verified signature makes the Svix id trustworthy, and only the id of the headers it was verified with.
      const signedId = auth.verifiedBy === 'svix' ? auth.messageId : null;
      const deliveryId = deliveryKey(signedId, bytes);
      const claim = await seen.claim(deliveryId);
      if (claim === 'new') claimed.set(res, deliveryId);
      if (closed || deploys.restarting) return conclude(res, 503, RESTARTING_BODY, RESTARTING_HEADERS);
      if (claim === 'repeat') {
        return answer(res, 200, { received: true, duplicate: true });
      }

      const body = readDelivery(bytes, req.headers['content-type']);
      const routed = routeDelivery(body, { deliveryId, verifiedBy: auth.verifiedBy, receivedAt: new Date() }, { strict });
      const outputs: Array<NodeMessageInFlow | null> = [null, null, null, null];
      outputs[routed.output] = routed.message as unknown as NodeMessageInFlow;
      const epoch = deploys.epoch;
      node.send(outputs);
      // Node-RED hands the message over on the next turn of the event loop; answer once it has.
      // Had a deploy stopped the receiving nodes in between, the message is gone: ask for a retry.
      setImmediate(() => {
        try {
          if (deploys.epoch !== epoch) return conclude(res, 503, RESTARTING_BODY, RESTARTING_HEADERS);
          counts.received += 1;
          if (routed.output === OUTPUT.invalid) counts.invalid += 1;
          else if (routed.message.meetingbaas.deviations) counts.deviating += 1;
          scheduleStatus();
          // Authentic deliveries are acknowledged even when invalid: a 4xx would make Meeting BaaS drop them for good.
          if (body.kind === 'unsupported-media-type') conclude(res, 415, { error: 'Content-Type must be application/json' }, {}, true);
          else conclude(res, 200, { received: true });
        } catch (error) {
          failed(res, error);
        }
      });
    };

    const failed = (res: Response, error: unknown): void => {
      node.error(t('errors.unexpected', { detail: String(error) }));
      conclude(res, 500, { error: 'internal error' });
    };

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
        handle(req, res, bytes).catch((error: unknown) => failed(res, error));
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

    node.on('close', (removed: boolean, done: () => void) => {
      closed = true;
      attachment.detach(removed);
      deploys.stop();
      if (statusTimer) clearTimeout(statusTimer);
      if (removed && remembered.get(node.id)?.saved === savedRepeats) remembered.delete(node.id);
      // Saved at every stop, so that a persistent store has them when Node-RED starts again. Not
      // waited for: a store that does not answer must not hold up the deploy.
      void (removed ? savedRepeats.discard() : savedRepeats.flush());
      done();
    });
  }

  RED.nodes.registerType('meetingbaas-callback', MeetingBaasCallback);
  registerTestDeliveryRoute(RED);
};
