// The shapes of what the simulator reads from requests and writes in answers and deliveries, written
// for the simulator from the Meeting BaaS v2 OpenAPI document. They are its own, not the types the
// package generates from its schemas, so that the two sides of a test do not share a reading of the
// document. They need only be right for the code here: every request is checked and every answer
// compared with the document itself at run time (./openapi).

import type { ArtifactUrls } from './artifact-links';

export type Platform = 'zoom' | 'meet' | 'teams';
export type RecordingMode = 'speaker_view' | 'gallery_view' | 'audio_only';
export type Extra = Record<string, unknown>;

/** The statuses the simulator gives its bots, of the many the document lists. */
export type BotStatusCode =
  | 'queued'
  | 'joining_call'
  | 'in_waiting_room'
  | 'in_call_not_recording'
  | 'in_call_recording'
  | 'recording_paused'
  | 'recording_resumed'
  | 'completed'
  | 'failed';

export interface CallbackConfig {
  url: string;
  method?: 'POST' | 'PUT';
  secret?: string | null;
}

/** `POST /v2/bots`, the fields the simulator reads. */
export interface CreateBotRequest {
  bot_name: string;
  meeting_url: string;
  bot_image?: string | string[] | null;
  recording_mode?: RecordingMode;
  allow_multiple_bots?: boolean;
  entry_message?: string | null;
  timeout_config?: { waiting_room_timeout?: number; no_one_joined_timeout?: number };
  extra?: Extra | null;
  transcription_enabled?: boolean;
  callback_enabled?: boolean;
  callback_config?: CallbackConfig | null;
}

/** `POST /v2/bots/{bot_id}/retry-callback`: null for the bot's own callback settings. */
export type RetryCallbackRequest = CallbackConfig | null;
export interface SendChatMessageRequest {
  message: string;
}
/** Pause and resume: an optional message posted in the meeting's chat. */
export interface RecordingRequest {
  chat_message?: string | null;
}
export interface UpdateBotConfigRequest {
  extra: Extra | null;
}
export interface ScreenshotsQuery {
  limit?: number;
  cursor?: string | null;
}
export interface DeleteDataQuery {
  delete_from_provider?: boolean;
}

export interface CreateScheduledBotRequest extends CreateBotRequest {
  join_at: string;
}
export type UpdateScheduledBotRequest = Partial<CreateScheduledBotRequest>;
export interface ScheduledBotsQuery {
  limit?: number;
  cursor?: string | null;
  bot_id?: string | null;
  scheduled_before?: string | null;
  scheduled_after?: string | null;
  status?: string | null;
  bot_name?: string | null;
  meeting_url?: string | null;
  meeting_platform?: string | null;
  extra?: string | null;
}

export type ScheduledStatus = 'scheduled' | 'cancelled' | 'completed' | 'failed';

export interface Speaker {
  name: string;
  id: number;
}

export interface TokenUse {
  recording: number;
  transcription: number;
  byok_transcription: number;
  streaming_input: number;
  streaming_output: number;
  total: number;
}

/** An item of `GET /v2/bots`. */
export interface BotListItem {
  bot_id: string;
  bot_name: string;
  meeting_url: string;
  meeting_platform: Platform;
  extra: Extra | null;
  duration: number | null;
  created_at: string;
  ended_at: string | null;
  joined_at: string | null;
  exited_at: string | null;
  status: BotStatusCode;
  error_code: string | null;
  error_message: string | null;
  tokens: TokenUse | null;
}

export interface Screenshot {
  screenshot_id: number;
  url: string;
}

/** `GET /v2/bots/{bot_id}`, with the bot's artifact links. */
export interface BotDetails extends ArtifactUrls {
  bot_id: string;
  bot_name: string;
  meeting_url: string;
  meeting_platform: Platform;
  recording_mode: RecordingMode;
  status: BotStatusCode;
  created_at: string;
  joined_at: string | null;
  exited_at: string | null;
  duration_seconds: number | null;
  participants: Speaker[];
  speakers: Speaker[];
  artifacts_deleted: boolean;
  transcription_ids: string[] | null;
  transcription_provider: string | null;
  error_code: string | null;
  error_message: string | null;
  tokens: TokenUse | null;
  extra: Extra | null;
  zoom_config: null;
}

export interface BotDetailsResponse {
  success: true;
  data: BotDetails;
}

/** An item of `GET /v2/bots/scheduled`. */
export interface ScheduledListItem {
  bot_id: string;
  bot_name: string;
  meeting_url: string;
  meeting_platform: Platform;
  join_at: string;
  status: ScheduledStatus;
  extra: Extra | null;
  created_at: string;
  updated_at: string;
}

/** `GET /v2/bots/scheduled/{bot_id}`. */
export interface ScheduledDetails extends ScheduledListItem {
  bot_image: string | null;
  recording_mode: RecordingMode;
  cancelled_at: string | null;
  allow_multiple_bots: boolean;
  entry_message: string | null;
  timeout_config: { waiting_room_timeout: number | null; no_one_joined_timeout: number | null };
  transcription_config: { enabled: true; provider: 'gladia'; custom_params: Extra | null } | null;
  streaming_config: null;
  callback_config: { enabled: true; url: string; secret: string | null; method: 'POST' | 'PUT' } | null;
  zoom_config: null;
}

/** `bot.completed`, as a per-bot callback carries it, with the bot's artifact links. */
export interface CompletedDelivery {
  event: 'bot.completed';
  data: ArtifactUrls & {
    bot_id: string;
    event_id: string | null;
    participants: Speaker[];
    speakers: Speaker[];
    duration_seconds: number;
    joined_at: string;
    exited_at: string;
    data_deleted: boolean;
    transcription_provider: string | null;
    transcription_ids: string[] | null;
    sent_at: string;
  };
  extra: Extra | null;
}

export interface FailedDelivery {
  event: 'bot.failed';
  data: { bot_id: string; event_id: string | null; error_message: string; error_code: string; sent_at: string };
  extra: Extra | null;
}

export interface StatusChangeDelivery {
  event: 'bot.status_change';
  data: {
    bot_id: string;
    event_id: string | null;
    status: { code: string; created_at: string; start_time?: number; error_message?: string };
  };
  extra: Extra | null;
}
