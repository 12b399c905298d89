// A client for the Meeting BaaS v2 bot API, without Node-RED: create a bot, read its status and
// details, make it leave, ask for its callback again. Every request body is checked against
// the API's schema before it leaves, every answer against the answer's schema when it comes.
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import type { ValidateFunction } from 'ajv';
import {
  readableErrors,
  validateBotDetails,
  validateBotStatus,
  validateCreateBotRequest,
  validateCreateBotResponse,
  validateErrorResponse,
  validateLeaveBotResponse,
  validateRateLimitedResponse,
  validateRetryCallbackRequest,
  validateRetryCallbackResponse,
  validateValidationErrorResponse,
  type CreateBotRequestBodyInput,
  type CreateBotResponse,
  type GetBotDetailsResponse,
  type GetBotStatusResponse,
  type LeaveBotResponse,
  type RetryCallbackRequestBodyInput,
  type RetryCallbackResponse,
} from '../validation';
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

export type BotStatus = GetBotStatusResponse['data'];
export type BotDetails = GetBotDetailsResponse['data'];
export type LeaveResult = LeaveBotResponse['data'];
export type RetryCallbackResult = RetryCallbackResponse['data'];

export interface CreatedBot {
  readonly botId: string;
  readonly response: CreateBotResponse;
}

interface Call<T> {
  readonly operation: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  readonly validateAnswer: ValidateFunction<T>;
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
    return this.call({ operation, method: 'POST', path: '/v2/bots', body, validateAnswer: validateCreateBotResponse, notRepeatable: true, signal }).then(
      (response) => ({ botId: response.data.bot_id, response }),
    );
  }

  async botStatus(botId: string, signal?: AbortSignal): Promise<BotStatus> {
    const answer = await this.call({
      operation: 'GET /v2/bots/{bot_id}/status',
      method: 'GET',
      path: `/v2/bots/${botPath(botId, 'GET /v2/bots/{bot_id}/status')}/status`,
      validateAnswer: validateBotStatus,
      signal,
    });
    return answer.data;
  }

  async botDetails(botId: string, signal?: AbortSignal): Promise<GetBotDetailsResponse> {
    return this.call({
      operation: 'GET /v2/bots/{bot_id}',
      method: 'GET',
      path: `/v2/bots/${botPath(botId, 'GET /v2/bots/{bot_id}')}`,
      validateAnswer: validateBotDetails,
      signal,
    });
  }

  async leaveBot(botId: string, signal?: AbortSignal): Promise<LeaveResult> {
    const operation = 'POST /v2/bots/{bot_id}/leave';
    const answer = await this.call({ operation, method: 'POST', path: `/v2/bots/${botPath(botId, operation)}/leave`, validateAnswer: validateLeaveBotResponse, signal });
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
      validateAnswer: validateRetryCallbackResponse,
      // Each retry-callback makes Meeting BaaS send a delivery: do not ask twice by accident.
      notRepeatable: true,
      signal,
    });
    return answer.data;
  }

  async close(): Promise<void> {
    await this.agent.destroy();
  }

  private async call<T>(call: Call<T>): Promise<T> {
    const url = apiUrl(this.base, call.path);
    const headers: Record<string, string> = { [API_KEY_HEADER]: this.apiKey, accept: 'application/json' };
    const text = call.body === undefined ? undefined : JSON.stringify(call.body);
    if (text !== undefined) headers['content-type'] = 'application/json';
    const limits: RetryLimits = { ...this.limits, errorCodes: call.notRepeatable ? CONNECT_ERRORS : ANY_NETWORK_ERROR };
    let statusCode: number;
    let answerHeaders: Record<string, string | string[] | undefined>;
    let answerText: string;
    try {
      const response = await request(url, {
        dispatcher: this.dispatcher,
        method: call.method,
        headers,
        body: text,
        signal: call.signal,
        retryOptions: { retry: retryCallback(limits, this.options.onRetry) },
      } as Parameters<typeof request>[1]);
      statusCode = response.statusCode;
      answerHeaders = response.headers;
      answerText = await readCapped(response.body, call.operation);
    } catch (error) {
      if (error instanceof ApiError) throw error;
      const code = (error as { code?: string }).code;
      throw new ApiError('network', call.operation, { apiMessage: code ? `${code} ${(error as Error).message}` : String(error) });
    }
    const body = parseJson(answerText);
    if (statusCode >= 200 && statusCode < 300) {
      if (body === undefined) throw new ApiError('invalid-response', call.operation, { statusCode, problems: ['the answer is not JSON'] });
      if (!call.validateAnswer(body)) {
        const problems = readableErrors(call.validateAnswer.errors ?? []).slice(0, 5).map((e) => `${e.field} ${e.message}`);
        throw new ApiError('invalid-response', call.operation, { statusCode, problems });
      }
      return body;
    }
    throw errorFromAnswer(call.operation, statusCode, answerHeaders, body, answerText);
  }
}

function checkRequest<T>(operation: string, validate: ValidateFunction<T>, body: unknown): void {
  if (!validate(body)) throw new ApiError('invalid-request', operation, { problems: requestProblems(validate.errors ?? []) });
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
