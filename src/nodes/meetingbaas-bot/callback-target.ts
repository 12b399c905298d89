// Where Meeting BaaS should send a bot's callback: the public address of the "callback in"
// node the user picked, built the same way the editor shows it.
import type { NodeAPI } from 'node-red';
import { isPlainHttpElsewhere } from '../../lib/api/loopback';
import { accountMissing, readAccount } from '../shared/account';
import { callbackUrl, findCallbackSettings } from '../shared/urls';

export interface CallbackTarget {
  readonly url: string;
  readonly method: 'POST' | 'PUT';
  /** The secret the callback node checks; undefined when it checks none. */
  readonly secret: string | undefined;
}

export type TargetProblem = 'callback-missing' | 'callback-account-missing' | 'no-public-url' | 'bad-public-url' | 'insecure-public-url' | 'http-disabled';

export function resolveCallbackTarget(
  RED: NodeAPI,
  callbackId: string,
  botAccountId: string | undefined,
): CallbackTarget | TargetProblem {
  const def = findCallbackSettings((visit) => RED.nodes.eachNode(visit), callbackId);
  if (!def) return 'callback-missing';
  // That node answers every callback 503 until its account is fixed: Meeting BaaS would give up on them.
  if (accountMissing(RED, def.account)) return 'callback-account-missing';
  const root = RED.settings.httpNodeRoot;
  if (root === false) return 'http-disabled';
  const botAccount = readAccount(RED, botAccountId);
  if (!botAccount.publicUrl) return 'no-public-url';
  let parsed: URL;
  try {
    parsed = new URL(botAccount.publicUrl);
  } catch {
    return 'bad-public-url';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'bad-public-url';
  // Refused rather than warned about: Meeting BaaS would send the secret, and the callback's
  // signed links to the recording, in clear across the internet, whatever a log line said.
  // Plain http to this machine stays for tests and the simulator, as for the API URL.
  if (isPlainHttpElsewhere(botAccount.publicUrl)) return 'insecure-public-url';
  // The secret the callback node compares: that of its own account. Without an account, or
  // with one that has no callback secret, it checks none, and none is sent.
  const verifying = readAccount(RED, def.account);
  return {
    url: callbackUrl(botAccount.publicUrl, root, def.url),
    method: def.method,
    secret: verifying.credentials.callbackSecret || undefined,
  };
}
