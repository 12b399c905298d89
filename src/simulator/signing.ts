// Authenticates a simulated delivery the two ways Meeting BaaS does: the plain
// `x-mb-secret` header of per-bot callbacks, or the Svix signature of account webhooks, made
// with the same Standard Webhooks library the callback node verifies with.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export type DeliveryAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'secret'; readonly secret: string }
  | { readonly kind: 'webhook'; readonly secret: string };

export interface SignOptions {
  /** Svix message id; the same id on a retry. Defaults to a new one. */
  readonly messageId?: string;
  /** Signing time; a time more than 5 minutes off makes the signature be refused. */
  readonly timestamp?: Date;
}

/** Svix ids look like `msg_2b…`: a prefix and 27 url-safe characters. */
export function newMessageId(): string {
  return `msg_${randomBytes(20).toString('base64url').slice(0, 27)}`;
}

/** A signing secret in the `whsec_<base64>` form the Meeting BaaS dashboard shows. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** The headers to send with `body` (the exact bytes that will be sent: signatures cover them). */
export function deliveryHeaders(body: string, auth: DeliveryAuth, options: SignOptions = {}): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'MeetingBaaS-Simulator/1.0',
  };
  if (auth.kind === 'secret') {
    headers['x-mb-secret'] = auth.secret;
  } else if (auth.kind === 'webhook') {
    const messageId = options.messageId ?? newMessageId();
    const timestamp = options.timestamp ?? new Date();
    headers['svix-id'] = messageId;
    headers['svix-timestamp'] = String(Math.floor(timestamp.getTime() / 1000));
    headers['svix-signature'] = new Webhook(auth.secret).sign(messageId, timestamp, body);
  }
  return headers;
}
