// "Send a test delivery" of the callback node: an admin route the editor calls with a node id.
// The runtime builds a realistic delivery with the simulator, authenticates it with the
// account's secret (which never goes to the editor) and sends it over real HTTP to this
// Node-RED's own listener, so it takes exactly the path a Meeting BaaS delivery takes: raw body
// capture, secret or signature check, repeats, validation, the flow.
//
// Under httpNodeAuth that listener wants credentials the runtime does not have (settings hold
// only the password's bcrypt hash, or a middleware of the user's). Then the delivery is handed
// to the httpNode app itself through a one-request loopback listener: the node's route, its
// middleware and every check of the node still run, only httpNodeAuth in front is passed by,
// and the answer says so, so that the editor does not claim more than was tested.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type RequestOptions, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Server as NetServer } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import type { Request, Response } from 'express';
import type { NodeAPI } from 'node-red';
import { errorCode, errorMessage } from '../../lib/records';
import type * as Simulator from '../../simulator';
import type { ArtifactServer, DeliveryAuth } from '../../simulator';
import { readAccount } from '../shared/account';
import { findCallbackSettings, nodePath, routePath, type CallbackSettings } from '../shared/urls';

export const TEST_KINDS = ['completed', 'failed', 'status'] as const;
export type TestKind = (typeof TEST_KINDS)[number];

/** What the editor gets back; never a secret. */
export interface TestDeliveryResult {
  readonly event: string;
  readonly url: string;
  readonly method: 'POST' | 'PUT';
  readonly auth: DeliveryAuth['kind'];
  readonly status: number;
  /** `in-process`: handed to the node's route inside Node-RED, past httpNodeAuth. */
  readonly via: 'http' | 'in-process';
}

const SEND_TIMEOUT_MS = 30_000;
/** The sample artifacts of test deliveries stay served this long after the last one. */
const ARTIFACTS_IDLE_MS = 60 * 60 * 1000;

/** The simulator (a quarter of a second to load) is loaded by the first test delivery, not at every start. */
function simulator(): typeof Simulator {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, not with this module
  return require('../../simulator') as typeof Simulator;
}

let artifacts: Promise<ArtifactServer> | null = null;
let artifactsIdle: NodeJS.Timeout | null = null;

/** A local artifact server for the URLs of test `bot.completed` deliveries, started on first use. */
function artifactServer(): Promise<ArtifactServer> {
  artifacts ??= simulator().ArtifactServer.start();
  const current = artifacts;
  current.catch(() => {
    if (artifacts === current) artifacts = null;
  });
  if (artifactsIdle) clearTimeout(artifactsIdle);
  artifactsIdle = setTimeout(() => {
    artifacts = null;
    void current.then((server) => server.close(), () => undefined);
  }, ARTIFACTS_IDLE_MS);
  artifactsIdle.unref();
  return current;
}

async function buildDelivery(kind: TestKind): Promise<{ readonly event: string }> {
  const { completedDelivery, failedDelivery, loadSampleMeeting, statusChangeDelivery } = simulator();
  if (kind === 'failed') return failedDelivery();
  if (kind === 'status') return statusChangeDelivery();
  const botId = randomUUID();
  const server = await artifactServer();
  return completedDelivery(loadSampleMeeting().script, server.artifactUrls(botId), { botId });
}

/** Where this Node-RED listens, as seen from inside it: a wildcard address becomes loopback. */
function ownListener(RED: NodeAPI): { host: string; port: number; secure: boolean } {
  // Typed as an https server, it is an http one unless settings.js has `https`, and there is
  // none when Node-RED runs embedded without a listener: read for what it is.
  const server: unknown = RED.server;
  const address = server instanceof NetServer ? server.address() : null;
  const listening = address !== null && typeof address === 'object' ? address : null;
  // Settings as settings.js gave them: any of these may be absent.
  const { uiHost, uiPort, https }: { readonly uiHost?: unknown; readonly uiPort?: unknown; readonly https?: unknown } = RED.settings;
  let host = listening?.address ?? (typeof uiHost === 'string' ? uiHost : '127.0.0.1');
  if (host === '0.0.0.0' || host === '') host = '127.0.0.1';
  if (host === '::') host = '::1';
  return {
    host,
    port: listening?.port ?? (typeof uiPort === 'number' ? uiPort : 1880),
    secure: server instanceof TlsServer || Boolean(https),
  };
}

const PASS_HEADER = 'x-meetingbaas-test-pass';

/**
 * Sends one request to the httpNode app without the root app in front (httpNodeAuth, the admin
 * parsers). A real loopback socket, so the route reads a real request; the listener takes only a
 * request carrying its one-time pass and is closed after it, so nobody else gets past httpNodeAuth.
 */
