// The catch-up's two calls, made through the one API client, so that they go where every other
// request with the key goes (the account's API URL, no redirect) and are read the same way.
import type { CatchUpApi } from './catch-up';
import { MAX_LIST_LIMIT, type MeetingBaasApi } from '../api';

/** The statuses a bot ends in: the ones whose callback could have been missed. */
export const ENDED_STATUSES: readonly string[] = ['completed', 'failed'];

/** `signal` aborts whatever call is under way, e.g. when the node closes. */
export function catchUpApiOf(api: MeetingBaasApi, signal?: AbortSignal): CatchUpApi {
  return {
    // The largest page: a long downtime is read in as few requests as the API allows.
    listEndedBots: (endedAfter, cursor) => api.listBots({ status: ENDED_STATUSES, endedAfter, cursor, limit: MAX_LIST_LIMIT }, signal),
    botDetails: (botId) => api.botDetails(botId, signal),
  };
}
