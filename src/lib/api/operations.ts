// The Meeting BaaS v2 operations this package calls, one line each, keyed by the `action` value of
// the "meeting bot" node (exported flows store it: never rename one). Everything else follows from
// this table: scripts/extract-schemas.mjs checks each line against the OpenAPI document (operationId,
// method, path, and the names of the schemas, coined by rule where the document has them inline)
// and copies the schemas it names; the client sends and checks requests with it; the node's editor
// lists its actions from it; the tests check that the help and the simulator cover every line.
//
// No imports on purpose: the extract script loads this file by transpiling it alone.

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface Operation {
  /** The OpenAPI document's operationId; inline schemas are named after it. */
  readonly operationId: string;
  readonly method: HttpMethod;
  /** `{bot_id}` stands for the bot's id, checked as a UUID before it is put in. */
  readonly path: string;
  /**
   * The request body's schema in schemas/meetingbaas-v2.json (closed: an unknown field is refused
   * before sending); null when the operation takes no body.
   */
  readonly body: string | null;
  /** The query parameters as one closed object schema; null when the operation has none. */
  readonly query: string | null;
  /** The schema of the success answer (200 or 201). */
  readonly answer: string;
  /**
   * Whether a request that may have reached the API can be sent again without doing something
   * twice (a second bot, a second chat message, a second webhook): after a broken connection, a
   * timeout, or a 500, 502 or 504 (a gateway may answer so after the API acted). Either way 429
   * and 503 are retried, which say the request was not carried out, and errors before the
   * connection opened (retry-policy.ts).
   */
  readonly repeatable: boolean;
  /** The answer is one page of a list, with `cursor` (or `next_cursor`) naming the next one. */
  readonly paged: boolean;
}

