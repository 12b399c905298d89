// What can go wrong when talking to the Meeting BaaS API, sorted by what the user can do about
// it. The node turns each kind, and each problem code, into a sentence; the status code travels
// with it.
import { problemCode, type Problem } from '../problem';
import type { HttpMethod } from './operations';

export type ApiErrorKind =
  /** The request we were about to send breaks the API's schema: nothing was sent. */
  | 'invalid-request'
  /** No API key in the account: nothing was sent. */
  | 'no-api-key'
  /** Not a bot id (a UUID): nothing was sent. */
  | 'bad-bot-id'
  /** The base URL is not one the key may be sent to (https, or http to this machine only). */
  | 'refused'
  | 'auth'
  | 'out-of-tokens'
  | 'conflict'
  | 'rate-limited'
  | 'not-found'
  /** 400/422: the API refused the request's content. */
  | 'rejected'
  | 'server'
  /** A redirect: not followed, since it would carry the API key somewhere else. */
  | 'redirect'
  | 'status'
  | 'invalid-response'
  | 'network';

export const API_PROBLEM_CODES = [
  // `refused`: where the key would have gone.
  /** `url`: the API URL as set. */
  'not-a-url',
  'credentials-in-url',
  'query-in-url',
  /** `origin`: plain http to another machine. */
  'not-https',
  // `bad-bot-id` and `invalid-request`: what was about to be sent.
  /** `value`: what was given as the bot id. */
  'not-a-bot-id',
  'takes-no-body',
  'takes-no-query',
  /** `field`: an option the API does not document (dotted path). */
  'unknown-option',
  /** `field`, `message`: the schema's words for what the field must be. */
  'field',
  /** `message`: the same, about the request as a whole. */
  'request',
  /** `name`: a query value that is a Date, but not a valid one. */
  'not-a-date',
  /** `name`: an empty list. */
  'empty-list',
  /** `name`, `item`: a list item that is not one value of a comma-separated list. */
  'not-a-list-item',
  /** `name`: a value no query parameter can carry (a function, a Buffer…). */
  'not-a-query-value',
  /** `name`: an object filter without a field. */
  'no-filter-fields',
  /** `name`, `field`: a field name that is empty or holds `,` or `:`. */
  'bad-filter-field',
  /** `name`, `field`: a value that is not a string, a number or a boolean. */
  'bad-filter-value',
  /** `name`, `field`: a value with a comma in it. */
  'comma-in-filter',
  // `invalid-response`: what was wrong with the answer (`field` above for a schema problem).
  /** `botId`: the answer is about another bot. */
  'other-bot',
  'answer-not-json',
  /** `bytes`: the most an answer may have. */
  'answer-too-large',
] as const;

/**
 * What an error is about when no request was made: the account's API key (missing) or its API
 * URL (not one the key may go to). Codes: the node says them.
 */
export const ACCOUNT_SETTINGS = ['api-key', 'api-url'] as const;
export type AccountSetting = (typeof ACCOUNT_SETTINGS)[number];

/** What an error is about: a request (`GET /v2/bots/{bot_id}`), or an account setting checked before any. */
export type ApiOperation = `${HttpMethod} ${string}` | AccountSetting;

export function isAccountSetting(operation: ApiOperation): operation is AccountSetting {
  return (ACCOUNT_SETTINGS as readonly string[]).includes(operation);
}

export type ApiProblemCode = (typeof API_PROBLEM_CODES)[number];
export type ApiProblem = Problem<ApiProblemCode>;

export interface ApiErrorDetails {
  readonly statusCode?: number;
  /** Seconds to wait before trying again (429), from Retry-After or the answer's `retryAfter`. */
  readonly retryAfterSeconds?: number;
  /** The API's own `code` and message, when it sent them. */
  readonly apiCode?: string;
  readonly apiMessage?: string;
  /** `refused`, `bad-bot-id`, `invalid-request` and `invalid-response`: what exactly, as codes. */
  readonly problems?: readonly ApiProblem[];
  /** `network`: the system's or undici's error code, e.g. ECONNREFUSED. */
  readonly networkCode?: string;
}

export class ApiError extends Error {
  readonly statusCode?: number;
  readonly retryAfterSeconds?: number;
  readonly apiCode?: string;
  readonly apiMessage?: string;
  readonly problems: readonly ApiProblem[];
  readonly networkCode?: string;

  constructor(
    readonly kind: ApiErrorKind,
    readonly operation: ApiOperation,
    details: ApiErrorDetails = {},
  ) {
    const status = details.statusCode !== undefined ? ` (HTTP ${details.statusCode})` : '';
    const said = details.apiMessage ?? details.problems?.map(problemCode).join('; ') ?? '';
    super(`${operation}: ${kind}${status}${said ? `: ${said}` : ''}`);
    this.name = 'ApiError';
    this.statusCode = details.statusCode;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.apiCode = details.apiCode;
    this.apiMessage = details.apiMessage;
    this.problems = details.problems ?? [];
    this.networkCode = details.networkCode;
  }
}

/** The kind for an HTTP status the API answered with, once retries are spent. */
export function kindOfStatus(statusCode: number): ApiErrorKind {
  if (statusCode === 401 || statusCode === 403) return 'auth';
  if (statusCode === 402) return 'out-of-tokens';
  if (statusCode === 404) return 'not-found';
  if (statusCode === 409) return 'conflict';
  if (statusCode === 429) return 'rate-limited';
  if (statusCode === 400 || statusCode === 422) return 'rejected';
  if (statusCode >= 500) return 'server';
  if (statusCode >= 300 && statusCode < 400) return 'redirect';
  return 'status';
}
