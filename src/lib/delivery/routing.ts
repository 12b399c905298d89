// Turns an authentic delivery into the message and output the callback node sends it on.
import { problem, problemCode, type Problem } from '../problem';
import { isRecord } from '../records';
import type { VerifiedBy } from './authentication';
import { isJsonContentType, parseJsonBody, type ParsedBody } from './request-body';
import { artifactUrls, type ArtifactName } from '../artifacts/names';
import { checkDelivery, type FieldError } from './validation';


/** How a delivery was known to be authentic: as the authenticator says, or rebuilt from the API (catch-up). */
export type DeliverySource = VerifiedBy | 'api';
export const DELIVERY_SOURCES: readonly DeliverySource[] = ['svix', 'secret', 'none', 'api'];

/** Output ports of the callback node, in the order the editor shows them. */
export const OUTPUT = { completed: 0, failed: 1, other: 2, invalid: 3 } as const;
export type OutputIndex = (typeof OUTPUT)[keyof typeof OUTPUT];

/**
 * Deeper JSON is refused unparsed. Node-RED's message clone (one per extra wire) and the debug
 * sidebar walk a message recursively, and a 100,000-deep array makes them throw; a real delivery
 * is a handful of levels deep, `extra` included.
 */
export const MAX_JSON_DEPTH = 64;

export type InvalidReason = 'schema' | 'too-deep' | 'not-json' | 'unsupported-media-type';

/** `msg.meetingbaas.invalid`: why a delivery went to output 4. */
export interface InvalidInfo {
  reason: InvalidReason;
  /** `false`: the flow cannot use it; `true`: only the `strict` option sent it here. */
  usable: boolean;
  /** At most MAX_LISTED_ERRORS, the problems that make it unusable first. */
  errors: FieldError[];
  errorCount: number;
  /** True when checking stopped at the cap: there are at least `errorCount` problems. */
  errorCountIsMinimum: boolean;
}

/** `msg.meetingbaas`: what a flow usually needs, without digging through the payload. */
export interface DeliveryInfo {
  event: string | null;
  botId: string | null;
  deliveryId: string;
  verifiedBy: DeliverySource;
  receivedAt: string;
  /** `bot.completed` only: the artifact URLs present in the delivery. */
  artifacts?: Partial<Record<ArtifactName, string>>;
  /** Outputs 1 to 3, a usable delivery that differs from the documented schema: how, capped like `invalid.errors`. */
  deviations?: FieldError[];
  deviationCount?: number;
  deviationCountIsMinimum?: boolean;
  /** Output 4 only: why the delivery is invalid. */
  invalid?: InvalidInfo;
  /** Which callback node journaled the delivery, and as which entry: how nodes further down say the flow is done with it. */
  journal?: { node: string; entry: number };
  /** Sent again from the journal (after a restart, a redeploy or an error): the attempt, 1, 2, …; absent the first time. */
  redelivered?: number;
  /** Rebuilt from the API by the catch-up: its callback never reached this Node-RED. */
  recovered?: true;
  /** Sent again because someone asked for it (the editor's "Send again"), not by the journal itself. */
  replayed?: true;
}

// A type, not an interface: as a Node-RED message (open to any property) it is sent as it is.
export type DeliveryMessage = {
  topic: string;
  payload: unknown;
  meetingbaas: DeliveryInfo;
};

export interface RoutedDelivery {
  readonly output: OutputIndex;
  readonly message: DeliveryMessage;
}

export interface DeliveryContext {
  readonly deliveryId: string;
  readonly verifiedBy: DeliverySource;
  readonly receivedAt: Date;
}

/**
 * Why a body was refused before any schema check: `unsupported-media-type` (`contentType`),
 * `too-deep` (`depth`, the limit), and those of request-body.ts (`not-utf8`, `empty`, `not-json`).
 */
export const BODY_REFUSALS = ['unsupported-media-type', 'too-deep', 'not-utf8', 'empty', 'not-json'] as const;
export type BodyRefusal = Problem<(typeof BODY_REFUSALS)[number]>;

export interface RoutingOptions {
  /** Deliveries that deviate from the documented schema go to output 4 even when usable. */
  readonly strict?: boolean;
  /** The words of `invalid.errors[0].message` for a refused body; without it, the refusal's code. */
  readonly sayRefusal?: (refusal: BodyRefusal) => string;
}

export type DeliveryBody = ParsedBody | { readonly kind: 'too-deep'; readonly text: string };

