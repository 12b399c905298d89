// "Test API key" of the account's edit dialog: an admin route that makes one cheap
// authenticated request (GET /v2/bots?limit=1) and says whether the key works. The key is
// never sent back. The editor may send a key just typed (not deployed yet); without one the
// deployed node's stored key is used, and then only with the deployed API URL, so that the
// admin API cannot be used to send a stored key to another address.
import { isIP } from 'node:net';
import type { Request, Response } from 'express';
import type { NodeAPI } from 'node-red';
import { normaliseBaseUrl, type AccountNode } from './account';

export type KeyTestResult =
  | 'ok'
  /** 401/403: the API refused the key. */
  | 'unauthorized'
  /** No answer: DNS, connection, TLS or timeout. */
  | 'unreachable'
  /** Any other status (a wrong API URL gives 404, a busy account 429). */
  | 'unexpected'
  /** The key would go in clear text over the network, or the URL is not one. */
  | 'refused'
  /** No key typed and none deployed. */
  | 'no-key'
  /** The API URL changed but the key was not typed again: the stored key goes only to the deployed URL. */
  | 'key-needed';

export interface KeyTestAnswer {
  readonly result: KeyTestResult;
  /** Origin tested, e.g. https://api.meetingbaas.com. */
  readonly origin?: string;
  readonly status?: number;
  readonly detail?: string;
}

const TIMEOUT_MS = 10_000;
/** The password fields of the editor hold this when the stored value was not changed. */
const UNCHANGED = '__PWRD__';

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** https, or plain http to this machine only (the simulator). */
function apiBase(baseUrl: string): URL | null {
  let url: URL;
  try {
    url = new URL(normaliseBaseUrl(baseUrl));
  } catch {
    return null;
  }
  if (url.username || url.password || url.search || url.hash) return null;
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))) return url;
  return null;
}

export async function testApiKey(baseUrl: string, apiKey: string): Promise<KeyTestAnswer> {
  const base = apiBase(baseUrl);
  if (!base) return { result: 'refused' };
  const url = new URL(base.href);
  url.pathname = `${base.pathname.replace(/\/+$/, '')}/v2/bots`;
  url.search = '?limit=1';
  const origin = base.origin;
  let status: number;
  try {
    const response = await fetch(url, {
      headers: { 'x-meeting-baas-api-key': apiKey, accept: 'application/json' },
      // A redirect would carry the key elsewhere.
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    status = response.status;
    await response.body?.cancel();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    const detail = cause?.code ?? (error instanceof Error ? error.name : 'error');
    return { result: 'unreachable', origin, detail };
  }
  if (status >= 200 && status < 300) return { result: 'ok', origin, status };
  if (status === 401 || status === 403) return { result: 'unauthorized', origin, status };
  return { result: 'unexpected', origin, status };
}

interface KeyTestRequest {
  id?: unknown;
  baseUrl?: unknown;
  apiKey?: unknown;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

async function answerFor(RED: NodeAPI, body: KeyTestRequest): Promise<KeyTestAnswer> {
  const typedKey = text(body.apiKey);
  const typedBase = text(body.baseUrl);
  if (typedKey && typedKey !== UNCHANGED) return testApiKey(typedBase, typedKey);
  const id = text(body.id);
  const deployed = id ? (RED.nodes.getNode(id) as AccountNode | null) : null;
  const storedKey = deployed?.credentials?.apiKey;
  if (!deployed || !storedKey) return { result: 'no-key' };
  if (typedBase && normaliseBaseUrl(typedBase) !== deployed.baseUrl) return { result: 'key-needed' };
  return testApiKey(deployed.baseUrl, storedKey);
}

const registered = new WeakSet<object>();

/** Adds `POST <admin>/meetingbaas-config/test-key` once per runtime. Body: `{id?, baseUrl?, apiKey?}`. */
export function registerKeyTestRoute(RED: NodeAPI): void {
  if (!RED.httpAdmin || registered.has(RED.httpAdmin)) return;
  registered.add(RED.httpAdmin);
  RED.httpAdmin.post(
    '/meetingbaas-config/test-key',
    RED.auth.needsPermission('meetingbaas-config.write'),
    (req: Request, res: Response) => {
      answerFor(RED, (req.body ?? {}) as KeyTestRequest).then(
        (answer) => res.json(answer),
        () => res.status(500).json({ result: 'unexpected' }),
      );
    },
  );
}
