// "callback in": an HTTP endpoint for Meeting BaaS deliveries. Authenticates each one, drops
// repeats, validates it and sends it on the output for its kind; answers before the flow runs.
// This file builds the node's parts from its settings (settings.ts): the claims (claims.ts), the
// journal (journaling.ts), the intake that takes each delivery (intake.ts), the status (status.ts),
// the route (endpoints.ts) and the catch-up (catch-up-start.ts).
import type { Node, NodeAPI, NodeMessage } from 'node-red';
import { ApiError } from '../../lib/api';
import { DeliveryAuthenticator, WebhookSecretError } from '../../lib/delivery/authentication';
import type { BodyRefusal, RoutedDelivery } from '../../lib/delivery/routing';
import { accountMissing, readAccount } from '../shared/account';
import { apiErrorText, sayApiProblemWith } from '../shared/problems';
import { startCatchUp, type RunningCatchUp } from './catch-up-start';
import { KeptClaims } from './claims';
import { onFlowEvents, stoppedIds, watchDeploys, type DeployEvent } from './deploys';
import { answerRead, endpointRegistry, httpNodeMiddlewareOf, RETRY_SHORTLY, type EarlyAnswer, type Endpoint } from './endpoints';
import type { FlowNode } from './finishers';
import { Intake } from './intake';
import { JournaledDeliveries } from './journaling';
import { attachToSidebar, registerSidebarRoutes } from './sidebar';
import { CallbackStatus } from './status';
import { readCallbackSettings, type CallbackDef } from './settings';
import { registerTestDeliveryRoute } from './test-delivery';

/** The account's secrets cannot be read: the sender retries, and its delivery is taken once the account is fixed. */
const CANNOT_CHECK: EarlyAnswer = {
  status: 503,
  body: { error: 'the callback node cannot check deliveries until its account is fixed, retry later' },
  headers: RETRY_SHORTLY,
};

function methodNotAllowed(allowed: readonly string[]): EarlyAnswer {
  return { status: 405, body: { error: 'method not allowed' }, headers: { Allow: allowed.join(', ') } };
}

/** How long a close waits for the deliveries being handled (a few ms each): a deploy must not hang on a stuck one. */
const CLOSE_WAIT_MS = 5000;

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

    const read = readCallbackSettings(def, RED.settings);
    if (!read.ok) {
      node.status({ fill: 'red', shape: 'ring', text: t(read.problem.status) });
      node.error(t(read.problem.error, read.problem.params));
      return;
    }
    const { settings } = read;
    const { path, journalFile } = settings;

    /**
     * A node that cannot check who sent a delivery keeps its path and answers every one 503: not
     * accepted unchecked, and not a 404 or 401 that Meeting BaaS would never send again.
     */
    const refuseEverything = (statusKey: string, error: string): void => {
      node.status({ fill: 'red', shape: 'ring', text: t(statusKey) });
      node.error(error);
      const allowed = settings.allowedMethods;
      const attachment = endpointRegistry(RED.httpNode, nodeMiddleware).attach(path, {
        bodyLimit: settings.bodyLimit,
        bodyTimeoutMs: settings.bodyTimeoutMs,
        accepting: () => true,
        beforeBody: (req) => (allowed.includes(req.method ?? '') ? CANNOT_CHECK : methodNotAllowed(allowed)),
        handle: (_req, res) => answerRead(res, CANNOT_CHECK),
        onBodyUnavailable: () => undefined,
        onPathShared: () => undefined,
      });
      node.on('close', (removed: boolean, done: () => void) => {
        attachment.detach(removed);
        done();
      });
    };

    if (accountMissing(RED, def.account)) {
      refuseEverything('status.noAccount', t('errors.noAccount', { account: def.account ?? '' }));
      return;
    }
    const account = readAccount(RED, def.account);
    let authenticator: DeliveryAuthenticator;
    try {
      authenticator = new DeliveryAuthenticator(account.credentials);
    } catch (error) {
      refuseEverything('status.badSecret', error instanceof WebhookSecretError ? t('errors.badWebhookSecret') : t('errors.unexpected', { detail: String(error) }));
      return;
    }

    const claims = keptClaims.of(node.id, {
      storeName: settings.store,
      context: node.context().global,
      redis: account.redis,
      windowMs: settings.dedupeMs,
      meetingWindowMs: settings.dedupeMeetingMs,
      max: settings.dedupeMax,
      onNotLoaded: () => node.warn(t('warnings.repeatsNotLoaded', { store: settings.store })),
      // The URL itself is not repeated: it may hold a password.
      onBadRedis: () => node.error(t('errors.sharedStoreUrl')),
    });
    const deploys = watchDeploys(RED, node.id, (def.wires ?? []).flat());
    const status = new CallbackStatus(t, node, { path, verified: !authenticator.acceptsUnverified, shared: claims.shared, repeats: claims.repeats });

    // The journal opens while the flows start; a delivery that arrives meanwhile waits for it.
    const journaling: Promise<JournaledDeliveries | null> = settings.journal
      ? JournaledDeliveries.open(
          { nodeId: node.id, file: journalFile, retentionMs: Math.max(settings.dedupeMs, settings.dedupeMeetingMs), maxRedeliveries: settings.maxRedeliveries },
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
      routing: { strict: settings.strict, sayRefusal },
      events: status,
    });

    const detachSidebar = attachToSidebar({
      node: node.id,
      label: settings.label,
      journaling,
      counts: () => ({ rejected: status.counts.rejected, repeats: status.counts.repeats }),
      replay: (entry, text, attempt) => void intake.redeliver(entry, text, attempt, true),
      api: account.credentials.apiKey ? { baseUrl: account.baseUrl, apiKey: account.credentials.apiKey } : null,
    });

    const allowed = settings.allowedMethods;
    const endpoint: Endpoint = {
      bodyLimit: settings.bodyLimit,
      bodyTimeoutMs: settings.bodyTimeoutMs,
      accepting: () => intake.accepting,
      beforeBody: (req) => {
        if (allowed.includes(req.method ?? '')) return intake.beforeBody(req.headers);
        return methodNotAllowed(allowed);
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
      if (settings.catchUp && !catchUpStarted) {
        catchUpStarted = true;
        catchingUp = startCatchUp({ account, file: settings.catchUpFile, everyMs: settings.catchUpMs, journal: journaling, intake, shared: claims.shared, status, t, sink: node, errorText });
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
