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

export async function sendDelivery(
  url: string,
  delivery: object,
  auth: DeliveryAuth,
  options: SendOptions = {},
): Promise<SendResult> {
  const body = JSON.stringify(delivery);
  const requestHeaders = deliveryHeaders(body, auth, options);
  const method = options.method ?? 'POST';
  const response = await fetch(url, {
    method,
    headers: requestHeaders,
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? MEETING_BAAS_TIMEOUT_MS),
  });
  const responseBody = await response.text();
  return { url, method, requestHeaders, body, status: response.status, responseBody };
}

/** Headers as they can be shown: the callback secret is the one thing not to print in full. */
export function printableHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    shown[name] = name === 'x-mb-secret' ? `${value.slice(0, 2)}… (${value.length} characters)` : value;
  }
  return shown;
}
