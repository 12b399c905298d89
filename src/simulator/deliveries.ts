// Deliveries as Meeting BaaS sends them, filled from the sample meeting so that every field is
// plausible and valid against the documented schemas (the tests check that with the package's).
import { randomUUID } from 'node:crypto';
import type { BotDetailsResponse, CompletedDelivery, FailedDelivery, StatusChangeDelivery, TokenUse } from './api-types';
import { linkFields, type ArtifactUrls } from './artifact-links';
import { meetingTimes, transcriptionIds, type MeetingScript } from './meeting';

export interface DeliveryOptions {
  /** Defaults to a new random bot id, as every real bot has its own. */
  readonly botId?: string;
  readonly sentAt?: Date;
  /** What the customer attached when creating the bot; echoed back by Meeting BaaS. */
  readonly extra?: Record<string, unknown> | null;
}

export const SAMPLE_EXTRA: Readonly<Record<string, unknown>> = {
  customer_meeting_id: 'weekly-planning-42',
  source: 'meeting-baas-simulator',
};

/** The sample meeting's bot, as the details and the list of bots show it. */
export const SAMPLE_BOT_NAME = 'Meeting BaaS simulator';
export const SAMPLE_MEETING_URL = 'https://meet.google.com/abc-defg-hij';

function common(options: DeliveryOptions): { botId: string; sentAt: Date; extra: Record<string, unknown> | null } {
  return {
    botId: options.botId ?? randomUUID(),
    sentAt: options.sentAt ?? new Date(),
    extra: options.extra === undefined ? { ...SAMPLE_EXTRA } : options.extra,
  };
}

function participantsOf(script: MeetingScript): { name: string; id: number }[] {
  return script.speakers.map((s) => ({ name: s.name, id: s.id }));
}

/**
 * `bot.completed` for an `audio_only` bot: `video` is null, as Meeting BaaS sends it in that
 * mode (the simulator has no video to serve), every other artifact is a signed URL.
 */
export function completedDelivery(
  script: MeetingScript,
  urls: ArtifactUrls,
  options: DeliveryOptions = {},
): CompletedDelivery {
  const { botId, sentAt, extra } = common(options);
  const { joinedAt, exitedAt } = meetingTimes(script, sentAt);
  return {
    event: 'bot.completed',
    data: {
      bot_id: botId,
      event_id: null,
      participants: participantsOf(script),
      speakers: participantsOf(script),
      duration_seconds: Math.ceil(script.duration),
      joined_at: joinedAt.toISOString(),
      exited_at: exitedAt.toISOString(),
      data_deleted: false,
      ...linkFields(urls),
      transcription_provider: 'gladia',
      transcription_ids: transcriptionIds(botId),
      sent_at: sentAt.toISOString(),
    },
    extra,
  };
}

/**
 * Error codes Meeting BaaS documents for `bot.failed`, with the kind of message that goes with
 * each. The messages are written for the simulator; real ones vary in wording.
 */
export const FAILURES: Readonly<Record<string, string>> = {
  BOT_NOT_ACCEPTED: 'The bot was not admitted to the meeting: nobody let it in from the waiting room.',
  TIMEOUT_WAITING_TO_START: 'The meeting did not start before the bot gave up waiting for the host.',
  CANNOT_JOIN_MEETING: 'The bot could not join the meeting: the meeting link may be wrong or the meeting locked.',
  BOT_REMOVED_TOO_EARLY: 'The bot was removed from the meeting before anything could be recorded.',
  INVALID_MEETING_URL: 'The meeting URL is not a Zoom, Google Meet or Microsoft Teams meeting link.',
  INSUFFICIENT_TOKENS: 'The account has no tokens left; buy tokens or upgrade the plan to send more bots.',
  DAILY_BOT_CAP_REACHED: 'The account reached its daily limit of bots.',
  TRANSCRIPTION_FAILED: 'The meeting was recorded but the transcription provider failed.',
  UNKNOWN_ERROR: 'The bot stopped because of an unexpected error.',
};

