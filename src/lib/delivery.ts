// Turns an authentic delivery into the message and output the callback node sends it on.
import type { VerifiedBy } from './authentication';
import type { ParsedBody } from './request-body';
import { checkDelivery, type FieldError } from './validation';

/** Output ports of the callback node, in the order the editor shows them. */
export const OUTPUT = { completed: 0, failed: 1, other: 2, invalid: 3 } as const;
export type OutputIndex = (typeof OUTPUT)[keyof typeof OUTPUT];

export const ARTIFACT_FIELDS = [
  'video',
  'audio',
  'transcription',
  'raw_transcription',
  'diarization',
  'chat_messages',
] as const;
export type ArtifactName = (typeof ARTIFACT_FIELDS)[number];

/** `msg.meetingbaas`: what a flow usually needs, without digging through the payload. */
export interface DeliveryInfo {
  event: string | null;
  botId: string | null;
  deliveryId: string;
  verifiedBy: VerifiedBy;
  receivedAt: string;
  /** `bot.completed` only: the artifact URLs present in the delivery. */
  artifacts?: Partial<Record<ArtifactName, string>>;
  /** Output 4 only: why the delivery is invalid. */
  invalid?: { reason: 'schema' | 'not-json' | 'unsupported-media-type'; errors: FieldError[] };
}

export interface DeliveryMessage {
  topic: string;
  payload: unknown;
  meetingbaas: DeliveryInfo;
}

export interface RoutedDelivery {
  readonly output: OutputIndex;
  readonly message: DeliveryMessage;
}

export interface DeliveryContext {
  readonly deliveryId: string;
  readonly verifiedBy: VerifiedBy;
  readonly receivedAt: Date;
}

export function routeDelivery(body: ParsedBody, context: DeliveryContext): RoutedDelivery {
  const info: DeliveryInfo = {
    event: null,
    botId: null,
    deliveryId: context.deliveryId,
    verifiedBy: context.verifiedBy,
    receivedAt: context.receivedAt.toISOString(),
  };
  if (body.kind === 'unsupported-media-type') {
    info.invalid = {
      reason: 'unsupported-media-type',
      errors: [{ field: '(delivery)', message: `Content-Type must be application/json, not "${body.contentType}"` }],
    };
    return { output: OUTPUT.invalid, message: { topic: 'invalid', payload: body.text, meetingbaas: info } };
  }
  if (body.kind === 'not-json') {
    info.invalid = { reason: 'not-json', errors: [{ field: '(delivery)', message: body.problem }] };
    return { output: OUTPUT.invalid, message: { topic: 'invalid', payload: body.text, meetingbaas: info } };
  }

  const payload = body.value;
  const check = checkDelivery(payload);
  info.event = check.event;
  info.botId = botIdOf(payload);
  if (!check.valid) {
    info.invalid = { reason: 'schema', errors: [...check.errors] };
    return { output: OUTPUT.invalid, message: { topic: check.event ?? 'invalid', payload, meetingbaas: info } };
  }
  const message: DeliveryMessage = { topic: check.event, payload, meetingbaas: info };
  if (check.event === 'bot.completed') {
    info.artifacts = artifactUrls(payload);
    return { output: OUTPUT.completed, message };
  }
  if (check.event === 'bot.failed') return { output: OUTPUT.failed, message };
  return { output: OUTPUT.other, message };
}

function dataOf(payload: unknown): Record<string, unknown> | null {
  if (payload === null || typeof payload !== 'object') return null;
  const data = (payload as { data?: unknown }).data;
  return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : null;
}

function botIdOf(payload: unknown): string | null {
  const botId = dataOf(payload)?.bot_id;
  return typeof botId === 'string' ? botId : null;
}

/** The artifact URLs of a `bot.completed` delivery, `mp4` read as `video`. */
export function artifactUrls(payload: unknown): Partial<Record<ArtifactName, string>> {
  const data = dataOf(payload) ?? {};
  const urls: Partial<Record<ArtifactName, string>> = {};
  for (const name of ARTIFACT_FIELDS) {
    const value = name === 'video' ? (data.video ?? data.mp4) : data[name];
    if (typeof value === 'string' && value !== '') urls[name] = value;
  }
  return urls;
}
