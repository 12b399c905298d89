// Generated from schemas/meetingbaas-v2.json (Meeting BaaS API v2 OpenAPI 3.1.0 document (info.version 2.0.0), components.schemas, JSON Schema 2020-12) by scripts/payload-types.mjs. Do not edit.

export type CallbackCompleted = (
  | {
      [k: string]: unknown | undefined;
    }
  | {
      data?: {
        [k: string]: unknown | undefined;
      };
      [k: string]: unknown | undefined;
    }
) & {
  /**
   * The webhook event type
   */
  event: "bot.completed";
  data: {
    [k: string]: unknown | undefined;
  } & {
    /**
     * The UUID of the bot that completed
     */
    bot_id: string;
    /**
     * The UUID of the calendar event associated with this bot. Null for non-calendar bots
     */
    event_id: string | null;
    /**
     * List of participants who joined the meeting with their names and metadata. Empty array if participant information is not available
     */
    participants: {
      /**
       * Participant's name (full name or display name)
       */
      name: string;
      /**
       * Sequential participant ID (1, 2, 3...). Null if not available
       */
      id: number | null;
      /**
       * Display name shown in UI (if different from name)
       */
      display_name?: string;
      /**
       * Profile picture URL (if available)
       */
      profile_picture?: string;
      [k: string]: unknown | undefined;
    }[];
    /**
     * List of speakers detected in the meeting with their names and metadata. Empty array if speaker information is not available
     */
    speakers: {
      /**
       * Participant's name (full name or display name)
       */
      name: string;
      /**
       * Sequential participant ID (1, 2, 3...). Null if not available
       */
      id: number | null;
      /**
       * Display name shown in UI (if different from name)
       */
      display_name?: string;
      /**
       * Profile picture URL (if available)
       */
      profile_picture?: string;
      [k: string]: unknown | undefined;
    }[];
    duration_seconds: number | null;
    /**
     * ISO 8601 timestamp when the bot joined the meeting. Null if join time is not available
     */
    joined_at: string | null;
    /**
     * ISO 8601 timestamp when the bot exited the meeting. Null if exit time is not available
     */
    exited_at: string | null;
    /**
     * Whether the bot's data (artifacts, recordings) has been deleted. True if data has been permanently removed
     */
    data_deleted: boolean;
    /**
     * Signed URL to download the video recording. Valid for 4 hours. Null if video recording is not available or has been deleted
     */
    video?: string | null;
    /**
     * Signed URL to download the audio recording. Valid for 4 hours. Null if audio recording is not available or has been deleted
     */
    audio: string | null;
    /**
     * Signed URL to download the speaker diarization data. Valid for 4 hours. Null if diarization is not available or has been deleted
     */
    diarization: string | null;
    /**
     * Signed URL to download the raw transcription file. Valid for 4 hours. Null if raw transcription is not available or has been deleted
     */
    raw_transcription: string | null;
    /**
     * Signed URL to download the processed transcription file. Valid for 4 hours. Null if transcription is not available or has been deleted
     */
    transcription: string | null;
    /**
     * The transcription provider used (e.g., 'gladia'). Null if transcription was not enabled or if provider information is not available
     */
    transcription_provider: string | null;
    /**
     * Array of transcription job IDs from the transcription provider. Null if transcription was not enabled or if IDs are not available
     */
    transcription_ids: string[] | null;
    /**
     * ISO 8601 timestamp when this webhook was sent
     */
    sent_at: string;
    /**
     * Older name of `video` used in some guides
     */
    mp4?: string | null;
    /**
     * Signed URL of the chat messages (JSON), shown in some guides
     */
    chat_messages?: string | null;
    [k: string]: unknown | undefined;
  };
  /**
   * Additional metadata provided when creating the bot. This is user-defined data that can be used for correlation or tracking
   */
  extra?: {
    [k: string]: unknown | undefined;
  } | null;
  [k: string]: unknown | undefined;
};

export type CallbackFailed = (
  | {
      [k: string]: unknown | undefined;
    }
  | {
      data?: {
        [k: string]: unknown | undefined;
      };
      [k: string]: unknown | undefined;
    }
) & {
  /**
   * The webhook event type
   */
  event: "bot.failed";
  data: {
    /**
     * The UUID of the bot that failed
     */
    bot_id: string;
    /**
     * The UUID of the calendar event associated with this bot. Null for non-calendar bots
     */
    event_id: string | null;
    /**
     * Human-readable error message describing why the bot failed
     */
    error_message: string;
    /**
     * Machine-readable error code for programmatic handling. Common codes include 'MEETING_NOT_FOUND', 'MEETING_ENDED', 'BOT_CRASHED', etc.
     */
    error_code: string;
    /**
     * ISO 8601 timestamp when this webhook was sent
     */
    sent_at: string;
    [k: string]: unknown | undefined;
  };
  /**
   * Additional metadata provided when creating the bot. This is user-defined data that can be used for correlation or tracking
   */
  extra?: {
    [k: string]: unknown | undefined;
  } | null;
  [k: string]: unknown | undefined;
};

export type BotWebhookStatusChange = (
  | {
      [k: string]: unknown | undefined;
    }
  | {
      data?: {
        [k: string]: unknown | undefined;
      };
      [k: string]: unknown | undefined;
    }
) & {
  /**
   * The webhook event type
   */
  event: "bot.status_change";
  data: {
    /**
     * The UUID of the bot that changed status
     */
    bot_id: string;
    /**
     * The UUID of the calendar event associated with this bot. Null for non-calendar bots
     */
    event_id: string | null;
    /**
     * Status information with code, timestamp, and optional status-specific fields
     */
    status: {
      /**
       * The status code (e.g., 'transcribing', 'recording', 'processing')
       */
      code: string;
      /**
       * ISO 8601 timestamp when this status change occurred
       */
      created_at: string;
      /**
       * Unix timestamp (seconds) when recording started. Only present for 'in_call_recording' status
       */
      start_time?: number;
      /**
       * Error message describing what went wrong. Only present for 'recording_failed' status
       */
      error_message?: string;
      [k: string]: unknown | undefined;
    };
    [k: string]: unknown | undefined;
  };
  /**
   * Additional metadata provided when creating the bot. This is user-defined data that can be used for correlation or tracking
   */
  extra?: {
    [k: string]: unknown | undefined;
  } | null;
  [k: string]: unknown | undefined;
};

export type BotWebhookChatMessage = (
  | {
      [k: string]: unknown | undefined;
    }
  | {
      data?: {
        [k: string]: unknown | undefined;
      };
      [k: string]: unknown | undefined;
    }
) & {
  /**
   * The webhook event type
   */
  event: "bot.chat_message";
  data: {
    /**
     * The UUID of the bot that received the chat message
     */
    bot_id: string;
    /**
     * The UUID of the calendar event associated with this bot. Null for non-calendar bots
     */
    event_id: string | null;
    /**
     * Unique identifier of the chat message
     */
    message_id: string;
    /**
     * Display name of the message sender
     */
    sender_name: string;
    /**
     * Sequential participant ID of the sender. Null if the sender could not be resolved to a participant
     */
    sender_id: number | null;
    /**
     * Text content of the chat message
     */
    text: string;
    /**
     * ISO 8601 timestamp when this webhook was sent
     */
    sent_at: string;
    [k: string]: unknown | undefined;
  };
  /**
   * Additional metadata provided when creating the bot. This is user-defined data that can be used for correlation or tracking
   */
  extra?: {
    [k: string]: unknown | undefined;
  } | null;
  [k: string]: unknown | undefined;
};

export interface CalendarWebhookConnectionCreated {
  /**
   * The webhook event type
   */
  event: "calendar.connection_created";
  data: {
    /**
     * The UUID of the newly created calendar connection
     */
    calendar_id: string;
    /**
     * The calendar platform. Either 'google' for Google Calendar or 'microsoft' for Microsoft Outlook/365
     */
    calendar_platform: "google" | "microsoft";
    /**
     * The email address associated with the calendar account
     */
    account_email: string;
    /**
     * The current status of the calendar connection. Possible values: 'active' (connection is working), 'error' (connection has errors), 'revoked' (OAuth access was revoked), 'permission_denied' (insufficient permissions)
     */
    status: "active" | "error" | "revoked" | "permission_denied";
    /**
     * ISO 8601 timestamp when the calendar connection was created
     */
    created_at: string;
    [k: string]: unknown | undefined;
  };
  [k: string]: unknown | undefined;
}

export interface CalendarWebhookConnectionUpdated {
  /**
   * The webhook event type
   */
  event: "calendar.connection_updated";
  data: {
    /**
     * The UUID of the updated calendar connection
     */
    calendar_id: string;
    /**
     * The calendar platform. Either 'google' for Google Calendar or 'microsoft' for Microsoft Outlook/365
     */
    calendar_platform: "google" | "microsoft";
    /**
     * The email address associated with the calendar account
     */
    account_email: string;
    /**
     * The current status of the calendar connection after the update. Possible values: 'active' (connection is working), 'error' (connection has errors), 'revoked' (OAuth access was revoked), 'permission_denied' (insufficient permissions)
     */
    status: "active" | "error" | "revoked" | "permission_denied";
    /**
     * ISO 8601 timestamp when the calendar connection was originally created
     */
    created_at: string;
    /**
     * ISO 8601 timestamp when the calendar connection was updated
     */
    updated_at: string;
    [k: string]: unknown | undefined;
  };
  [k: string]: unknown | undefined;
}