export const DEFAULT_FAILURE = 'BOT_NOT_ACCEPTED';

/** The simulator's message for an error code; codes it does not know get the unknown error's. */
export function failureMessage(errorCode: string): string {
  return FAILURES[errorCode] ?? FAILURES.UNKNOWN_ERROR ?? errorCode;
}

export interface FailedOptions extends DeliveryOptions {
  /** One of FAILURES' keys, or any other code: the set is open. */
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

export function failedDelivery(options: FailedOptions = {}): FailedDelivery {
  const { botId, sentAt, extra } = common(options);
  const errorCode = options.errorCode ?? DEFAULT_FAILURE;
  return {
    event: 'bot.failed',
    data: {
      bot_id: botId,
      event_id: null,
      error_message: options.errorMessage ?? failureMessage(errorCode),
      error_code: errorCode,
      sent_at: sentAt.toISOString(),
    },
    extra,
  };
}

export interface StatusOptions extends DeliveryOptions {
  /** e.g. `joining_call`, `in_waiting_room`, `in_call_recording` (the default), `call_ended`, `recording_failed`. */
  readonly code?: string;
}

/** `bot.status_change`, sent to account webhooks only. Carries the fields its status documents. */
export function statusChangeDelivery(options: StatusOptions = {}): StatusChangeDelivery {
  const { botId, sentAt, extra } = common(options);
  const code = options.code ?? 'in_call_recording';
  const status: StatusChangeDelivery['data']['status'] = { code, created_at: sentAt.toISOString() };
  if (code === 'in_call_recording') status.start_time = Math.floor(sentAt.getTime() / 1000);
  if (code === 'recording_failed') status.error_message = 'The recorder stopped: the meeting audio could not be captured.';
  return { event: 'bot.status_change', data: { bot_id: botId, event_id: null, status }, extra };
}

export type { TokenUse } from './api-types';

/** The tokens a bot that recorded and transcribed the sample meeting used. */
export function tokensOf(script: MeetingScript): TokenUse {
  const tokens = Math.round((script.duration / 3600) * 100) / 100;
  return { recording: tokens, transcription: tokens, byok_transcription: 0, streaming_input: 0, streaming_output: 0, total: tokens * 2 };
}

/** `GET /v2/bots/{bot_id}` for a bot that completed: the same meeting, with the URLs given (fresh ones). */
export function botDetailsResponse(
  script: MeetingScript,
  botId: string,
  urls: ArtifactUrls,
  now: Date = new Date(),
): BotDetailsResponse {
  const { joinedAt, exitedAt } = meetingTimes(script, now);
  return {
    success: true,
    data: {
      bot_id: botId,
      bot_name: SAMPLE_BOT_NAME,
      meeting_url: SAMPLE_MEETING_URL,
      meeting_platform: 'meet',
      recording_mode: 'audio_only',
      status: 'completed',
      created_at: new Date(joinedAt.getTime() - 30_000).toISOString(),
      joined_at: joinedAt.toISOString(),
      exited_at: exitedAt.toISOString(),
      duration_seconds: Math.ceil(script.duration),
      participants: participantsOf(script),
      speakers: participantsOf(script),
      artifacts_deleted: false,
      ...linkFields(urls),
      transcription_ids: transcriptionIds(botId),
      transcription_provider: 'gladia',
      error_code: null,
      error_message: null,
      tokens: tokensOf(script),
      extra: { ...SAMPLE_EXTRA },
      zoom_config: null,
    },
  };
}

/**
 * An authentic delivery that breaks the schema, as the documentation's own example does: the
 * placeholder `examplebot_id` is no UUID and `sent_at` is missing. The callback node sends it
 * to its "invalid" output instead of dropping it.
 */
export function invalidDelivery(script: MeetingScript, urls: ArtifactUrls, options: DeliveryOptions = {}): object {
  const delivery = completedDelivery(script, urls, options);
  const { sent_at: _dropped, ...data } = delivery.data;
  return { ...delivery, data: { ...data, bot_id: 'examplebot_id' } };
}
