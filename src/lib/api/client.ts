// The one client for every request that carries the API key (bot node, link refresh of the
// artifact node, the account's key test), without Node-RED: create a bot, read its status and
// details, make it leave, ask for its callback again. The key goes only to the account's API URL
// (https, or plain http to this machine) and no redirect is followed. Every request body is
// checked against the API's schema before it leaves; every answer for what the caller reads.
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import type { ValidateFunction } from 'ajv';
import {
  readableErrors,
  validateCreateBotRequest,
  validateErrorResponse,
  validateRateLimitedResponse,
  validateRetryCallbackRequest,
  validateValidationErrorResponse,
  type CreateBotRequestBodyInput,
  type RetryCallbackRequestBodyInput,
} from '../validation';
import {
  readBotDetails,
  readBotList,
  readBotStatus,
  readCreatedBot,
  readFreshLinks,
  readLeaveAnswer,
  readRetryCallbackAnswer,
  type BotDetailsAnswer,
  type BotListAnswer,
  type BotStatusAnswer,
  type CreatedBotAnswer,
  type DoneAnswer,
  type FreshLinksAnswer,
} from './answers';
import { ApiError, kindOfStatus } from './errors';
import { apiUrl, checkApiBase } from './origin';
import { requestProblems } from './request-errors';
import { ANY_NETWORK_ERROR, CONNECT_ERRORS, retryAfterSeconds, retryCallback, type RetryLimits, type RetryNotice } from './retry-policy';

export const API_KEY_HEADER = 'x-meeting-baas-api-key';

