// The simulator's stand-in for the bot endpoints of the Meeting BaaS v2 API: GET and POST /v2/bots,
// GET /v2/bots/{id} and /status, POST /v2/bots/{id}/leave and /retry-callback. Requests are checked
// with the package's own schemas (what the real API refuses is refused here, with the
// documented error shapes), and a created bot "attends" the sample meeting and then sends its
// bot.completed callback, so a flow can be played end to end without the internet.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readableErrors, validateCreateBotRequest, validateRetryCallbackRequest } from '../validation';
import type { CreateBotRequestBodyInput, GetBotStatusResponse } from '../generated/meetingbaas-v2';
import type { ArtifactUrls } from './deliveries';
import { botDetailsResponse, completedDelivery } from './deliveries';
import type { MeetingScript } from './meeting';
import { sendDelivery, type SendResult } from './sender';

export type BotStatusCode = GetBotStatusResponse['data']['status'];

export interface SimulatedBot {
  readonly botId: string;
  readonly request: CreateBotRequestBodyInput;
  status: BotStatusCode;
  updatedAt: Date;
  timer: NodeJS.Timeout | null;
}

/** An answer the next API request gets instead of the real one (tests: 429, 5xx, …). */
export interface InjectedFault {
  readonly status: number;
  /** Sent as the Retry-After header and as `retryAfter` in the body. */
  readonly retryAfter?: number;
  readonly code?: string;
  readonly message?: string;
}

/** Emitted as `callback` each time a simulated bot sent its callback (tests await it). */
export interface SentCallback {
  readonly botId: string;
  readonly result?: SendResult;
  readonly error?: string;
}

export type ApiAnswer = { status: number; headers: Record<string, string>; body: Buffer };

/**
 * `full`: every field the OpenAPI document lists. `minimal`: only what the nodes read (bot_id,
 * status, the links), as an API that dropped or renamed the other fields would answer.
 */
export type AnswerDetail = 'full' | 'minimal';

export interface BotApiOptions {
  /** Default `full`. */
  readonly answers?: AnswerDetail;
  /** How long a created bot stays "in the meeting" before it completes and calls back; default 0. */
  readonly meetingMs?: number;
  /** Tokens left: each created bot uses one; at 0 the API answers 402. Default: unlimited. */
  readonly tokens?: number;
}

/** Well-formed bot ids; one not created here is answered as a bot that completed the sample meeting. */
export const BOT_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/;

const LINK_FIELDS = ['video', 'audio', 'diarization', 'raw_transcription', 'transcription', 'chat_messages'] as const;

const ACTIVE: readonly BotStatusCode[] = ['queued', 'joining_call', 'in_waiting_room', 'in_call_recording'];

export class BotApi extends EventEmitter {
  readonly bots = new Map<string, SimulatedBot>();
  private readonly faults: InjectedFault[] = [];
  tokens: number;
  meetingMs: number;
  answers: AnswerDetail;

  constructor(
    private readonly script: MeetingScript,
    private readonly urlsOf: (botId: string) => ArtifactUrls,
    options: BotApiOptions = {},
  ) {
    super();
    this.tokens = options.tokens ?? Number.POSITIVE_INFINITY;
    this.meetingMs = options.meetingMs ?? 0;
    this.answers = options.answers ?? 'full';
  }

  /** The next requests to /v2/bots… get these answers, in order, before anything else is checked. */
  injectFaults(...faults: InjectedFault[]): void {
    this.faults.push(...faults);
  }

  /** The injected fault to answer with now, if any. */
  takeFault(): ApiAnswer | null {
    const fault = this.faults.shift();
    if (!fault) return null;
    const headers: Record<string, string> = {};
    if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
    const body = {
      success: false,
      error: fault.message ?? (fault.status === 429 ? 'Too many requests' : 'Internal server error'),
      code: fault.code ?? (fault.status === 429 ? 'RATE_LIMITED' : 'INTERNAL_ERROR'),
      statusCode: fault.status,
      message: fault.message ?? null,
      ...(fault.retryAfter !== undefined ? { retryAfter: Math.max(1, fault.retryAfter) } : {}),
    };
    return { ...json(fault.status, body), headers: { ...json(fault.status, body).headers, ...headers } };
  }

