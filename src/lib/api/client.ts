// The one client for every request that carries the API key (bot node, link refresh of the
// artifact node, the account's key test), without Node-RED. Every operation of the table in
// operations.ts goes through `perform`; the methods below it are the typed shortcuts the other
// modules use. The key goes only to the account's API URL (https, or plain http to this machine)
// and no redirect is followed. Every request is checked against the API's schema before it leaves
// (requests.ts); every answer for what the caller reads (answers.ts).
import type { Agent, Dispatcher, RetryHandler, request } from 'undici';
import { problem } from '../problem';
import { errorCode, errorMessage } from '../records';
import { undici } from '../undici';
import type { ValidateFunction } from 'ajv';
import {
  readableErrors,
  validateErrorResponse,
  validateRateLimitedResponse,
  validateValidationErrorResponse,
  type CreateBotRequestBodyInput,
  type RetryCallbackRequestBodyInput,
} from '../schemas/documented';
import {
  ANSWER_READERS,
  PAGE_READERS,
  readFreshLinks,
  type AnswerOf,
  type BotDetailsAnswer,
  type BotListAnswer,
  type BotStatusAnswer,
  type CreatedBotAnswer,
  type DoneAnswer,
  type FreshLinksAnswer,
  type PagedAction,
  type PagedAnswer,
} from './answers';
import { ApiError, kindOfStatus, type ApiOperation } from './errors';
import { OPERATIONS, operationName, type Action, type HttpMethod } from './operations';
import { apiUrl, checkApiBase } from './origin';
import { checkBody, queryString, queryValuesOf, requestPath, type QueryValues } from './requests';
import { RETRY_COUNT } from './retry-count';
import { RETRIED_STATUS, retriedFailures, retryAfterSeconds, retryCallback, type RetryLimits, type RetryNotice } from './retry-policy';

export { BOT_ID, isBotId } from '../bot-id';

export const API_KEY_HEADER = 'x-meeting-baas-api-key';

export const API_DEFAULTS = {
  retries: RETRY_COUNT.default,
  retryDelayMs: 1_000,
  maxRetryDelayMs: 30_000,
  timeoutMs: 30_000,
} as const;

const MAX_ANSWER_BYTES = 2 * 1024 * 1024;

export interface ApiClientOptions {
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
  readonly retries?: number;
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** No answer (or no byte of it) for this long: the attempt fails. */
  readonly timeoutMs?: number;
  /** Told before each retry, e.g. to show "retrying" in a node's status. */
  readonly onRetry?: (notice: RetryNotice) => void;
}

export type BotStatus = BotStatusAnswer['data'];
export type BotDetails = BotDetailsAnswer['data'];
export type FreshLinks = FreshLinksAnswer['data'];
export type LeaveResult = DoneAnswer['data'];
export type RetryCallbackResult = DoneAnswer['data'];

export type ListedBotItem = BotListAnswer['data'][number];

/** The largest page `GET /v2/bots` documents. */
export const MAX_LIST_LIMIT = 250;

export interface ListBotsQuery {
  /** Status codes, any of which a bot may have; sent comma-separated. */
  readonly status?: readonly string[];
  /** Only bots that ended after this moment. */
  readonly endedAfter?: Date;
  /** The `nextCursor` of the previous page; null or absent for the first one. */
  readonly cursor?: string | null;
  /** Bots per page, 1 to 250; the API's default (50) when absent. */
  readonly limit?: number;
}

export interface BotList {
  /** The items as received: `bot_id` checked, `ended_at` checked when present, the rest unread. */
  readonly bots: readonly ListedBotItem[];
  /** Null on the last page. */
  readonly nextCursor: string | null;
}

export interface CreatedBot {
  readonly botId: string;
  readonly response: CreatedBotAnswer;
}

/** What one operation is sent with; each part is checked against the table's schemas before sending. */
export interface OperationRequest {
  /** For an operation whose path has `{bot_id}`. */
  readonly botId?: unknown;
  /** Query parameters by their documented names. */
  readonly query?: QueryValues;
  /** The JSON body; undefined sends none. */
  readonly body?: unknown;
}

/** One page of a paged operation: its items as received, and the cursor of the next page. */
export interface Page {
  readonly items: PagedAnswer['data'];
  /** Null on the last page. */
  readonly nextCursor: string | null;
}

interface Call {
  readonly operation: ApiOperation;
  readonly method: HttpMethod;
  readonly path: string;
  /** e.g. `?limit=1`. */
  readonly query?: string;
  readonly body?: unknown;
  /** Requests that would do something twice if repeated after the API may have acted (operations.ts `repeatable`). */
  readonly notRepeatable?: boolean;
  readonly signal?: AbortSignal;
}

export class MeetingBaasApi {
  private readonly base: URL;
  private readonly apiKey: string;
  /** Made on the first request: a node that never calls the API does not load undici. */
  private made: { readonly agent: Agent; readonly dispatcher: Dispatcher } | null = null;
  private readonly timeoutMs: number;
  private readonly limits: Omit<RetryLimits, 'statuses' | 'errorCodes'>;

