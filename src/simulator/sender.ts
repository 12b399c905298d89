// Sends one delivery the way Meeting BaaS does: one HTTP request, JSON body, 30 s timeout.
import { deliveryHeaders, type DeliveryAuth, type SignOptions } from './signing';

export interface SendOptions extends SignOptions {
  /** Callbacks may be configured with PUT; webhooks always POST. */
  readonly method?: 'POST' | 'PUT';
  readonly timeoutMs?: number;
}

export interface SendResult {
  readonly url: string;
  readonly method: 'POST' | 'PUT';
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly body: string;
  readonly status: number;
  readonly responseBody: string;
}

const MEETING_BAAS_TIMEOUT_MS = 30_000;

/** Headers whose value is a credential: shown only by their first characters and length. */
const HIDDEN_HEADERS = new Set(['x-mb-secret', 'authorization']);

/**
 * A URL with `user:password@` (how a Node-RED behind httpNodeAuth is given to Meeting BaaS) is
 * sent as basic authentication to the URL without them: fetch refuses URLs that carry credentials.
 */
function splitCredentials(url: string): { readonly target: string; readonly authorization: string | null } {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return { target: url, authorization: null };
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return { target: parsed.toString(), authorization: `Basic ${Buffer.from(credentials).toString('base64')}` };
}

export async function sendDelivery(
  url: string,
  delivery: object,
  auth: DeliveryAuth,
  options: SendOptions = {},
): Promise<SendResult> {
  const body = JSON.stringify(delivery);
  const { target, authorization } = splitCredentials(url);
  const requestHeaders = {
    ...deliveryHeaders(body, auth, options),
    ...(authorization === null ? {} : { authorization }),
  };
  const method = options.method ?? 'POST';
  const response = await fetch(target, {
    method,
    headers: requestHeaders,
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? MEETING_BAAS_TIMEOUT_MS),
  });
  const responseBody = await response.text();
  return { url, method, requestHeaders, body, status: response.status, responseBody };
}

/** Headers as they can be shown: the callback secret and basic credentials are not printed in full. */
export function printableHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    shown[name] = HIDDEN_HEADERS.has(name.toLowerCase()) ? `${value.slice(0, 2)}… (${value.length} characters)` : value;
  }
  return shown;
}

/** A URL as it can be shown: the password of `user:password@` is left out. */
export function printableUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.password === '') return url;
  parsed.password = '***';
  return parsed.toString();
}
