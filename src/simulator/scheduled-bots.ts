// The simulator's stand-in for the scheduled bots of the Meeting BaaS v2 API: POST and GET
// /v2/bots/scheduled, GET, PATCH and DELETE /v2/bots/scheduled/{bot_id}, with the rules their
// descriptions give (join_at in the future and at most 90 days ahead; updates and cancellations
// only while `scheduled` and at least 4 minutes before join_at; earliest first, cursor pages of 50,
// 100 at most). A scheduled bot stays scheduled here: the simulator never launches it.
import { randomUUID } from 'node:crypto';
import type {
  CreateScheduledBotRequest,
  Platform,
  ScheduledBotsQuery,
  ScheduledDetails,
  ScheduledListItem,
  ScheduledStatus,
  UpdateScheduledBotRequest,
} from './api-types';
import { error, extraFilterProblem, json, matchesExtraFilter, validationError, type ApiAnswer } from './api-checks';
import type { DocumentedOperation } from './openapi';


export interface ScheduledBot {
  readonly botId: string;
  /** What POST /v2/bots/scheduled was given, with every PATCH since merged in. */
  request: CreateScheduledBotRequest;
  status: ScheduledStatus;
  readonly createdAt: Date;
  updatedAt: Date;
  cancelledAt: Date | null;
}

/** `GET /v2/bots/scheduled` pages, as its parameters document them. */
export const SCHEDULED_LIST_LIMITS = { default: 50, max: 100 } as const;

/** How close to join_at a scheduled bot can still be changed or cancelled. */
export const LOCK_WINDOW_MS = 4 * 60_000;
const JOIN_LEEWAY_MS = 60_000;
const MAX_AHEAD_MS = 90 * 24 * 3600_000;


export class ScheduledBots {
  readonly bots = new Map<string, ScheduledBot>();

  constructor(
    private readonly answerDetail: () => 'full' | 'minimal',
    private readonly platformOf: (meetingUrl: string) => Platform,
  ) {}

  /** The operations on scheduled bots; `botId` is the checked path parameter, '' for the collection. */
  operate(operation: DocumentedOperation, botId: string, text: string, search: URLSearchParams): ApiAnswer {
    switch (operation.operationId) {
      case 'createScheduledBot': {
        const checked = operation.checkBody<CreateScheduledBotRequest>(text);
        if ('refused' in checked) return validationError(checked.refused);
        return checked.body === undefined ? validationError('body must be object') : this.create(checked.body);
      }
      case 'listScheduledBots': {
        const checked = operation.checkQuery<ScheduledBotsQuery>(search);
        return 'refused' in checked ? validationError(checked.refused) : this.list(checked.query);
      }
      case 'getScheduledBotDetails':
      case 'updateScheduledBot':
      case 'deleteScheduledBot': {
        // The body is checked before the bot is looked up, as the API validates a request before handling it.
        const update = operation.operationId === 'updateScheduledBot' ? operation.checkBody<UpdateScheduledBotRequest>(text) : null;
        if (update && 'refused' in update) return validationError(update.refused);
        if (update && update.body === undefined) return validationError('body must be object');
        const bot = this.bots.get(botId);
        if (!bot) return error(404, 'Not Found', 'SCHEDULED_BOT_NOT_FOUND', `No scheduled bot with id ${botId}.`);
        if (update?.body) return this.update(bot, update.body);
        return operation.operationId === 'getScheduledBotDetails' ? this.details(bot) : this.cancel(bot);
      }
      default:
        // An operation in the document that no code here serves: the extraction and the code disagree.
        return error(500, 'Internal Server Error', 'SIMULATOR_NOT_SERVED', `The simulator does not serve ${operation.operationId}.`);
    }
  }

  private create(request: CreateScheduledBotRequest): ApiAnswer {
    const joinProblem = joinAtProblem(request.join_at, Date.now() - JOIN_LEEWAY_MS);
    if (joinProblem) return validationError(joinProblem);
    if (request.callback_enabled && !request.callback_config) return validationError('callback_config is required when callback_enabled is true.');
    const now = new Date();
    const bot: ScheduledBot = { botId: randomUUID(), request, status: 'scheduled', createdAt: now, updatedAt: now, cancelledAt: null };
    this.bots.set(bot.botId, bot);
    return json(201, { success: true, data: { bot_id: bot.botId } });
  }