export const OPERATIONS = {
  create: {
    operationId: 'createBot',
    method: 'POST',
    path: '/v2/bots',
    body: 'CreateBotRequestBodyInput',
    query: null,
    answer: 'CreateBotResponse',
    repeatable: false,
    paged: false,
  },
  list: {
    operationId: 'listBots',
    method: 'GET',
    path: '/v2/bots',
    body: null,
    query: 'ListBotsQueryParameters',
    answer: 'ListBotsResponse',
    repeatable: true,
    paged: true,
  },
  status: {
    operationId: 'getBotStatus',
    method: 'GET',
    path: '/v2/bots/{bot_id}/status',
    body: null,
    query: null,
    answer: 'GetBotStatusResponse',
    repeatable: true,
    paged: false,
  },
  details: {
    operationId: 'getBotDetails',
    method: 'GET',
    path: '/v2/bots/{bot_id}',
    body: null,
    query: null,
    answer: 'GetBotDetailsResponse',
    repeatable: true,
    paged: false,
  },
  screenshots: {
    operationId: 'getBotScreenshots',
    method: 'GET',
    path: '/v2/bots/{bot_id}/screenshots',
    body: null,
    query: 'GetBotScreenshotsQueryParameters',
    answer: 'GetBotScreenshotsResponse',
    repeatable: true,
    paged: true,
  },
  'send-chat-message': {
    operationId: 'sendChatMessage',
    method: 'POST',
    path: '/v2/bots/{bot_id}/send-chat-message',
    body: 'SendChatMessageRequestBody',
    query: null,
    answer: 'SendChatMessageResponse',
    repeatable: false,
    paged: false,
  },
  'pause-recording': {
    operationId: 'pauseBotRecording',
    method: 'POST',
    path: '/v2/bots/{bot_id}/pause-recording',
    body: 'PauseBotRecordingRequestBody',
    query: null,
    answer: 'PauseBotRecordingResponse',
    // A second pause is refused (409) even though the first worked, and its chat message would be posted twice.
    repeatable: false,
    paged: false,
  },
  'resume-recording': {
    operationId: 'resumeBotRecording',
    method: 'POST',
    path: '/v2/bots/{bot_id}/resume-recording',
    body: 'ResumeBotRecordingRequestBody',
    query: null,
    answer: 'ResumeBotRecordingResponse',
    repeatable: false,
    paged: false,
  },
  'update-config': {
    operationId: 'updateBotConfig',
    method: 'PATCH',
    path: '/v2/bots/{bot_id}/update-config',
    body: 'UpdateBotConfigRequestBody',
    query: null,
    answer: 'UpdateBotConfigResponse',
    // A shallow merge of the same keys: twice is the same as once.
    repeatable: true,
    paged: false,
  },
  leave: {
    operationId: 'leaveBot',
    method: 'POST',
    path: '/v2/bots/{bot_id}/leave',
    body: null,
    query: null,
    answer: 'LeaveBotResponse',
    repeatable: true,
    paged: false,
  },
  'retry-callback': {
    operationId: 'retryCallback',
    method: 'POST',
    path: '/v2/bots/{bot_id}/retry-callback',
    body: 'RetryCallbackRequestBodyInput',
    query: null,
    answer: 'RetryCallbackResponse',
    // Each one makes Meeting BaaS send a delivery.
    repeatable: false,
    paged: false,
  },
  'resend-webhook': {
    operationId: 'resendFinalWebhook',
    method: 'POST',
    path: '/v2/bots/{bot_id}/resend-webhook',
    body: null,
    query: null,
    answer: 'ResendFinalWebhookResponse',
    // Each one sends the webhook to every endpoint of the account.
    repeatable: false,
    paged: false,
  },
  'delete-data': {
    operationId: 'deleteBotData',
    method: 'DELETE',
    path: '/v2/bots/{bot_id}/delete-data',
    body: null,
    query: 'DeleteBotDataQueryParameters',
    answer: 'DeleteBotDataResponse',
    // Deleted data stays deleted: asking twice deletes nothing more.
    repeatable: true,
    paged: false,
  },
  'schedule-create': {
    operationId: 'createScheduledBot',
    method: 'POST',
    path: '/v2/bots/scheduled',
    body: 'CreateScheduledBotRequestBodyInput',
    query: null,
    answer: 'CreateScheduledBotResponse',
    repeatable: false,
    paged: false,
  },
  'schedule-list': {
    operationId: 'listScheduledBots',
    method: 'GET',
    path: '/v2/bots/scheduled',
    body: null,
    query: 'ListScheduledBotsQueryParameters',
    answer: 'ListScheduledBotsResponse',
    repeatable: true,
    paged: true,
  },
  'schedule-get': {
    operationId: 'getScheduledBotDetails',
    method: 'GET',
    path: '/v2/bots/scheduled/{bot_id}',
    body: null,
    query: null,
    answer: 'GetScheduledBotResponse',
    repeatable: true,
    paged: false,
  },
  'schedule-update': {
    operationId: 'updateScheduledBot',
    method: 'PATCH',
    path: '/v2/bots/scheduled/{bot_id}',
    body: 'UpdateScheduledBotRequestBodyInput',
    query: null,
    answer: 'UpdateScheduledBotResponse',
    repeatable: true,
    paged: false,
  },
  'schedule-delete': {
    operationId: 'deleteScheduledBot',
    method: 'DELETE',
    path: '/v2/bots/scheduled/{bot_id}',
    body: null,
    query: null,
    answer: 'DeleteScheduledBotResponse',
    // A repeat after a lost answer would hear 409 (already cancelled) for a deletion that worked.
    repeatable: false,
    paged: false,
  },
} as const satisfies Readonly<Record<string, Operation>>;

export type Action = keyof typeof OPERATIONS;

/** The actions in the table's order. */
export const ACTIONS: readonly Action[] = Object.keys(OPERATIONS).filter(isAction);

export function isAction(value: unknown): value is Action {
  return typeof value === 'string' && Object.hasOwn(OPERATIONS, value);
}

/** "GET /v2/bots/{bot_id}": how errors and logs name an operation. */
export function operationName(action: Action): `${HttpMethod} ${string}` {
  const { method, path } = OPERATIONS[action];
  return `${method} ${path}`;
}
