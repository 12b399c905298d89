// What each node's settings are when a flow leaves them out. Node runtimes and editors both read
// this module (the editors through the build's bundler), so it stays pure: no Node.js imports.
// A flow may hold only {type, url, wires}: the runtime then uses these values, and the editor
// shows them and writes them into new nodes.
import { RETRY_COUNT } from '../../lib/api/retry-count';
import { ARTIFACT_FIELDS } from '../../lib/artifacts/names';

export const ACCOUNT_TYPE = 'meetingbaas-config';
export const CALLBACK_TYPE = 'meetingbaas-callback';

export const ACCOUNT_DEFAULTS = {
  baseUrl: 'https://api.meetingbaas.com',
  publicUrl: '',
  redisUrl: '',
  redisPrefix: 'meetingbaas:',
} as const;

/** The methods a callback node answers: `any` is POST and PUT. */
export const CALLBACK_METHODS = ['post', 'put', 'any'] as const;
export type CallbackMethod = (typeof CALLBACK_METHODS)[number];

export const CALLBACK_DEFAULTS = {
  url: '/meetingbaas/callback',
  method: 'post',
  maxBodyKB: 1024,
  bodyTimeoutSeconds: 15,
  dedupeHours: 6,
  dedupeMax: 10_000,
  dedupeMeetingMinutes: 30,
  store: 'memory',
  strict: false,
  journal: true,
  maxRedeliveries: 3,
  catchUp: false,
  catchUpMinutes: 10,
} as const;

export const ARTIFACTS_DEFAULTS = {
  artifacts: ARTIFACT_FIELDS,
  mode: 'message',
  /**
   * New nodes keep recordings apart from <userDir>/meetingbaas, where callback in keeps its
   * journals and catch-up checkpoints. Blank (flows made before): ARTIFACTS_DIRECTORY.
   */
  directory: 'meetingbaas-recordings',
  template: '<bot_id>/<artifact>.<ext>',
  output: 'each',
  subtitles: 'none',
  maxMessageMB: 100,
  /** 0: no limit. */
  maxFileMB: 0,
  hosts: '',
  concurrency: 2,
  retries: 4,
  stallSeconds: 60,
  allowLocal: false,
} as const;

/** Where files go when the node names no directory (as flows made before the default above): relative to the Node-RED user directory. */
export const ARTIFACTS_DIRECTORY = 'meetingbaas';

export const BOT_DEFAULTS = {
  action: 'create',
  meetingUrl: 'payload.meeting_url',
  meetingUrlType: 'msg',
  botName: 'payload.bot_name',
  botNameType: 'msg',
  /** '': the API's default. */
  recordingMode: '',
  transcription: false,
  pages: 'all',
  maxPages: 10,
  /** The API client's own default: one number for both. */
  retries: RETRY_COUNT.default,
} as const;