/** Bot ids are UUIDs; checking before building a path keeps `../` and `?` out of it. */
export const BOT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const API_DEFAULTS = {
  retries: 3,
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

interface Call {
  readonly operation: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** e.g. `?limit=1`. */
  readonly query?: string;
  readonly body?: unknown;
  /** POSTs that would do something twice if repeated after the request left. */
  readonly notRepeatable?: boolean;
  readonly signal?: AbortSignal;
}

export class MeetingBaasApi {
  private readonly base: URL;
  private readonly apiKey: string;
  private readonly agent: Agent;
  private readonly dispatcher: Dispatcher;
  private readonly limits: Omit<RetryLimits, 'errorCodes'>;

  /** Throws ApiError `no-api-key` or `refused` before anything is sent. */
  constructor(private readonly options: ApiClientOptions) {
    if (!options.apiKey) throw new ApiError('no-api-key', 'Meeting BaaS API');
    this.apiKey = options.apiKey;
    this.base = checkApiBase(options.baseUrl);
    const timeout = options.timeoutMs ?? API_DEFAULTS.timeoutMs;
    this.agent = new Agent({ connect: { timeout }, headersTimeout: timeout, bodyTimeout: timeout, connections: 4 });
    this.limits = {
      retries: options.retries ?? API_DEFAULTS.retries,
      delayMs: options.retryDelayMs ?? API_DEFAULTS.retryDelayMs,
      maxDelayMs: options.maxRetryDelayMs ?? API_DEFAULTS.maxRetryDelayMs,
    };
    // No redirect interceptor on purpose: following one would hand the key to another address.
    this.dispatcher = this.agent.compose(
      interceptors.retry({ throwOnError: false, methods: ['GET', 'POST'], maxRetries: this.limits.retries }),
    );
  }

  createBot(body: CreateBotRequestBodyInput, signal?: AbortSignal): Promise<CreatedBot> {
    const operation = 'POST /v2/bots';
    checkRequest(operation, validateCreateBotRequest, body);
    return this.call({ operation, method: 'POST', path: '/v2/bots', body, validateAnswer: readCreatedBot, notRepeatable: true, signal }).then(
      (response) => ({ botId: response.data.bot_id, response }),
    );
  }

  /** One cheap authenticated request (`GET /v2/bots?limit=1`); resolves with the status when the key is accepted. */
  async checkKey(signal?: AbortSignal): Promise<number> {
    const operation = 'GET /v2/bots';
    // Only the status matters here: the list itself is not read.
    const answer = await this.exchange({ operation, method: 'GET', path: '/v2/bots', query: '?limit=1', signal });
    if (answer.statusCode < 200 || answer.statusCode >= 300) throw errorFromAnswer(operation, answer.statusCode, answer.headers, parseJson(answer.text), answer.text);
    return answer.statusCode;
  }

  /**
   * One page of `GET /v2/bots`, newest first. The caller follows `nextCursor`. Throws ApiError
   * `invalid-request` (nothing sent) for a query the API documents as out of range.
   */
  async listBots(query: ListBotsQuery = {}, signal?: AbortSignal): Promise<BotList> {
    const operation = 'GET /v2/bots';
    const search = listQuery(operation, query);
    const answer = await this.call({ operation, method: 'GET', path: '/v2/bots', query: search, validateAnswer: readBotList, signal });
    return { bots: answer.data, nextCursor: nextCursorOf(answer) };
  }

  async botStatus(botId: string, signal?: AbortSignal): Promise<BotStatus> {
    const answer = await this.call({
      operation: 'GET /v2/bots/{bot_id}/status',
      method: 'GET',
      path: `/v2/bots/${botPath(botId, 'GET /v2/bots/{bot_id}/status')}/status`,
      validateAnswer: readBotStatus,
      signal,
    });
    return answer.data;
  }

  async botDetails(botId: string, signal?: AbortSignal): Promise<BotDetails> {
    const answer = await this.call({
      operation: 'GET /v2/bots/{bot_id}',
      method: 'GET',
      path: `/v2/bots/${botPath(botId, 'GET /v2/bots/{bot_id}')}`,
      validateAnswer: readBotDetails,
      signal,
    });
    return answer.data;
  }

  /** The same request as `botDetails`, read for what a link refresh needs: fresh signed links. */
  async freshLinks(botId: string, signal?: AbortSignal): Promise<FreshLinks> {
    const operation = 'GET /v2/bots/{bot_id}';
    const answer = await this.call({ operation, method: 'GET', path: `/v2/bots/${botPath(botId, operation)}`, validateAnswer: readFreshLinks, signal });
    if (answer.data.bot_id.toLowerCase() !== botId.toLowerCase()) {
      throw new ApiError('invalid-response', operation, { statusCode: 200, problems: [`the answer is about bot ${answer.data.bot_id}`] });
    }
    return answer.data;
  }

  async leaveBot(botId: string, signal?: AbortSignal): Promise<LeaveResult> {
    const operation = 'POST /v2/bots/{bot_id}/leave';
    const answer = await this.call({ operation, method: 'POST', path: `/v2/bots/${botPath(botId, operation)}/leave`, validateAnswer: readLeaveAnswer, signal });
    return answer.data;
  }

  /** `override` replaces the bot's callback settings for this one delivery; null keeps them. */
  async retryCallback(botId: string, override: RetryCallbackRequestBodyInput = null, signal?: AbortSignal): Promise<RetryCallbackResult> {
    const operation = 'POST /v2/bots/{bot_id}/retry-callback';
    const path = `/v2/bots/${botPath(botId, operation)}/retry-callback`;
    if (override !== null) checkRequest(operation, validateRetryCallbackRequest, override);
    const answer = await this.call({
      operation,
      method: 'POST',
      path,
      ...(override !== null ? { body: override } : {}),
      validateAnswer: readRetryCallbackAnswer,
      // Each retry-callback makes Meeting BaaS send a delivery: do not ask twice by accident.
      notRepeatable: true,
      signal,
    });
    return answer.data;
  }

  async close(): Promise<void> {
    await this.agent.destroy();
  }

  private async call<T>(call: Call & { readonly validateAnswer: ValidateFunction<T> }): Promise<T> {
    const answer = await this.exchange(call);
    const body = parseJson(answer.text);
    if (answer.statusCode < 200 || answer.statusCode >= 300) throw errorFromAnswer(call.operation, answer.statusCode, answer.headers, body, answer.text);
    const statusCode = answer.statusCode;
    if (body === undefined) throw new ApiError('invalid-response', call.operation, { statusCode, problems: ['the answer is not JSON'] });
    if (!call.validateAnswer(body)) {
      const problems = readableErrors(call.validateAnswer.errors ?? []).slice(0, 5).map((e) => `${e.field} ${e.message}`);
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
    const limits: RetryLimits = { ...this.limits, errorCodes: call.notRepeatable ? CONNECT_ERRORS : ANY_NETWORK_ERROR };
    try {
      const response = await request(url, {
        dispatcher: this.dispatcher,
        method: call.method,
        headers,
        body: text,
        signal: call.signal,
        retryOptions: { retry: retryCallback(limits, this.options.onRetry) },
      } as Parameters<typeof request>[1]);
      return { statusCode: response.statusCode, headers: response.headers, text: await readCapped(response.body, call.operation) };
    } catch (error) {
      if (error instanceof ApiError) throw error;
      const code = (error as { code?: string }).code;
      throw new ApiError('network', call.operation, {
        apiMessage: code ? `${code} ${(error as Error).message}` : String(error),
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

function checkRequest<T>(operation: string, validate: ValidateFunction<T>, body: unknown): void {
  if (!validate(body)) throw new ApiError('invalid-request', operation, { problems: requestProblems(validate.errors ?? []) });
}

/** `?status=…&ended_after=…&limit=…&cursor=…`, or undefined when nothing narrows the list. */
function listQuery(operation: string, query: ListBotsQuery): string | undefined {
  const problems: string[] = [];
  const params = new URLSearchParams();
  if (query.status !== undefined) {
    // An empty list would be sent as no filter at all: every bot, not none.
    if (query.status.length === 0) problems.push('status must list at least one status');
    // A comma or a space inside one code would change the list the API reads.
    for (const status of query.status) {
      if (!/^[a-z0-9_]+$/.test(status)) problems.push(`status ${JSON.stringify(status)} is not a status code`);
    }
    params.set('status', query.status.join(','));
  }
  if (query.endedAfter !== undefined) {
    if (Number.isNaN(query.endedAfter.getTime())) problems.push('endedAfter is not a valid date');
    else params.set('ended_after', query.endedAfter.toISOString());
  }
  if (query.limit !== undefined) {
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_LIST_LIMIT) problems.push(`limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
    params.set('limit', String(query.limit));
  }
  // An empty cursor names no page: the first one is asked for.
  if (query.cursor) params.set('cursor', query.cursor);
  if (problems.length > 0) throw new ApiError('invalid-request', operation, { problems });
  const search = params.toString();
  return search === '' ? undefined : `?${search}`;
}

/**
 * The answer's next page. Its name is `next_cursor` in the operation's description and `cursor`
 * in its schema; when `next_cursor` is there it decides, since an answer that has both might use
 * `cursor` for the page just read.
 */
function nextCursorOf(answer: BotListAnswer): string | null {
  const next = Object.hasOwn(answer, 'next_cursor') ? answer.next_cursor : answer.cursor;
  return typeof next === 'string' && next !== '' ? next : null;
}

function botPath(botId: string, operation: string): string {
  if (typeof botId !== 'string' || !BOT_ID.test(botId)) {
    throw new ApiError('bad-bot-id', operation, { problems: [`${JSON.stringify(botId)} is not a bot id (a UUID)`] });
  }
  return botId.toLowerCase();
}

async function readCapped(body: AsyncIterable<Buffer>, operation: string): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    length += chunk.length;
    // Leaving the loop destroys the body.
    if (length > MAX_ANSWER_BYTES) throw new ApiError('invalid-response', operation, { problems: [`answer over ${MAX_ANSWER_BYTES} bytes`] });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Reads what the API said in its error answer, whichever documented shape it has. */
function errorFromAnswer(
  operation: string,
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
    const said = body as { code: string; error: string; message?: string | null; details?: string | null; retryAfter?: number };
    apiCode = said.code;
    apiMessage = [said.message || said.error, said.details].filter(Boolean).join(' — ');
    if (retryAfter === null && typeof said.retryAfter === 'number') retryAfter = said.retryAfter;
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