  /** `path` is below /v2/bots; null when it is not one of the routes here. */
  route(method: string, path: string, body: string): ApiAnswer | null {
    if (path === '/v2/bots' || path === '/v2/bots/') {
      if (method === 'POST') return this.create(body);
      if (method === 'GET') return this.list();
      return methodNotAllowed();
    }
    const details = /^\/v2\/bots\/([^/]+)\/?$/.exec(path);
    if (details) return method === 'GET' ? this.details(details[1] ?? '') : methodNotAllowed();
    const m = /^\/v2\/bots\/([^/]+)\/(status|leave|retry-callback)\/?$/.exec(path);
    if (!m) return null;
    const [, botId = '', action] = m;
    const bot = this.bots.get(botId.toLowerCase());
    if (action === 'status') {
      if (method !== 'GET') return methodNotAllowed();
      if (!bot) return notFound(botId);
      const status = { bot_id: bot.botId, status: bot.status };
      if (this.answers === 'minimal') return json(200, { success: true, data: status });
      return json(200, {
        success: true,
        data: {
          ...status,
          transcription_status: bot.request.transcription_enabled ? (bot.status === 'completed' ? 'done' : 'not-started') : 'not-applicable',
          updated_at: bot.updatedAt.toISOString(),
        },
      });
    }
    if (method !== 'POST') return methodNotAllowed();
    if (!bot) return notFound(botId);
    if (action === 'leave') {
      if (!ACTIVE.includes(bot.status)) return error(409, 'Conflict', 'BOT_NOT_IN_CALL', 'The bot is not in a meeting any more.');
      this.finish(bot);
      return this.done('The bot is leaving the meeting.');
    }
    return this.retryCallback(bot, body);
  }

  /** The `extra` a created bot was given, for GET /v2/bots/{id}. */
  extraOf(botId: string): Record<string, unknown> | null | undefined {
    const bot = this.bots.get(botId.toLowerCase());
    return bot ? (bot.request.extra ?? null) : undefined;
  }

  close(): void {
    for (const bot of this.bots.values()) if (bot.timer) clearTimeout(bot.timer);
  }

  private create(text: string): ApiAnswer {
    const body = parse(text);
    if (body === undefined) return error(400, 'Bad Request', 'VALIDATION_ERROR', 'The body must be JSON.');
    if (!validateCreateBotRequest(body)) return invalid(validateCreateBotRequest.errors ?? []);
    if (body.callback_enabled && !body.callback_config) {
      return error(400, 'Bad Request', 'VALIDATION_ERROR', 'callback_config is required when callback_enabled is true.');
    }
    if (this.tokens <= 0) return error(402, 'Payment Required', 'INSUFFICIENT_TOKENS', 'The account has no tokens left.');
    if (body.allow_multiple_bots === false) {
      const busy = [...this.bots.values()].some((b) => b.request.meeting_url === body.meeting_url && ACTIVE.includes(b.status));
      if (busy) return error(409, 'Conflict', 'BOT_ALREADY_IN_MEETING', 'A bot is already in this meeting.');
    }
    this.tokens -= 1;
    const bot: SimulatedBot = { botId: randomUUID(), request: body, status: 'joining_call', updatedAt: new Date(), timer: null };
    this.bots.set(bot.botId, bot);
    bot.timer = setTimeout(() => this.finish(bot), this.meetingMs);
    bot.timer.unref();
    return json(201, { success: true, data: { bot_id: bot.botId } });
  }

  /** `GET /v2/bots?limit=…` (what "test API key" asks): the bots created here, newest first. */
  private list(): ApiAnswer {
    const bots = [...this.bots.values()].reverse().map((bot) => ({ bot_id: bot.botId, bot_name: bot.request.bot_name, meeting_url: bot.request.meeting_url }));
    if (this.answers === 'minimal') return json(200, { success: true, data: bots });
    return json(200, { success: true, data: bots, next_cursor: null, prev_cursor: null });
  }

