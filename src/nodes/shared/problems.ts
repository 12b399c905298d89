// How the nodes word what the API client reports. The client gives kinds and problem codes with
// their values; the sentences for its problem codes, and the names of the account settings it
// checks before any request, are kept once, in the catalog of the account node, since every node
// that calls the API does so with an account. The kinds are worded by each node, for where it
// shows them.
import type { NodeAPI } from 'node-red';
import { isAccountSetting, type ApiError, type ApiOperation } from '../../lib/api';
import type { Problem } from '../../lib/problem';

/**
 * The account node's catalog as Node-RED registers it: under the id of its node set
 * (`<package>/<node set>`); a key with a `:` is looked up there as it is, from any node.
 */
export const ACCOUNT_NAMESPACE = '@meeting-baas/node-red/meetingbaas-config';
const ACCOUNT_KEYS = `${ACCOUNT_NAMESPACE}:meetingbaas-config`;

/** One problem of the API client in words; also names what an error was about. */
export interface SayApiProblem {
  (problem: Problem): string;
  /** `GET /v2/bots` as it is; an account setting checked before any request in words. */
  readonly operation: (operation: ApiOperation) => string;
}

/** The API client's problems in the words of the account node's catalog, through the runtime's `RED._`. */
export function sayApiProblemWith(RED: Pick<NodeAPI, '_'>): SayApiProblem {
  const account = (key: string, vars?: Problem['params']): string => RED._(`${ACCOUNT_KEYS}.${key}`, vars);
  const say = ({ code, params }: Problem): string => account(`apiProblems.${code}`, params);
  const operation = (name: ApiOperation): string => (isAccountSetting(name) ? account(`apiOperations.${name}`) : name);
  return Object.assign(say, { operation });
}

/** What exactly an API call ran into: what the API said, else the client's own problems. */
export function apiDetail(say: SayApiProblem, error: ApiError): string {
  return error.apiMessage ?? error.problems.map((problem) => say(problem)).join('; ');
}

/** An API error for the log: `GET /v2/bots: auth (HTTP 401): what was said`. */
export function apiErrorText(say: SayApiProblem, error: ApiError): string {
  const status = error.statusCode !== undefined ? ` (HTTP ${error.statusCode})` : '';
  const detail = apiDetail(say, error);
  return `${say.operation(error.operation)}: ${error.kind}${status}${detail ? `: ${detail}` : ''}`;
}
