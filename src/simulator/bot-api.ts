// The simulator's stand-in for the bot endpoints of the Meeting BaaS v2 API: GET and POST /v2/bots,
// GET /v2/bots/{id}, /status and /screenshots, POST /v2/bots/{id}/leave, /retry-callback,
// /resend-webhook, /send-chat-message, /pause-recording and /resume-recording, PATCH
// /v2/bots/{id}/update-config, DELETE /v2/bots/{id}/delete-data, and the scheduled bots
// (./scheduled-bots). Requests and answers are checked against the OpenAPI document (./openapi: what
// the real API refuses is refused here, with the documented error shapes), and a created bot "attends"
// the sample meeting and then sends its bot.completed callback, so a flow can be played end to end
// without the internet. Meetings that ended while nobody listened (addEndedBot) are there for the
// list and the details only.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type {
  BotListItem,
  BotStatusCode,
  CreateBotRequest,
  DeleteDataQuery,
  Platform,
  RecordingRequest,
  RetryCallbackRequest,
  Screenshot,
  ScreenshotsQuery,
  SendChatMessageRequest,
  UpdateBotConfigRequest,
} from './api-types';
import {
  error,
  extraFilterProblem,
  json,
  matchesExtraFilter,
  methodNotAllowed,
  routeNotFound,
  validationError,
  type ApiAnswer,
} from './api-checks';
import { documentedEnum, route, type DocumentedOperation } from './openapi';
import { ScheduledBots } from './scheduled-bots';
import { linkFields, noLinks, type ArtifactUrls } from './artifact-links';
import {
  DEFAULT_FAILURE,
  SAMPLE_BOT_NAME,
  SAMPLE_EXTRA,
  SAMPLE_MEETING_URL,
  botDetailsResponse,
  completedDelivery,
  failureMessage,
  tokensOf,
} from './deliveries';
import { meetingTimes, type MeetingScript } from './meeting';
import { sendDelivery, type SendResult } from './sender';

export type { BotStatusCode } from './api-types';

export interface SimulatedBot {
  readonly botId: string;
  /** What POST /v2/bots was given; for an added bot, the sample meeting and its `extra`. */
  readonly request: CreateBotRequest;
  status: BotStatusCode;
  updatedAt: Date;
  timer: NodeJS.Timeout | null;
  readonly createdAt: Date;
  /** When it completed or failed; null while it has not. */
  endedAt: Date | null;
  /** A failed bot's `error_code` and `error_message`; null otherwise. */
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  /** What send-chat-message, pause-recording and resume-recording posted in the meeting's chat. */
  readonly chatMessages: string[];
  /** Set by DELETE /v2/bots/{id}/delete-data: the links are gone. */
  artifactsDeleted: boolean;
}

/** A meeting that ended without a bot created here, e.g. while the callback receiver was down. */
export interface EndedBotOptions {
  /** A UUID; a random one (version 4) when absent. */
  readonly botId?: string;
  readonly status: 'completed' | 'failed';
  /** Default: now. */
  readonly endedAt?: Date;
  /** Default: a minute before the bot joined the sample meeting, which ended then. */
  readonly createdAt?: Date;
  /** Default: the sample `extra`, as the simulator's deliveries have. */
  readonly extra?: Record<string, unknown> | null;
  /** For a failed bot only; default BOT_NOT_ACCEPTED and its message. */
  readonly errorCode?: string;
  readonly errorMessage?: string;
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

export { error, json, type ApiAnswer } from './api-checks';

/** Emitted as `chat-message` for each message a bot posted in its meeting's chat. */
export interface PostedChatMessage {
  readonly botId: string;
  readonly message: string;
}

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

/** Leave works in these, as its description lists them. */
const ACTIVE: readonly BotStatusCode[] = [
  'queued',
  'joining_call',
  'in_waiting_room',
  'in_call_not_recording',
  'in_call_recording',
  'recording_paused',
  'recording_resumed',
];
/** A bot in the meeting, which can post in its chat. */
const IN_CALL: readonly BotStatusCode[] = ['in_call_not_recording', 'in_call_recording', 'recording_paused', 'recording_resumed'];
const ENDED: readonly BotStatusCode[] = ['completed', 'failed'];

/** Screenshots are taken this often during a meeting. */
const SCREENSHOT_INTERVAL_SECONDS = 10;
const SCREENSHOT_LIMITS = { default: 50 } as const;


/** `GET /v2/bots` pages, as documented: 50 bots unless `limit` says otherwise, 250 at most. */
export const LIST_LIMITS = { default: 50, max: 250 } as const;

export class BotApi extends EventEmitter {
  readonly bots = new Map<string, SimulatedBot>();
  readonly scheduled: ScheduledBots;
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
    this.scheduled = new ScheduledBots(() => this.answers, platformOf);
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

