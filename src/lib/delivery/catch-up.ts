// Recovering the meetings whose callback never reached this Node-RED: Meeting BaaS retries a
// callback for about 21 seconds only, so after a longer downtime (or a tunnel that was down) the
// API is the one place that still knows. It lists the bots that ended since a moment, and a bot's
// details hold everything its `bot.completed` or `bot.failed` carried.

/** What the catch-up reads of an item of `GET /v2/bots`; anything else is ignored. */
export interface ListedBot {
  readonly bot_id: string;
  readonly ended_at?: string | null | undefined;
}

export interface BotPage {
  readonly bots: readonly ListedBot[];
  readonly nextCursor: string | null;
}

/** The two API calls the catch-up needs, through the one API client. */
export interface CatchUpApi {
  /** `GET /v2/bots?status=completed,failed&ended_after=…` (one page; `cursor` from the previous one). */
  listEndedBots(endedAfter: Date, cursor: string | null): Promise<BotPage>;
  /** `GET /v2/bots/{bot_id}`: the `data` of the answer. */
  botDetails(botId: string): Promise<Readonly<Record<string, unknown>>>;
}

export type TerminalEvent = 'bot.completed' | 'bot.failed';

export interface RecoveredDelivery {
  readonly event: TerminalEvent;
  readonly data: Record<string, unknown>;
  readonly extra: unknown;
}

/** The fields of a `bot.completed` that the details answer carries, by their callback names. */
const COMPLETED_FIELDS = [
  'bot_id',
  'event_id',
  'participants',
  'speakers',
  'duration_seconds',
  'joined_at',
  'exited_at',
  'video',
  'audio',
  'diarization',
  'raw_transcription',
  'transcription',
  'chat_messages',
  'transcription_provider',
  'transcription_ids',
] as const;

const FAILED_FIELDS = ['bot_id', 'event_id', 'error_code', 'error_message'] as const;

/**
 * The delivery Meeting BaaS would have sent for a bot that ended, built from its details: only the
 * fields the API gave, `sent_at` the time of recovery. Null while the bot has not ended.
 */
export function recoveredDelivery(details: Readonly<Record<string, unknown>>, now: Date): RecoveredDelivery | null {
  const status = details.status;
  const event: TerminalEvent | null = status === 'completed' ? 'bot.completed' : status === 'failed' ? 'bot.failed' : null;
  if (event === null) return null;
  const data: Record<string, unknown> = {};
  for (const field of event === 'bot.completed' ? COMPLETED_FIELDS : FAILED_FIELDS) {
    if (Object.hasOwn(details, field)) data[field] = details[field];
  }
  // The details say `artifacts_deleted` where the callback says `data_deleted`.
  if (event === 'bot.completed' && Object.hasOwn(details, 'artifacts_deleted')) data.data_deleted = details.artifacts_deleted;
  data.sent_at = now.toISOString();
  return { event, data, extra: Object.hasOwn(details, 'extra') ? details.extra : null };
}

export interface LookOptions {
  /** Bots that ended after this moment are looked at. */
  readonly endedAfter: Date;
  /** Bots that ended after this one are left for the next look: their callback may still be on its way. */
  readonly endedBefore: Date;
  /** True when this Node-RED already has the terminal event of the bot (journal, repeats). */
  readonly alreadyDelivered: (botId: string) => boolean;
  /** A bound on the pages one look reads (250 bots a page at most). */
  readonly maxPages?: number;
  /** Where a look cut short at the page bound stopped (its `ListEnd` cursor), with the same `endedAfter`. */
  readonly cursor?: string | null;
  readonly now?: () => Date;
}

export type LookResult =
  | { readonly kind: 'recovered'; readonly botId: string; readonly delivery: RecoveredDelivery }
  | { readonly kind: 'not-ended'; readonly botId: string };

/**
 * How a look's reading of the list ended. The list is in creation order, not in the order the bots
 * ended: a bot not read yet may have ended at any time in the window, so only a list read to its
 * end says that the window is covered.
 */
export type ListEnd =
  | { readonly kind: 'complete' }
  /** The page bound was reached: the list goes on from `cursor`, for the same `endedAfter`. */
  | { readonly kind: 'page-limit'; readonly cursor: string }
  /** The API gave a cursor it had given before in this look: the rest of the list cannot be reached. */
  | { readonly kind: 'stuck-cursor' };

const DEFAULT_MAX_PAGES = 40;

/**
 * The meetings that ended in the window and were not delivered, one at a time, so that the caller
 * sends each before the next details are asked for; returns how the list ended. Throws what the
 * API client throws.
 */
export async function* missedMeetings(api: CatchUpApi, options: LookOptions): AsyncGenerator<LookResult, ListEnd, undefined> {
  const now = options.now ?? (() => new Date());
  let cursor: string | null = options.cursor ?? null;
  const seen = new Set<string>();
  const cursors = new Set<string>(cursor === null ? [] : [cursor]);
  const pages = Math.max(1, options.maxPages ?? DEFAULT_MAX_PAGES);
  for (let page = 1; ; page++) {
    const { bots, nextCursor }: BotPage = await api.listEndedBots(options.endedAfter, cursor);
    for (const bot of bots) {
      const botId = bot.bot_id.toLowerCase();
      if (seen.has(botId)) continue;
      seen.add(botId);
      const endedAt = typeof bot.ended_at === 'string' ? Date.parse(bot.ended_at) : Number.NaN;
      if (Number.isFinite(endedAt) && (endedAt <= options.endedAfter.getTime() || endedAt > options.endedBefore.getTime())) continue;
      if (options.alreadyDelivered(botId)) continue;
      const delivery = recoveredDelivery(await api.botDetails(bot.bot_id), now());
      yield delivery ? { kind: 'recovered', botId, delivery } : { kind: 'not-ended', botId };
    }
    if (nextCursor === null || nextCursor === '') return { kind: 'complete' };
    if (cursors.has(nextCursor)) return { kind: 'stuck-cursor' };
    if (page >= pages) return { kind: 'page-limit', cursor: nextCursor };
    cursors.add(nextCursor);
    cursor = nextCursor;
  }
}
