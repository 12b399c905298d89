// What the nodes read from each answer of the bot API, and nothing more. Meeting BaaS adds,
// renames and drops fields over time: an answer is refused only when a field a node uses is
// missing or unusable; every other field is passed on as received, whatever it holds. The checks
// derive from the documented answer schemas (schema-subset), so formats and patterns stay theirs.
import type { ValidateFunction } from 'ajv/dist/2020';
import { compiled } from '../schemas/compiled';
import { documentedSchema } from '../schemas/schema-file';
import { usedPart, type FieldUse, type UsedFields } from '../schemas/schema-subset';
import type {
  CreateBotResponse,
  CreateScheduledBotResponse,
  GetBotDetailsResponse,
  GetBotScreenshotsResponse,
  GetBotStatusResponse,
  GetScheduledBotResponse,
  ListBotsResponse,
  ListScheduledBotsResponse,
} from '../schemas/documented';
import { OPERATIONS, type Action } from './operations';

type Documented = GetBotDetailsResponse['data'];

/** The fields read are typed as documented; the rest of the answer is whatever was received. */
type AsReceived<T> = T & { readonly [field: string]: unknown };

export const LINK_FIELDS = ['video', 'audio', 'diarization', 'raw_transcription', 'transcription', 'chat_messages'] as const;
export type LinkField = (typeof LINK_FIELDS)[number];

export interface BotDetailsAnswer {
  readonly data: AsReceived<Pick<Documented, 'bot_id' | 'status'> & Partial<Pick<Documented, LinkField>>>;
}
export interface FreshLinksAnswer {
  readonly data: AsReceived<Pick<Documented, 'bot_id'> & Partial<Pick<Documented, LinkField | 'artifacts_deleted'>>>;
}
export interface BotStatusAnswer {
  readonly data: AsReceived<Pick<GetBotStatusResponse['data'], 'bot_id' | 'status'>>;
}
export interface CreatedBotAnswer {
  readonly data: AsReceived<Pick<CreateBotResponse['data'], 'bot_id'>>;
}
type DocumentedListItem = ListBotsResponse['data'][number];

/** `GET /v2/bots`: each bot's id and when it ended; the next page under either documented name. */
export interface BotListAnswer {
  readonly data: readonly AsReceived<Pick<DocumentedListItem, 'bot_id'> & Partial<Pick<DocumentedListItem, 'ended_at'>>>[];
  readonly next_cursor?: string | null;
  readonly cursor?: string | null;
}
/** Leave, retry-callback and the other requests that act: the node reads nothing but passes `data` on when it is an object. */
export interface DoneAnswer {
  readonly data?: { readonly [field: string]: unknown };
}

type Screenshot = GetBotScreenshotsResponse['data'][number];
/** `GET /v2/bots/{id}/screenshots`: each screenshot's link; the next page as `cursor`. */
export interface ScreenshotListAnswer {
  readonly data: readonly AsReceived<Pick<Screenshot, 'url'>>[];
  readonly cursor?: string | null;
}

type ScheduledListItem = ListScheduledBotsResponse['data'][number];
/** `GET /v2/bots/scheduled`: each scheduled bot's id; the next page as `cursor`. */
export interface ScheduledBotListAnswer {
  readonly data: readonly AsReceived<Pick<ScheduledListItem, 'bot_id'>>[];
  readonly cursor?: string | null;
}

type ScheduledBot = GetScheduledBotResponse['data'];
export interface ScheduledBotAnswer {
  readonly data: AsReceived<Pick<ScheduledBot, 'bot_id' | 'status'>>;
}
export interface CreatedScheduledBotAnswer {
  readonly data: AsReceived<Pick<CreateScheduledBotResponse['data'], 'bot_id'>>;
}

const LINKS: UsedFields = Object.fromEntries(LINK_FIELDS.map((field): [string, FieldUse] => [field, 'optional']));

/** The used part of an action's documented answer (its schema named in the operations table). */
function used<T>(action: Action, fields: UsedFields): ValidateFunction<T> {
  return compiled<T>('documented', usedPart(documentedSchema(OPERATIONS[action].answer), fields));
}

function answer<T>(action: Action, data: FieldUse): ValidateFunction<T> {
  return used<T>(action, { data });
}

