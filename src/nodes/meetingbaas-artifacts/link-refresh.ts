// The refresh of expired links that fetch artifacts is given: through the bot API client, the only
// one that carries the API key (to the account's API URL only, https or plain http to this machine,
// no redirect followed). The download code never holds the client or the key, only this function.
import { ApiError, MeetingBaasApi } from '../../lib/api';
import type { RefreshFailure, RefreshLinks, RefreshResult } from '../../lib/artifacts/fetch';

export interface LinkRefresher {
  /** null: the account has no API key, so expired links cannot be refreshed. */
  readonly refresh: RefreshLinks | null;
  close(): Promise<void>;
}

/** What went wrong asking the API: the answer's own message when it has one, else the client's codes. */
export function refreshFailureOf(error: ApiError): RefreshFailure {
  return {
    ...(error.apiMessage !== undefined ? { detail: error.apiMessage } : { detail: error.message, problems: error.problems }),
    apiError: error.kind,
    ...(error.statusCode !== undefined ? { statusCode: error.statusCode } : {}),
    ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
  };
}

function failed(error: unknown): RefreshResult {
  if (error instanceof ApiError) return { ok: false, failure: refreshFailureOf(error) };
  throw error;
}

export function linkRefresher(baseUrl: string, apiKey: string | undefined): LinkRefresher {
  if (!apiKey) return { refresh: null, close: () => Promise.resolve() };
  let api: MeetingBaasApi;
  try {
    api = new MeetingBaasApi({ baseUrl, apiKey, retries: 2 });
  } catch (error) {
    // An API URL the key may not go to: said when a refresh is needed, as other refresh failures.
    return { refresh: () => Promise.resolve().then(() => failed(error)), close: () => Promise.resolve() };
  }
  return {
    refresh: (botId, signal) => api.freshLinks(botId, signal).then((links): RefreshResult => ({ ok: true, links }), failed),
    close: () => api.close(),
  };
}
