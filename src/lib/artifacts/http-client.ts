// The undici dispatcher every artifact request goes through: address policy on each connection,
// timeouts, retries with backoff and Range resume (undici's retry interceptor), bounded redirects.
import type { Agent, Dispatcher } from 'undici';
import { undici } from '../undici';
import { guardedConnector, type AddressPolicy } from './address-policy';
import { RedirectRefusedError } from './download-errors';

export interface HttpClientOptions {
  readonly policy: AddressPolicy;
  readonly connectTimeoutMs?: number;
  /** No byte for this long while waiting for headers or inside a body: the attempt fails (and is retried). */
  readonly stallTimeoutMs?: number;
  readonly retries?: number;
  /** First backoff; doubles per attempt, capped by `maxRetryDelayMs`, replaced by Retry-After when sent. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  readonly maxRedirects?: number;
  /** Parallel connections per origin; the node bounds downloads itself, this only caps sockets. */
  readonly connections?: number;
}

export const DEFAULTS = {
  connectTimeoutMs: 15_000,
  stallTimeoutMs: 60_000,
  retries: 4,
  retryDelayMs: 1_000,
  maxRetryDelayMs: 30_000,
  maxRedirects: 5,
} as const;

/** Errors worth another attempt: the connection failed or went quiet, not the server's refusal. */
const RETRIED_ERROR_CODES = [
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
];

export interface HttpClient {
  readonly dispatcher: Dispatcher;
  readonly maxRedirects: number;
  close(): Promise<void>;
}

/** The client's dispatcher is made (and undici loaded) on the first download, not when the node starts. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const maxRedirects = options.maxRedirects ?? DEFAULTS.maxRedirects;
  let made: { readonly agent: Agent; readonly dispatcher: Dispatcher } | null = null;
  return {
    get dispatcher() {
      made ??= makeDispatcher(options, maxRedirects);
      return made.dispatcher;
    },
    maxRedirects,
    close: async () => {
      await made?.agent.destroy();
    },
  };
}

/**
 * Sits just inside the redirect interceptor, where it sees each answer reach undici's redirect
 * handler. That handler refuses some redirects (one back to an address already visited) by
 * throwing an InvalidArgumentError, which only its message would tell from other invalid
 * arguments; thrown there, for a 3xx answer, it is that refusal, and goes on as ours. Without
 * redirects (maxRedirects 0) the handler is the request's own, which undici calls otherwise.
 */
const redirectRefusals: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (options, handler) => {
  if (!handler.onResponseStart) return dispatch(options, handler);
  return dispatch(options, {
    onRequestStart: (controller, context: unknown) => handler.onRequestStart?.(controller, context),
    onRequestUpgrade: (controller, statusCode, headers, socket) => handler.onRequestUpgrade?.(controller, statusCode, headers, socket),
    onResponseStart: (controller, statusCode, headers, statusMessage) => {
      try {
        handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
      } catch (error) {
        if (statusCode >= 300 && statusCode < 400 && error instanceof undici().errors.InvalidArgumentError) {
          throw new RedirectRefusedError(statusCode, { cause: error });
        }
        throw error;
      }
    },
    onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
    onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
    onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
  });
};

function makeDispatcher(options: HttpClientOptions, maxRedirects: number): { readonly agent: Agent; readonly dispatcher: Dispatcher } {
  const { Agent, interceptors } = undici();
  const stall = options.stallTimeoutMs ?? DEFAULTS.stallTimeoutMs;
  const agent = new Agent({
    connect: guardedConnector(options.policy, options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs),
    headersTimeout: stall,
    bodyTimeout: stall,
    connections: options.connections ?? 8,
  });
  // Redirect outermost: each hop is a new dispatch through the retry interceptor and the
  // guarded connector, so every hop gets the policy check and its own retries.
  const dispatcher = agent.compose(
    interceptors.retry({
      maxRetries: options.retries ?? DEFAULTS.retries,
      minTimeout: options.retryDelayMs ?? DEFAULTS.retryDelayMs,
      maxTimeout: options.maxRetryDelayMs ?? DEFAULTS.maxRetryDelayMs,
      timeoutFactor: 2,
      methods: ['GET'],
      statusCodes: [429, 500, 502, 503, 504],
      errorCodes: RETRIED_ERROR_CODES,
    }),
    redirectRefusals,
    interceptors.redirect({ maxRedirections: maxRedirects }),
  );
  return { agent, dispatcher };
}
