// "callback in": an HTTP endpoint for Meeting BaaS deliveries. Authenticates each one, drops
// repeats, validates it and sends it on the output for its kind; answers before the flow runs.
// This file reads the node's settings and builds its parts: the claims (claims.ts), the journal
// (journaling.ts), the intake that takes each delivery (intake.ts), the status (status.ts), the
// route (endpoints.ts) and the catch-up (catch-up-start.ts).
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { ApiError } from '../../lib/api';
import { DeliveryAuthenticator, WebhookSecretError } from '../../lib/delivery/authentication';
import type { BodyRefusal, RoutedDelivery } from '../../lib/delivery/routing';
import { readAccount } from '../shared/account';
import { CALLBACK_DEFAULTS, type CallbackMethod } from '../shared/defaults';
import { callbackMethodOf } from '../shared/urls';
import { apiErrorText, sayApiProblemWith } from '../shared/problems';
import { startCatchUp, type RunningCatchUp } from './catch-up-start';
import { KeptClaims } from './claims';
import { onFlowEvents, stoppedIds, watchDeploys, type DeployEvent } from './deploys';
import {
  answerRead,
  DEFAULT_BODY_LIMIT,
  DEFAULT_BODY_TIMEOUT_SECONDS,
  endpointRegistry,
  httpNodeMiddlewareOf,
  pathProblem,
  type Endpoint,
} from './endpoints';
import type { FlowNode } from './finishers';
import { Intake } from './intake';
import { JournaledDeliveries } from './journaling';
import { attachToSidebar, registerSidebarRoutes } from './sidebar';
import { CallbackStatus } from './status';
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

const {
  dedupeHours: DEFAULT_DEDUPE_HOURS,
  dedupeMax: DEFAULT_DEDUPE_MAX,
  dedupeMeetingMinutes: DEFAULT_DEDUPE_MEETING_MINUTES,
  maxRedeliveries: DEFAULT_MAX_REDELIVERIES,
  catchUpMinutes: DEFAULT_CATCH_UP_MINUTES,
} = CALLBACK_DEFAULTS;
/** How long a close waits for the deliveries being handled (a few ms each): a deploy must not hang on a stuck one. */
const CLOSE_WAIT_MS = 5000;

