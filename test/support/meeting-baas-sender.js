'use strict';
// How Meeting BaaS delivers a per-bot callback: 4 attempts, waiting 1 s, 5 s and 15 s between
// them, retrying network errors and 5xx only (a 4xx is final).
const RETRY_WAITS_MS = [1000, 5000, 15000];

/**
 * Calls `attempt` (resolving an HTTP status, rejecting on a network error) until Meeting BaaS
 * would stop; `onAnswer(status)` sees every answer. Resolves {status, attempts} of the last one.
 */
async function sendLikeMeetingBaas(attempt, onAnswer = () => {}) {
  for (let attempts = 1; ; attempts++) {
    let status;
    try {
      status = await attempt();
    } catch {
      status = 'network';
    }
    onAnswer(status);
    const retryable = status === 'network' || status >= 500;
    if (!retryable || attempts > RETRY_WAITS_MS.length) return { status, attempts };
    await new Promise((resolve) => setTimeout(resolve, RETRY_WAITS_MS[attempts - 1]));
  }
}

module.exports = { sendLikeMeetingBaas, RETRY_WAITS_MS };
