// What a message asks of the bot node: the POST /v2/bots body (and the same body as it may be
// shown, without secrets), the bot it is about, and the fields it gives any other request.
import { isRecord } from '../../lib/records';
import type { CallbackTarget } from './callback-target';

export const RECORDING_MODES = ['audio_only', 'speaker_view', 'gallery_view'] as const;

export interface BotSettings {
  readonly meetingUrl: unknown;
  readonly botName: unknown;
  /** '' leaves the API's default (speaker_view). */
  readonly recordingMode: string;
  readonly transcription: boolean;
  readonly callback: CallbackTarget | null;
}

function record(value: unknown): { readonly [field: string]: unknown } | null {
  return isRecord(value) ? value : null;
}

/**
 * Message values win over node settings where a flow would set them per meeting
 * (`msg.payload.recording_mode`, `msg.payload.transcription_enabled`, `msg.payload.extra`);
 * `msg.options` adds any other documented option (e.g. `entry_message`, `timeout_config`).
 * The result is not trusted: the client checks it against the schema before sending.
 */
export function buildCreateRequest(msg: Record<string, unknown>, settings: BotSettings): Record<string, unknown> {
  const payload = record(msg.payload) ?? {};
  const body: Record<string, unknown> = { ...(record(msg.options) ?? {}) };
  body.bot_name = typeof settings.botName === 'string' ? settings.botName.trim() : settings.botName;
  body.meeting_url = typeof settings.meetingUrl === 'string' ? settings.meetingUrl.trim() : settings.meetingUrl;
  const mode = payload.recording_mode ?? (settings.recordingMode || undefined);
  if (mode !== undefined) body.recording_mode = mode;
  body.transcription_enabled = payload.transcription_enabled ?? settings.transcription;
  if (payload.extra !== undefined) body.extra = payload.extra;
  if (settings.callback) {
    body.callback_enabled = true;
    body.callback_config = {
      url: settings.callback.url,
      method: settings.callback.method,
      ...(settings.callback.secret ? { secret: settings.callback.secret } : {}),
    };
  }
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
  return body;
}

export const HIDDEN = '[hidden]';

/** Where a create request carries secrets: part of the body, and the field in it. */
const SECRETS: ReadonlyArray<readonly [string, string]> = [
  ['callback_config', 'secret'],
  ['transcription_config', 'api_key'],
  ['zoom_config', 'obf_token'],
];

/** The request as it may appear in a message or the log, checked or not: every secret it can carry replaced. */
export function withoutSecrets(body: { readonly [field: string]: unknown }): Record<string, unknown> {
  const shown: Record<string, unknown> = structuredClone(body);
  for (const [part, secret] of SECRETS) {
    const value = shown[part];
    if (isRecord(value) && typeof value[secret] === 'string') shown[part] = { ...value, [secret]: HIDDEN };
  }
  return shown;
}


/** The bot a message is about: `msg.payload.bot_id`, else the bot of a callback node's delivery. */
export function botIdOf(msg: Record<string, unknown>): unknown {
  const payload = record(msg.payload);
  if (payload && payload.bot_id !== undefined) return payload.bot_id;
  const data = record(payload?.data);
  if (data && data.bot_id !== undefined) return data.bot_id;
  return record(msg.meetingbaas)?.botId;
}

/** msg.payload.bot_id and nowhere else: what the actions that delete accept. */
export function explicitBotIdOf(msg: Record<string, unknown>): unknown {
  return record(msg.payload)?.bot_id;
}

/** A delivery from a callback in node (`{event, data}`): it says which bot, not what to ask. */
export function isDelivery(payload: unknown): boolean {
  const value = record(payload);
  return value !== null && typeof value.event === 'string' && record(value.data) !== null;
}

/**
 * The fields msg.payload gives a request (its query parameters or its body), without `bot_id`,
 * which goes in the path. A payload that is no object, or is a delivery, gives none.
 */
export function inputFields(msg: Record<string, unknown>): Record<string, unknown> {
  const payload = record(msg.payload);
  if (!payload || isDelivery(payload)) return {};
  const fields: Record<string, unknown> = { ...payload };
  delete fields.bot_id;
  return fields;
}
