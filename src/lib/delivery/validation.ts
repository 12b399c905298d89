// The deliveries' validators: usable vs deviating, with a bound on the problems listed.
import type { ValidateFunction } from 'ajv/dist/2020';
import { compiled } from '../schemas/compiled';
import { ARTIFACT_FIELDS } from '../artifacts/names';
import { documentedSchema } from '../schemas/schema-file';
import { usedPart, type JsonSchema, type UsedFields } from '../schemas/schema-subset';
import { isRecord } from '../records';
import { readableErrors, unescapePointer, type FieldError } from '../schemas/documented';

export type { FieldError } from '../schemas/documented';

/** The most problems a delivery's message lists. Checking stops at the next one, so the cost has a bound too. */
export const MAX_LISTED_ERRORS = 50;

/**
 * Deliveries have their own flavours: one that stops at the first error, so that "does it
 * conform?" costs no more for an invalid delivery than for a valid one, and one that lists them
 * all, used on parts of bounded size. URLs are checked as ajv-formats' fast mode does (a scheme,
 * no white space): its full RFC 3986 expression takes 10 ms on a 1 MB link, the fast one 1 ms,
 * and fetch artifacts parses every link it downloads anyway.
 */
function firstError(schema: JsonSchema): ValidateFunction {
  return compiled('delivery-first-error', schema);
}
function allErrors(schema: JsonSchema): ValidateFunction {
  return compiled('delivery-all-errors', schema);
}

function isSchema(value: unknown): value is JsonSchema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

interface ItemSchema {
  /** Property names from the schema's root to the array. */
  readonly path: readonly string[];
  readonly schema: JsonSchema;
}

/**
 * The schema with the item schemas of its arrays replaced by `true`, each recorded with the path
 * of its array. Only `properties`, `anyOf` and `allOf` are followed: there, an array's items
 * checked apart mean the same as checked in place (under `oneOf` or `not` they would not).
 */
function withoutItemSchemas(schema: JsonSchema, path: readonly string[], found: ItemSchema[]): JsonSchema {
  const out: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === 'properties' && isSchema(value)) {
      out[keyword] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, isSchema(sub) ? withoutItemSchemas(sub, [...path, name], found) : sub]),
      );
    } else if ((keyword === 'anyOf' || keyword === 'allOf') && Array.isArray(value)) {
      out[keyword] = value.map((sub: unknown) => (isSchema(sub) ? withoutItemSchemas(sub, path, found) : sub));
    } else if (keyword === 'items' && isSchema(value) && !found.some((other) => samePath(other.path, path))) {
      found.push({ path, schema: value });
      out[keyword] = true;
    } else {
      out[keyword] = value;
    }
  }
  return out;
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  let at = value;
  for (const name of path) {
    if (!isRecord(at) || !Object.hasOwn(at, name)) return undefined;
    at = at[name];
  }
  return at;
}

/** Array items are first checked this many at a time, in one call; a failing slice then item by item. */
const ITEMS_PER_SLICE = 256;

interface ArrayCheck {
  readonly path: readonly string[];
  /** The array's item schema applied to a slice of it, stopping at the first error. */
  readonly slice: ValidateFunction;
  readonly items: BoundedCheck;
}

/**
 * A schema compiled for a search for problems that stops after a given number. AJV's allErrors
 * mode has no such limit: it walks every item of every array and reports each of their errors
 * (144,018 of them, in a second, for 24,000 bad participants). Here the schema's outline (its
 * arrays' items left out) is checked with allErrors, which costs at most what the schema's size
 * allows, and then the items of each array, a slice at a time, in detail only where one fails.
 */
class BoundedCheck {
  private readonly whole: ValidateFunction;
  private readonly outline: ValidateFunction;
  private readonly arrays: readonly ArrayCheck[];

  constructor(schema: JsonSchema) {
    this.whole = firstError(schema);
    const items: ItemSchema[] = [];
    this.outline = allErrors(withoutItemSchemas(schema, [], items));
    this.arrays = items.map(({ path, schema: itemSchema }) => ({
      path,
      slice: firstError({ type: 'array', items: itemSchema }),
      items: new BoundedCheck(itemSchema),
    }));
  }

  conforms(value: unknown): boolean {
    return this.whole(value);
  }

  /** Where the last `conforms` that failed found its first error, as instance path segments. */
  firstErrorPath(): readonly string[] {
    const pointer = this.whole.errors?.[0]?.instancePath ?? '';
    return pointer === '' ? [] : pointer.slice(1).split('/').map(unescapePointer);
  }

  /**
   * Adds the problems of `value` to `found`, their fields under `prefix`, until `found` holds
   * `limit`. `firstError` is where `conforms` stopped: AJV checks array items in order, so the
   * items of that array before it are valid and are not looked at again.
   */
  collect(value: unknown, prefix: readonly string[], found: FieldError[], limit: number, firstError: readonly string[] = []): void {
    if (!this.outline(value)) {
      for (const error of readableErrors(this.outline.errors ?? [], prefix)) {
        if (found.length >= limit) return;
        found.push(error);
      }
    }
    for (const { path, slice, items } of this.arrays) {
      const list = valueAt(value, path);
      if (!Array.isArray(list)) continue;
      const fullPath = [...prefix, ...path];
      for (let start = firstInvalidIndex(firstError, fullPath); start < list.length; start += ITEMS_PER_SLICE) {
        if (found.length >= limit) return;
        const end = Math.min(start + ITEMS_PER_SLICE, list.length);
        if (slice(list.slice(start, end))) continue;
        for (let index = start; index < end && found.length < limit; index += 1) {
          const item: unknown = list[index];
          if (!items.conforms(item)) items.collect(item, [...fullPath, String(index)], found, limit, firstError);
        }
      }
    }
  }
}