export interface CalendarWebhookConnectionDeleted {
  /**
   * The webhook event type
   */
  event: "calendar.connection_deleted";
  data: {
    /**
     * The UUID of the deleted calendar connection
     */
    calendar_id: string;
    /**
     * The calendar platform. Either 'google' for Google Calendar or 'microsoft' for Microsoft Outlook/365
     */
    calendar_platform: "google" | "microsoft";
    /**
     * ISO 8601 timestamp when the calendar connection was deleted
     */
    deleted_at: string;
    [k: string]: unknown | undefined;
  };
  [k: string]: unknown | undefined;
}

export interface CalendarWebhookEventsSynced {
  /**
   * The webhook event type
   */
  event: "calendar.events_synced";
  data: {
    /**
     * The UUID of the calendar connection that was synced
     */
    calendar_id: string;
    /**
     * Array of event series that were synced. Each series contains its event instances
     */
    events: {
      /**
       * The type of event. 'one_off' for single events, 'recurring' for events that are part of a recurring series
       */
      event_type: "one_off" | "recurring";
      /**
       * The UUID of the event series. Null only in rare cases where the series relationship could not be established
       */
      series_id: string | null;
      /**
       * Whether a bot has been scheduled for all occurrences of this series. True if a calendar bot schedule exists for the entire series
       */
      series_bot_scheduled: boolean;
      /**
       * Array of event instances that were synced. For one-off events, this contains a single instance. For recurring events, this contains all instances that were synced
       */
      instances: {
        /**
         * The UUID of the event instance
         */
        event_id: string;
        /**
         * ISO 8601 timestamp when the event starts
         */
        start: string;
        /**
         * ISO 8601 timestamp when the event ends
         */
        end: string;
        /**
         * The title of the event
         */
        title: string;
        /**
         * The status of the event. Possible values: 'confirmed' (event is confirmed), 'cancelled' (event has been cancelled), 'tentative' (event is tentative)
         */
        status: "confirmed" | "cancelled" | "tentative";
        /**
         * Whether this is an all-day event. True if the event spans entire days without specific start/end times
         */
        is_all_day: boolean;
        /**
         * Whether this is an exception to a recurring series. True if this instance has been modified differently from the recurring pattern
         */
        is_exception: boolean;
        /**
         * Whether a bot has been scheduled for this event instance. True if a calendar bot schedule exists for this event
         */
        bot_scheduled: boolean;
        /**
         * The meeting URL extracted from the event. Null if the calendar platform did not include a meeting link in the event
         */
        meeting_url: string | null;
        /**
         * The meeting platform detected from the meeting URL. Null if no meeting link was found in the event. Possible values: 'zoom', 'meet', or 'teams'
         */
        meeting_platform: ("zoom" | "meet" | "teams") | null;
        [k: string]: unknown | undefined;
      }[];
      [k: string]: unknown | undefined;
    }[];
    [k: string]: unknown | undefined;
  };
  [k: string]: unknown | undefined;
}

export interface CalendarWebhookEventCreated {
  /**
   * The webhook event type
   */
  event: "calendar.event_created";
  data: {
    /**
     * The UUID of the calendar connection where the event was created
     */
    calendar_id: string;
    /**
     * The type of event. 'one_off' for single events, 'recurring' for events that are part of a recurring series
     */
    event_type: "one_off" | "recurring";
    /**
     * The UUID of the event series. Null only in rare cases where the series relationship could not be established
     */
    series_id: string | null;
    /**
     * Whether a bot has been scheduled for all occurrences of this series. True if a calendar bot schedule exists for the entire series
     */
    series_bot_scheduled: boolean;
    /**
     * Array of event instances that were created. For one-off events, this contains a single instance. For recurring events, this contains all instances that were created
     */
    instances: {
      /**
       * The UUID of the event instance
       */
      event_id: string;
      /**
       * ISO 8601 timestamp when the event starts
       */
      start: string;
      /**
       * ISO 8601 timestamp when the event ends
       */
      end: string;
      /**
       * The title of the event
       */
      title: string;
      /**
       * The status of the event. Possible values: 'confirmed' (event is confirmed), 'cancelled' (event has been cancelled), 'tentative' (event is tentative)
       */
      status: "confirmed" | "cancelled" | "tentative";
      /**
       * Whether this is an all-day event. True if the event spans entire days without specific start/end times
       */
      is_all_day: boolean;
      /**
       * Whether this is an exception to a recurring series. True if this instance has been modified differently from the recurring pattern
       */
      is_exception: boolean;
      /**
       * Whether a bot has been scheduled for this event instance. True if a calendar bot schedule exists for this event
       */
      bot_scheduled: boolean;
      /**
       * The meeting URL extracted from the event. Null if the calendar platform did not include a meeting link in the event
       */
      meeting_url: string | null;
      /**
       * The meeting platform detected from the meeting URL. Null if no meeting link was found in the event. Possible values: 'zoom', 'meet', or 'teams'
       */
      meeting_platform: ("zoom" | "meet" | "teams") | null;
      [k: string]: unknown | undefined;
    }[];
    [k: string]: unknown | undefined;
  };
  [k: string]: unknown | undefined;
}

export interface CalendarWebhookEventUpdated {
  /**
   * The webhook event type
   */
  event: "calendar.event_updated";
  data: {
    /**
     * The UUID of the calendar connection where the event was updated
     */
    calendar_id: string;
    /**
     * The type of event. 'one_off' for single events, 'recurring' for events that are part of a recurring series
     */
    event_type: "one_off" | "recurring";
    /**
     * The UUID of the event series. Null only in rare cases where the series relationship could not be established
     */
    series_id: string | null;
    /**
     * Whether a bot has been scheduled for all occurrences of this series. True if a calendar bot schedule exists for the entire series
     */
    series_bot_scheduled: boolean;
    /**
     * Whether the updated instance is an exception to a recurring series. True if this instance has been modified differently from the recurring pattern
     */
    is_exception: boolean;
    /**
     * Array of event instances that were affected by the update. This includes the instance that was directly updated and any related instances
     */
    affected_instances: {
      /**
       * The UUID of the event instance
       */
      event_id: string;
      /**
       * ISO 8601 timestamp when the event starts
       */
      start: string;
      /**
       * ISO 8601 timestamp when the event ends
       */
      end: string;
      /**
       * The title of the event
       */
      title: string;
      /**
       * The status of the event. Possible values: 'confirmed' (event is confirmed), 'cancelled' (event has been cancelled), 'tentative' (event is tentative)
       */
      status: "confirmed" | "cancelled" | "tentative";
      /**
       * Whether this is an all-day event. True if the event spans entire days without specific start/end times
       */
      is_all_day: boolean;
      /**
       * Whether this is an exception to a recurring series. True if this instance has been modified differently from the recurring pattern
       */
      is_exception: boolean;
      /**
       * Whether a bot has been scheduled for this event instance. True if a calendar bot schedule exists for this event
       */
      bot_scheduled: boolean;
      /**
       * The meeting URL extracted from the event. Null if the calendar platform did not include a meeting link in the event
       */
      meeting_url: string | null;
      /**
       * The meeting platform detected from the meeting URL. Null if no meeting link was found in the event. Possible values: 'zoom', 'meet', or 'teams'
       */
      meeting_platform: ("zoom" | "meet" | "teams") | null;
      [k: string]: unknown | undefined;
    }[];
    [k: string]: unknown | undefined;
  };
  [k: string]: unknown | undefined;
}

export interface CalendarWebhookEventCancelled {
  /**
   * The webhook event type
   */
  event: "calendar.event_cancelled";
  data: {
    /**
     * The UUID of the calendar connection where the event was cancelled
     */
    calendar_id: string;
    /**
     * The type of event. 'one_off' for single events, 'recurring' for events that are part of a recurring series
     */
    event_type: "one_off" | "recurring";
    /**
     * The UUID of the event series. Null only in rare cases where the series relationship could not be established
     */
    series_id: string | null;
    /**
     * Array of event instances that were cancelled. For one-off events, this contains a single instance. For recurring events, this contains all instances that were cancelled
     */
    cancelled_instances: {
      /**
       * The UUID of the event instance
       */
      event_id: string;
      /**
       * ISO 8601 timestamp when the event starts
       */
      start: string;
      /**
       * ISO 8601 timestamp when the event ends
       */
      end: string;
      /**
       * The title of the event
       */
      title: string;
      /**
       * The status of the event. Possible values: 'confirmed' (event is confirmed), 'cancelled' (event has been cancelled), 'tentative' (event is tentative)
       */
      status: "confirmed" | "cancelled" | "tentative";
      /**
       * Whether this is an all-day event. True if the event spans entire days without specific start/end times
       */
      is_all_day: boolean;
      /**
       * Whether this is an exception to a recurring series. True if this instance has been modified differently from the recurring pattern
       */
      is_exception: boolean;
      /**
       * Whether a bot has been scheduled for this event instance. True if a calendar bot schedule exists for this event
       */
      bot_scheduled: boolean;
      /**
       * The meeting URL extracted from the event. Null if the calendar platform did not include a meeting link in the event
       */
      meeting_url: string | null;
      /**
       * The meeting platform detected from the meeting URL. Null if no meeting link was found in the event. Possible values: 'zoom', 'meet', or 'teams'
       */
      meeting_platform: ("zoom" | "meet" | "teams") | null;
      [k: string]: unknown | undefined;
    }[];
    [k: string]: unknown | undefined;
  };
  [k: string]: unknown | undefined;
}

export interface ErrorResponse {
  success: false;
  /**
   * Human-readable error message
   */
  error: string;
  /**
   * Error code for programmatic handling
   */
  code: string;
  /**
   * HTTP status code
   */
  statusCode: number;
  /**
   * Human-readable error message
   */
  message?: string | null;
  /**
   * Additional error details (string or null)
   */
  details?: string | null;
  [k: string]: unknown | undefined;
}