export async function sendInProcess(
  RED: Pick<NodeAPI, 'httpNode'>,
  target: { path: string; method: 'POST' | 'PUT' },
  body: string,
  headers: Record<string, string>,
): Promise<number> {
  const pass = randomBytes(32).toString('hex');
  const passBytes = Buffer.from(pass);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const offered = Buffer.from(String(req.headers[PASS_HEADER] ?? ''));
    if (offered.length !== passBytes.length || !timingSafeEqual(offered, passBytes)) {
      res.statusCode = 403;
      res.setHeader('Connection', 'close');
      res.end();
      return;
    }
    delete req.headers[PASS_HEADER];
    RED.httpNode(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  try {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new TypeError('the loopback listener has no port');
    return await send({ host: '127.0.0.1', port: address.port, secure: false, ...target }, body, { ...headers, [PASS_HEADER]: pass });
  } finally {
    server.close();
    server.closeAllConnections();
  }
}

function send(
  target: { host: string; port: number; secure: boolean; path: string; method: 'POST' | 'PUT' },
  body: string,
  headers: Record<string, string>,
): Promise<number> {
  const options: RequestOptions & { rejectUnauthorized?: boolean } = {
    host: target.host,
    port: target.port,
    path: target.path,
    method: target.method,
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    agent: false,
    timeout: SEND_TIMEOUT_MS,
  };
  // The connection goes to this very process; its certificate may well be self-signed.
  if (target.secure) options.rejectUnauthorized = false;
  return new Promise((resolve, reject) => {
    const req = (target.secure ? httpsRequest : httpRequest)(options, (res: IncomingMessage) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

function deployedConfig(RED: NodeAPI, id: string): CallbackSettings | null {
  if (!RED.nodes.getNode(id)) return null;
  return findCallbackSettings((visit) => RED.nodes.eachNode(visit), id);
}

/** The secret Meeting BaaS would use: a webhook signature when the account has one, else the callback secret. */
function authFor(RED: NodeAPI, accountId: string | undefined): DeliveryAuth {
  const { credentials } = readAccount(RED, accountId);
  if (credentials.webhookSecret) return { kind: 'webhook', secret: credentials.webhookSecret };
  if (credentials.callbackSecret) return { kind: 'secret', secret: credentials.callbackSecret };
  return { kind: 'none' };
}

export async function sendTestDelivery(RED: NodeAPI, id: string, kind: TestKind): Promise<TestDeliveryResult | null> {
  const config = deployedConfig(RED, id);
  if (!config) return null;
  const { method } = config;
  const listener = ownListener(RED);
  const path = nodePath(RED.settings.httpNodeRoot, config.url);
  const delivery = await buildDelivery(kind);
  const body = JSON.stringify(delivery);
  const auth = authFor(RED, config.account);
  const headers = simulator().deliveryHeaders(body, auth);
  const inProcess = Boolean(RED.settings.httpNodeAuth);
  const status = inProcess
    ? await sendInProcess(RED, { path: routePath(config.url), method }, body, headers)
    : await send({ ...listener, path, method }, body, headers);
  const host = listener.host.includes(':') ? `[${listener.host}]` : listener.host;
  return {
    event: delivery.event,
    url: `${listener.secure ? 'https' : 'http'}://${host}:${listener.port}${path}`,
    method,
    auth: auth.kind,
    status,
    via: inProcess ? 'in-process' : 'http',
  };
}

const registered = new WeakSet<object>();

/** Adds `POST <admin>/meetingbaas-callback/:id/test` once per runtime. Body: `{"kind": "completed" | "failed" | "status"}`. */
export function registerTestDeliveryRoute(RED: NodeAPI): void {
  if (!RED.httpAdmin || registered.has(RED.httpAdmin)) return;
  registered.add(RED.httpAdmin);
  RED.httpAdmin.post(
    '/meetingbaas-callback/:id/test',
    RED.auth.needsPermission('meetingbaas-callback.write'),
    (req: Request, res: Response) => {
      const body: unknown = req.body;
      const requested = (typeof body === 'object' && body !== null && 'kind' in body ? body.kind : undefined) ?? 'completed';
      const kind = TEST_KINDS.find((k) => k === requested);
      if (!kind) {
        res.status(400).json({ error: 'bad-kind' });
        return;
      }
      sendTestDelivery(RED, String(req.params.id ?? ''), kind).then(
        (result) => {
          if (result) res.json(result);
          else res.status(404).json({ error: 'not-deployed' });
        },
        (error: unknown) => {
          res.status(502).json({ error: 'unreachable', detail: errorCode(error) ?? errorMessage(error) });
        },
      );
    },
  );
}