function positiveNumber(value: unknown, fallback: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** A checkbox that flows written before it existed leave out: absent means `fallback`. */
function flag(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return value === true || value === 'true';
}

export = (RED: NodeAPI): void => {
  const nodeMiddleware = httpNodeMiddlewareOf(RED.settings.httpNodeMiddleware);
  const keptClaims = new KeptClaims();
  // By node id, across redeploys: journal entries handed to nodes that are still running. A
  // redeploy of the callback node alone must not send them again while the flow works on them.
  const inFlow = new Map<string, Set<number>>();

  function MeetingBaasCallback(this: Node, def: CallbackDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const t = (key: string, vars?: Record<string, string | number>): string =>
      RED._(`meetingbaas-callback.${key}`, vars);
    const sayApiProblem = sayApiProblemWith(RED);
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

    const claims = keptClaims.of(node.id, {
      storeName,
      context: node.context().global,
      redis: account.redis,
      windowMs: dedupeMs,
      meetingWindowMs: dedupeMeetingMs,
      max: dedupeMax,
      onNotLoaded: () => node.warn(t('warnings.repeatsNotLoaded', { store: storeName })),
      // The URL itself is not repeated: it may hold a password.
      onBadRedis: () => node.error(t('errors.sharedStoreUrl')),
    });
    const deploys = watchDeploys(RED, node.id, (def.wires ?? []).flat());
    const status = new CallbackStatus(t, node, { path, verified: !authenticator.acceptsUnverified, shared: claims.shared, repeats: claims.repeats });

    // The journal opens while the flows start; a delivery that arrives meanwhile waits for it.
    const journalFile = stateFile('journals', '.journal');
    const journaling: Promise<JournaledDeliveries | null> = journalOn
      ? JournaledDeliveries.open(
          { nodeId: node.id, file: journalFile, retentionMs: Math.max(dedupeMs, dedupeMeetingMs), maxRedeliveries },
          // Told once the flows run, when the intake below exists.
          {
            redeliver: (entry, text, attempt) => void intake.redeliver(entry, text, attempt),
            parked: (entry) => status.parked(entry),
            problem: (code, detail) => node.error(t(`errors.journal.${code}`, { detail, file: journalFile })),
          },
        )
          .catch((error: unknown) => {
            node.error(t('errors.journal.open-failed', { detail: String(error), file: journalFile }));
            return null;
          })
      : Promise.resolve(null);

    const handed = inFlow.get(node.id) ?? new Set<number>();
    inFlow.set(node.id, handed);
    const send = (routed: RoutedDelivery): Promise<boolean> => {
      const outputs: Array<NodeMessage | null> = [null, null, null, null];
      outputs[routed.output] = routed.message;
      return deploys.handedOver(() => node.send(outputs));
    };
    const intake = new Intake({
      nodeId: node.id,
      authenticator,
      journal: journaling,
      repeats: claims.repeats,
      meetings: claims.meetings,
      claimsKnowJournal: !claims.fresh,
      send,
      restarting: () => deploys.restarting,
      inFlow: handed,
      routing: { strict, sayRefusal },
      events: status,
    });

    const detachSidebar = attachToSidebar({
      node: node.id,
      label: def.name || `[${method === 'any' ? 'post|put' : method}] ${path}`,
      journaling,
      counts: () => ({ rejected: status.counts.rejected, repeats: status.counts.repeats }),
      replay: (entry, text, attempt) => void intake.redeliver(entry, text, attempt, true),
      api: account.credentials.apiKey ? { baseUrl: account.baseUrl, apiKey: account.credentials.apiKey } : null,
    });

    const endpoint: Endpoint = {
      bodyLimit,
      bodyTimeoutMs,
      accepting: () => intake.accepting,
      beforeBody: (req) => {
        if (allowed.includes(req.method ?? '')) return intake.beforeBody(req.headers);
        return { status: 405, body: { error: 'method not allowed' }, headers: { Allow: allowed.join(', ') } };
      },
      onBodyUnavailable: () => status.bodyUnavailable(),
      handle: (req, res, bytes) => {
        void intake.receive(req.headers, bytes).then((answer) => answerRead(res, answer)).catch((error: unknown) => status.failed(error));
      },
      onPathShared: (others, isPrimary) => status.pathShared(others, isPrimary),
    };
    const attachment = endpointRegistry(RED.httpNode, nodeMiddleware).attach(path, endpoint);
    status.show();

    let catchingUp: Promise<RunningCatchUp | null> = Promise.resolve(null);
    let catchUpStarted = false;
    const flowNodes = (): FlowNode[] => {
      const nodes: FlowNode[] = [];
      RED.nodes.eachNode((config) => nodes.push(config));
      return nodes;
    };
    const onFlowsStarted = (): void => {
      void intake.flowsStarted(flowNodes).then(() => status.schedule(), (error: unknown) => status.failed(error));
      if (catchUpOn && !catchUpStarted) {
        catchUpStarted = true;
        const file = stateFile('catch-up', '.json');
        catchingUp = startCatchUp({ account, file, everyMs: catchUpMs, journal: journaling, intake, shared: claims.shared, status, t, sink: node, errorText });
      }
    };
    const onFlowsStopping = (event: DeployEvent): void => intake.flowsStopping(stoppedIds(event));
    const stopHearingFlows = onFlowEvents(RED.events, { started: onFlowsStarted, stopping: onFlowsStopping });

    node.on('close', (removed: boolean, done: () => void) => {
      intake.close();
      status.close();
      detachSidebar();
      attachment.detach(removed);
      deploys.stop();
      stopHearingFlows();
      if (removed) {
        inFlow.delete(node.id);
        keptClaims.drop(node.id, claims);
      }
      // Saved at every stop, so that a persistent store has them when Node-RED starts again. Not
      // waited for: a store that does not answer must not hold up the deploy.
      void (removed ? claims.saved?.discard() : claims.saved?.flush());
      // The next instance of this node opens the same file: the writes on their way land first.
      void catchingUp
        .then((catchUp) => catchUp?.close(removed))
        .then(() => intake.settled(CLOSE_WAIT_MS))
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
