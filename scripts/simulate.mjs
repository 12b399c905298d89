#!/usr/bin/env node
// Sends one realistic, correctly authenticated Meeting BaaS delivery to a callback URL: the
// flow deployed by `npm start` by default, or any Node-RED given with --url.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

const HELP = `Send a simulated Meeting BaaS delivery to a Node-RED "callback in" node.

Usage: npm run simulate -- <completed|failed|status|invalid> [options]

Events
  completed   bot.completed, with signed URLs of a sample meeting's audio, transcript,
              diarization and chat served by the simulator's artifact server
  failed      bot.failed with an error code and message (default BOT_NOT_ACCEPTED)
  status      bot.status_change (account webhooks only; default in_call_recording)
  invalid     a bot.completed that breaks the schema the way the documentation's example
              does (placeholder bot id, no sent_at): authentic, so it goes to the "invalid" output

Where to send
  --url URL              callback URL; repeat to send the same delivery to several
                         (default http://127.0.0.1:1880/meetingbaas/callback, the npm start demo)
  --method POST|PUT      as set in callback_config (default POST)

How it is authenticated (default: the npm start demo account's callback secret)
  --secret S             per-bot callback: send S in the x-mb-secret header
  --webhook-secret W     account webhook: sign with Svix headers using W ("whsec_...")
  --unsigned             send no credentials (accepted only by a node without secrets)
  The environment variables MEETINGBAAS_CALLBACK_SECRET and MEETINGBAAS_WEBHOOK_SECRET
  work like --secret and --webhook-secret and keep the secret out of your shell history.

What it contains
  --bot-id UUID          bot id (default: a new one each time)
  --code CODE            failed: the error code, e.g. INSUFFICIENT_TOKENS, CANNOT_JOIN_MEETING
                         status: the status code, e.g. joining_call, in_waiting_room, call_ended
  --message TEXT         failed: the error message (default: one matching the code)
  --artifacts URL        artifact server the URLs point at (default http://127.0.0.1:1881,
                         the one npm start runs)
  --expired              artifact URLs that expired already: the artifact node then fetches
                         fresh ones with the account's API key (GET /v2/bots/{id})
  --serve                start the artifact server here (on the --artifacts port) and keep it
                         running until Ctrl-C, for a Node-RED started without npm start

Other
  --quiet                print only the answer
  -h, --help             this text

Examples
  npm run simulate -- completed
  npm run simulate -- failed --code INSUFFICIENT_TOKENS
  npm run simulate -- completed --url http://127.0.0.1:1880/my/path --secret my-secret --serve
  MEETINGBAAS_WEBHOOK_SECRET=whsec_... npm run simulate -- status --url http://127.0.0.1:1880/hook

Exit status: 0 when every URL answered 2xx, 1 otherwise, 2 for a usage error.`;