export interface ValidationErrorResponse {
  success: false;
  /**
   * Error name
   */
  error: string;
  /**
   * Error code for programmatic handling
   */
  code: string;
  /**
   * HTTP status code
   */
  statusCode: number;
  /**
   * Human-readable error message
   */
  message?: string | null;
  [k: string]: unknown | undefined;
}

export interface CreateBotResponse {
  success: true;
  data: {
    /**
     * The UUID of the created bot
     */
    bot_id: string;
    [k: string]: unknown | undefined;
  };
  [k: string]: unknown | undefined;
}

export type ListBotsResponse = {
  [k: string]: unknown | undefined;
} & {
  success: true;
  data: {
    /**
     * The UUID of the bot
     */
    bot_id: string;
    /**
     * The name of the bot
     */
    bot_name: string;
    /**
     * The URL of the meeting
     */
    meeting_url: string;
    /**
     * The platform of the meeting (zoom, meet, or teams)
     */
    meeting_platform: "zoom" | "meet" | "teams";
    /**
     * Custom metadata associated with the bot
     */
    extra: {
      [k: string]: unknown | undefined;
    } | null;
    /**
     * Duration of the meeting in seconds (null if meeting hasn't ended)
     */
    duration: number | null;
    /**
     * ISO 8601 timestamp when the bot was created
     */
    created_at: string;
    /**
     * ISO 8601 timestamp when the bot ended (null if still active)
     */
    ended_at: string | null;
    /**
     * ISO 8601 timestamp when the bot joined the meeting (null if not joined yet)
     */
    joined_at: string | null;
    /**
     * ISO 8601 timestamp when the bot exited the meeting (null if not exited yet)
     */
    exited_at: string | null;
    /**
     * The current status of the bot
     */
    status:
      | "queued"
      | "pickup_delayed"
      | "transcribing"
      | "completed"
      | "failed"
      | "joining_call"
      | "in_waiting_room"
      | "in_waiting_for_host"
      | "in_call_not_recording"
      | "in_call_recording"
      | "recording_paused"
      | "recording_resumed"
      | "call_ended"
      | "recording_succeeded"
      | "recording_failed"
      | "api_request_stop"
      | "bot_rejected"
      | "bot_removed"
      | "bot_removed_too_early"
      | "waiting_room_timeout"
      | "invalid_meeting_url"
      | "meeting_error";
    /**
     * Error code if the bot failed (null if no error)
     */
    error_code: string | null;
    /**
     * Human-readable error message if the bot failed (null if no error)
     */
    error_message: string | null;
    /**
     * Token consumption breakdown (null if not yet consumed)
     */
    tokens: {
      /**
       * Recording tokens consumed
       */
      recording: number;
      /**
       * Transcription tokens consumed
       */
      transcription: number;
      /**
       * BYOK transcription tokens consumed
       */
      byok_transcription: number;
      /**
       * Streaming input tokens consumed
       */
      streaming_input: number;
      /**
       * Streaming output tokens consumed
       */
      streaming_output: number;
      /**
       * Total tokens consumed
       */
      total: number;
      [k: string]: unknown | undefined;
    } | null;
    [k: string]: unknown | undefined;
  }[];
  /**
   * Cursor for the next page (null if no more pages)
   */
  cursor?: string | null;
  /**
   * Cursor for the previous page (null if on first page)
   */
  prev_cursor: string | null;
  /**
   * Cursor for the next page (null if no more pages); the name the operation description uses
   */
  next_cursor?: string | null;
  [k: string]: unknown | undefined;
};

export interface GetBotStatusResponse {
  success: true;
  data: {
    /**
     * The UUID of the bot
     */
    bot_id: string;
    /**
     * The current status of the bot
     */
    status:
      | "queued"
      | "pickup_delayed"
      | "transcribing"
      | "completed"
      | "failed"
      | "joining_call"
      | "in_waiting_room"
      | "in_waiting_for_host"
      | "in_call_not_recording"
      | "in_call_recording"
      | "recording_paused"
      | "recording_resumed"
      | "call_ended"
      | "recording_succeeded"
      | "recording_failed"
      | "api_request_stop"
      | "bot_rejected"
      | "bot_removed"
      | "bot_removed_too_early"
      | "waiting_room_timeout"
      | "invalid_meeting_url"
      | "meeting_error";
    /**
     * The current transcription status
     */
    transcription_status: "queued" | "processing" | "done" | "error" | "not-applicable" | "not-started";
    /**
     * ISO 8601 timestamp when the status was last updated
     */
    updated_at: string;
    [k: string]: unknown | undefined;
  };
  [k: string]: unknown | undefined;
}

export interface GetBotDetailsResponse {
  success: true;
  data: {
    /**
     * The UUID of the bot
     */
    bot_id: string;
    /**
     * The name of the bot
     */
    bot_name: string;
    /**
     * The URL of the meeting
     */
    meeting_url: string;
    /**
     * The platform of the meeting
     */
    meeting_platform: "zoom" | "meet" | "teams";
    /**
     * The recording mode used by the bot
     */
    recording_mode: "audio_only" | "speaker_view" | "gallery_view";
    /**
     * The current status of the bot
     */
    status:
      | "queued"
      | "pickup_delayed"
      | "transcribing"
      | "completed"
      | "failed"
      | "joining_call"
      | "in_waiting_room"
      | "in_waiting_for_host"
      | "in_call_not_recording"
      | "in_call_recording"
      | "recording_paused"
      | "recording_resumed"
      | "call_ended"
      | "recording_succeeded"
      | "recording_failed"
      | "api_request_stop"
      | "bot_rejected"
      | "bot_removed"
      | "bot_removed_too_early"
      | "waiting_room_timeout"
      | "invalid_meeting_url"
      | "meeting_error";
    /**
     * ISO 8601 timestamp when the bot was created
     */
    created_at: string;
    /**
     * ISO 8601 timestamp when the bot joined the meeting (null if not joined yet)
     */
    joined_at: string | null;
    /**
     * ISO 8601 timestamp when the bot exited the meeting (null if not exited yet)
     */
    exited_at: string | null;
    /**
     * Duration of the meeting in seconds (null if meeting hasn't ended)
     */
    duration_seconds: number | null;
    /**
     * List of participants who joined the meeting with their names and metadata
     */
    participants: {
      /**
       * Participant's name (full name or display name)
       */
      name: string;
      /**
       * Sequential participant ID (1, 2, 3...). Null if not available
       */
      id: number | null;
      /**
       * Display name shown in UI (if different from name)
       */
      display_name?: string;
      /**
       * Profile picture URL (if available)
       */
      profile_picture?: string;
      [k: string]: unknown | undefined;
    }[];
    /**
     * List of speakers identified in the meeting with their names and metadata
     */
    speakers: {
      /**
       * Participant's name (full name or display name)
       */
      name: string;
      /**
       * Sequential participant ID (1, 2, 3...). Null if not available
       */
      id: number | null;
      /**
       * Display name shown in UI (if different from name)
       */
      display_name?: string;
      /**
       * Profile picture URL (if available)
       */
      profile_picture?: string;
      [k: string]: unknown | undefined;
    }[];
    /**
     * Whether the artifacts have been deleted
     */
    artifacts_deleted: boolean;
    /**
     * Signed URL to the video recording (valid for 4 hours, null if not available)
     */
    video: string | null;
    /**
     * Signed URL to the audio recording (valid for 4 hours, null if not available)
     */
    audio: string | null;
    /**
     * Signed URL to the diarization file (valid for 4 hours, null if not available)
     */
    diarization: string | null;
    /**
     * Signed URL to the raw transcription file (valid for 4 hours, null if not available)
     */
    raw_transcription: string | null;
    /**
     * Signed URL to the transcription file (valid for 4 hours, null if not available)
     */
    transcription: string | null;
    /**
     * Signed URL to the chat messages JSON file (valid for 4 hours, null if not available)
     */
    chat_messages: string | null;
    /**
     * Array of transcription job IDs from the transcription provider
     */
    transcription_ids: string[] | null;
    /**
     * The transcription provider used (null if transcription is disabled or provider is 'none')
     */
    transcription_provider: "gladia" | null;
    /**
     * Error code if the bot failed (null if no error)
     */
    error_code: string | null;
    /**
     * Human-readable error message if the bot failed (null if no error)
     */
    error_message: string | null;
    /**
     * Token consumption breakdown (null if not yet consumed)
     */
    tokens: {
      /**
       * Recording tokens consumed
       */
      recording: number;
      /**
       * Transcription tokens consumed
       */
      transcription: number;
      /**
       * BYOK transcription tokens consumed
       */
      byok_transcription: number;
      /**
       * Streaming input tokens consumed
       */
      streaming_input: number;
      /**
       * Streaming output tokens consumed
       */
      streaming_output: number;
      /**
       * Total tokens consumed
       */
      total: number;
      [k: string]: unknown | undefined;
    } | null;
    /**
     * Custom metadata associated with the bot
     */
    extra: {
      [k: string]: unknown | undefined;
    } | null;
    /**
     * Zoom configuration for this bot (null if not a Zoom bot or no zoom config provided)
     */
    zoom_config: {
      /**
       * UUID of the stored Zoom credential
       */
      credential_id?: string | null;
      /**
       * Zoom user ID used to look up the credential
       */
      credential_user_id?: string | null;
      /**
       * URL that returns an OBF token at join time
       */
      obf_token_url?: string | null;
      /**
       * URL that returns a ZAK token at join time
       */
      zak_token_url?: string | null;
      [k: string]: unknown | undefined;
    } | null;
    [k: string]: unknown | undefined;
  };
  [k: string]: unknown | undefined;
}

