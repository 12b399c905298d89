// Where Meeting BaaS should send a bot's callback: the public address of the "callback in"
// node the user picked, built the same way the editor shows it.
import type { NodeAPI } from 'node-red';
import { readAccount } from '../shared/account';
import { callbackUrl, findCallbackSettings } from '../shared/urls';

export interface CallbackTarget {
  readonly url: string;
  readonly method: 'POST' | 'PUT';
  /** The secret the callback node checks; undefined when it checks none. */
  readonly secret: string | undefined;
}

export type TargetProblem = 'callback-missing' | 'no-public-url' | 'bad-public-url' | 'http-disabled';

export function resolveCallbackTarget(
  RED: NodeAPI,
  callbackId: string,
  botAccountId: string | undefined,
): CallbackTarget | TargetProblem {
  const def = findCallbackSettings((visit) => RED.nodes.eachNode(visit), callbackId);
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
  return {
    url: callbackUrl(botAccount.publicUrl, root, def.url),
    method: def.method,
    secret: verifying.credentials.callbackSecret || undefined,
  };
}