  /** Throws ApiError `no-api-key` or `refused` before anything is sent. */
  constructor(private readonly options: ApiClientOptions) {
    if (!options.apiKey) throw new ApiError('no-api-key', 'api-key');
    this.apiKey = options.apiKey;
    this.base = checkApiBase(options.baseUrl);
    this.timeoutMs = options.timeoutMs ?? API_DEFAULTS.timeoutMs;
    this.limits = {
      retries: options.retries ?? API_DEFAULTS.retries,
      delayMs: options.retryDelayMs ?? API_DEFAULTS.retryDelayMs,
      maxDelayMs: options.maxRetryDelayMs ?? API_DEFAULTS.maxRetryDelayMs,
    };
  }

  private get dispatcher(): Dispatcher {
    if (this.made === null) {
      const { Agent, interceptors } = undici();
      const timeout = this.timeoutMs;
      const agent = new Agent({ connect: { timeout }, headersTimeout: timeout, bodyTimeout: timeout, connections: 4 });
      // No redirect interceptor on purpose: following one would hand the key to another address.
      // After which answers and errors a request is sent again is decided per operation, by retryCallback.
      const dispatcher = agent.compose(
        interceptors.retry({ throwOnError: false, methods: ['GET', 'POST', 'PATCH', 'DELETE'], statusCodes: [...RETRIED_STATUS], maxRetries: this.limits.retries }),
      );
      this.made = { agent, dispatcher };
    }
    return this.made.dispatcher;
  }

  /**
   * One operation of the table, its answer read for what the node uses. Throws ApiError
   * `bad-bot-id` or `invalid-request` (nothing sent) for a request the API would refuse.
   */
  perform<A extends Action>(action: A, request: OperationRequest = {}, signal?: AbortSignal): Promise<AnswerOf<A>> {
    return this.send(action, request, ANSWER_READERS[action], signal);
  }

  /** One page of a paged operation (list, screenshots, schedule-list); the caller follows `nextCursor`. */
  async page(action: PagedAction, request: OperationRequest = {}, signal?: AbortSignal): Promise<Page> {
    const answer = await this.send(action, request, PAGE_READERS[action], signal);
    return { items: answer.data, nextCursor: nextCursorOf(answer) };
  }

  createBot(body: CreateBotRequestBodyInput, signal?: AbortSignal): Promise<CreatedBot> {
    return this.perform('create', { body }, signal).then((response) => ({ botId: response.data.bot_id, response }));
  }

  /** One cheap authenticated request (`GET /v2/bots?limit=1`); resolves with the status when the key is accepted. */
  async checkKey(signal?: AbortSignal): Promise<number> {
    const operation = operationName('list');
    // Only the status matters here: the list itself is not read.
    const answer = await this.exchange({ operation, method: OPERATIONS.list.method, path: OPERATIONS.list.path, query: '?limit=1', signal });
    if (answer.statusCode < 200 || answer.statusCode >= 300) throw errorFromAnswer(operation, answer.statusCode, answer.headers, parseJson(answer.text), answer.text);
    return answer.statusCode;
  }

  /**
   * One page of `GET /v2/bots`, newest first. The caller follows `nextCursor`. Throws ApiError
   * `invalid-request` (nothing sent) for a query the API documents as out of range.
   */
  async listBots(query: ListBotsQuery = {}, signal?: AbortSignal): Promise<BotList> {
    const values = queryValuesOf('list', { status: query.status, ended_after: query.endedAfter, limit: query.limit, cursor: query.cursor });
    const answer = await this.perform('list', { query: values }, signal);
    return { bots: answer.data, nextCursor: nextCursorOf(answer) };
  }

  async botStatus(botId: string, signal?: AbortSignal): Promise<BotStatus> {
    return (await this.perform('status', { botId }, signal)).data;
  }

  async botDetails(botId: string, signal?: AbortSignal): Promise<BotDetails> {
    return (await this.perform('details', { botId }, signal)).data;
  }

  /** The same request as `botDetails`, read for what a link refresh needs: fresh signed links. */
  async freshLinks(botId: string, signal?: AbortSignal): Promise<FreshLinks> {
    const answer = await this.send('details', { botId }, readFreshLinks, signal);
    if (answer.data.bot_id.toLowerCase() !== botId.toLowerCase()) {
      throw new ApiError('invalid-response', operationName('details'), { statusCode: 200, problems: [problem('other-bot', { botId: answer.data.bot_id })] });
    }
    return answer.data;
  }

  async leaveBot(botId: string, signal?: AbortSignal): Promise<LeaveResult> {
    return (await this.perform('leave', { botId }, signal)).data;
  }

  /** `override` replaces the bot's callback settings for this one delivery; null keeps them. */
  async retryCallback(botId: string, override: RetryCallbackRequestBodyInput = null, signal?: AbortSignal): Promise<RetryCallbackResult> {
    return (await this.perform('retry-callback', { botId, ...(override !== null ? { body: override } : {}) }, signal)).data;
  }

  async close(): Promise<void> {
    await this.made?.agent.destroy();
  }