  /**
   * A request to the API (the key already checked). As the API does: the route and method, then
   * the request (path, query, body) against the document, then the bot looked up, then whether its
   * status allows the operation. Every answer is checked against the document before it is sent
   * (in `minimal` mode only the refusals, as its 2xx answers leave out what the document requires).
   */
  route(method: string, path: string, body: string, query: URLSearchParams = new URLSearchParams()): ApiAnswer {
    const routing = route(method, path);
    if (routing.kind === 'unknown') return routeNotFound(method, path);
    if (routing.kind === 'method-not-allowed') return methodNotAllowed(method, path, routing.allowed);
    const { operation, params } = routing;
    const paramsRefused = operation.checkParams(params);
    const answer = paramsRefused ? validationError(paramsRefused.refused) : this.operate(operation, (params.bot_id ?? '').toLowerCase(), body, query);
    if (this.answers === 'minimal' && answer.status < 300) return answer;
    const problem = operation.answerProblem(answer.status, JSON.parse(answer.body.toString('utf8')));
    if (problem === null) return answer;
    return error(500, 'Internal Server Error', 'SIMULATOR_UNDOCUMENTED_ANSWER', `The simulator's ${answer.status} answer to ${operation.operationId} is not as documented: ${problem}`);
  }

  private operate(operation: DocumentedOperation, botId: string, text: string, search: URLSearchParams): ApiAnswer {
    const find = (): SimulatedBot | ApiAnswer => this.bots.get(botId) ?? notFound(botId);
    switch (operation.operationId) {
      case 'createBot': {
        const checked = operation.checkBody<CreateBotRequest>(text);
        if ('refused' in checked) return validationError(checked.refused);
        return checked.body === undefined ? validationError('body must be object') : this.create(checked.body);
      }
      case 'listBots':
        return this.list(operation, search);
      case 'getBotDetails':
        return this.details(botId);
      case 'getBotStatus': {
        const bot = find();
        return isBot(bot) ? this.status(bot) : bot;
      }
      case 'leaveBot': {
        const bot = find();
        if (!isBot(bot)) return bot;
        if (!ACTIVE.includes(bot.status)) return error(409, 'Conflict', 'BOT_NOT_IN_CALL', 'The bot is not in a meeting any more.');
        this.finish(bot);
        return this.done('The bot is leaving the meeting.');
      }
      case 'retryCallback': {
        const checked = operation.checkBody<RetryCallbackRequest>(text);
        if ('refused' in checked) return validationError(checked.refused);
        const bot = find();
        return isBot(bot) ? this.retryCallback(bot, checked.body ?? null) : bot;
      }
      case 'getBotScreenshots': {
        const checked = operation.checkQuery<ScreenshotsQuery>(search);
        if ('refused' in checked) return validationError(checked.refused);
        const bot = find();
        return isBot(bot) ? this.screenshots(bot, checked.query) : bot;
      }
      case 'sendChatMessage': {
        const checked = operation.checkBody<SendChatMessageRequest>(text);
        if ('refused' in checked) return validationError(checked.refused);
        const message = checked.body?.message ?? '';
        if (message.trim() === '') return validationError('body/message cannot be empty or white space only');
        const bot = find();
        if (!isBot(bot)) return bot;
        if (!IN_CALL.includes(bot.status)) return statusConflict(bot, 'send a chat message');
        this.postInChat(bot, message);
        return this.done('Chat message sent.');
      }
      case 'pauseBotRecording':
      case 'resumeBotRecording': {
        const pausing = operation.operationId === 'pauseBotRecording';
        const checked = operation.checkBody<RecordingRequest>(text);
        if ('refused' in checked) return validationError(checked.refused);
        const bot = find();
        if (!isBot(bot)) return bot;
        const allowed: readonly BotStatusCode[] = pausing ? ['in_call_recording', 'recording_resumed'] : ['recording_paused'];
        if (!allowed.includes(bot.status)) return statusConflict(bot, pausing ? 'pause its recording' : 'resume its recording');
        bot.status = pausing ? 'recording_paused' : 'recording_resumed';
        bot.updatedAt = new Date();
        const chatMessage = checked.body?.chat_message;
        if (chatMessage) this.postInChat(bot, chatMessage);
        return this.done(pausing ? 'Recording paused.' : 'Recording resumed.');
      }
      case 'updateBotConfig': {
        const checked = operation.checkBody<UpdateBotConfigRequest>(text);
        if ('refused' in checked) return validationError(checked.refused);
        if (checked.body === undefined) return validationError('body must be object');
        const bot = find();
        if (!isBot(bot)) return bot;
        // A shallow merge, and null clears, as documented; any status.
        const { extra } = checked.body;
        bot.request.extra = extra === null ? null : { ...(bot.request.extra ?? {}), ...extra };
        return this.done('Bot configuration updated.');
      }
      case 'resendFinalWebhook': {
        const bot = find();
        if (!isBot(bot)) return bot;
        if (!ENDED.includes(bot.status)) return statusConflict(bot, 'resend its final webhook');
        this.emit('webhook-resent', { botId: bot.botId });
        return this.done('Webhook resent.');
      }
      case 'deleteBotData': {
        const checked = operation.checkQuery<DeleteDataQuery>(search);
        if ('refused' in checked) return validationError(checked.refused);
        const bot = find();
        if (!isBot(bot)) return bot;
        if (!ENDED.includes(bot.status)) return statusConflict(bot, 'have its data deleted');
        bot.artifactsDeleted = true;
        this.emit('data-deleted', { botId: bot.botId, fromProvider: checked.query.delete_from_provider ?? true });
        return this.done('Bot data deleted.');
      }
      default:
        return this.scheduled.operate(operation, botId, text, search);
    }
  }

