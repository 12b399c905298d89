// The command line of meetingbaas-simulator, checked in full before anything is sent or served:
// a usage error exits 2 without touching the network.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
// The modules, not the simulator's index: it would load the API stand-in's validators, too slow
// for a usage error.
import { DEMO_ARTIFACT_BASE_URL, DEMO_CALLBACK_SECRET, DEMO_CALLBACK_URL } from '../demo';
import type { DeliveryAuth } from '../signing';

export const EVENTS = ['completed', 'expired', 'failed', 'status', 'invalid'] as const;
export type EventName = (typeof EVENTS)[number];

/** Which secret authenticates the deliveries, and where it came from (said in the output, never the secret). */
export type AuthSource = 'none' | 'option' | 'environment' | 'demo';

export interface RunOptions {
  /** Null: nothing to send, only serve (`--serve` alone). */
  readonly event: EventName | null;
  /** The links of a completed delivery expired already (`expired`, or `completed --expired`). */
  readonly expired: boolean;
  readonly urls: readonly string[];
  readonly method: 'POST' | 'PUT';
  readonly auth: DeliveryAuth;
  readonly authSource: AuthSource;
  readonly botId: string;
  readonly code: string | undefined;
  readonly message: string | undefined;
  /** Origin the artifact links point at, and where --serve listens. */
  readonly artifactBase: string;
  readonly artifactPort: number;
  readonly serve: boolean;
  readonly quiet: boolean;
}

export type Command = { readonly help: true } | { readonly help: false; readonly run: RunOptions };

/** A mistake on the command line; its message never repeats a value given (it may be a secret). */
export class UsageError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/=]+$/;
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost']);

function isEvent(name: string): name is EventName {
  return (EVENTS as readonly string[]).includes(name);
}

function httpUrl(value: string, option: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${option} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${option} is not an http(s) URL`);
  return url;
}

function readArgs(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
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
    // parseArgs names the option, never its value; its hint about "--" only confuses here.
    const text = error instanceof Error ? error.message : String(error);
    throw new UsageError(text.split(/\.\s/)[0] ?? text);
  }
}

export function parseCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Command {
  const { values, positionals } = readArgs(argv);
  if (values.help) return { help: true };

  if (positionals.length > 1) throw new UsageError('name one event');
  const [name] = positionals;
  if (name === undefined && !values.serve) throw new UsageError(`name the event to send: ${EVENTS.join(', ')}`);
  if (name !== undefined && !isEvent(name)) throw new UsageError(`unknown event; the events are ${EVENTS.join(', ')}`);
  const event = name ?? null;

  if (values.expired && event !== 'completed' && event !== 'expired') throw new UsageError('--expired goes with completed');
  if (values.code !== undefined && event !== 'failed' && event !== 'status') throw new UsageError('--code goes with failed or status');
  if (values.message !== undefined && event !== 'failed') throw new UsageError('--message goes with failed');

  const method = values.method.toUpperCase();
  if (method !== 'POST' && method !== 'PUT') throw new UsageError('--method must be POST or PUT');

  const urls = values.url ?? [DEMO_CALLBACK_URL];
  for (const url of urls) httpUrl(url, '--url');

  const given = {
    secret: values.secret ?? env.MEETINGBAAS_CALLBACK_SECRET,
    webhook: values['webhook-secret'] ?? env.MEETINGBAAS_WEBHOOK_SECRET,
  };
  if ([values.unsigned, given.secret !== undefined, given.webhook !== undefined].filter(Boolean).length > 1) {
    throw new UsageError('choose one of --secret, --webhook-secret and --unsigned (or their environment variables)');
  }
  let auth: DeliveryAuth;
  let authSource: AuthSource;
  if (values.unsigned) {
    auth = { kind: 'none' };
    authSource = 'none';
  } else if (given.webhook !== undefined) {
    const secret = given.webhook.trim();
    if (!WEBHOOK_SECRET.test(secret)) throw new UsageError('the webhook secret must look like whsec_<base64>');
    auth = { kind: 'webhook', secret };
    authSource = values['webhook-secret'] !== undefined ? 'option' : 'environment';
  } else if (given.secret !== undefined) {
    if (given.secret === '') throw new UsageError('the callback secret is empty');
    auth = { kind: 'secret', secret: given.secret };
    authSource = values.secret !== undefined ? 'option' : 'environment';
  } else {
    auth = { kind: 'secret', secret: DEMO_CALLBACK_SECRET };
    authSource = 'demo';
  }

  const botId = values['bot-id'] ?? randomUUID();
  if (!UUID.test(botId)) throw new UsageError('--bot-id must be a UUID');

  const artifacts = httpUrl(values.artifacts ?? DEMO_ARTIFACT_BASE_URL, '--artifacts');
  const artifactPort = Number(artifacts.port || (artifacts.protocol === 'https:' ? 443 : 80));
  if (values.serve && (artifacts.protocol !== 'http:' || !LOCAL_HOSTS.has(artifacts.hostname))) {
    // The server listens on 127.0.0.1 only, over plain http: links to anywhere else would not reach it.
    throw new UsageError('with --serve, --artifacts must be http://127.0.0.1:<port>');
  }

  return {
    help: false,
    run: {
      event,
      expired: event === 'expired' || values.expired,
      urls,
      method,
      auth,
      authSource,
      botId,
      code: values.code,
      message: values.message,
      artifactBase: artifacts.origin,
      artifactPort,
      serve: values.serve,
      quiet: values.quiet,
    },
  };
}