  /** Checks the request, sends it as the table says, and reads the answer with `reader`. */
  private async send<T>(action: Action, request: OperationRequest, reader: ValidateFunction<T>, signal: AbortSignal | undefined): Promise<T> {
    const operation = OPERATIONS[action];
    const name = operationName(action);
    const path = requestPath(action, request.botId);
    if (request.body !== undefined) checkBody(action, request.body);
    const query = queryString(action, request.query);
    return this.call({
      operation: name,
      method: operation.method,
      path,
      ...(query !== undefined ? { query } : {}),
      ...(request.body !== undefined ? { body: request.body } : {}),
      validateAnswer: reader,
      notRepeatable: !operation.repeatable,
      ...(signal ? { signal } : {}),
    });
  }

  private async call<T>(call: Call & { readonly validateAnswer: ValidateFunction<T> }): Promise<T> {
    const answer = await this.exchange(call);
    const body = parseJson(answer.text);
    if (answer.statusCode < 200 || answer.statusCode >= 300) throw errorFromAnswer(call.operation, answer.statusCode, answer.headers, body, answer.text);
    const statusCode = answer.statusCode;
    if (body === undefined) throw new ApiError('invalid-response', call.operation, { statusCode, problems: [problem('answer-not-json')] });
    if (!call.validateAnswer(body)) {
      const problems = readableErrors(call.validateAnswer.errors ?? [])
        .slice(0, 5)
        .map(({ field, message }) => problem('field', { field, message }));
      throw new ApiError('invalid-response', call.operation, { statusCode, problems });
    }
    return body;
  }

  /** Sends one request (with retries) and reads its answer, whatever the status. */
  private async exchange(call: Call): Promise<Answer> {
    const url = apiUrl(this.base, call.path);
    if (call.query) url.search = call.query;
    const headers: Record<string, string> = { [API_KEY_HEADER]: this.apiKey, accept: 'application/json' };
    const text = call.body === undefined ? undefined : JSON.stringify(call.body);
    if (text !== undefined) headers['content-type'] = 'application/json';
    const limits: RetryLimits = { ...this.limits, ...retriedFailures(call.notRepeatable !== true) };
    // The retry interceptor reads its options from the request's; undici's request() typings leave them out.
    const options: Parameters<typeof request>[1] & { readonly retryOptions: RetryHandler.RetryOptions } = {
      dispatcher: this.dispatcher,
      method: call.method,
      headers,
      body: text,
      signal: call.signal,
      retryOptions: { retry: retryCallback(limits, this.options.onRetry) },
    };
    try {
      const response = await undici().request(url, options);
      return { statusCode: response.statusCode, headers: response.headers, text: await readCapped(response.body, call.operation) };
    } catch (error) {
      if (error instanceof ApiError) throw error;
      const code = errorCode(error);
      throw new ApiError('network', call.operation, {
        apiMessage: code ? `${code} ${errorMessage(error)}` : String(error),
        ...(code ? { networkCode: code } : {}),
      });
    }
  }
}

interface Answer {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/**
 * The answer's next page. Its name is `next_cursor` in the operation's description and `cursor`
 * in its schema; when `next_cursor` is there it decides, since an answer that has both might use
 * `cursor` for the page just read.
 */
function nextCursorOf(answer: { readonly next_cursor?: unknown; readonly cursor?: unknown }): string | null {
  const next = Object.hasOwn(answer, 'next_cursor') ? answer.next_cursor : answer.cursor;
  return typeof next === 'string' && next !== '' ? next : null;
}

async function readCapped(body: AsyncIterable<Buffer>, operation: ApiOperation): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    length += chunk.length;
    // Leaving the loop destroys the body.
    if (length > MAX_ANSWER_BYTES) throw new ApiError('invalid-response', operation, { problems: [problem('answer-too-large', { bytes: MAX_ANSWER_BYTES })] });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value;
  } catch {
    return undefined;
  }
}

/** Reads what the API said in its error answer, whichever documented shape it has. */
function errorFromAnswer(
  operation: ApiOperation,
  statusCode: number,
  headers: Record<string, string | string[] | undefined>,
  body: unknown,
  text: string,
): ApiError {
  const kind = kindOfStatus(statusCode);
  let apiCode: string | undefined;
  let apiMessage: string | undefined;
  let retryAfter = retryAfterSeconds(headers['retry-after']);
  if (validateRateLimitedResponse(body) || validateErrorResponse(body) || validateValidationErrorResponse(body)) {
    apiCode = body.code;
    const details = typeof body.details === 'string' ? body.details : null;
    apiMessage = [body.message || body.error, details].filter(Boolean).join(' — ');
    if (retryAfter === null && typeof body.retryAfter === 'number') retryAfter = body.retryAfter;
  } else if (text.trim() !== '' && !text.trimStart().startsWith('<')) {
    apiMessage = text.trim().slice(0, 200);
  }
  return new ApiError(kind, operation, {
    statusCode,
    ...(retryAfter !== null ? { retryAfterSeconds: Math.ceil(retryAfter) } : {}),
    ...(apiCode !== undefined ? { apiCode } : {}),
    ...(apiMessage ? { apiMessage } : {}),
  });
}