export interface GetBotScreenshotsResponse {
  success: true;
  data: {
    /**
     * The index of the screenshot (1-based)
     */
    screenshot_id: number;
    /**
     * Signed URL to the screenshot (valid for 4 hours)
     */
    url: string;
    [k: string]: unknown | undefined;
  }[];
  /**
   * Cursor for the next page (null if no more pages)
   */
  cursor: string | null;
  /**
   * Cursor for the previous page (null if on first page)
   */
  prev_cursor: string | null;
  [k: string]: unknown | undefined;
}

export interface SendChatMessageResponse {
  success: true;
  data: {
    /**
     * Success message
     */
    message: string;
    [k: string]: unknown | undefined;
  };
  [k: string]: unknown | undefined;
}

export interface PauseBotRecordingResponse {
  success: true;
  data: {
    /**
     * Success message
     */
    message: string;
    [k: string]: unknown | undefined;
  };
  [k: string]: unknown | undefined;
}

export interface ResumeBotRecordingResponse {
  success: true;
  data: {
    /**
     * Success message
     */
    message: string;
    [k: string]: unknown | undefined;
  };
  [k: string]: unknown | undefined;
}

export interface UpdateBotConfigResponse {
  success: true;
  data: {
    /**
     * Success message
     */
    message: string;
    [k: string]: unknown | undefined;
  };
  [k: string]: unknown | undefined;
}

export interface LeaveBotResponse {
  success: true;
  data: {
    /**
     * Success message
     */
    message: string;
    [k: string]: unknown | undefined;
  };
  [k: string]: unknown | undefined;
}

export interface RetryCallbackResponse {
  success: true;
  data: {
    /**
     * Success message
     */
    message: string;
    [k: string]: unknown | undefined;
  };
  [k: string]: unknown | undefined;
}

export interface ResendFinalWebhookResponse {
  success: true;
  data: {
    /**
     * Success message
     */
    message: string;
    [k: string]: unknown | undefined;
  };
  [k: string]: unknown | undefined;
}

export interface DeleteBotDataResponse {
  success: true;
  data: {
    /**
     * Success message
     */
    message: string;
    [k: string]: unknown | undefined;
  };
  [k: string]: unknown | undefined;
}

export interface CreateScheduledBotResponse {
  success: true;
  data: {
    /**
     * The UUID of the created scheduled bot
     */
    bot_id: string;
    [k: string]: unknown | undefined;
  };
  [k: string]: unknown | undefined;
}

export interface ListScheduledBotsResponse {
  success: true;
  data: {
    /**
     * The UUID of the scheduled bot
     */
    bot_id: string;
    /**
     * The name of the scheduled bot
     */
    bot_name: string;
    /**
     * The URL of the meeting
     */
    meeting_url: string;
    /**
     * The platform of the meeting
     */
    meeting_platform: "zoom" | "meet" | "teams";
    /**
     * ISO 8601 timestamp when the bot should join the meeting
     */
    join_at: string;
    /**
     * The current status of the scheduled bot
     */
    status: "scheduled" | "cancelled" | "completed" | "failed";
    /**
     * Custom metadata associated with the scheduled bot
     */
    extra: {
      [k: string]: unknown | undefined;
    } | null;
    /**
     * ISO 8601 timestamp when the scheduled bot was created
     */
    created_at: string;
    /**
     * ISO 8601 timestamp when the scheduled bot was last updated
     */
    updated_at: string;
    [k: string]: unknown | undefined;
  }[];
  /**
   * Cursor for the next page (null if no more pages)
   */
  cursor: string | null;
  /**
   * Cursor for the previous page (null if on first page)
   */
  prev_cursor: string | null;
  [k: string]: unknown | undefined;
}

export interface GetScheduledBotResponse {
  success: true;
  data: {
    /**
     * The UUID of the scheduled bot
     */
    bot_id: string;
    /**
     * The name of the scheduled bot
     */
    bot_name: string;
    /**
     * The image URL for the bot (null if not set)
     */
    bot_image: string | null;
    /**
     * The URL of the meeting
     */
    meeting_url: string;
    /**
     * The platform of the meeting
     */
    meeting_platform: "zoom" | "meet" | "teams";
    /**
     * The recording mode for the bot
     */
    recording_mode: "audio_only" | "speaker_view" | "gallery_view";
    /**
     * ISO 8601 timestamp when the bot should join the meeting
     */
    join_at: string;
    /**
     * The current status of the scheduled bot
     */
    status: "scheduled" | "cancelled" | "completed" | "failed";
    /**
     * ISO 8601 timestamp when the scheduled bot was created
     */
    created_at: string;
    /**
     * ISO 8601 timestamp when the scheduled bot was last updated
     */
    updated_at: string;
    /**
     * ISO 8601 timestamp when the scheduled bot was cancelled (null if not cancelled)
     */
    cancelled_at: string | null;
    /**
     * Whether multiple bots are allowed in the meeting
     */
    allow_multiple_bots: boolean;
    /**
     * Custom message to send when bot joins (null if not set)
     */
    entry_message: string | null;
    timeout_config: {
      /**
       * Timeout in seconds for waiting room (null if not set)
       */
      waiting_room_timeout: number | null;
      /**
       * Timeout in seconds if no one joins (null if not set)
       */
      no_one_joined_timeout: number | null;
      [k: string]: unknown | undefined;
    };
    /**
     * Transcription configuration (null if transcription is disabled)
     */
    transcription_config: {
      enabled: true;
      provider: "gladia";
      /**
       * Custom parameters for transcription (null if not set)
       */
      custom_params: {
        [k: string]: unknown | undefined;
      } | null;
      [k: string]: unknown | undefined;
    } | null;
    /**
     * Streaming configuration (null if streaming is disabled)
     */
    streaming_config: {
      enabled: true;
      /**
       * Websocket URL for receiving audio (null if not set)
       */
      input_url: string | null;
      /**
       * Websocket URL for sending audio (null if not set)
       */
      output_url: string | null;
      /**
       * Audio frequency in Hz (null if not set). Supported values: 16000, 24000 (default), 32000, 48000 Hz.
       */
      audio_frequency: number | null;
      [k: string]: unknown | undefined;
    } | null;
    /**
     * Callback configuration (null if callback is disabled)
     */
    callback_config: {
      enabled: true;
      /**
       * Callback URL
       */
      url: string;
      /**
       * Secret for validating callbacks (null if not set)
       */
      secret: string | null;
      /**
       * HTTP method for callback
       */
      method: "POST" | "PUT";
      [k: string]: unknown | undefined;
    } | null;
    /**
     * Custom metadata associated with the scheduled bot
     */
    extra: {
      [k: string]: unknown | undefined;
    } | null;
    /**
     * Zoom configuration for this bot (null if not a Zoom bot or no zoom config provided)
     */
    zoom_config: {
      /**
       * UUID of the stored Zoom credential
       */
      credential_id?: string | null;
      /**
       * Zoom user ID used to look up the credential
       */
      credential_user_id?: string | null;
      /**
       * URL that returns an OBF token at join time
       */
      obf_token_url?: string | null;
      /**
       * URL that returns a ZAK token at join time
       */
      zak_token_url?: string | null;
      [k: string]: unknown | undefined;
    } | null;
    [k: string]: unknown | undefined;
  };
  [k: string]: unknown | undefined;
}

export interface UpdateScheduledBotResponse {
  success: true;
  data: {
    /**
     * Success message
     */
    message: string;
    [k: string]: unknown | undefined;
  };
  [k: string]: unknown | undefined;
}

export interface DeleteScheduledBotResponse {
  success: true;
  data: {
    /**
     * Success message
     */
    message: string;
    [k: string]: unknown | undefined;
  };
  [k: string]: unknown | undefined;
}

/**
 * Rate Limited - Exceeded rate limit
 */
export interface RateLimitedResponse {
  success: false;
  /**
   * Human-readable error message
   */
  error: string;
  /**
   * Error code for programmatic handling
   */
  code: string;
  /**
   * HTTP status code
   */
  statusCode: number;
  /**
   * Human-readable error message
   */
  message?: string | null;
  /**
   * Additional error details (string or null)
   */
  details?: string | null;
  /**
   * Number of seconds to wait before retrying
   */
  retryAfter?: number;
  [k: string]: unknown | undefined;
}