function usage(message) {
  console.error(`simulate: ${message}\nRun "npm run simulate -- --help" for the options.`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      url: { type: 'string', multiple: true },
      method: { type: 'string', default: 'POST' },
      secret: { type: 'string' },
      'webhook-secret': { type: 'string' },
      unsigned: { type: 'boolean', default: false },
      'bot-id': { type: 'string' },
      code: { type: 'string' },
      message: { type: 'string' },
      artifacts: { type: 'string' },
      expired: { type: 'boolean', default: false },
      serve: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
} catch (error) {
  usage(error.message);
}
const { values: options, positionals } = parsed;
if (options.help) {
  console.log(HELP);
  process.exit(0);
}

if (!existsSync(join(root, 'lib', 'simulator', 'index.js'))) {
  console.error('simulate: the compiled simulator is missing; run "npm run build" (or npm install) first.');
  process.exit(2);
}
const simulator = require('../lib/simulator');

const EVENTS = { completed: 'bot.completed', failed: 'bot.failed', status: 'bot.status_change', invalid: 'bot.completed' };
if (positionals.length !== 1 || !(positionals[0] in EVENTS)) usage('say which event: completed, failed, status or invalid');
const kind = positionals[0];

const method = options.method.toUpperCase();
if (method !== 'POST' && method !== 'PUT') usage('--method must be POST or PUT');

const urls = options.url ?? [simulator.DEMO_CALLBACK_URL];
for (const url of urls) {
  let parsedUrl;
  try {
    parsedUrl = new URL(url);
  } catch {
    usage(`not a URL: ${url}`);
  }
  if (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:') usage(`not an http(s) URL: ${url}`);
}

const secret = options.secret ?? process.env.MEETINGBAAS_CALLBACK_SECRET;
const webhookSecret = options['webhook-secret'] ?? process.env.MEETINGBAAS_WEBHOOK_SECRET;
if ([options.unsigned, secret !== undefined, webhookSecret !== undefined].filter(Boolean).length > 1) {
  usage('choose one of --secret, --webhook-secret and --unsigned');
}
let auth;
if (options.unsigned) auth = { kind: 'none' };
else if (webhookSecret !== undefined) {
  if (!/^whsec_[A-Za-z0-9+/=]+$/.test(webhookSecret.trim())) usage('--webhook-secret must look like whsec_<base64>');
  auth = { kind: 'webhook', secret: webhookSecret.trim() };
} else auth = { kind: 'secret', secret: secret ?? simulator.DEMO_CALLBACK_SECRET };

const botId = options['bot-id'] ?? randomUUID();
if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(botId)) {
  usage('--bot-id must be a UUID');
}
const artifactBase = (options.artifacts ?? simulator.DEMO_ARTIFACT_BASE_URL).replace(/\/+$/, '');

let server = null;
if (options.serve) {
  const port = Number(new URL(artifactBase).port || 80);
  try {
    server = await simulator.ArtifactServer.start({ port });
  } catch (error) {
    console.error(`simulate: cannot serve artifacts on 127.0.0.1:${port}: ${error.code ?? error.message}`);
    console.error('  (npm start may be serving them already: then leave out --serve)');
    process.exit(1);
  }
}

const meeting = simulator.loadSampleMeeting();
let delivery;
if (kind === 'completed') {
  const artifactUrls = options.expired
    ? simulator.expiredArtifactUrls(artifactBase, botId)
    : simulator.signedArtifactUrls(artifactBase, botId);
  delivery = simulator.completedDelivery(meeting.script, artifactUrls, { botId });
  if (!server) await warnWhenNoArtifactServer(artifactBase);
} else if (kind === 'invalid') {
  delivery = simulator.invalidDelivery(meeting.script, simulator.signedArtifactUrls(artifactBase, botId), { botId });
} else if (kind === 'failed') {
  delivery = simulator.failedDelivery({ botId, errorCode: options.code, errorMessage: options.message });
} else {
  delivery = simulator.statusChangeDelivery({ botId, code: options.code });
}

const authText = {
  none: 'no credentials',
  secret: 'x-mb-secret (per-bot callback secret)',
  webhook: 'Svix signature (account webhook secret)',
}[auth.kind];

let allAccepted = true;
for (const url of urls) {
  try {
    const result = await simulator.sendDelivery(url, delivery, auth, { method });
    const accepted = result.status >= 200 && result.status < 300;
    allAccepted &&= accepted;
    if (!options.quiet) {
      console.log(`${method} ${url}`);
      console.log(`  ${delivery.event} for bot ${botId}, authenticated with ${authText}`);
      console.log(`  headers: ${JSON.stringify(simulator.printableHeaders(result.requestHeaders))}`);
    }
    console.log(`→ ${result.status} ${explain(result.status)}${result.responseBody ? `  ${result.responseBody.slice(0, 200)}` : ''}`);
  } catch (error) {
    allAccepted = false;
    const cause = error.cause?.code ?? error.cause?.message ?? error.message;
    console.log(`${method} ${url}\n→ no answer: ${cause}`);
    if (url.startsWith(simulator.DEMO_CALLBACK_URL.slice(0, 22))) console.log('  Is Node-RED running? Start it with "npm start".');
  }
}
if (!options.quiet) {
  console.log('\nDelivery sent (compact JSON on the wire):');
  console.log(JSON.stringify(delivery, null, 2));
}

if (server) {
  console.log(`\nServing the artifacts at ${server.baseUrl} until Ctrl-C.`);
  server.on('request', (r) => console.log(`artifact server: ${r.method} ${r.path} → ${r.status}`));
  const stop = async () => {
    await server.close();
    process.exit(allAccepted ? 0 : 1);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else {
  process.exitCode = allAccepted ? 0 : 1;
}

function explain(status) {
  if (status >= 200 && status < 300) return 'accepted';
  return (
    {
      401: 'refused: wrong or missing secret/signature (check --secret / --webhook-secret against the account node)',
      404: 'no callback node on this path (check --url and that the flow is deployed)',
      405: 'method not allowed by the node (check --method)',
      413: 'body too large for the node',
      415: 'not JSON',
      503: 'node restarting (a deploy was running); Meeting BaaS would retry',
    }[status] ?? 'not accepted'
  );
}

async function warnWhenNoArtifactServer(base) {
  try {
    await fetch(`${base}/`, { signal: AbortSignal.timeout(1500) });
  } catch {
    console.warn(
      `simulate: nothing answers at ${base}, so the artifact URLs in this delivery will not download.\n` +
        '  Run "npm start" (it serves them), or add --serve to serve them from here.',
    );
  }
}
