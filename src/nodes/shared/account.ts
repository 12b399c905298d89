// What the other nodes of this package read from a "Meeting BaaS account" config node.
import type { Node, NodeAPI } from 'node-red';
import type { RedisSettings } from '../../lib/delivery/redis-claims';
import { ACCOUNT_DEFAULTS, ACCOUNT_TYPE } from './defaults';

export { ACCOUNT_TYPE } from './defaults';
export const DEFAULT_BASE_URL = ACCOUNT_DEFAULTS.baseUrl;
export const DEFAULT_REDIS_PREFIX = ACCOUNT_DEFAULTS.redisPrefix;

export interface AccountCredentials {
  apiKey?: string;
  callbackSecret?: string;
  webhookSecret?: string;
  redisPassword?: string;
}

export interface AccountNode extends Node<AccountCredentials> {
  baseUrl: string;
  /** How the internet reaches this Node-RED (for callback URLs); '' when not set. */
  publicUrl?: string;
  /** The Redis that several Node-RED instances share for their repeat decisions; '' when not set. */
  redisUrl?: string;
  redisPrefix?: string;
}

export interface Account {
  readonly baseUrl: string;
  readonly credentials: Readonly<AccountCredentials>;
  /** Public base URL of this Node-RED, without a trailing slash; '' when not set. */
  readonly publicUrl: string;
  /** The shared store of several instances behind a load balancer; null: each instance decides alone. */
  readonly redis: RedisSettings | null;
}

/** Only this package's account nodes: another package's node may hold an `apiKey` credential too. */
export function isAccountNode(node: Node | null | undefined): node is AccountNode {
  return node?.type === ACCOUNT_TYPE;
}

const NO_ACCOUNT: Account = { baseUrl: DEFAULT_BASE_URL, credentials: {}, publicUrl: '', redis: null };

/**
 * A node names an account that is not deployed as one: disabled, deleted, or the id of a node of
 * another kind. `readAccount` gives it the defaults, without secrets, so a node that checks
 * secrets must look here first rather than accept everything.
 */
export function accountMissing(RED: NodeAPI, accountId: string | undefined): boolean {
  return accountId !== undefined && accountId !== '' && !isAccountNode(RED.nodes.getNode(accountId));
}

/** The account a node points at, or defaults (no secrets) when it points at none, or at one that `accountMissing`. */
export function readAccount(RED: NodeAPI, accountId: string | undefined): Account {
  if (!accountId) return NO_ACCOUNT;
  const node = RED.nodes.getNode(accountId);
  if (!isAccountNode(node)) return NO_ACCOUNT;
  const credentials = node.credentials ?? {};
  const redisUrl = (node.redisUrl ?? '').trim();
  const redis = redisUrl === '' ? null : { url: redisUrl, password: credentials.redisPassword ?? '', prefix: node.redisPrefix ?? DEFAULT_REDIS_PREFIX };
  return { baseUrl: node.baseUrl, credentials, publicUrl: node.publicUrl ?? '', redis };
}

/** `https://api.meetingbaas.com/` and ` https://x ` become `https://api.meetingbaas.com` and `https://x`. */
export function normaliseBaseUrl(value: string | undefined): string {
  return (value ?? '').trim().replace(/\/+$/, '') || DEFAULT_BASE_URL;
}