export interface CreateBotRequestBodyInput {
  /**
   * The name of the bot.
   *
   * This name will be displayed as the bot's name in the meeting.
   */
  bot_name: string;
  /**
   * The bot's avatar image(s).
   *
   * Accepts a single HTTPS URL or an array of up to 5 HTTPS URLs pointing to image files (JPEG, PNG, or WebP). When multiple images are provided, they will be cycled based on the bot_image_config settings.
   */
  bot_image?:
    | (
        | string
        | [string]
        | [string, string]
        | [string, string, string]
        | [string, string, string, string]
        | [string, string, string, string, string]
      )
    | null;
  /**
   * Configuration for how bot avatar images are displayed. Only relevant when multiple images are provided in bot_image.
   */
  bot_image_config?: {
    /**
     * Controls how multiple bot images are cycled.
     *
     * - `auto`: Cycles through images at the interval specified by image_duration.
     * - `bot_status`: Uses the first image when the bot joins, the second image when recording starts, and the third image when recording is paused. If no third image is provided, the bot stays on the recording image during pause. Only the first three images are used in this mode; additional images are ignored.
     */
    loop_mode?: "auto" | "bot_status";
    /**
     * Duration in seconds each image is displayed before switching to the next. Only used when loop_mode is 'auto'.
     *
     * Default: 30. Range: 10-120.
     */
    image_duration?: number;
  } | null;
  /**
   * The URL of the meeting to join.
   *
   * Must be a valid HTTPS URL for a Microsoft Teams, Google Meet, or Zoom meeting.
   *
   * Example: "https://zoom.us/j/123456789" or "https://meet.google.com/abc-defg-hij"
   */
  meeting_url: string;
  /**
   * Whether to allow multiple bots to join the same meeting.
   *
   * If set to `false`, only a single bot will be allowed to join using the same meeting URL within the last 5 minutes. This prevents duplicate bots from joining the same meeting.
   *
   * If set to `true` (default), multiple bots can join the same meeting URL.
   *
   * Default: `true`
   */
  allow_multiple_bots?: boolean;
  /**
   * The recording mode of the bot.
   *
   * Determines what the bot records during the meeting:
   *
   * - `speaker_view`: Records the speaker's view (default). Shows the active speaker or presenter.
   * - `audio_only`: Records only the audio without video.
   * - `gallery_view`: Records the entire gallery view (coming soon).
   *
   * Default: `speaker_view`
   */
  recording_mode?: "audio_only" | "speaker_view" | "gallery_view";
  /**
   * The message that the bot will send when it joins the meeting.
   *
   * This message will be posted in the meeting chat when the bot successfully joins.
   *
   * Available for Google Meet, Microsoft Teams, and Zoom meetings.
   *
   * Maximum: 500 characters
   */
  entry_message?: string | null;
  /**
   * Configuration for automatic meeting exit behavior. For Google Meet and Microsoft Teams, the bot uses waiting_room_timeout to wait in the waiting room, then no_one_joined_timeout to wait for participants when first joining the meeting, and finally switches to silence_timeout monitoring once participants are detected. Zoom only uses waiting_room_timeout.
   */
  timeout_config?: {
    /**
     * The timeout in seconds for the bot to wait in the waiting room before leaving the meeting.
     *
     * If the bot is placed in a waiting room and not admitted within this time, it will leave the meeting.
     *
     * Note: Google Meet has its own waiting room timeout (approximately 10 minutes). Setting a higher value for Google Meet meetings will have no effect, as Google Meet will deny entry to the bot after its own timeout.
     *
     * Default: 600 seconds (10 minutes)
     * Minimum: 2 minutes
     * Maximum: 30 minutes
     */
    waiting_room_timeout?: number;
    /**
     * The timeout in seconds for the bot to wait for participants to join before leaving the meeting.
     *
     * If no participants join the meeting within this time after the bot joins, the bot will leave the meeting. Only applicable for Google Meet and Microsoft Teams meetings.
     *
     * Default: 600 seconds (10 minutes)
     * Minimum: 2 minutes
     * Maximum: 30 minutes
     */
    no_one_joined_timeout?: number;
    /**
     * The timeout in seconds for the bot to wait for silence before leaving the meeting.
     *
     * If no audio is detected for this duration after the bot joins, the bot will leave the meeting. Only applicable for Google Meet and Microsoft Teams meetings.
     *
     * Default: 600 seconds (10 minutes)
     * Minimum: 5 minutes
     * Maximum: 30 minutes
     */
    silence_timeout?: number;
    /**
     * The grace period in seconds at the start of the meeting during which no timeout conditions (waiting room, no participants, silence) will trigger.
     *
     * Default: 0 (disabled)
     * Maximum: 600 seconds (10 minutes)
     */
    grace_period?: number;
  };
  /**
   * Zoom-only configuration for authentication and join method.
   *
   * - **credential_id**: Use a stored Zoom credential (OBF token fetched by the bot from the API server).
   * - **credential_user_id**: Resolve a stored credential by Zoom user ID.
   * - **obf_token**: Provide a direct OBF token (one-off join).
   * - **obf_token_url**: URL that returns an OBF token when the bot joins.
   * - **zak_token_url**: URL that returns a ZAK for joining without the host.
   *
   * Leave `null` for Google Meet and Microsoft Teams.
   */
  zoom_config?: {
    /**
     * UUID of a stored Zoom credential (created via Zoom credentials API). The bot will fetch the OBF token from the API server using this ID. Use this when you have saved a Zoom OAuth credential and want the bot to join on behalf of that user.
     */
    credential_id?: string;
    /**
     * Zoom user ID (e.g. from the Zoom profile) to look up a stored credential by user. The API server will resolve this to a credential_id. Use when you have multiple credentials and want to target a specific user.
     */
    credential_user_id?: string;
    /**
     * Direct OBF (On-Behalf-Of) token. Use this to join a Zoom meeting as a specific user without storing a credential. The token is a JWT issued by Zoom; the bot uses it once to join. Suitable for short-lived or one-off joins. For recurring use, prefer credential_id or obf_token_url.
     */
    obf_token?: string;
    /**
     * URL that returns an OBF token at join time. The bot will make a GET request with query params: bot_uuid (bot UUID) and extra (URL-encoded JSON of the run's extra payload). Use these to identify which bot/run is requesting the token. Response must be plain text (ASCII) containing the OBF token. Timeout: 15 seconds.
     */
    obf_token_url?: string;
    /**
     * URL to get the Zoom ZAK (Zoom Access Token). The bot makes a GET request with query params: bot_uuid and extra (URL-encoded JSON). Use these to identify which bot/run is requesting the token. Response must be plain text (ASCII) with the raw ZAK. See https://developers.zoom.us/docs/api/users/#tag/users/get/users/me/zak. Timeout: 15 seconds.
     */
    zak_token_url?: string;
  } | null;
  /**
   * An optional extra configuration object for the bot.
   *
   * This object can contain any custom key-value pairs that you want to associate with the bot. The data will be:
   *
   * - Included in all webhook event payloads (if a webhook endpoint is configured)
   * - Part of the callback payload (if callback is enabled)
   * - Returned when fetching the bot's details via the API
   *
   * Useful for storing custom metadata, tracking information, or any other data you need to correlate with the bot.
   */
  extra?: {
    [k: string]: unknown | undefined;
  } | null;
  /**
   * Enable audio streaming for this bot. When enabled, the streaming_config property is used to provide the configuration.
   */
  streaming_enabled?: boolean;
  streaming_config?: {
    /**
     * Websocket stream URL, which receives the audio sent to the bot, and the bot will stream the audio to the meeting.
     */
    input_url?: string | null;
    /**
     * Websocket stream URL, which the bot sends the audio to. This is used to stream the output audio to a destination.
     */
    output_url?: string | null;
    /**
     * The audio frequency in Hz. Supported values: 24000 (default), 32000, 48000 Hz.
     */
    audio_frequency?: (16000 | 24000 | 32000 | 48000) | null;
  } | null;
  /**
   * Enable transcription for this bot. When enabled, the transcription_config property is used to customise the transcription provider and parameters.
   */
  transcription_enabled?: boolean;
  transcription_config?: {
    /**
     * The speech to text provider to use for the bot. The default and only supported provider is 'gladia'. More providers will be supported in the future.
     */
    provider?: "gladia";
    /**
     * The API key to use for the speech to text provider. This can be provided to use your own API key for the speech to text provider. It consumes less tokens than using the default API key. It is available on 'Pro' plans and above.
     */
    api_key?: string | null;
    /**
     * Custom parameters for the transcription provider. See the transcription provider's documentation for available options. For Gladia, see https://docs.gladia.io/api-reference/v2/pre-recorded/init
     */
    custom_params?: {
      [k: string]: unknown | undefined;
    } | null;
  } | null;
  /**
   * Enable callback for this bot. When enabled, the callback_config property is used to provide the configuration.
   */
  callback_enabled?: boolean;
  callback_config?: {
    /**
     * The URL to be called upon the completion or failure of the bot.
     */
    url: string;
    /**
     * To ensure that you can validate the callback, this secret will be added to the request in the 'x-mb-secret' header
     */
    secret?: string | null;
    /**
     * The HTTP method to use for the callback. Allowed values are 'POST' or 'PUT'.
     */
    method?: "POST" | "PUT";
  } | null;
}

export interface SendChatMessageRequestBody {
  /**
   * The chat message text to send in the meeting.
   */
  message: string;
}

export interface PauseBotRecordingRequestBody {
  /**
   * Optional chat message to send to meeting participants when pausing.
   */
  chat_message?: string | null;
}

export interface ResumeBotRecordingRequestBody {
  /**
   * Optional chat message to send to meeting participants when resuming.
   */
  chat_message?: string | null;
}

export interface UpdateBotConfigRequestBody {
  /**
   * Custom metadata to merge with existing extra data (shallow merge)
   */
  extra: {
    [k: string]: unknown | undefined;
  } | null;
}

/**
 * Optional callback configuration to override the bot's configured callback.
 *
 * If provided, all fields must be included and these values will be used instead of the bot's original callback configuration. If omitted (null), the bot's original callback configuration will be used.
 *
 * - `url`: Custom callback URL (overrides configured URL)
 * - `method`: HTTP method (`POST` or `PUT`, default: `POST`)
 * - `secret`: Custom HMAC secret (overrides configured secret, sent in `x-mb-secret` header)
 */
export type RetryCallbackRequestBodyInput = {
  /**
   * The URL to be called upon the completion or failure of the bot.
   */
  url: string;
  /**
   * To ensure that you can validate the callback, this secret will be added to the request in the 'x-mb-secret' header
   */
  secret?: string | null;
  /**
   * The HTTP method to use for the callback. Allowed values are 'POST' or 'PUT'.
   */
  method?: "POST" | "PUT";
} | null;

