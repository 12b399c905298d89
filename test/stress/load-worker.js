'use strict';
// Load generator for callback-load.stress.js, in its own process: autocannon at full speed,
// each request a distinct delivery numbered n, every `repeatEvery`-th request a byte-exact repeat
// of an earlier one. Prints one JSON line: which numbers were answered 2xx, and how.
const autocannon = require('autocannon');
const deliveries = require('../fixtures/deliveries');

const opts = JSON.parse(process.argv[2]);
const SENT_AT = '2026-11-27T09:31:00Z';

const botId = (n) => deliveries.numberedBotId(n);
/** Deterministic bytes per n: completed, failed, or (every 13th) invalid. */
function body(n) {
  if (n % 13 === 0) return JSON.stringify({ event: 'bot.completed', data: { bot_id: `not-a-uuid-${n}`, sent_at: SENT_AT }, extra: null });
  if (n % 7 === 0) return JSON.stringify(deliveries.failed({ botId: botId(n), data: { sent_at: SENT_AT } }));
  const video = `https://s.example.com/${n}/v.mp4?X-Amz-Signature=a`;
  return JSON.stringify(deliveries.completed({ botId: botId(n), urls: { video }, data: { sent_at: SENT_AT }, extra: { n } }));
}
function idOf(n) {
  return n % 13 === 0 ? `not-a-uuid-${n}` : botId(n);
}

let next = 0;
const first2xx = new Set();
const firsts = new Map(); // n → answers that were not "duplicate"
const answered = new Map(); // n → 2xx answers
const statuses = {};
let duplicates = 0;
let repeatsSent = 0;
// Requests on the wire when the run stops: their answers are never read (autocannon closes the connections).
const pending = new Map();
let token = 0;

function setupRequest(req, context) {
  next += 1;
  let n = next;
  if (opts.repeatEvery && next % opts.repeatEvery === 0 && next > 10) {
    n = next - 5; // a repeat of a delivery sent a moment ago: maybe answered, maybe still in flight
    context.repeat = true;
    repeatsSent += 1;
  } else {
    context.repeat = false;
  }
  context.n = n;
  context.token = ++token;
  pending.set(context.token, { n, repeat: context.repeat });
  req.method = 'POST';
  req.headers = { 'content-type': 'application/json', ...deliveries.secretHeaders(opts.secret) };
  req.body = body(n);
  return req;
}

function onResponse(status, responseBody, context) {
  pending.delete(context.token);
  statuses[status] = (statuses[status] || 0) + 1;
  if (status >= 200 && status < 300) {
    answered.set(context.n, (answered.get(context.n) || 0) + 1);
    if (/"duplicate":true/.test(responseBody)) duplicates += 1;
    else {
      first2xx.add(context.n);
      firsts.set(context.n, (firsts.get(context.n) || 0) + 1);
    }
  }
}

autocannon(
  { url: opts.url, connections: opts.connections, duration: opts.seconds, requests: [{ setupRequest, onResponse }] },
  (err, result) => {
    if (err) {
      process.stdout.write(JSON.stringify({ error: String(err) }) + '\n');
      process.exit(1);
    }
    process.stdout.write(JSON.stringify({
      rps: result.requests.average,
      total: result.requests.total,
      responses: Object.values(statuses).reduce((a, b) => a + b, 0),
      errors: result.errors,
      timeouts: result.timeouts,
      statuses,
      duplicates,
      repeatsSent,
      accepted: [...first2xx].map((n) => idOf(n)),
      // Each delivery must be accepted as new exactly once; the other copies are told "duplicate".
      acceptedTwice: [...firsts].filter(([, k]) => k > 1).map(([n]) => idOf(n)),
      onlyDuplicates: [...answered.keys()].filter((n) => !firsts.has(n) && ![...pending.values()].some((p) => p.n === n)).map(idOf),
      answeredTwice: [...answered.values()].filter((k) => k > 1).length,
      unanswered: [...pending.values()].map((p) => ({ id: idOf(p.n), repeat: p.repeat })),
    }) + '\n');
  },
);
