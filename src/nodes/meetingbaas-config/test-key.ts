// "Test API key" of the account's edit dialog: an admin route that makes one cheap
// authenticated request (GET /v2/bots?limit=1) through the bot API client, with its rules for
// where the key may go, and says whether the key works. The key is never sent back. The editor
// may send a key just typed (not deployed yet); without one the deployed account's stored key is
// used, only with the deployed API URL and only for this package's account nodes, so that the
// admin API cannot be used to send a stored key to another address.
import type { Request, Response } from 'express';
import type { NodeAPI } from 'node-red';
import { ApiError, checkApiBase, MeetingBaasApi } from '../../lib/api';
import { isRecord } from '../../lib/records';
import { isAccountNode, normaliseBaseUrl } from '../shared/account';

export type KeyTestResult =
  | 'ok'
  /** 401/403: the API refused the key. */
  | 'unauthorized'
  /** No answer: DNS, connection, TLS or timeout. */
  | 'unreachable'
  /** A 3xx: not followed, since it would carry the key to another address. */
  | 'redirect'
  /** Any other status (a wrong API URL gives 404, a busy account 429). */
  | 'unexpected'
  /** The key would go in clear text over the network, or the URL is not one. */
  | 'refused'
  /** No key typed and no deployed account with one. */
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

export async function testApiKey(baseUrl: string, apiKey: string): Promise<KeyTestAnswer> {
  let api: MeetingBaasApi;
  let origin: string;
  try {
    origin = checkApiBase(normaliseBaseUrl(baseUrl)).origin;
    api = new MeetingBaasApi({ baseUrl: normaliseBaseUrl(baseUrl), apiKey, retries: 0, timeoutMs: TIMEOUT_MS });
  } catch {
    return { result: 'refused' };
  }
  try {
    const status = await api.checkKey(AbortSignal.timeout(TIMEOUT_MS));
    return { result: 'ok', origin, status };
  } catch (error) {
    if (!(error instanceof ApiError)) return { result: 'unexpected', origin };
    const status = error.statusCode;
    if (error.kind === 'network') return { result: 'unreachable', origin, detail: error.networkCode ?? 'error' };
    if (status === undefined) return { result: 'unexpected', origin };
    if (error.kind === 'auth') return { result: 'unauthorized', origin, status };
    if (error.kind === 'redirect') return { result: 'redirect', origin, status };
    return { result: 'unexpected', origin, status };
  } finally {
    await api.close();
  }
}

interface KeyTestRequest {
  readonly id?: unknown;
  readonly baseUrl?: unknown;
  readonly apiKey?: unknown;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

async function answerFor(RED: NodeAPI, body: KeyTestRequest): Promise<KeyTestAnswer> {
  const typedKey = text(body.apiKey);
  const typedBase = text(body.baseUrl);
  if (typedKey && typedKey !== UNCHANGED) return testApiKey(typedBase, typedKey);
  const id = text(body.id);
  const deployed = id ? RED.nodes.getNode(id) : null;
  if (!isAccountNode(deployed)) return { result: 'no-key' };
  const storedKey = deployed.credentials?.apiKey;
  if (!storedKey) return { result: 'no-key' };
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
      const body: unknown = req.body;
      answerFor(RED, isRecord(body) ? body : {}).then(
        (answer) => res.json(answer),
        () => res.status(500).json({ result: 'unexpected' }),
      );
    },
  );
}