export interface CreateScheduledBotRequestBodyInput {
  /**
   * The name of the bot.
   *
   * This name will be displayed as the bot's name in the meeting.
   */
  bot_name: string;
  /**
   * The bot's avatar image(s).
   *
   * Accepts a single HTTPS URL or an array of up to 5 HTTPS URLs pointing to image files (JPEG, PNG, or WebP). When multiple images are provided, they will be cycled based on the bot_image_config settings.
   */
  bot_image?:
    | (
        | string
        | [string]
        | [string, string]
        | [string, string, string]
        | [string, string, string, string]
        | [string, string, string, string, string]
      )
    | null;
  /**
   * Configuration for how bot avatar images are displayed. Only relevant when multiple images are provided in bot_image.
   */
  bot_image_config?: {
    /**
     * Controls how multiple bot images are cycled.
     *
     * - `auto`: Cycles through images at the interval specified by image_duration.
     * - `bot_status`: Uses the first image when the bot joins, the second image when recording starts, and the third image when recording is paused. If no third image is provided, the bot stays on the recording image during pause. Only the first three images are used in this mode; additional images are ignored.
     */
    loop_mode?: "auto" | "bot_status";
    /**
     * Duration in seconds each image is displayed before switching to the next. Only used when loop_mode is 'auto'.
     *
     * Default: 30. Range: 10-120.
     */
    image_duration?: number;
  } | null;
  /**
   * The URL of the meeting to join.
   *
   * Must be a valid HTTPS URL for a Microsoft Teams, Google Meet, or Zoom meeting.
   *
   * Example: "https://zoom.us/j/123456789" or "https://meet.google.com/abc-defg-hij"
   */
  meeting_url: string;
  /**
   * Whether to allow multiple bots to join the same meeting.
   *
   * If set to `false`, only a single bot will be allowed to join using the same meeting URL within the last 5 minutes. This prevents duplicate bots from joining the same meeting.
   *
   * If set to `true` (default), multiple bots can join the same meeting URL.
   *
   * Default: `true`
   */
  allow_multiple_bots?: boolean;
  /**
   * The recording mode of the bot.
   *
   * Determines what the bot records during the meeting:
   *
   * - `speaker_view`: Records the speaker's view (default). Shows the active speaker or presenter.
   * - `audio_only`: Records only the audio without video.
   * - `gallery_view`: Records the entire gallery view (coming soon).
   *
   * Default: `speaker_view`
   */
  recording_mode?: "audio_only" | "speaker_view" | "gallery_view";
  /**
   * The message that the bot will send when it joins the meeting.
   *
   * This message will be posted in the meeting chat when the bot successfully joins.
   *
   * Available for Google Meet, Microsoft Teams, and Zoom meetings.
   *
   * Maximum: 500 characters
   */
  entry_message?: string | null;
  /**
   * Configuration for automatic meeting exit behavior. For Google Meet and Microsoft Teams, the bot uses waiting_room_timeout to wait in the waiting room, then no_one_joined_timeout to wait for participants when first joining the meeting, and finally switches to silence_timeout monitoring once participants are detected. Zoom only uses waiting_room_timeout.
   */
  timeout_config?: {
    /**
     * The timeout in seconds for the bot to wait in the waiting room before leaving the meeting.
     *
     * If the bot is placed in a waiting room and not admitted within this time, it will leave the meeting.
     *
     * Note: Google Meet has its own waiting room timeout (approximately 10 minutes). Setting a higher value for Google Meet meetings will have no effect, as Google Meet will deny entry to the bot after its own timeout.
     *
     * Default: 600 seconds (10 minutes)
     * Minimum: 2 minutes
     * Maximum: 30 minutes
     */
    waiting_room_timeout?: number;
    /**
     * The timeout in seconds for the bot to wait for participants to join before leaving the meeting.
     *
     * If no participants join the meeting within this time after the bot joins, the bot will leave the meeting. Only applicable for Google Meet and Microsoft Teams meetings.
     *
     * Default: 600 seconds (10 minutes)
     * Minimum: 2 minutes
     * Maximum: 30 minutes
     */
    no_one_joined_timeout?: number;
    /**
     * The timeout in seconds for the bot to wait for silence before leaving the meeting.
     *
     * If no audio is detected for this duration after the bot joins, the bot will leave the meeting. Only applicable for Google Meet and Microsoft Teams meetings.
     *
     * Default: 600 seconds (10 minutes)
     * Minimum: 5 minutes
     * Maximum: 30 minutes
     */
    silence_timeout?: number;
    /**
     * The grace period in seconds at the start of the meeting during which no timeout conditions (waiting room, no participants, silence) will trigger.
     *
     * Default: 0 (disabled)
     * Maximum: 600 seconds (10 minutes)
     */
    grace_period?: number;
  };
  /**
   * Zoom-only configuration for authentication and join method.
   *
   * - **credential_id**: Use a stored Zoom credential (OBF token fetched by the bot from the API server).
   * - **credential_user_id**: Resolve a stored credential by Zoom user ID.
   * - **obf_token**: Provide a direct OBF token (one-off join).
   * - **obf_token_url**: URL that returns an OBF token when the bot joins.
   * - **zak_token_url**: URL that returns a ZAK for joining without the host.
   *
   * Leave `null` for Google Meet and Microsoft Teams.
   */
  zoom_config?: {
    /**
     * UUID of a stored Zoom credential (created via Zoom credentials API). The bot will fetch the OBF token from the API server using this ID. Use this when you have saved a Zoom OAuth credential and want the bot to join on behalf of that user.
     */
    credential_id?: string;
    /**
     * Zoom user ID (e.g. from the Zoom profile) to look up a stored credential by user. The API server will resolve this to a credential_id. Use when you have multiple credentials and want to target a specific user.
     */
    credential_user_id?: string;
    /**
     * Direct OBF (On-Behalf-Of) token. Use this to join a Zoom meeting as a specific user without storing a credential. The token is a JWT issued by Zoom; the bot uses it once to join. Suitable for short-lived or one-off joins. For recurring use, prefer credential_id or obf_token_url.
     */
    obf_token?: string;
    /**
     * URL that returns an OBF token at join time. The bot will make a GET request with query params: bot_uuid (bot UUID) and extra (URL-encoded JSON of the run's extra payload). Use these to identify which bot/run is requesting the token. Response must be plain text (ASCII) containing the OBF token. Timeout: 15 seconds.
     */
    obf_token_url?: string;
    /**
     * URL to get the Zoom ZAK (Zoom Access Token). The bot makes a GET request with query params: bot_uuid and extra (URL-encoded JSON). Use these to identify which bot/run is requesting the token. Response must be plain text (ASCII) with the raw ZAK. See https://developers.zoom.us/docs/api/users/#tag/users/get/users/me/zak. Timeout: 15 seconds.
     */
    zak_token_url?: string;
  } | null;
  /**
   * An optional extra configuration object for the bot.
   *
   * This object can contain any custom key-value pairs that you want to associate with the bot. The data will be:
   *
   * - Included in all webhook event payloads (if a webhook endpoint is configured)
   * - Part of the callback payload (if callback is enabled)
   * - Returned when fetching the bot's details via the API
   *
   * Useful for storing custom metadata, tracking information, or any other data you need to correlate with the bot.
   */
  extra?: {
    [k: string]: unknown | undefined;
  } | null;
  /**
   * Enable audio streaming for this bot. When enabled, the streaming_config property is used to provide the configuration.
   */
  streaming_enabled?: boolean;
  streaming_config?: {
    /**
     * Websocket stream URL, which receives the audio sent to the bot, and the bot will stream the audio to the meeting.
     */
    input_url?: string | null;
    /**
     * Websocket stream URL, which the bot sends the audio to. This is used to stream the output audio to a destination.
     */
    output_url?: string | null;
    /**
     * The audio frequency in Hz. Supported values: 24000 (default), 32000, 48000 Hz.
     */
    audio_frequency?: (16000 | 24000 | 32000 | 48000) | null;
  } | null;
  /**
   * Enable transcription for this bot. When enabled, the transcription_config property is used to customise the transcription provider and parameters.
   */
  transcription_enabled?: boolean;
  transcription_config?: {
    /**
     * The speech to text provider to use for the bot. The default and only supported provider is 'gladia'. More providers will be supported in the future.
     */
    provider?: "gladia";
    /**
     * The API key to use for the speech to text provider. This can be provided to use your own API key for the speech to text provider. It consumes less tokens than using the default API key. It is available on 'Pro' plans and above.
     */
    api_key?: string | null;
    /**
     * Custom parameters for the transcription provider. See the transcription provider's documentation for available options. For Gladia, see https://docs.gladia.io/api-reference/v2/pre-recorded/init
     */
    custom_params?: {
      [k: string]: unknown | undefined;
    } | null;
  } | null;
  /**
   * Enable callback for this bot. When enabled, the callback_config property is used to provide the configuration.
   */
  callback_enabled?: boolean;
  callback_config?: {
    /**
     * The URL to be called upon the completion or failure of the bot.
     */
    url: string;
    /**
     * To ensure that you can validate the callback, this secret will be added to the request in the 'x-mb-secret' header
     */
    secret?: string | null;
    /**
     * The HTTP method to use for the callback. Allowed values are 'POST' or 'PUT'.
     */
    method?: "POST" | "PUT";
  } | null;
  /**
   * ISO8601 timestamp when the bot should join the meeting.
   *
   * Cannot be in the past (with 1 minute leeway) and cannot be more than 90 days in the future.
   *
   * Example: "2025-12-25T10:00:00Z"
   */
  join_at: string;
}

