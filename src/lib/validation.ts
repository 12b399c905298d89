// One AJV instance and the Meeting BaaS schemas, compiled once when this module loads.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type {
  CallbackCompleted,
  CallbackFailed,
  CreateBotRequestBodyInput,
  CreateBotResponse,
  ErrorResponse,
  GetBotDetailsResponse,
  GetBotStatusResponse,
  LeaveBotResponse,
  RateLimitedResponse,
  RetryCallbackRequestBodyInput,
  RetryCallbackResponse,
  ValidationErrorResponse,
} from './generated/meetingbaas-v2';

/** The payload types, generated from the same schema file at build time. */
export type * from './generated/meetingbaas-v2';

interface SchemaFile {
  readonly origin: string;
  readonly schemas: Readonly<Record<string, object>>;
}

/** The schema file sits at the package root, beside lib/ once compiled. */
const schemaFile = JSON.parse(
  readFileSync(join(__dirname, '..', 'schemas', 'meetingbaas-v2.json'), 'utf8'),
) as SchemaFile;

const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
addFormats(ajv, ['uuid', 'date-time', 'uri']);

function compile<T>(name: string): ValidateFunction<T> {
  const schema = schemaFile.schemas[name];
  if (!schema) throw new Error(`schema ${name} is missing from schemas/meetingbaas-v2.json`);
  return ajv.compile<T>(schema);
}

/** The schema for each event Meeting BaaS documents. Callback and webhook `bot.*` payloads share one shape. */
const validatorsByEvent: ReadonlyMap<string, ValidateFunction> = new Map<string, ValidateFunction>([
  ['bot.completed', compile<CallbackCompleted>('CallbackCompleted')],
  ['bot.failed', compile<CallbackFailed>('CallbackFailed')],
  ['bot.status_change', compile('BotWebhookStatusChange')],
  ['bot.chat_message', compile('BotWebhookChatMessage')],
  ['calendar.connection_created', compile('CalendarWebhookConnectionCreated')],
  ['calendar.connection_updated', compile('CalendarWebhookConnectionUpdated')],
  ['calendar.connection_deleted', compile('CalendarWebhookConnectionDeleted')],
  ['calendar.events_synced', compile('CalendarWebhookEventsSynced')],
  ['calendar.event_created', compile('CalendarWebhookEventCreated')],
  ['calendar.event_updated', compile('CalendarWebhookEventUpdated')],
  ['calendar.event_cancelled', compile('CalendarWebhookEventCancelled')],
]);

/** Events not documented yet still need the envelope every delivery has. */
const validateEnvelope = ajv.compile({
  type: 'object',
  properties: { event: { type: 'string', minLength: 1 }, data: { type: 'object' } },
  required: ['event', 'data'],
});

export const validateBotDetails: ValidateFunction<GetBotDetailsResponse> =
  compile<GetBotDetailsResponse>('GetBotDetailsResponse');

// What the bot node sends (strict: unknown fields refused, see scripts/extract-schemas.mjs) and
// what the API answers (open, like deliveries).
export const validateCreateBotRequest: ValidateFunction<CreateBotRequestBodyInput> =
  compile<CreateBotRequestBodyInput>('CreateBotRequestBodyInput');
export const validateRetryCallbackRequest: ValidateFunction<RetryCallbackRequestBodyInput> =
  compile<RetryCallbackRequestBodyInput>('RetryCallbackRequestBodyInput');
export const validateCreateBotResponse: ValidateFunction<CreateBotResponse> = compile<CreateBotResponse>('CreateBotResponse');
export const validateBotStatus: ValidateFunction<GetBotStatusResponse> = compile<GetBotStatusResponse>('GetBotStatusResponse');
export const validateLeaveBotResponse: ValidateFunction<LeaveBotResponse> = compile<LeaveBotResponse>('LeaveBotResponse');
export const validateRetryCallbackResponse: ValidateFunction<RetryCallbackResponse> =
  compile<RetryCallbackResponse>('RetryCallbackResponse');
export const validateErrorResponse: ValidateFunction<ErrorResponse> = compile<ErrorResponse>('ErrorResponse');
export const validateValidationErrorResponse: ValidateFunction<ValidationErrorResponse> =
  compile<ValidationErrorResponse>('ValidationErrorResponse');
export const validateRateLimitedResponse: ValidateFunction<RateLimitedResponse> =
  compile<RateLimitedResponse>('RateLimitedResponse');

export const KNOWN_EVENTS: readonly string[] = [...validatorsByEvent.keys()];

/** One problem with a delivery, said so that a person can act on it. */
export interface FieldError {
  /** Dotted path of the field, e.g. `data.bot_id`; `(delivery)` for the whole body. */
  readonly field: string;
  /** What was expected, e.g. `must match format "uuid"`. */
  readonly message: string;
}

export type DeliveryCheck =
  | { readonly valid: true; readonly event: string; readonly documented: boolean }
  | { readonly valid: false; readonly event: string | null; readonly errors: readonly FieldError[] };

/** Validates a parsed delivery against the schema of its event (or the envelope for events not documented yet). */
export function checkDelivery(payload: unknown): DeliveryCheck {
  const event = eventOf(payload);
  const validate = (event !== null && validatorsByEvent.get(event)) || validateEnvelope;
  if (validate(payload)) {
    return { valid: true, event: event as string, documented: validate !== validateEnvelope };
  }
  return { valid: false, event, errors: readableErrors(validate.errors ?? []) };
}

function eventOf(payload: unknown): string | null {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return null;
  const event: unknown = (payload as { event?: unknown }).event;
  return typeof event === 'string' ? event : null;
}

/** AJV's errors, with JSON-pointer paths made dotted and the generic "anyOf" summary dropped when details exist. */
export function readableErrors(errors: readonly ErrorObject[]): FieldError[] {
  const detailed = errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'if');
  const chosen = detailed.length > 0 ? detailed : errors;
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const error of chosen) {
    const missing = error.keyword === 'required' ? String(error.params.missingProperty) : null;
    const pointer = missing === null ? error.instancePath : `${error.instancePath}/${missing}`;
    const field = pointer === '' ? '(delivery)' : pointer.slice(1).split('/').map(unescapePointer).join('.');
    const message = missing === null ? describe(error) : 'is required';
    const key = `${field}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field, message });
  }
  return out;
}

function describe(error: ErrorObject): string {
  if (error.keyword === 'const') return `must be ${JSON.stringify(error.params.allowedValue)}`;
  if (error.keyword === 'enum') {
    return `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return error.message ?? `fails "${error.keyword}"`;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