/** Requests that act: nothing is read, `data` is passed on when it is an object. */
function doneAnswer(action: Action): ValidateFunction<DoneAnswer> {
  return answer<DoneAnswer>(action, { required: false, fields: {} });
}

/** The bot node's `details`: the bot, its status, and the links it hands to "fetch artifacts". */
export const readBotDetails = answer<BotDetailsAnswer>('details', { fields: { bot_id: 'required', status: 'required', ...LINKS } });
/** The artifact node's refresh: fresh links, and whether the recordings were deleted. */
export const readFreshLinks = answer<FreshLinksAnswer>('details', { fields: { bot_id: 'required', artifacts_deleted: 'optional', ...LINKS } });
export const readBotStatus = answer<BotStatusAnswer>('status', { fields: { bot_id: 'required', status: 'required' } });
export const readCreatedBot = answer<CreatedBotAnswer>('create', { fields: { bot_id: 'required' } });
/** The list of bots (the catch-up's and the node's): the ids, when each ended, and where the next page starts. */
export const readBotList = used<BotListAnswer>('list', {
  data: { items: { bot_id: 'required', ended_at: 'optional' } },
  next_cursor: 'optional',
  cursor: 'optional',
});
export const readLeaveAnswer = doneAnswer('leave');
export const readRetryCallbackAnswer = doneAnswer('retry-callback');
/** Screenshots are there to be looked at: their links are what is read. */
export const readScreenshots = used<ScreenshotListAnswer>('screenshots', { data: { items: { url: 'required' } }, cursor: 'optional' });
export const readScheduledBotList = used<ScheduledBotListAnswer>('schedule-list', { data: { items: { bot_id: 'required' } }, cursor: 'optional' });
export const readScheduledBot = answer<ScheduledBotAnswer>('schedule-get', { fields: { bot_id: 'required', status: 'required' } });
export const readCreatedScheduledBot = answer<CreatedScheduledBotAnswer>('schedule-create', { fields: { bot_id: 'required' } });

/**
 * How the answer of each action is read. Typed by action, so that the client's answer for an
 * action is what its reader checked, and an action of the table without a reader does not compile.
 */
const READERS = {
  create: readCreatedBot,
  list: readBotList,
  status: readBotStatus,
  details: readBotDetails,
  screenshots: readScreenshots,
  'send-chat-message': doneAnswer('send-chat-message'),
  'pause-recording': doneAnswer('pause-recording'),
  'resume-recording': doneAnswer('resume-recording'),
  'update-config': doneAnswer('update-config'),
  leave: readLeaveAnswer,
  'retry-callback': readRetryCallbackAnswer,
  'resend-webhook': doneAnswer('resend-webhook'),
  'delete-data': doneAnswer('delete-data'),
  'schedule-create': readCreatedScheduledBot,
  'schedule-list': readScheduledBotList,
  'schedule-get': readScheduledBot,
  'schedule-update': doneAnswer('schedule-update'),
  'schedule-delete': doneAnswer('schedule-delete'),
} as const satisfies { readonly [A in Action]: ValidateFunction<unknown> };

export type AnswerOf<A extends Action> = (typeof READERS)[A] extends ValidateFunction<infer T> ? T : never;

/** Indexed by an action that is only known as `A`, this still gives the reader of `AnswerOf<A>`. */
export const ANSWER_READERS: { readonly [A in Action]: ValidateFunction<AnswerOf<A>> } = READERS;

/** The actions whose answer is one page of a list. */
export type PagedAction = { [A in Action]: (typeof OPERATIONS)[A]['paged'] extends true ? A : never }[Action];

export function isPagedAction(action: Action): action is PagedAction {
  return OPERATIONS[action].paged;
}

/** What every page has: its items, and the next page's cursor under one of its two documented names. */
export interface PagedAnswer {
  readonly data: readonly { readonly [field: string]: unknown }[];
  readonly next_cursor?: string | null;
  readonly cursor?: string | null;
}

export const PAGE_READERS: { readonly [A in PagedAction]: ValidateFunction<PagedAnswer> } = {
  list: readBotList,
  screenshots: readScreenshots,
  'schedule-list': readScheduledBotList,
};