export interface UpdateScheduledBotRequestBodyInput {
  /**
   * The name of the bot.
   *
   * This name will be displayed as the bot's name in the meeting.
   */
  bot_name?: string;
  /**
   * The bot's avatar image(s).
   *
   * Accepts a single HTTPS URL or an array of up to 5 HTTPS URLs pointing to image files (JPEG, PNG, or WebP). When multiple images are provided, they will be cycled based on the bot_image_config settings.
   */
  bot_image?:
    | (
        | string
        | [string]
        | [string, string]
        | [string, string, string]
        | [string, string, string, string]
        | [string, string, string, string, string]
      )
    | null;
  /**
   * Configuration for how bot avatar images are displayed. Only relevant when multiple images are provided in bot_image.
   */
  bot_image_config?: {
    /**
     * Controls how multiple bot images are cycled.
     *
     * - `auto`: Cycles through images at the interval specified by image_duration.
     * - `bot_status`: Uses the first image when the bot joins, the second image when recording starts, and the third image when recording is paused. If no third image is provided, the bot stays on the recording image during pause. Only the first three images are used in this mode; additional images are ignored.
     */
    loop_mode?: "auto" | "bot_status";
    /**
     * Duration in seconds each image is displayed before switching to the next. Only used when loop_mode is 'auto'.
     *
     * Default: 30. Range: 10-120.
     */
    image_duration?: number;
  } | null;
  /**
   * The URL of the meeting to join.
   *
   * Must be a valid HTTPS URL for a Microsoft Teams, Google Meet, or Zoom meeting.
   *
   * Example: "https://zoom.us/j/123456789" or "https://meet.google.com/abc-defg-hij"
   */
  meeting_url?: string;
  /**
   * Whether to allow multiple bots to join the same meeting.
   *
   * If set to `false`, only a single bot will be allowed to join using the same meeting URL within the last 5 minutes. This prevents duplicate bots from joining the same meeting.
   *
   * If set to `true` (default), multiple bots can join the same meeting URL.
   *
   * Default: `true`
   */
  allow_multiple_bots?: boolean;
  /**
   * The recording mode of the bot.
   *
   * Determines what the bot records during the meeting:
   *
   * - `speaker_view`: Records the speaker's view (default). Shows the active speaker or presenter.
   * - `audio_only`: Records only the audio without video.
   * - `gallery_view`: Records the entire gallery view (coming soon).
   *
   * Default: `speaker_view`
   */
  recording_mode?: "audio_only" | "speaker_view" | "gallery_view";
  /**
   * The message that the bot will send when it joins the meeting.
   *
   * This message will be posted in the meeting chat when the bot successfully joins.
   *
   * Available for Google Meet, Microsoft Teams, and Zoom meetings.
   *
   * Maximum: 500 characters
   */
  entry_message?: string | null;
  /**
   * Configuration for automatic meeting exit behavior. For Google Meet and Microsoft Teams, the bot uses waiting_room_timeout to wait in the waiting room, then no_one_joined_timeout to wait for participants when first joining the meeting, and finally switches to silence_timeout monitoring once participants are detected. Zoom only uses waiting_room_timeout.
   */
  timeout_config?: {
    /**
     * The timeout in seconds for the bot to wait in the waiting room before leaving the meeting.
     *
     * If the bot is placed in a waiting room and not admitted within this time, it will leave the meeting.
     *
     * Note: Google Meet has its own waiting room timeout (approximately 10 minutes). Setting a higher value for Google Meet meetings will have no effect, as Google Meet will deny entry to the bot after its own timeout.
     *
     * Default: 600 seconds (10 minutes)
     * Minimum: 2 minutes
     * Maximum: 30 minutes
     */
    waiting_room_timeout?: number;
    /**
     * The timeout in seconds for the bot to wait for participants to join before leaving the meeting.
     *
     * If no participants join the meeting within this time after the bot joins, the bot will leave the meeting. Only applicable for Google Meet and Microsoft Teams meetings.
     *
     * Default: 600 seconds (10 minutes)
     * Minimum: 2 minutes
     * Maximum: 30 minutes
     */
    no_one_joined_timeout?: number;
    /**
     * The timeout in seconds for the bot to wait for silence before leaving the meeting.
     *
     * If no audio is detected for this duration after the bot joins, the bot will leave the meeting. Only applicable for Google Meet and Microsoft Teams meetings.
     *
     * Default: 600 seconds (10 minutes)
     * Minimum: 5 minutes
     * Maximum: 30 minutes
     */
    silence_timeout?: number;
    /**
     * The grace period in seconds at the start of the meeting during which no timeout conditions (waiting room, no participants, silence) will trigger.
     *
     * Default: 0 (disabled)
     * Maximum: 600 seconds (10 minutes)
     */
    grace_period?: number;
  };
  /**
   * Zoom-only configuration for authentication and join method.
   *
   * - **credential_id**: Use a stored Zoom credential (OBF token fetched by the bot from the API server).
   * - **credential_user_id**: Resolve a stored credential by Zoom user ID.
   * - **obf_token**: Provide a direct OBF token (one-off join).
   * - **obf_token_url**: URL that returns an OBF token when the bot joins.
   * - **zak_token_url**: URL that returns a ZAK for joining without the host.
   *
   * Leave `null` for Google Meet and Microsoft Teams.
   */
  zoom_config?: {
    /**
     * UUID of a stored Zoom credential (created via Zoom credentials API). The bot will fetch the OBF token from the API server using this ID. Use this when you have saved a Zoom OAuth credential and want the bot to join on behalf of that user.
     */
    credential_id?: string;
    /**
     * Zoom user ID (e.g. from the Zoom profile) to look up a stored credential by user. The API server will resolve this to a credential_id. Use when you have multiple credentials and want to target a specific user.
     */
    credential_user_id?: string;
    /**
     * Direct OBF (On-Behalf-Of) token. Use this to join a Zoom meeting as a specific user without storing a credential. The token is a JWT issued by Zoom; the bot uses it once to join. Suitable for short-lived or one-off joins. For recurring use, prefer credential_id or obf_token_url.
     */
    obf_token?: string;
    /**
     * URL that returns an OBF token at join time. The bot will make a GET request with query params: bot_uuid (bot UUID) and extra (URL-encoded JSON of the run's extra payload). Use these to identify which bot/run is requesting the token. Response must be plain text (ASCII) containing the OBF token. Timeout: 15 seconds.
     */
    obf_token_url?: string;
    /**
     * URL to get the Zoom ZAK (Zoom Access Token). The bot makes a GET request with query params: bot_uuid and extra (URL-encoded JSON). Use these to identify which bot/run is requesting the token. Response must be plain text (ASCII) with the raw ZAK. See https://developers.zoom.us/docs/api/users/#tag/users/get/users/me/zak. Timeout: 15 seconds.
     */
    zak_token_url?: string;
  } | null;
  /**
   * An optional extra configuration object for the bot.
   *
   * This object can contain any custom key-value pairs that you want to associate with the bot. The data will be:
   *
   * - Included in all webhook event payloads (if a webhook endpoint is configured)
   * - Part of the callback payload (if callback is enabled)
   * - Returned when fetching the bot's details via the API
   *
   * Useful for storing custom metadata, tracking information, or any other data you need to correlate with the bot.
   */
  extra?: {
    [k: string]: unknown | undefined;
  } | null;
  /**
   * Enable audio streaming for this bot. When enabled, the streaming_config property is used to provide the configuration.
   */
  streaming_enabled?: boolean;
  streaming_config?: {
    /**
     * Websocket stream URL, which receives the audio sent to the bot, and the bot will stream the audio to the meeting.
     */
    input_url?: string | null;
    /**
     * Websocket stream URL, which the bot sends the audio to. This is used to stream the output audio to a destination.
     */
    output_url?: string | null;
    /**
     * The audio frequency in Hz. Supported values: 24000 (default), 32000, 48000 Hz.
     */
    audio_frequency?: (16000 | 24000 | 32000 | 48000) | null;
  } | null;
  /**
   * Enable transcription for this bot. When enabled, the transcription_config property is used to customise the transcription provider and parameters.
   */
  transcription_enabled?: boolean;
  transcription_config?: {
    /**
     * The speech to text provider to use for the bot. The default and only supported provider is 'gladia'. More providers will be supported in the future.
     */
    provider?: "gladia";
    /**
     * The API key to use for the speech to text provider. This can be provided to use your own API key for the speech to text provider. It consumes less tokens than using the default API key. It is available on 'Pro' plans and above.
     */
    api_key?: string | null;
    /**
     * Custom parameters for the transcription provider. See the transcription provider's documentation for available options. For Gladia, see https://docs.gladia.io/api-reference/v2/pre-recorded/init
     */
    custom_params?: {
      [k: string]: unknown | undefined;
    } | null;
  } | null;
  /**
   * Enable callback for this bot. When enabled, the callback_config property is used to provide the configuration.
   */
  callback_enabled?: boolean;
  callback_config?: {
    /**
     * The URL to be called upon the completion or failure of the bot.
     */
    url: string;
    /**
     * To ensure that you can validate the callback, this secret will be added to the request in the 'x-mb-secret' header
     */
    secret?: string | null;
    /**
     * The HTTP method to use for the callback. Allowed values are 'POST' or 'PUT'.
     */
    method?: "POST" | "PUT";
  } | null;
  /**
   * Update the scheduled join time.
   *
   * ISO8601 format. Must be at least 4 minutes in the future and cannot be more than 90 days in the future.
   *
   * Example: "2025-12-25T10:00:00Z"
   */
  join_at?: string;
}

