// What the nodes read from each answer of the bot API, and nothing more. Meeting BaaS adds,
// renames and drops fields over time: an answer is refused only when a field a node uses is
// missing or unusable; every other field is passed on as received, whatever it holds. The checks
// derive from the documented answer schemas (schema-subset), so formats and patterns stay theirs.
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { documentedSchema } from '../schema-file';
import { usedPart, type FieldUse, type UsedFields } from '../schema-subset';
import type { CreateBotResponse, GetBotDetailsResponse, GetBotStatusResponse, ListBotsResponse } from '../validation';

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
/** Leave and retry-callback: the node reads nothing but passes `data` on when it is an object. */
export interface DoneAnswer {
  readonly data?: { readonly [field: string]: unknown };
}

// Answers have their own AJV instance, as deliveries do: what they need is set here, not shared.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
addFormats(ajv, ['uuid', 'date-time', 'uri']);

const LINKS: UsedFields = Object.fromEntries(LINK_FIELDS.map((field): [string, FieldUse] => [field, 'optional']));

function answer<T>(schema: string, data: FieldUse): ValidateFunction<T> {
  return ajv.compile<T>(usedPart(documentedSchema(schema), { data }));
}

/** The bot node's `details`: the bot, its status, and the links it hands to "fetch artifacts". */
export const readBotDetails = answer<BotDetailsAnswer>('GetBotDetailsResponse', { fields: { bot_id: 'required', status: 'required', ...LINKS } });
/** The artifact node's refresh: fresh links, and whether the recordings were deleted. */
export const readFreshLinks = answer<FreshLinksAnswer>('GetBotDetailsResponse', { fields: { bot_id: 'required', artifacts_deleted: 'optional', ...LINKS } });
export const readBotStatus = answer<BotStatusAnswer>('GetBotStatusResponse', { fields: { bot_id: 'required', status: 'required' } });
export const readCreatedBot = answer<CreatedBotAnswer>('CreateBotResponse', { fields: { bot_id: 'required' } });
/** The catch-up's list of ended bots: the ids to ask details for, and where the next page starts. */
export const readBotList = ajv.compile<BotListAnswer>(
  usedPart(documentedSchema('ListBotsResponse'), {
    data: { items: { bot_id: 'required', ended_at: 'optional' } },
    next_cursor: 'optional',
    cursor: 'optional',
  }),
);
export const readLeaveAnswer = answer<DoneAnswer>('LeaveBotResponse', { required: false, fields: {} });
export const readRetryCallbackAnswer = answer<DoneAnswer>('RetryCallbackResponse', { required: false, fields: {} });
