'use strict';
// Runs one autocannon load in its own process (so the load generator never shares a core's
// event loop with Node-RED) and prints the result as one JSON line on stdout.
// argv[2]: JSON {url, seconds, connections, mode: 'secret'|'svix'|'plain', secret, webhookSecret}
// Every request carries a distinct body (a fresh bot_id), so the repeat filter never short-cuts
// the callback node's work; with Svix each body is signed on the fly with its own svix-id and
// the current timestamp (well within the 5-minute tolerance). Answers marked as repeats are
// counted: one would mean the route skipped its work (and the journal) for that request.
const autocannon = require('autocannon');
const { Webhook } = require('standardwebhooks');
const { completedBody } = require('./bodies');

const opts = JSON.parse(process.argv[2]);
const webhook = opts.mode === 'svix' ? new Webhook(opts.webhookSecret) : null;
let n = 0;
let duplicates = 0;

function onResponse(status, body) {
  if (body.includes('"duplicate":true')) duplicates += 1;
}

function setupRequest(req) {
  n += 1;
  const body = completedBody(n, opts.salt || 0);
  const headers = { 'content-type': 'application/json' };
  if (opts.mode === 'secret') headers['x-mb-secret'] = opts.secret;
  if (webhook) {
    const id = `msg_bench_${opts.salt || 0}_${n}`;
    const at = new Date();
    headers['svix-id'] = id;
    headers['svix-timestamp'] = String(Math.floor(at.getTime() / 1000));
    headers['svix-signature'] = webhook.sign(id, at, body);
  }
  req.method = 'POST';
  req.headers = headers;
  req.body = body;
  return req;
}

const perSecond = [];
const instance = autocannon(
  {
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    requests: [{ setupRequest, onResponse }],
  },
  (err, result) => {
    if (err) {
      process.stdout.write(JSON.stringify({ error: String(err) }) + '\n');
      process.exit(1);
    }
    process.stdout.write(
      JSON.stringify({
        requests: result.requests.total,
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        max: result.latency.max,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        statusCodes: result.statusCodeStats,
        perSecond: perSecond.slice(0, opts.seconds),
        sent: n,
        duplicates,
      }) + '\n',
    );
  },
);
instance.on('tick', ({ counter }) => perSecond.push(counter));
