// Who sent this delivery: Svix (Standard Webhooks) signatures for account webhooks, the
// plain `x-mb-secret` for per-bot callbacks, or nobody we can check.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Webhook } from 'standardwebhooks';

export type VerifiedBy = 'svix' | 'secret' | 'none';

export type Authentication =
  /** `messageId`: the id from the very header set whose signature was verified. */
  | { readonly ok: true; readonly verifiedBy: 'svix'; readonly messageId: string }
  | { readonly ok: true; readonly verifiedBy: Exclude<VerifiedBy, 'svix'> }
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

  /** Throws WebhookSecretError when `webhookSecret` is not a usable signing secret. */
  constructor(secrets: Secrets) {
    this.webhook = secrets.webhookSecret ? createWebhook(secrets.webhookSecret) : null;
    this.callbackSecretDigest = secrets.callbackSecret ? sha256(secrets.callbackSecret) : null;
  }

  /** True when deliveries without credentials are accepted (no secret configured). */
  get acceptsUnverified(): boolean {
    return this.webhook === null && this.callbackSecretDigest === null;
  }

  authenticate(headers: IncomingHttpHeaders, rawBody: Buffer): Authentication {
    const decision = this.decide(headers);
    if (!('signed' in decision)) return decision;
    try {
      decision.webhook.verify(rawBody, decision.signed, { jsonParse: false });
      return { ok: true, verifiedBy: 'svix', messageId: decision.signed['webhook-id'] };
    } catch {
      return { ok: false, reason: 'bad-signature' };
    }
  }

  /**
   * What the headers alone decide, by the same rules as `authenticate`: a rejection, or null when
   * only the body can tell (a signature to check, or no secret to check against).
   */
  rejectionBeforeBody(headers: IncomingHttpHeaders): RejectionReason | null {
    const decision = this.decide(headers);
    return 'signed' in decision || decision.ok ? null : decision.reason;
  }

  private decide(headers: IncomingHttpHeaders): Authentication | SignatureToCheck {
    const signed = signatureHeaders(headers);
    if (signed && this.webhook) return { signed, webhook: this.webhook };
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

type SignatureHeaders = Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>;
interface SignatureToCheck {
  readonly signed: SignatureHeaders;
  readonly webhook: Webhook;
}

/** Svix names its headers `svix-*`; the Standard Webhooks verifier reads `webhook-*`. Both are accepted. */
function signatureHeaders(headers: IncomingHttpHeaders): SignatureHeaders | null {
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

/** The webhook signing secret is not a `whsec_…` key (its message never holds the secret). */
export class WebhookSecretError extends Error {
  readonly code = 'bad-webhook-secret';
  constructor() {
    super('bad-webhook-secret');
    this.name = 'WebhookSecretError';
  }
}

function createWebhook(secret: string): Webhook {
  try {
    return new Webhook(secret.trim());
  } catch {
    throw new WebhookSecretError();
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