  /** Earliest join_at first, filtered as documented, a page of `limit` after `cursor`. */
  private list(query: ScheduledBotsQuery): ApiAnswer {
    const extraProblem = query.extra ? extraFilterProblem(query.extra) : null;
    if (extraProblem) return validationError(extraProblem);
    const limit = query.limit ?? SCHEDULED_LIST_LIMITS.default;
    const statuses = listOf(query.status);
    const platforms = listOf(query.meeting_platform);
    const after = query.scheduled_after ? Date.parse(query.scheduled_after) : null;
    const before = query.scheduled_before ? Date.parse(query.scheduled_before) : null;
    const contains = (value: string, part: string | null | undefined): boolean => !part || value.toLowerCase().includes(part.toLowerCase());
    const all = [...this.bots.values()].sort((a, b) => joinTime(a) - joinTime(b) || a.botId.localeCompare(b.botId));
    const matching = all.filter(
      (bot) =>
        (statuses.length === 0 || statuses.includes(bot.status)) &&
        (platforms.length === 0 || platforms.includes(this.platformOf(bot.request.meeting_url))) &&
        (after === null || joinTime(bot) > after) &&
        (before === null || joinTime(bot) < before) &&
        contains(bot.botId, query.bot_id) &&
        contains(bot.request.bot_name, query.bot_name) &&
        contains(bot.request.meeting_url, query.meeting_url) &&
        (!query.extra || matchesExtraFilter(query.extra, bot.request.extra)),
    );
    let page = matching.slice(0, limit);
    if (query.cursor) {
      // A cursor is a place in the whole list, so that it stays valid whichever bots the filters keep.
      const backward = query.cursor.startsWith('-');
      const at = cursorBot(backward ? query.cursor.slice(1) : query.cursor, this.bots);
      if (!at) return validationError('querystring/cursor is not a cursor this API gave');
      const from = all.indexOf(at);
      page = backward
        ? matching.filter((bot) => all.indexOf(bot) < from).slice(-limit)
        : matching.filter((bot) => all.indexOf(bot) > from).slice(0, limit);
    }
    const last = page[page.length - 1];
    const first = page[0];
    const next = last && matching[matching.length - 1] !== last ? cursorOf(last) : null;
    const prev = first && matching[0] !== first ? `-${cursorOf(first)}` : null;
    if (this.answerDetail() === 'minimal') return json(200, { success: true, data: page.map((bot) => ({ bot_id: bot.botId })), cursor: next });
    return json(200, { success: true, data: page.map((bot) => this.listItem(bot)), cursor: next, prev_cursor: prev });
  }

  private listItem(bot: ScheduledBot): ScheduledListItem {
    return {
      bot_id: bot.botId,
      bot_name: bot.request.bot_name,
      meeting_url: bot.request.meeting_url,
      meeting_platform: this.platformOf(bot.request.meeting_url),
      join_at: new Date(bot.request.join_at).toISOString(),
      status: bot.status,
      extra: bot.request.extra ?? null,
      created_at: bot.createdAt.toISOString(),
      updated_at: bot.updatedAt.toISOString(),
    };
  }