/** The body of a delivery, nesting checked before it is parsed. */
export function readDelivery(bytes: Buffer, contentType: string | undefined): DeliveryBody {
  if (isJsonContentType(contentType) && nestingExceeds(bytes, MAX_JSON_DEPTH)) {
    return { kind: 'too-deep', text: bytes.toString('utf8') };
  }
  return parseJsonBody(bytes, contentType);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Whether arrays and objects nest deeper than `limit`, read from the bytes. The characters that
 * matter are ASCII, and UTF-8 never uses ASCII bytes inside a multi-byte character.
 */
export function nestingExceeds(bytes: Buffer, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i];
    if (byte === QUOTE) {
      i = closingQuote(bytes, i);
      if (i < 0) return false;
    } else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      depth += 1;
      if (depth > limit) return true;
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
      depth -= 1;
    }
  }
  return false;
}

/**
 * Past this many bytes a string is searched with indexOf, which runs natively: fast on a long
 * string, but a call per string costs more than a short string's bytes read in a loop.
 */
const SHORT_STRING = 64;

/** The index of the quote that ends the string opened at `open`, or -1 if none does. */
function closingQuote(bytes: Buffer, open: number): number {
  const shortEnd = Math.min(bytes.length, open + 1 + SHORT_STRING);
  for (let i = open + 1; i < shortEnd; i += 1) {
    const byte = bytes[i];
    if (byte === BACKSLASH) i += 1;
    else if (byte === QUOTE) return i;
  }
  // No unescaped quote before shortEnd; one found after it counts if an even number of backslashes precede it.
  let at = bytes.indexOf(QUOTE, shortEnd);
  while (at > 0) {
    let backslashes = 0;
    while (bytes[at - 1 - backslashes] === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return at;
    at = bytes.indexOf(QUOTE, at + 1);
  }
  return -1;
}

export function routeDelivery(body: DeliveryBody, context: DeliveryContext, options: RoutingOptions = {}): RoutedDelivery {
  const info: DeliveryInfo = {
    event: null,
    botId: null,
    deliveryId: context.deliveryId,
    verifiedBy: context.verifiedBy,
    receivedAt: context.receivedAt.toISOString(),
  };
  const say = options.sayRefusal ?? problemCode;
  const refuse = (reason: InvalidReason, refusal: BodyRefusal, text: string): RoutedDelivery => {
    info.invalid = { reason, usable: false, errors: [{ field: '(delivery)', message: say(refusal) }], errorCount: 1, errorCountIsMinimum: false };
    return { output: OUTPUT.invalid, message: { topic: 'invalid', payload: text, meetingbaas: info } };
  };
  if (body.kind === 'unsupported-media-type') {
    return refuse('unsupported-media-type', problem('unsupported-media-type', { contentType: body.contentType }), body.text);
  }
  if (body.kind === 'not-json') return refuse('not-json', body.problem, body.text);
  if (body.kind === 'too-deep') return refuse('too-deep', problem('too-deep', { depth: MAX_JSON_DEPTH }), body.text);

  const payload = body.value;
  const check = checkDelivery(payload);
  info.event = check.event;
  info.botId = botIdOf(payload);
  if (!check.valid) {
    if (!check.usable || options.strict === true) {
      info.invalid = {
        reason: 'schema',
        usable: check.usable,
        errors: [...check.errors],
        errorCount: check.errorCount,
        errorCountIsMinimum: check.errorCountIsMinimum,
      };
      return { output: OUTPUT.invalid, message: { topic: check.event ?? 'invalid', payload, meetingbaas: info } };
    }
    info.deviations = [...check.errors];
    info.deviationCount = check.errorCount;
    info.deviationCountIsMinimum = check.errorCountIsMinimum;
  }
  // A usable delivery has an event: checkDelivery finds one without it unusable.
  const event = check.event ?? 'invalid';
  const message: DeliveryMessage = { topic: event, payload, meetingbaas: info };
  if (event === 'bot.completed') {
    info.artifacts = artifactUrls(payload);
    return { output: OUTPUT.completed, message };
  }
  if (event === 'bot.failed') return { output: OUTPUT.failed, message };
  return { output: OUTPUT.other, message };
}

function dataOf(payload: unknown): { readonly [field: string]: unknown } | null {
  if (payload === null || typeof payload !== 'object' || !('data' in payload)) return null;
  return isRecord(payload.data) ? payload.data : null;
}

function botIdOf(payload: unknown): string | null {
  const botId = dataOf(payload)?.bot_id;
  return typeof botId === 'string' ? botId : null;
}