  private status(bot: SimulatedBot): ApiAnswer {
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

  /** Every 10 s of the meeting one screenshot, for a Meet or Teams bot that recorded video and was in the meeting. */
  private screenshots(bot: SimulatedBot, query: ScreenshotsQuery): ApiAnswer {
    const limit = query.limit ?? SCREENSHOT_LIMITS.default;
    const videoMode = bot.request.recording_mode !== 'audio_only';
    const platform = platformOf(bot.request.meeting_url);
    const wasInMeeting = bot.status === 'completed' || IN_CALL.includes(bot.status);
    const count = videoMode && platform !== 'zoom' && wasInMeeting && !bot.artifactsDeleted ? Math.max(1, Math.floor(this.script.duration / SCREENSHOT_INTERVAL_SECONDS)) : 0;
    let from = 1;
    if (query.cursor) {
      // As documented: base64 of the screenshot index; a leading - pages backward.
      const backward = query.cursor.startsWith('-');
      const index = Number(Buffer.from(backward ? query.cursor.slice(1) : query.cursor, 'base64').toString('utf8'));
      if (!Number.isInteger(index) || index < 1) return validationError('querystring/cursor is not a cursor this API gave');
      from = backward ? Math.max(1, index - limit) : index;
    }
    const to = Math.min(count, from + limit - 1);
    const origin = new URL(this.urlsOf(bot.botId).audio ?? 'http://127.0.0.1/').origin;
    const data: Screenshot[] = [];
    for (let index = from; index <= to; index += 1) {
      // The shape of a presigned link; the simulator does not serve screenshot images.
      data.push({ screenshot_id: index, url: `${origin}/screenshots/${bot.botId}/${index}.png?X-Amz-Expires=14400` });
    }
    const next = to < count ? Buffer.from(String(to + 1)).toString('base64') : null;
    const prev = from > 1 ? `-${Buffer.from(String(from)).toString('base64')}` : null;
    if (this.answers === 'minimal') return json(200, { success: true, data: data.map(({ url }) => ({ url })), cursor: next });
    return json(200, { success: true, data, cursor: next, prev_cursor: prev });
  }

  private postInChat(bot: SimulatedBot, message: string): void {
    bot.chatMessages.push(message);
    const posted: PostedChatMessage = { botId: bot.botId, message };
    this.emit('chat-message', posted);
  }

  /**
   * Registers a bot that completed or failed without being created here, as if its meeting took
   * place while no callback could arrive: it is listed and has details, and sends nothing.
   */
  addEndedBot(options: EndedBotOptions): SimulatedBot {
    const botId = (options.botId ?? randomUUID()).toLowerCase();
    if (!BOT_ID.test(botId)) throw new TypeError(`${options.botId} is not a bot id (a UUID)`);
    if (this.bots.has(botId)) throw new Error(`bot ${botId} exists already`);
    const failed = options.status === 'failed';
    if (!failed && (options.errorCode !== undefined || options.errorMessage !== undefined)) {
      throw new TypeError('errorCode and errorMessage are for failed bots');
    }
    const endedAt = options.endedAt ?? new Date();
    const errorCode = failed ? (options.errorCode ?? DEFAULT_FAILURE) : null;
    const bot: SimulatedBot = {
      botId,
      request: {
        bot_name: SAMPLE_BOT_NAME,
        meeting_url: SAMPLE_MEETING_URL,
        extra: options.extra === undefined ? { ...SAMPLE_EXTRA } : options.extra,
      },
      status: options.status,
      updatedAt: endedAt,
      timer: null,
      createdAt: options.createdAt ?? new Date(meetingTimes(this.script, endedAt).joinedAt.getTime() - 60_000),
      endedAt,
      errorCode,
      errorMessage: errorCode === null ? null : (options.errorMessage ?? failureMessage(errorCode)),
      chatMessages: [],
      artifactsDeleted: false,
    };
    this.bots.set(botId, bot);
    return bot;
  }

  /** The `extra` a created bot was given, for GET /v2/bots/{id}. */
  extraOf(botId: string): Record<string, unknown> | null | undefined {
    const bot = this.bots.get(botId.toLowerCase());
    return bot ? (bot.request.extra ?? null) : undefined;
  }

  close(): void {
    for (const bot of this.bots.values()) if (bot.timer) clearTimeout(bot.timer);
  }

  private create(body: CreateBotRequest): ApiAnswer {
    if (body.callback_enabled && !body.callback_config) {
      return error(400, 'Bad Request', 'VALIDATION_ERROR', 'callback_config is required when callback_enabled is true.');
    }
    if (this.tokens <= 0) return error(402, 'Payment Required', 'INSUFFICIENT_TOKENS', 'The account has no tokens left.');
    if (body.allow_multiple_bots === false) {
      const busy = [...this.bots.values()].some((b) => b.request.meeting_url === body.meeting_url && ACTIVE.includes(b.status));
      if (busy) return error(409, 'Conflict', 'BOT_ALREADY_IN_MEETING', 'A bot is already in this meeting.');
    }
    this.tokens -= 1;
    const now = new Date();
    const bot: SimulatedBot = {
      botId: randomUUID(),
      request: body,
      status: 'joining_call',
      updatedAt: now,
      timer: null,
      createdAt: now,
      endedAt: null,
      errorCode: null,
      errorMessage: null,
      chatMessages: [],
      artifactsDeleted: false,
    };
    this.bots.set(bot.botId, bot);
    bot.timer = setTimeout(() => this.finish(bot), this.meetingMs);
    bot.timer.unref();
    return json(201, { success: true, data: { bot_id: bot.botId } });
  }

  /**
   * `GET /v2/bots`: the bots created or added here, newest first, filtered by `status`,
   * `created_after`, `created_before`, `ended_after` and `extra`, a page of `limit` from `cursor`.
   */
  private list(operation: DocumentedOperation, query: URLSearchParams): ApiAnswer {
    const documented = operation.checkQuery(query);
    if ('refused' in documented) return validationError(documented.refused);
    const read = readListQuery(query);
    if (typeof read === 'string') return validationError(read);
    // Newest first; of bots created in the same millisecond, the one created last first.
    const all = [...this.bots.values()].reverse().sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    const matching = all.map((bot, rank) => ({ bot, rank })).filter(({ bot }) => read.matches(bot, endedAtOf(bot)));
    let page = matching.slice(0, read.limit);
    if (read.cursor !== null) {
      // A cursor is a place in the whole list, so that it stays valid whichever bots the filters keep.
      const at = cursorBot(read.cursor.position, this.bots);
      if (!at) return validationError('querystring/cursor is not a cursor this API gave');
      const from = all.indexOf(at);
      page = read.cursor.backward
        ? matching.filter(({ rank }) => rank < from).slice(-read.limit)
        : matching.filter(({ rank }) => rank > from).slice(0, read.limit);
    }
    const first = page[0];
    const last = page[page.length - 1];
    const next = last && matching[matching.length - 1] !== last ? cursorOf(last.bot) : null;
    const prev = first && matching[0] !== first ? `-${cursorOf(first.bot)}` : null;
    const bots = page.map(({ bot }) => bot);
    if (this.answers === 'minimal') {
      return json(200, { success: true, data: bots.map((bot) => ({ bot_id: bot.botId, ended_at: iso(endedAtOf(bot)) })), next_cursor: next });
    }
    // The schema calls the next page `cursor` and allows no other field; the operation's description
    // says `next_cursor`, which the minimal answer above uses, so that a client reads either.
    return json(200, { success: true, data: bots.map((bot) => this.listItem(bot)), cursor: next, prev_cursor: prev });
  }

  /** A bot as the list shows it: every field the documented item requires. */
  private listItem(bot: SimulatedBot): BotListItem {
    const times = this.timesOf(bot);
    const completed = bot.status === 'completed' && times.endedAt !== null;
    return {
      bot_id: bot.botId,
      bot_name: bot.request.bot_name,
      meeting_url: bot.request.meeting_url,
      meeting_platform: platformOf(bot.request.meeting_url),
      extra: bot.request.extra ?? null,
      duration: completed ? Math.ceil(this.script.duration) : null,
      created_at: bot.createdAt.toISOString(),
      ended_at: iso(times.endedAt),
      joined_at: iso(times.joinedAt),
      exited_at: iso(times.exitedAt),
      status: bot.status,
      error_code: bot.errorCode,
      error_message: bot.errorMessage,
      tokens: completed ? tokensOf(this.script) : null,
    };
  }

  /** When a bot's meeting took place: only one that completed was in it, never before it was created. */
  private timesOf(bot: SimulatedBot): { endedAt: Date | null; joinedAt: Date | null; exitedAt: Date | null } {
    const endedAt = endedAtOf(bot);
    if (endedAt === null || bot.status !== 'completed') return { endedAt, joinedAt: null, exitedAt: null };
    const meeting = meetingTimes(this.script, endedAt);
    const joinedAt = new Date(Math.max(meeting.joinedAt.getTime(), bot.createdAt.getTime()));
    return { endedAt, joinedAt, exitedAt: new Date(Math.max(meeting.exitedAt.getTime(), joinedAt.getTime())) };
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
      details.data.meeting_platform = platformOf(created.request.meeting_url);
    }
    // A bot that ended says when, as the list does; a failed one has an error and no recording.
    if (created && endedAtOf(created) !== null) {
      const times = this.timesOf(created);
      details.data.created_at = created.createdAt.toISOString();
      details.data.joined_at = iso(times.joinedAt);
      details.data.exited_at = iso(times.exitedAt);
      if (created.status === 'failed') {
        details.data.duration_seconds = null;
        details.data.participants = [];
        details.data.speakers = [];
        details.data.transcription_ids = null;
        details.data.transcription_provider = null;
        details.data.tokens = null;
        details.data.error_code = created.errorCode;
        details.data.error_message = created.errorMessage;
        Object.assign(details.data, noLinks());
      }
    }
    // After DELETE …/delete-data the bot is still described, its links are null.
    if (created?.artifactsDeleted) {
      details.data.artifacts_deleted = true;
      Object.assign(details.data, noLinks());
    }
    if (this.answers === 'full') return json(200, details);
    return json(200, { success: true, data: { bot_id: details.data.bot_id, status: details.data.status, ...linkFields(details.data) } });
  }

