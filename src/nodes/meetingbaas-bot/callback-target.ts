// Where Meeting BaaS should send a bot's callback: the public address of the "callback in"
// node the user picked, built the same way the editor shows it.
import type { NodeAPI, NodeDef } from 'node-red';
import { readAccount } from '../shared/account';

export interface CallbackTarget {
  readonly url: string;
  readonly method: 'POST' | 'PUT';
  /** The secret the callback node checks; undefined when it checks none. */
  readonly secret: string | undefined;
}

export type TargetProblem = 'callback-missing' | 'no-public-url' | 'bad-public-url' | 'http-disabled';

interface CallbackDef extends NodeDef {
  url?: string;
  method?: string;
  account?: string;
}

/** publicUrl + httpNodeRoot + path, with single slashes between them. */
export function callbackUrl(publicUrl: string, httpNodeRoot: string, path: string): string {
  const joined = `/${httpNodeRoot}/${path}`.replace(/\/{2,}/g, '/');
  return `${publicUrl.replace(/\/+$/, '')}${joined}`;
}

function findCallbackDef(RED: NodeAPI, id: string): CallbackDef | null {
  let found: CallbackDef | null = null;
  // The callback node keeps its path and method to itself; its flow definition has them.
  RED.nodes.eachNode((def) => {
    if (def.id === id && def.type === 'meetingbaas-callback') found = def;
  });
  return found;
}

export function resolveCallbackTarget(
  RED: NodeAPI,
  callbackId: string,
  botAccountId: string | undefined,
): CallbackTarget | TargetProblem {
  const def = findCallbackDef(RED, callbackId);
  if (!def) return 'callback-missing';
  const root = RED.settings.httpNodeRoot;
  if (root === false) return 'http-disabled';
  const botAccount = readAccount(RED, botAccountId);
  if (!botAccount.publicUrl) return 'no-public-url';
  try {
    const parsed = new URL(botAccount.publicUrl);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'bad-public-url';
  } catch {
    return 'bad-public-url';
  }
  // The secret must be the one the callback node compares: its own account's when it has one.
  const verifying = def.account ? readAccount(RED, def.account) : botAccount;
  const method = (def.method ?? 'post').toLowerCase() === 'put' ? 'PUT' : 'POST';
  return {
    url: callbackUrl(botAccount.publicUrl, typeof root === 'string' ? root : '/', (def.url ?? '').trim()),
    method,
    secret: verifying.credentials.callbackSecret || undefined,
  };
}
