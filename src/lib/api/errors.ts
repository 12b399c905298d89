// What can go wrong when talking to the Meeting BaaS API, sorted by what the user can do about
// it. The node turns each kind into a sentence; the status code travels with it.

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

export interface ApiErrorDetails {
  readonly statusCode?: number;
  /** Seconds to wait before trying again (429), from Retry-After or the answer's `retryAfter`. */
  readonly retryAfterSeconds?: number;
  /** The API's own `code` and message, when it sent them. */
  readonly apiCode?: string;
  readonly apiMessage?: string;
  /** `invalid-request` and `invalid-response`: which fields, and what was expected. */
  readonly problems?: readonly string[];
  /** `network`: the system's or undici's error code, e.g. ECONNREFUSED. */
  readonly networkCode?: string;
}

export class ApiError extends Error {
  readonly statusCode?: number;
  readonly retryAfterSeconds?: number;
  readonly apiCode?: string;
  readonly apiMessage?: string;
  readonly problems: readonly string[];
  readonly networkCode?: string;

  constructor(
    readonly kind: ApiErrorKind,
    readonly operation: string,
    details: ApiErrorDetails = {},
  ) {
    const status = details.statusCode !== undefined ? ` (HTTP ${details.statusCode})` : '';
    const said = details.apiMessage ?? details.problems?.join('; ') ?? '';
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
