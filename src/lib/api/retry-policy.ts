// When to try an API request again, and after how long. Runs inside undici's retry interceptor
// (the same machinery the artifact downloads use), with one rule undici lacks: a Retry-After
// longer than we are willing to wait ends the retries at once, so the flow hears "rate
// limited, wait N s" now instead of after a wait that would still be too short.
import type { RetryHandler } from 'undici';
import { errorCode, isRecord } from '../records';

export interface RetryLimits {
  readonly retries: number;
  /** First wait; doubles per attempt up to `maxDelayMs`. */
  readonly delayMs: number;
  readonly maxDelayMs: number;
  /** Answers after which the request is sent again. */
  readonly statuses: ReadonlySet<number>;
  /** Errors (no answer) after which the request is sent again. */
  readonly errorCodes: readonly string[];
}

/**
 * Answers that say the request was not carried out: rate limited, or the service unavailable.
 * The only ones after which a request that must not happen twice (create a bot) is sent again.
 */
export const NOT_ACTED_STATUS: ReadonlySet<number> = new Set([429, 503]);
/**
 * Also answers that may come after the API acted: a 500 half-way through, a gateway's 502 or 504
 * after the API created the bot. Only requests safe to repeat are sent again after them.
 */
export const RETRIED_STATUS: ReadonlySet<number> = new Set([...NOT_ACTED_STATUS, 500, 502, 504]);

/** The connection never opened: the request cannot have reached the API. */
export const CONNECT_ERRORS = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT'];
/** Also after the request may have been sent: for reads and for requests safe to repeat. */
export const ANY_NETWORK_ERROR = [...CONNECT_ERRORS, 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'];

/**
 * What a request is sent again after. One that would do something twice if repeated (a second
 * bot, paid for twice) only when it certainly was not acted on: an answer saying so, or a
 * connection that never opened. What happened after the request may have left the client
 * cannot know, so it is not sent again.
 */
export function retriedFailures(repeatable: boolean): Pick<RetryLimits, 'statuses' | 'errorCodes'> {
  return repeatable ? { statuses: RETRIED_STATUS, errorCodes: ANY_NETWORK_ERROR } : { statuses: NOT_ACTED_STATUS, errorCodes: CONNECT_ERRORS };
}

export interface RetryNotice {
  readonly attempt: number;
  readonly waitMs: number;
  readonly statusCode?: number;
  readonly code?: string;
}

/** Seconds from a Retry-After header (seconds or an HTTP date); null when absent or unreadable. */
export function retryAfterSeconds(value: string | string[] | undefined, now: number = Date.now()): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return null;
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Number(text.trim());
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, (date - now) / 1000);
}

interface RetriedError {
  statusCode?: number;
  code?: string;
  headers?: Record<string, string | string[] | undefined>;
}

/** The wait before attempt `counter + 1`, or null for "give up". */
export function retryDelay(error: RetriedError, counter: number, limits: RetryLimits): number | null {
  if (counter > limits.retries) return null;
  if (error.statusCode !== undefined) {
    if (!limits.statuses.has(error.statusCode)) return null;
  } else if (!error.code || !limits.errorCodes.includes(error.code)) {
    return null;
  }
  const backoff = Math.min(limits.delayMs * 2 ** (counter - 1), limits.maxDelayMs);
  const asked = retryAfterSeconds(error.headers?.['retry-after']);
  if (asked === null) return backoff;
  const askedMs = asked * 1000;
  return askedMs > limits.maxDelayMs ? null : askedMs;
}

/**
 * What a retry decision reads of an error: undici wraps status answers as UND_ERR_REQ_RETRY errors
 * carrying the status code and the answer's headers; other errors have a system or undici code.
 */
function retriedErrorOf(error: Error): RetriedError {
  if ('statusCode' in error && typeof error.statusCode === 'number') {
    const headers = 'headers' in error && isRecord(error.headers) ? error.headers : {};
    const retryAfter: unknown = headers['retry-after'];
    const value = typeof retryAfter === 'string' ? retryAfter : Array.isArray(retryAfter) ? retryAfter.map(String) : undefined;
    return { statusCode: error.statusCode, headers: { 'retry-after': value } };
  }
  return { code: errorCode(error) };
}

export function retryCallback(limits: RetryLimits, onRetry?: (notice: RetryNotice) => void): RetryHandler.RetryCallback {
  return (err, { state }, callback) => {
    const relevant = retriedErrorOf(err);
    const wait = retryDelay(relevant, state.counter, limits);
    if (wait === null) return callback(err);
    onRetry?.({ attempt: state.counter, waitMs: wait, ...relevant.statusCode !== undefined ? { statusCode: relevant.statusCode } : { code: relevant.code } });
    setTimeout(() => callback(null), wait).unref();
  };
}
