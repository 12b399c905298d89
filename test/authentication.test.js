'use strict';
const assert = require('node:assert/strict');
const { randomBytes } = require('node:crypto');
const { Webhook } = require('standardwebhooks');
const { DeliveryAuthenticator, signedDeliveryId } = require('../lib/authentication');

const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const body = Buffer.from(JSON.stringify({ event: 'bot.status_change', data: { bot_id: 'x' } }));

/** Svix headers made by the Standard Webhooks reference library, not by the code under test. */
function svixHeaders(payload, { secret = WEBHOOK_SECRET, id = 'msg_2abc', at = new Date() } = {}) {
  const signature = new Webhook(secret).sign(id, at, payload.toString());
  return { 'svix-id': id, 'svix-timestamp': String(Math.floor(at.getTime() / 1000)), 'svix-signature': signature };
}

describe('delivery authentication', () => {
  const both = new DeliveryAuthenticator({ callbackSecret: 'cb-secret', webhookSecret: WEBHOOK_SECRET });

  it('accepts a Svix-signed delivery over its exact bytes', () => {
    assert.deepEqual(both.authenticate(svixHeaders(body), body), { ok: true, verifiedBy: 'svix' });
  });

  it('accepts Standard Webhooks header names too', () => {
    const h = svixHeaders(body);
    const headers = { 'webhook-id': h['svix-id'], 'webhook-timestamp': h['svix-timestamp'], 'webhook-signature': h['svix-signature'] };
    assert.deepEqual(both.authenticate(headers, body), { ok: true, verifiedBy: 'svix' });
  });

  it('accepts any one of several signatures (key rotation)', () => {
    const h = svixHeaders(body);
    const old = svixHeaders(body, { secret: `whsec_${randomBytes(24).toString('base64')}` })['svix-signature'];
    h['svix-signature'] = `${old} v2,ignored ${h['svix-signature']}`;
    assert.equal(both.authenticate(h, body).ok, true);
  });

  it('refuses a changed body, a wrong key, and timestamps more than 5 minutes off', () => {
    const h = svixHeaders(body);
    const tampered = Buffer.from(body.toString().replace('x', 'y'));
    assert.deepEqual(both.authenticate(h, tampered), { ok: false, reason: 'bad-signature' });
    const wrongKey = svixHeaders(body, { secret: `whsec_${randomBytes(24).toString('base64')}` });
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
      assert.match(error.message, /not a valid/);
      assert.ok(!error.message.includes('not-base64'));
      return true;
    });
  });

  it('takes the Svix message id as the delivery id', () => {
    assert.equal(signedDeliveryId({ 'svix-id': 'msg_1' }), 'msg_1');
    assert.equal(signedDeliveryId({ 'webhook-id': 'msg_2' }), 'msg_2');
    assert.equal(signedDeliveryId({}), null);
  });
});