  /** Every well-formed bot id is a bot that completed the sample meeting, unless it was created here. */
  private details(botId: string): ApiAnswer {
    if (!BOT_ID.test(botId)) return notFound(botId);
    const details = botDetailsResponse(this.script, botId, this.urlsOf(botId));
    // A bot created through POST /v2/bots echoes what it was given, as the real API does.
    const created = this.bots.get(botId.toLowerCase());
    if (created) {
      details.data.status = created.status;
      details.data.extra = created.request.extra ?? null;
      details.data.bot_name = created.request.bot_name;
      details.data.meeting_url = created.request.meeting_url;
    }
    if (this.answers === 'full') return json(200, details);
    const data: Record<string, unknown> = { bot_id: details.data.bot_id, status: details.data.status };
    for (const field of LINK_FIELDS) data[field] = details.data[field];
    return json(200, { success: true, data });
  }

  /** Leave and retry-callback: the documented message, or no data at all in minimal mode. */
  private done(message: string): ApiAnswer {
    return json(200, this.answers === 'minimal' ? { success: true } : { success: true, data: { message } });
  }

  private retryCallback(bot: SimulatedBot, text: string): ApiAnswer {
    const body = text.trim() === '' ? null : parse(text);
    if (body === undefined) return error(400, 'Bad Request', 'VALIDATION_ERROR', 'The body must be JSON.');
    if (!validateRetryCallbackRequest(body)) return invalid(validateRetryCallbackRequest.errors ?? []);
    if (bot.status !== 'completed') return error(409, 'Conflict', 'BOT_NOT_ENDED', 'The bot has not finished yet.');
    const target = body ?? bot.request.callback_config ?? null;
    if (!target) return error(409, 'Conflict', 'NO_CALLBACK_CONFIGURED', 'The bot has no callback configured.');
    void this.sendCallback(bot, target);
    return this.done('Callback sent again.');
  }

  private finish(bot: SimulatedBot): void {
    if (bot.timer) clearTimeout(bot.timer);
    bot.timer = null;
    bot.status = 'completed';
    bot.updatedAt = new Date();
    const config = bot.request.callback_enabled ? bot.request.callback_config : null;
    if (config) void this.sendCallback(bot, config);
  }

  private async sendCallback(bot: SimulatedBot, config: { url: string; method?: 'POST' | 'PUT'; secret?: string | null }): Promise<void> {
    const delivery = completedDelivery(this.script, this.urlsOf(bot.botId), { botId: bot.botId, extra: bot.request.extra ?? null });
    const auth = config.secret ? { kind: 'secret' as const, secret: config.secret } : { kind: 'none' as const };
    let sent: SentCallback;
    try {
      sent = { botId: bot.botId, result: await sendDelivery(config.url, delivery, auth, { method: config.method ?? 'POST' }) };
    } catch (err) {
      sent = { botId: bot.botId, error: (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message };
    }
    this.emit('callback', sent);
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function json(status: number, value: unknown): ApiAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(value)) };
}

/** The documented ErrorResponse shape. */
export function error(status: number, name: string, code: string, message: string): ApiAnswer {
  return json(status, { success: false, error: name, code, statusCode: status, message });
}

function invalid(errors: Parameters<typeof readableErrors>[0]): ApiAnswer {
  const text = readableErrors(errors)
    .map((e) => `${e.field === '(delivery)' ? 'body' : e.field} ${e.message}`)
    .join('; ');
  return json(400, { success: false, error: 'Bad Request', code: 'VALIDATION_ERROR', statusCode: 400, message: text });
}

function notFound(botId: string): ApiAnswer {
  return error(404, 'Not Found', 'BOT_NOT_FOUND', `No bot with id ${botId}.`);
}

function methodNotAllowed(): ApiAnswer {
  return error(405, 'Method Not Allowed', 'METHOD_NOT_ALLOWED', 'Method not allowed.');
}