  /** Leave and retry-callback: the documented message, or no data at all in minimal mode. */
  private done(message: string): ApiAnswer {
    return json(200, this.answers === 'minimal' ? { success: true } : { success: true, data: { message } });
  }

  /** `body` null: the bot's own callback settings (the schema's default, null, and what no body means). */
  private retryCallback(bot: SimulatedBot, body: RetryCallbackRequest): ApiAnswer {
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
    bot.endedAt = bot.updatedAt;
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

/** Completed or failed, and when; a bot whose status a test set by hand ended at its last update. */
function endedAtOf(bot: SimulatedBot): Date | null {
  if (bot.status !== 'completed' && bot.status !== 'failed') return null;
  return bot.endedAt ?? bot.updatedAt;
}

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

/** The stand-in accepts any meeting URL; one that is not Zoom's or Teams' is taken for a Meet, as the sample is. */
function platformOf(meetingUrl: string): Platform {
  let host: string;
  try {
    host = new URL(meetingUrl).hostname.toLowerCase();
  } catch {
    return 'meet';
  }
  if (host === 'zoom.us' || host.endsWith('.zoom.us')) return 'zoom';
  if (host === 'teams.microsoft.com' || host === 'teams.live.com') return 'teams';
  return 'meet';
}

/** The status codes the document lists, for the `status` filter; read when first needed. */
let statusCodes: ReadonlySet<string> | null = null;

function isStatusCode(code: string): boolean {
  statusCodes ??= new Set(documentedEnum('ListBotsResponse', 'data', 'items', 'status'));
  return statusCodes.has(code);
}

interface ListQuery {
  readonly limit: number;
  readonly cursor: { readonly position: string; readonly backward: boolean } | null;
  readonly matches: (bot: SimulatedBot, endedAt: Date | null) => boolean;
}

/** ISO 8601 in UTC, as the document's pattern for these parameters requires. */
const QUERY_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z$/;

/**
 * The query of `GET /v2/bots`, or what is wrong with it: status, the dates, extra, limit and cursor.
 * Parameters the stand-in does not filter by are ignored.
 */
function readListQuery(query: URLSearchParams): ListQuery | string {
  const limitText = query.get('limit');
  const limit = limitText === null ? LIST_LIMITS.default : /^\d+$/.test(limitText) ? Number(limitText) : Number.NaN;
  if (!(limit >= 1 && limit <= LIST_LIMITS.max)) return `querystring/limit must be an integer from 1 to ${LIST_LIMITS.max}`;
  const dates: Record<'created_after' | 'created_before' | 'ended_after', number | null> = { created_after: null, created_before: null, ended_after: null };
  for (const name of ['created_after', 'created_before', 'ended_after'] as const) {
    const text = query.get(name);
    if (text === null || text === '') continue;
    const time = QUERY_DATE.test(text) ? Date.parse(text) : Number.NaN;
    if (Number.isNaN(time)) return `querystring/${name} must be an ISO 8601 date-time in UTC`;
    dates[name] = time;
  }
  const statusText = query.get('status');
  const statuses = statusText === null ? [] : statusText.split(',').map((code) => code.trim()).filter((code) => code !== '');
  const unknown = statuses.find((code) => !isStatusCode(code));
  if (unknown !== undefined) return `querystring/status: ${unknown} is not a bot status`;
  const wanted = new Set(statuses);
  const extra = query.get('extra') || null;
  const extraProblem = extra === null ? null : extraFilterProblem(extra);
  if (extraProblem) return extraProblem;
  const cursorText = query.get('cursor');
  const backward = cursorText?.startsWith('-') ?? false;
  const cursor = cursorText === null || cursorText === '' ? null : { position: backward ? cursorText.slice(1) : cursorText, backward };
  return {
    limit,
    cursor,
    matches: (bot, endedAt) =>
      (wanted.size === 0 || wanted.has(bot.status)) &&
      (dates.created_after === null || bot.createdAt.getTime() > dates.created_after) &&
      (dates.created_before === null || bot.createdAt.getTime() < dates.created_before) &&
      (dates.ended_after === null || (endedAt !== null && endedAt.getTime() > dates.ended_after)) &&
      (extra === null || matchesExtraFilter(extra, bot.request.extra)),
  };
}

/** As documented: base64 of `<isoDate>::<id>`, here the creation time and id of the page's last (or first) bot. */
function cursorOf(bot: SimulatedBot): string {
  return Buffer.from(`${bot.createdAt.toISOString()}::${bot.botId}`).toString('base64');
}

/** The bot a cursor this API gave points at; null for any other string. */
function cursorBot(position: string, bots: ReadonlyMap<string, SimulatedBot>): SimulatedBot | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(position)) return null;
  const m = /^(.+)::([0-9a-f-]{36})$/.exec(Buffer.from(position, 'base64').toString('utf8'));
  const bot = m ? bots.get(m[2] ?? '') : undefined;
  return bot && bot.createdAt.toISOString() === m?.[1] ? bot : null;
}

function notFound(botId: string): ApiAnswer {
  return error(404, 'Not Found', 'BOT_NOT_FOUND', `No bot with id ${botId}.`);
}

function isBot(value: SimulatedBot | ApiAnswer): value is SimulatedBot {
  return 'botId' in value;
}

/** The documented 409 of an action the bot's status does not allow. */
function statusConflict(bot: SimulatedBot, what: string): ApiAnswer {
  return error(409, 'Conflict', 'FST_ERR_BOT_STATUS', `The bot is ${bot.status}: it cannot ${what}.`);
}
