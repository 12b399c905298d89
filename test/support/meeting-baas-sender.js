'use strict';
// How Meeting BaaS delivers a per-bot callback: 4 attempts, waiting 1 s, 5 s and 15 s between
// them, retrying network errors and 5xx only (a 4xx is final).
const deliveries = require('../fixtures/deliveries');

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

/**
 * While `running()` holds, sends a new bot.failed with `send(delivery)` (resolving its final status),
 * then waits for `pause(count sent)`. Resolves with the bot ids sent and, once every sender is done,
 * their final statuses in the same order.
 */
async function sendWhile(running, send, pause) {
  const sent = [];
  const senders = [];
  while (running()) {
    const delivery = deliveries.failed();
    sent.push(delivery.data.bot_id);
    senders.push(send(delivery));
    await pause(sent.length);
  }
  return { sent, finals: await Promise.all(senders) };
}

module.exports = { sendLikeMeetingBaas, sendWhile, RETRY_WAITS_MS };