export interface ListBotsQueryParameters {
  /**
   * Filter bots by name containing this string.
   *
   * Performs a case-insensitive partial match on the bot's name. Useful for finding bots with specific naming conventions or to locate a particular bot when you don't have its ID.
   *
   * Example: "Sales" would match "Sales Meeting", "Quarterly Sales", etc.
   */
  bot_name?: string | null;
  /**
   * Filter bots by participant name.
   *
   * Performs a case-insensitive partial match on participant names in the meeting.
   *
   * Example: "John" would match meetings where "John Smith" participated.
   */
  participant_name?: string | null;
  /**
   * Filter bots by ID containing this string.
   *
   * Performs a case-insensitive partial match on the bot's ID. Useful for finding bots with specific IDs or to locate a particular bot when you don't have its ID.
   *
   * Example: "1234567890" would match "1234567890-1234-1234-1234-123456789012"
   */
  bot_id?: string | null;
  /**
   * Filter bots created before this date.
   *
   * ISO8601 format (e.g., "2025-01-15T10:30:00Z").
   *
   * Cannot be more than 90 days before today and cannot be in the future.
   *
   * Use this in combination with `created_after` to filter bots within a specific date range.
   *
   * Example: "2025-01-15T23:59:59Z"
   */
  created_before?: string | null;
  /**
   * Filter bots created after this date.
   *
   * ISO8601 format (e.g., "2025-01-01T00:00:00Z").
   *
   * Cannot be more than 90 days before today and cannot be in the future.
   *
   * Use this in combination with `created_before` to filter bots within a specific date range.
   *
   * Example: "2025-01-01T00:00:00Z"
   */
  created_after?: string | null;
  /**
   * Maximum number of bots to return in a single request.
   *
   * Limits the number of results returned in a single API call.
   *
   * Default: 50 Minimum: 1 Maximum: 250
   */
  limit?: number;
  /**
   * The cursor to use for pagination.
   *
   * Obtained from the `cursor` or `prev_cursor` field in the previous response.
   *
   * The cursor is a base64-encoded string containing `<isoDate>::<id>`. To paginate backward, prefix the cursor with a `-` (minus sign).
   *
   * Leave as `null` to get the first page of results.
   *
   * Example: "MjAyNS0wMS0xNVQxMDozMDowMFo6OjEyMzQ1" or "LU1qQXlOM1UxTmpVME5qVXhNakUwTkRrPQ==" (for backward pagination)
   */
  cursor?: string | null;
  /**
   * The date to filter bots ended after. ISO 8601 format.
   */
  ended_after?: string | null;
  /**
   * Filter bots by matching values in the extra JSON payload.
   *
   * This parameter applies SQL-level filtering on the `extra` JSON field and returns only bots that match all specified conditions.
   *
   * Format specifications: - Single condition: "field:value" - Multiple conditions: "field1:value1,field2:value2"
   *
   * Examples: - "customer_id:12345" - Only bots with this customer ID - "status:active,project:sales" - Only active bots from sales projects
   *
   * Notes: - All conditions must match for a bot to be included - Values are matched exactly (case-sensitive) - Bots without the specified field are excluded
   */
  extra?: string | null;
  /**
   * Filter bots by meeting URL containing this string.
   *
   * Performs a case-insensitive partial match on the bot's meeting URL. Useful for finding bots associated with specific meeting platforms or particular meeting IDs.
   *
   * Example: "zoom.us" would match all Zoom meetings
   */
  meeting_url?: string | null;
  /**
   * Filter bots by meeting platform.
   *
   * This parameter filters bots by the platform they are associated with. It can be used to find bots that are associated with a specific meeting platform. Valid values are: "zoom", "meet", "teams".
   *
   * Example: "zoom" would match all bots associated with Zoom meetings.
   *
   * To filter multiple platforms, use a comma-separated list of values. For example, "zoom,meet" would match all bots associated with Zoom or Meet meetings.
   */
  meeting_platform?: (string | null) | null;
  /**
   * Filter bots by bot statuses.
   *
   * This parameter filters bots by their status. It can be used to find bots that have any of the specified statuses. Valid values are one or more of: queued, pickup_delayed, transcribing, completed, failed, joining_call, in_waiting_room, in_waiting_for_host, in_call_not_recording, in_call_recording, recording_paused, recording_resumed, call_ended, recording_succeeded, recording_failed, api_request_stop, bot_rejected, bot_removed, bot_removed_too_early, waiting_room_timeout, invalid_meeting_url, meeting_error.
   *
   * Example: "queued,joining_call" would match all bots that are queued or joining the call
   */
  status?: (string | null) | null;
}

export interface GetBotScreenshotsQueryParameters {
  /**
   * Maximum number of screenshots to return (default: 50, max: 250).
   */
  limit?: number;
  /**
   * The cursor to use for pagination.
   *
   * Obtained from the `cursor` or `prev_cursor` field in the previous response.
   *
   * The cursor is a base64-encoded string containing the screenshot index. To paginate backward, prefix the cursor with a `-` (minus sign).
   *
   * Leave as `null` to get the first page of results.
   *
   * Example: "MQ==" (for index 1) or "-MTA=" (for backward pagination from index 10)
   */
  cursor?: string | null;
}

export interface DeleteBotDataQueryParameters {
  /**
   * Whether to delete transcription data from the transcription provider.
   *
   * If `true` (default), the transcription data will be deleted from the transcription provider's servers in addition to deleting artifacts from S3. This ensures complete data deletion.
   *
   * If `false`, only S3 artifacts will be deleted, and transcription data will remain on the transcription provider's servers.
   *
   * Note: If the bot was created with a BYOK (Bring Your Own Key) transcription API key, the deletion will use that key to authenticate with the transcription provider.
   *
   * Default: `true`
   */
  delete_from_provider?: boolean;
}

export interface ListScheduledBotsQueryParameters {
  /**
   * Maximum number of scheduled bots to return in a single request.
   *
   * Limits the number of results returned in a single API call.
   *
   * Default: 50 Minimum: 1 Maximum: 100
   */
  limit?: number;
  /**
   * The cursor to use for pagination.
   *
   * Obtained from the `cursor` or `prev_cursor` field in the previous response.
   *
   * The cursor is a base64-encoded string containing `<isoDate>::<id>`. To paginate backward, prefix the cursor with a `-` (minus sign).
   *
   * Leave as `null` to get the first page of results.
   *
   * Example: "MjAyNS0wMS0xNVQxMDozMDowMFo6OjEyMzQ1" or "LU1qQXlOM1UxTmpVME5qVXhNakUwTkRrPQ==" (for backward pagination)
   */
  cursor?: string | null;
  /**
   * Filter scheduled bots by UUID (partial match, case-insensitive).
   *
   * Use this to find a scheduled bot when you only know part of the identifier.
   */
  bot_id?: string | null;
  /**
   * Filter scheduled bots with join_at before this timestamp.
   *
   * Returns only scheduled bots that are scheduled to join before the specified date.
   *
   * ISO 8601 format. Must be within ±90 days from today.
   *
   * Example: "2025-12-25T10:00:00Z"
   */
  scheduled_before?: string | null;
  /**
   * Filter scheduled bots with join_at after this timestamp.
   *
   * Returns only scheduled bots that are scheduled to join after the specified date.
   *
   * ISO 8601 format. Must be within ±90 days from today.
   *
   * Example: "2025-12-25T10:00:00Z"
   */
  scheduled_after?: string | null;
  /**
   * Filter by scheduled bot status.
   *
   * Returns only scheduled bots with the specified status(es).
   *
   * Available statuses:
   * - scheduled: Bot is scheduled to join at a future time
   * - cancelled: Bot schedule was cancelled
   * - completed: Bot has completed its scheduled task
   * - failed: Bot failed to execute its scheduled task
   *
   * To filter multiple statuses, use a comma-separated list of values. For example, "scheduled,completed" would match all bots that are scheduled or completed.
   */
  status?: (string | null) | null;
  /**
   * Filter bots by name containing this string.
   *
   * Performs a case-insensitive partial match on the bot's name. Useful for finding bots with specific naming conventions or to locate a particular bot when you don't have its ID.
   *
   * Example: "Sales" would match "Sales Meeting", "Quarterly Sales", etc.
   */
  bot_name?: string | null;
  /**
   * Filter bots by meeting URL containing this string.
   *
   * Performs a case-insensitive partial match on the bot's meeting URL. Useful for finding bots associated with specific meeting platforms or particular meeting IDs.
   *
   * Example: "zoom.us" would match all Zoom meetings
   */
  meeting_url?: string | null;
  /**
   * Filter by meeting platform.
   *
   * This parameter filters scheduled bots by the platform they are associated with. It can be used to find bots that are associated with a specific meeting platform. Valid values are: "zoom", "meet", "teams".
   *
   * Example: "zoom" would match all bots associated with Zoom meetings.
   *
   * To filter multiple platforms, use a comma-separated list of values. For example, "zoom,meet" would match all bots associated with Zoom or Meet meetings.
   */
  meeting_platform?: (string | null) | null;
  /**
   * Filter scheduled bots by matching values in the extra JSON payload.
   *
   * This parameter applies SQL-level filtering on the `extra` JSON field and returns only scheduled bots that match all specified conditions.
   *
   * Format specifications: - Single condition: "field:value" - Multiple conditions: "field1:value1,field2:value2"
   *
   * Examples: - "customer_id:12345" - Only scheduled bots with this customer ID - "status:active,project:sales" - Only active scheduled bots from sales projects
   *
   * Notes: - All conditions must match for a scheduled bot to be included - Values are matched exactly (case-sensitive) - Scheduled bots without the specified field are excluded
   */
  extra?: string | null;
}
