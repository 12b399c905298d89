'use strict';
const assert = require('node:assert/strict');
const { DeliveryAuthenticator } = require('../../../lib/delivery/authentication');
const deliveries = require('../../fixtures/deliveries');

const WEBHOOK_SECRET = deliveries.newWebhookSecret();
const body = Buffer.from(JSON.stringify({ event: 'bot.status_change', data: { bot_id: 'x' } }));

/** Svix headers made by the Standard Webhooks reference library, not by the code under test. */
const svixHeaders = (payload, options = {}) => deliveries.svixHeaders(payload, { secret: WEBHOOK_SECRET, id: 'msg_2abc', ...options });

describe('delivery authentication', () => {
  const both = new DeliveryAuthenticator({ callbackSecret: 'cb-secret', webhookSecret: WEBHOOK_SECRET });

  it('accepts a Svix-signed delivery over its exact bytes', () => {
    assert.deepEqual(both.authenticate(svixHeaders(body), body), { ok: true, verifiedBy: 'svix', messageId: 'msg_2abc' });
  });

  it('accepts Standard Webhooks header names too', () => {
    const h = svixHeaders(body);
    const headers = { 'webhook-id': h['svix-id'], 'webhook-timestamp': h['svix-timestamp'], 'webhook-signature': h['svix-signature'] };
    assert.deepEqual(both.authenticate(headers, body), { ok: true, verifiedBy: 'svix', messageId: 'msg_2abc' });
  });

  it('accepts any one of several signatures (key rotation)', () => {
    const h = svixHeaders(body);
    const old = svixHeaders(body, { secret: deliveries.newWebhookSecret() })['svix-signature'];
    h['svix-signature'] = `${old} v2,ignored ${h['svix-signature']}`;
    assert.equal(both.authenticate(h, body).ok, true);
  });

  it('refuses a changed body, a wrong key, and timestamps more than 5 minutes off', () => {
    const h = svixHeaders(body);
    const tampered = Buffer.from(body.toString().replace('x', 'y'));
    assert.deepEqual(both.authenticate(h, tampered), { ok: false, reason: 'bad-signature' });
    const wrongKey = svixHeaders(body, { secret: deliveries.newWebhookSecret() });
    assert.deepEqual(both.authenticate(wrongKey, body), { ok: false, reason: 'bad-signature' });
    const stale = svixHeaders(body, { at: new Date(Date.now() - 6 * 60 * 1000) });
    assert.deepEqual(both.authenticate(stale, body), { ok: false, reason: 'bad-signature' });
    const future = svixHeaders(body, { at: new Date(Date.now() + 6 * 60 * 1000) });
    assert.deepEqual(both.authenticate(future, body), { ok: false, reason: 'bad-signature' });
    const recent = svixHeaders(body, { at: new Date(Date.now() - 4 * 60 * 1000) });
    assert.equal(both.authenticate(recent, body).ok, true);
  });

  it('compares x-mb-secret exactly', () => {
    assert.deepEqual(both.authenticate({ 'x-mb-secret': 'cb-secret' }, body), { ok: true, verifiedBy: 'secret' });
    for (const wrong of ['cb-secre', 'cb-secret ', 'CB-SECRET', '', 'cb-secretcb-secret']) {
      assert.deepEqual(both.authenticate({ 'x-mb-secret': wrong }, body), { ok: false, reason: 'bad-secret' }, wrong);
    }
  });

  it('refuses deliveries without credentials once any secret is set', () => {
    assert.deepEqual(both.authenticate({}, body), { ok: false, reason: 'missing-credentials' });
    const onlyCallback = new DeliveryAuthenticator({ callbackSecret: 'cb-secret' });
    // Signed, but this account cannot check signatures: not authentic to it.
    assert.deepEqual(onlyCallback.authenticate(svixHeaders(body), body), { ok: false, reason: 'missing-credentials' });
    const onlyWebhook = new DeliveryAuthenticator({ webhookSecret: WEBHOOK_SECRET });
    assert.deepEqual(onlyWebhook.authenticate({ 'x-mb-secret': 'anything' }, body), { ok: false, reason: 'missing-credentials' });
  });

  it('accepts everything as unverified when no secret is set', () => {
    const open = new DeliveryAuthenticator({});
    assert.equal(open.acceptsUnverified, true);
    assert.equal(both.acceptsUnverified, false);
    assert.deepEqual(open.authenticate({}, body), { ok: true, verifiedBy: 'none' });
  });

  it('says a webhook secret is unusable without repeating it', () => {
    const secret = 'whsec_!!not-base64!!';
    assert.throws(() => new DeliveryAuthenticator({ webhookSecret: secret }), (error) => {
      assert.equal(error.code, 'bad-webhook-secret');
      assert.ok(!error.message.includes('not-base64'));
      return true;
    });
  });

  it('gives the message id of the header set it verified, never of another one', () => {
    const h = svixHeaders(body, { id: 'msg_genuine' });
    const renamed = { 'webhook-id': h['svix-id'], 'webhook-timestamp': h['svix-timestamp'], 'webhook-signature': h['svix-signature'] };
    // An incomplete svix-* set beside a genuine webhook-* one: the webhook-* set is verified, and its id counts.
    for (const extra of [{ 'svix-id': 'msg_fresh' }, { 'svix-id': 'msg_fresh', 'svix-signature': 'v1,AAAA' }]) {
      assert.deepEqual(both.authenticate({ ...renamed, ...extra }, body), { ok: true, verifiedBy: 'svix', messageId: 'msg_genuine' });
    }
    // A complete svix-* set is the one verified: a forged one is refused, whatever webhook-* holds.
    const forged = { ...renamed, 'svix-id': 'msg_fresh', 'svix-timestamp': h['svix-timestamp'], 'svix-signature': h['svix-signature'] };
    assert.deepEqual(both.authenticate(forged, body), { ok: false, reason: 'bad-signature' });
    assert.deepEqual(both.authenticate({ ...h, 'x-mb-secret': 'cb-secret' }, body), { ok: true, verifiedBy: 'svix', messageId: 'msg_genuine' });
  });

  it('decides from the headers alone what needs no body, by the same rules', () => {
    const onlyCallback = new DeliveryAuthenticator({ callbackSecret: 'cb-secret' });
    const onlyWebhook = new DeliveryAuthenticator({ webhookSecret: WEBHOOK_SECRET });
    const open = new DeliveryAuthenticator({});
    const signed = svixHeaders(body);
    const cases = [
      [both, {}, 'missing-credentials'],
      [both, { 'x-mb-secret': 'wrong' }, 'bad-secret'],
      [both, { 'x-mb-secret': 'cb-secret' }, null],
      [both, signed, null], // the signature needs the body
      [both, { ...signed, 'x-mb-secret': 'wrong' }, null], // the signature decides, as after the body
      [both, { 'svix-id': 'msg_1', 'svix-signature': 'v1,AAAA' }, 'missing-credentials'],
      [onlyCallback, signed, 'missing-credentials'],
      [onlyCallback, { ...signed, 'x-mb-secret': 'cb-secret' }, null],
      [onlyWebhook, { 'x-mb-secret': 'cb-secret' }, 'missing-credentials'],
      [onlyWebhook, signed, null],
      [open, {}, null],
      [open, { 'x-mb-secret': 'anything' }, null],
    ];
    for (const [authenticator, headers, expected] of cases) {
      assert.equal(authenticator.rejectionBeforeBody(headers), expected, JSON.stringify(headers));
      // Whatever the headers decide, the full check after the body decides the same.
      const full = authenticator.authenticate(headers, body);
      if (expected !== null) assert.deepEqual(full, { ok: false, reason: expected });
    }
  });
});
