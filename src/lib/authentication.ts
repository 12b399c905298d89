// Who sent this delivery: Svix (Standard Webhooks) signatures for account webhooks, the
// plain `x-mb-secret` for per-bot callbacks, or nobody we can check.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Webhook } from 'standardwebhooks';

export type VerifiedBy = 'svix' | 'secret' | 'none';

export type Authentication =
  | { readonly ok: true; readonly verifiedBy: VerifiedBy }
  | { readonly ok: false; readonly reason: RejectionReason };

export type RejectionReason = 'missing-credentials' | 'bad-signature' | 'bad-secret';

export interface Secrets {
  /** `callback_config.secret`, sent back by Meeting BaaS as `x-mb-secret`. */
  readonly callbackSecret?: string | undefined;
  /** The account webhook signing secret, `whsec_…`. */
  readonly webhookSecret?: string | undefined;
}

/** Checks deliveries against one account's secrets. Build once per node: the key is decoded here. */
export class DeliveryAuthenticator {
  private readonly webhook: Webhook | null;
  private readonly callbackSecretDigest: Buffer | null;

  /** Throws when `webhookSecret` is not a usable signing secret; the message never contains the secret. */
  constructor(secrets: Secrets) {
    this.webhook = secrets.webhookSecret ? createWebhook(secrets.webhookSecret) : null;
    this.callbackSecretDigest = secrets.callbackSecret ? sha256(secrets.callbackSecret) : null;
  }

  /** True when deliveries without credentials are accepted (no secret configured). */
  get acceptsUnverified(): boolean {
    return this.webhook === null && this.callbackSecretDigest === null;
  }

  authenticate(headers: IncomingHttpHeaders, rawBody: Buffer): Authentication {
    const signed = signatureHeaders(headers);
    if (signed && this.webhook) {
      try {
        this.webhook.verify(rawBody, signed, { jsonParse: false });
        return { ok: true, verifiedBy: 'svix' };
      } catch {
        return { ok: false, reason: 'bad-signature' };
      }
    }
    const presented = headers['x-mb-secret'];
    if (typeof presented === 'string' && this.callbackSecretDigest) {
      // Digests have equal length whatever was presented, so the comparison time says nothing about the secret.
      return timingSafeEqual(sha256(presented), this.callbackSecretDigest)
        ? { ok: true, verifiedBy: 'secret' }
        : { ok: false, reason: 'bad-secret' };
    }
    if (this.acceptsUnverified) return { ok: true, verifiedBy: 'none' };
    return { ok: false, reason: 'missing-credentials' };
  }
}

/** Svix names its headers `svix-*`; the Standard Webhooks verifier reads `webhook-*`. Both are accepted. */
function signatureHeaders(headers: IncomingHttpHeaders): Record<string, string> | null {
  for (const prefix of ['svix', 'webhook']) {
    const id = headers[`${prefix}-id`];
    const timestamp = headers[`${prefix}-timestamp`];
    const signature = headers[`${prefix}-signature`];
    if (typeof id === 'string' && typeof timestamp === 'string' && typeof signature === 'string') {
      return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature };
    }
  }
  return null;
}

/** The delivery id Svix gives each message (the same on every retry), if signed. */
export function signedDeliveryId(headers: IncomingHttpHeaders): string | null {
  const id = headers['svix-id'] ?? headers['webhook-id'];
  return typeof id === 'string' && id.length > 0 ? id : null;
}

function createWebhook(secret: string): Webhook {
  try {
    return new Webhook(secret.trim());
  } catch {
    throw new Error('the webhook signing secret is not a valid "whsec_…" key');
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
