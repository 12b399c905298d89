// What the command does once its options are checked: send, then serve when asked.
import {
  ArtifactServer,
  DEMO_API_KEY,
  DEMO_CALLBACK_URL,
  completedDelivery,
  expiredArtifactUrls,
  failedDelivery,
  invalidDelivery,
  loadSampleMeeting,
  printableHeaders,
  printableUrl,
  sendDelivery,
  signedArtifactUrls,
  statusChangeDelivery,
  type SentCallback,
  type ServedRequest,
} from '..';
import { COMMAND } from './help';
import type { AuthSource, EventName, RunOptions } from './options';

interface Delivery {
  readonly body: object;
  readonly summary: string;
}

/** Where the secret came from, said after the kind of authentication. */
const SOURCE_TEXT: Record<AuthSource, string> = {
  none: '',
  option: '',
  environment: ' from the environment',
  demo: " (the npm start demo's secret: give yours with --secret)",
};

export async function run(options: RunOptions): Promise<number> {
  let server: ArtifactServer | null = null;
  if (options.serve) {
    try {
      // Started first: a flow downloads the links as soon as the delivery is accepted.
      server = await ArtifactServer.start({ port: options.artifactPort, apiKey: DEMO_API_KEY, bots: { meetingMs: 3000 } });
    } catch (error) {
      console.error(`${COMMAND}: cannot serve on 127.0.0.1:${options.artifactPort}: ${reason(error)}`);
      console.error('  Another simulator (or npm start) may be serving there: leave out --serve, or choose a port with --artifacts.');
      return 1;
    }
  }

  let allAccepted = true;
  if (options.event !== null) {
    const delivery = makeDelivery(options.event, options);
    if (options.event === 'completed' || options.event === 'expired') {
      if (!server && !options.quiet) await warnWhenNoArtifactServer(options.artifactBase);
    }
    allAccepted = await sendToAll(delivery, options);
  }
  if (!server) return allAccepted ? 0 : 1;
  return serveUntilStopped(server, options, allAccepted);
}

function makeDelivery(event: EventName, options: RunOptions): Delivery {
  const { botId } = options;
  const meeting = loadSampleMeeting();
  switch (event) {
    case 'completed':
    case 'expired': {
      const urls = options.expired
        ? expiredArtifactUrls(options.artifactBase, botId)
        : signedArtifactUrls(options.artifactBase, botId);
      const links = options.expired ? 'links that expired already' : 'links valid for 4 hours';
      return { body: completedDelivery(meeting.script, urls, { botId }), summary: `bot.completed for bot ${botId}, ${links}` };
    }
    case 'invalid':
      return {
        body: invalidDelivery(meeting.script, signedArtifactUrls(options.artifactBase, botId), { botId }),
        summary: 'bot.completed that breaks the schema (bot id "examplebot_id", no sent_at)',
      };
    case 'failed': {
      const body = failedDelivery({ botId, errorCode: options.code, errorMessage: options.message });
      return { body, summary: `bot.failed ${body.data.error_code} for bot ${botId}` };
    }
    case 'status': {
      const body = statusChangeDelivery({ botId, code: options.code });
      return { body, summary: `bot.status_change ${body.data.status.code} for bot ${botId}` };
    }
  }
}

function authText(options: RunOptions): string {
  switch (options.auth.kind) {
    case 'none':
      return 'no credentials';
    case 'secret':
      return `x-mb-secret (per-bot callback secret${SOURCE_TEXT[options.authSource]})`;
    case 'webhook':
      return `Svix signature (account webhook secret${SOURCE_TEXT[options.authSource]})`;
  }
}

async function sendToAll(delivery: Delivery, options: RunOptions): Promise<boolean> {
  let allAccepted = true;
  for (const url of options.urls) {
    const shown = printableUrl(url);
    try {
      const result = await sendDelivery(url, delivery.body, options.auth, { method: options.method });
      const accepted = result.status >= 200 && result.status < 300;
      allAccepted &&= accepted;
      if (!options.quiet) {
        console.log(`${options.method} ${shown}`);
        console.log(`  ${delivery.summary}, authenticated with ${authText(options)}`);
        console.log(`  headers: ${JSON.stringify(printableHeaders(result.requestHeaders))}`);
      }
      const answer = result.responseBody ? `  ${result.responseBody.slice(0, 200)}` : '';
      console.log(`→ ${result.status} ${explain(result.status)}${answer}`);
    } catch (error) {
      allAccepted = false;
      console.log(`${options.method} ${shown}\n→ no answer: ${reason(error)}`);
      if (sameOrigin(url, DEMO_CALLBACK_URL)) {
        console.log('  Is Node-RED running on this machine at port 1880? (In a clone, npm start runs it.)');
      }
    }
  }
  if (!options.quiet) {
    console.log('\nDelivery sent (compact JSON on the wire):');
    console.log(JSON.stringify(delivery.body, null, 2));
  }
  return allAccepted;
}

async function serveUntilStopped(server: ArtifactServer, options: RunOptions, allAccepted: boolean): Promise<number> {
  console.log(
    [
      '',
      `Serving until Ctrl-C, on ${server.baseUrl}:`,
      `  artifacts  ${server.baseUrl}/recordings/{bot_id}/…`,
      `  API        ${server.baseUrl}/v2/bots… (GET /v2/bots/{bot_id} hands out fresh links)`,
      'For "fetch artifacts" to refresh expired links, or "meeting bot" to send bots here, set in the',
      'Meeting BaaS account node:',
      `  API URL  ${server.baseUrl}`,
      `  API key  ${DEMO_API_KEY}`,
    ].join('\n'),
  );
  if (!options.quiet) {
    server.on('request', (r: ServedRequest) =>
      console.log(`served: ${r.method} ${r.path} → ${r.status}`),
    );
    server.api.on('callback', (c: SentCallback) =>
      console.log(`bot ${c.botId} called back ${c.result ? `→ ${c.result.status}` : `and failed: ${c.error ?? ''}`}`),
    );
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  return allAccepted ? 0 : 1;
}

function explain(status: number): string {
  if (status >= 200 && status < 300) return 'accepted';
  const reasons: Readonly<Record<number, string>> = {
    401: 'refused: wrong or missing secret/signature (compare --secret / --webhook-secret with the account node)',
    404: 'no callback node on this path (check --url and that the flow is deployed)',
    405: 'method not allowed by the node (check --method)',
    413: 'body too large for the node',
    415: 'not JSON',
    503: 'node restarting (a deploy was running); Meeting BaaS would retry',
  };
  return reasons[status] ?? 'not accepted';
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/** The most telling part of a failure: fetch wraps the system error (ECONNREFUSED, …) in `cause`. */
function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { cause } = error;
  if (typeof cause === 'object' && cause !== null) {
    if ('code' in cause && typeof cause.code === 'string') return cause.code;
    if (cause instanceof Error) return cause.message;
  }
  if ('code' in error && typeof error.code === 'string') return error.code;
  return error.message;
}

async function warnWhenNoArtifactServer(base: string): Promise<void> {
  try {
    await fetch(`${base}/`, { signal: AbortSignal.timeout(1500) });
  } catch {
    console.warn(
      `${COMMAND}: nothing answers at ${base}, so the links in this delivery will not download.\n` +
        '  Add --serve to serve them from here (in a clone, npm start serves them too).',
    );
  }
}