  private details(bot: ScheduledBot): ApiAnswer {
    if (this.answerDetail() === 'minimal') return json(200, { success: true, data: { bot_id: bot.botId, status: bot.status } });
    const { request } = bot;
    const image = Array.isArray(request.bot_image) ? (request.bot_image[0] ?? null) : (request.bot_image ?? null);
    const callback = request.callback_enabled && request.callback_config ? request.callback_config : null;
    const data: ScheduledDetails = {
      bot_id: bot.botId,
      bot_name: request.bot_name,
      bot_image: typeof image === 'string' ? image : null,
      meeting_url: request.meeting_url,
      meeting_platform: this.platformOf(request.meeting_url),
      recording_mode: request.recording_mode ?? 'speaker_view',
      join_at: new Date(request.join_at).toISOString(),
      status: bot.status,
      created_at: bot.createdAt.toISOString(),
      updated_at: bot.updatedAt.toISOString(),
      cancelled_at: bot.cancelledAt ? bot.cancelledAt.toISOString() : null,
      allow_multiple_bots: request.allow_multiple_bots ?? true,
      entry_message: request.entry_message ?? null,
      timeout_config: {
        waiting_room_timeout: request.timeout_config?.waiting_room_timeout ?? null,
        no_one_joined_timeout: request.timeout_config?.no_one_joined_timeout ?? null,
      },
      transcription_config: request.transcription_enabled ? { enabled: true, provider: 'gladia', custom_params: null } : null,
      streaming_config: null,
      callback_config: callback ? { enabled: true, url: callback.url, secret: callback.secret ?? null, method: callback.method ?? 'POST' } : null,
      extra: request.extra ?? null,
      zoom_config: null,
    };
    return json(200, { success: true, data });
  }

  private update(bot: ScheduledBot, changes: UpdateScheduledBotRequest): ApiAnswer {
    const locked = lockProblem(bot);
    if (locked) return locked;
    if (changes.join_at !== undefined) {
      const joinProblem = joinAtProblem(changes.join_at, Date.now());
      if (joinProblem) return validationError(joinProblem);
    }
    bot.request = { ...bot.request, ...changes };
    bot.updatedAt = new Date();
    return this.done('Scheduled bot updated.');
  }

  private cancel(bot: ScheduledBot): ApiAnswer {
    if (bot.status !== 'scheduled') return error(409, 'Conflict', 'FST_ERR_BOT_STATUS', `The scheduled bot is ${bot.status}: it cannot be cancelled.`);
    bot.status = 'cancelled';
    bot.cancelledAt = new Date();
    bot.updatedAt = bot.cancelledAt;
    return this.done('Scheduled bot cancelled.');
  }

  private done(message: string): ApiAnswer {
    return json(200, this.answerDetail() === 'minimal' ? { success: true } : { success: true, data: { message } });
  }
}

function joinTime(bot: ScheduledBot): number {
  return Date.parse(bot.request.join_at);
}

/** join_at must be after `earliest` and at most 90 days ahead. */
function joinAtProblem(joinAt: string, earliest: number): string | null {
  const time = Date.parse(joinAt);
  if (time < earliest) return 'body/join_at cannot be in the past';
  if (time > Date.now() + MAX_AHEAD_MS) return 'body/join_at cannot be more than 90 days in the future';
  return null;
}

function lockProblem(bot: ScheduledBot): ApiAnswer | null {
  if (bot.status !== 'scheduled') return error(409, 'Conflict', 'FST_ERR_BOT_STATUS', `The scheduled bot is ${bot.status}: it cannot be changed.`);
  if (joinTime(bot) - Date.now() < LOCK_WINDOW_MS) {
    return error(409, 'Conflict', 'FST_ERR_SCHEDULED_BOT_LOCKED', 'The bot joins in less than 4 minutes: it cannot be changed any more.');
  }
  return null;
}

function listOf(text: string | null | undefined): string[] {
  return text ? text.split(',').map((item) => item.trim()).filter((item) => item !== '') : [];
}

/** As documented: base64 of `<isoDate>::<id>`, here the join time and id of the page's last (or first) bot. */
function cursorOf(bot: ScheduledBot): string {
  return Buffer.from(`${new Date(bot.request.join_at).toISOString()}::${bot.botId}`).toString('base64');
}

function cursorBot(position: string, bots: ReadonlyMap<string, ScheduledBot>): ScheduledBot | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(position)) return null;
  const m = /^(.+)::([0-9a-f-]{36})$/.exec(Buffer.from(position, 'base64').toString('utf8'));
  const bot = m ? bots.get(m[2] ?? '') : undefined;
  return bot && new Date(bot.request.join_at).toISOString() === m?.[1] ? bot : null;
}