/** The index in the array at `arrayPath` where `firstError` points, or 0 when it points elsewhere. */
function firstInvalidIndex(firstError: readonly string[], arrayPath: readonly string[]): number {
  if (firstError.length <= arrayPath.length || !arrayPath.every((name, i) => name === firstError[i])) return 0;
  const index = Number(firstError[arrayPath.length]);
  return Number.isSafeInteger(index) && index >= 0 ? index : 0;
}

/** A delivery is usable when what the callback node reads of it is as documented; the rest may be missing or differ. */
interface DeliverySchemas {
  readonly documented: BoundedCheck;
  readonly usable: BoundedCheck;
}

const EVENT_ONLY: UsedFields = { event: 'required' };
const LINKS: UsedFields = Object.fromEntries([...ARTIFACT_FIELDS, 'mp4'].map((name) => [name, 'optional']));
/** Terminal events need their bot; `bot.completed` its links, which fetch artifacts downloads. */
const USED_BY_EVENT: Readonly<Record<string, UsedFields>> = {
  'bot.completed': { event: 'required', data: { fields: { bot_id: 'required', ...LINKS } } },
  'bot.failed': { event: 'required', data: { fields: { bot_id: 'required' } } },
};

function deliverySchemas(event: string, name: string): DeliverySchemas {
  const schema = documentedSchema(name);
  return { documented: new BoundedCheck(schema), usable: new BoundedCheck(usedPart(schema, USED_BY_EVENT[event] ?? EVENT_ONLY)) };
}

/** The schema for each event Meeting BaaS documents. Callback and webhook `bot.*` payloads share one shape. */
const schemasByEvent: ReadonlyMap<string, DeliverySchemas> = new Map(
  (
    [
      ['bot.completed', 'CallbackCompleted'],
      ['bot.failed', 'CallbackFailed'],
      ['bot.status_change', 'BotWebhookStatusChange'],
      ['bot.chat_message', 'BotWebhookChatMessage'],
      ['calendar.connection_created', 'CalendarWebhookConnectionCreated'],
      ['calendar.connection_updated', 'CalendarWebhookConnectionUpdated'],
      ['calendar.connection_deleted', 'CalendarWebhookConnectionDeleted'],
      ['calendar.events_synced', 'CalendarWebhookEventsSynced'],
      ['calendar.event_created', 'CalendarWebhookEventCreated'],
      ['calendar.event_updated', 'CalendarWebhookEventUpdated'],
      ['calendar.event_cancelled', 'CalendarWebhookEventCancelled'],
    ] as const
  ).map(([event, name]) => [event, deliverySchemas(event, name)]),
);

/** Events not documented yet still have the envelope every delivery has. */
const ENVELOPE: JsonSchema = {
  type: 'object',
  properties: { event: { type: 'string', minLength: 1 }, data: { type: 'object' } },
  required: ['event', 'data'],
};
const undocumentedEvent: DeliverySchemas = {
  documented: new BoundedCheck(ENVELOPE),
  usable: new BoundedCheck(usedPart(ENVELOPE, EVENT_ONLY)),
};

export const KNOWN_EVENTS: readonly string[] = [...schemasByEvent.keys()];

export type DeliveryCheck =
  | { readonly valid: true; readonly event: string; readonly documented: boolean }
  | {
      readonly valid: false;
      readonly event: string | null;
      /** False when what the node reads is missing or wrong; those problems come first in `errors`. */
      readonly usable: boolean;
      /** At most MAX_LISTED_ERRORS. */
      readonly errors: readonly FieldError[];
      /** How many problems were found: all of them, or, if `errorCountIsMinimum`, as many as were looked for. */
      readonly errorCount: number;
      readonly errorCountIsMinimum: boolean;
    };

/**
 * Checks a parsed delivery against the schema of its event (or the envelope, for events not
 * documented yet): whether the flow can use it, and how it deviates from the documents.
 */
export function checkDelivery(payload: unknown): DeliveryCheck {
  const event = eventOf(payload);
  const schemas = (event !== null && schemasByEvent.get(event)) || undocumentedEvent;
  if (event !== null && schemas.documented.conforms(payload)) {
    return { valid: true, event, documented: schemas !== undocumentedEvent };
  }
  // One more than is listed, to know whether there were more.
  const wanted = MAX_LISTED_ERRORS + 1;
  const found: FieldError[] = [];
  const usable = schemas.usable.conforms(payload);
  if (!usable) schemas.usable.collect(payload, [], found, wanted);
  if (found.length < wanted) {
    // The documented schema finds the unusable problems again: look for that many more.
    const deviations: FieldError[] = [];
    schemas.documented.collect(payload, [], deviations, wanted + found.length, schemas.documented.firstErrorPath());
    const listed = new Set(found.map(errorKey));
    for (const deviation of deviations) {
      if (found.length >= wanted) break;
      const key = errorKey(deviation);
      if (listed.has(key)) continue;
      listed.add(key);
      found.push(deviation);
    }
  }
  if (found.length === 0) found.push({ field: '(delivery)', message: 'does not match the documented schema' });
  return {
    valid: false,
    event,
    usable,
    errors: found.slice(0, MAX_LISTED_ERRORS),
    errorCount: found.length,
    errorCountIsMinimum: found.length > MAX_LISTED_ERRORS,
  };
}

function errorKey(error: FieldError): string {
  return `${error.field}\u0000${error.message}`;
}

function eventOf(payload: unknown): string | null {
  if (!isRecord(payload)) return null;
  const event = payload.event;
  return typeof event === 'string' ? event : null;
}
