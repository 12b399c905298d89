'use strict';
const assert = require('node:assert/strict');
const { checkDelivery, KNOWN_EVENTS } = require('../lib/validation');
const { completed, failed, statusChange, seedCompleted, seedCompletedMadeValid } = require('./fixtures/deliveries');

describe('delivery validation (AJV, Meeting BaaS v2 schemas)', () => {
  it('accepts the seed payloads once their placeholders hold real values', () => {
    assert.deepEqual(checkDelivery(seedCompletedMadeValid()), { valid: true, event: 'bot.completed', documented: true });
    assert.equal(checkDelivery(failed()).valid, true);
    assert.equal(checkDelivery(completed()).valid, true);
  });

  it('refuses the seed as published and says which fields are wrong', () => {
    const result = checkDelivery({ ...seedCompleted, event: 'bot.completed' });
    assert.equal(result.valid, false);
    const fields = result.errors.map((e) => e.field);
    assert.ok(fields.includes('data.bot_id'), fields.join());
    assert.ok(fields.includes('data.sent_at'), fields.join());
    const botId = result.errors.find((e) => e.field === 'data.bot_id');
    assert.match(botId.message, /uuid|pattern/);
  });

  it('keeps unknown fields valid at every level (senders add fields over time)', () => {
    const delivery = completed();
    delivery.data.new_field = { nested: true };
    delivery.data.participants[0].email = 'ada@example.com';
    delivery.version = 3;
    assert.equal(checkDelivery(delivery).valid, true);
  });

  it('accepts the documented variants: mp4 for video, extra inside data, a chat_messages URL', () => {
    const withMp4 = completed();
    withMp4.data.mp4 = withMp4.data.video;
    delete withMp4.data.video;
    assert.equal(checkDelivery(withMp4).valid, true);

    const extraInData = failed();
    extraInData.data.extra = { ticket: 7 };
    delete extraInData.extra;
    assert.equal(checkDelivery(extraInData).valid, true);

    const chat = completed();
    chat.data.chat_messages = 'https://artifacts.example-storage.com/chat.json?sig=1';
    assert.equal(checkDelivery(chat).valid, true);
  });

  it('still requires what the documented variants do not replace', () => {
    const noVideo = completed();
    delete noVideo.data.video;
    const result = checkDelivery(noVideo);
    assert.equal(result.valid, false);
    assert.ok(result.errors.some((e) => e.field === 'data.video' && e.message === 'is required'), JSON.stringify(result.errors));

    const noExtra = failed();
    delete noExtra.extra;
    assert.equal(checkDelivery(noExtra).valid, false);

    const badChat = completed();
    badChat.data.chat_messages = 42;
    assert.equal(checkDelivery(badChat).valid, false);
  });

  it('reports wrong types and formats field by field', () => {
    const delivery = completed();
    delivery.data.duration_seconds = 'long';
    delivery.data.joined_at = 'yesterday';
    delivery.data.audio = 'not a url';
    const result = checkDelivery(delivery);
    assert.equal(result.valid, false);
    const byField = Object.fromEntries(result.errors.map((e) => [e.field, e.message]));
    assert.ok(byField['data.duration_seconds'], JSON.stringify(result.errors));
    assert.ok(byField['data.joined_at'], JSON.stringify(result.errors));
    assert.ok(byField['data.audio'], JSON.stringify(result.errors));
  });

  it('validates webhook-only events against their own schema', () => {
    assert.deepEqual(checkDelivery(statusChange()), { valid: true, event: 'bot.status_change', documented: true });
    const broken = statusChange();
    delete broken.data.status.code;
    const result = checkDelivery(broken);
    assert.equal(result.valid, false);
    assert.deepEqual(result.errors, [{ field: 'data.status.code', message: 'is required' }]);
    assert.ok(KNOWN_EVENTS.includes('calendar.events_synced'));
  });

  it('lets events without a published schema through with only the envelope checked', () => {
    assert.deepEqual(checkDelivery({ event: 'bot.something_new', data: {} }), {
      valid: true,
      event: 'bot.something_new',
      documented: false,
    });
    const noData = checkDelivery({ event: 'bot.something_new' });
    assert.equal(noData.valid, false);
    assert.deepEqual(noData.errors, [{ field: 'data', message: 'is required' }]);
  });

  it('says what is wrong with bodies that are not deliveries at all', () => {
    for (const body of [null, [], 'text', 42, {}]) {
      const result = checkDelivery(body);
      assert.equal(result.valid, false, JSON.stringify(body));
      assert.equal(result.event, null);
      assert.ok(result.errors.length > 0);
    }
  });

  it('is not fooled by __proto__ or constructor keys', () => {
    const delivery = JSON.parse(`{"event":"bot.failed","__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"data":${JSON.stringify(failed().data)},"extra":null}`);
    assert.equal(checkDelivery(delivery).valid, true);
    assert.equal({}.polluted, undefined);
    assert.equal(Object.prototype.x, undefined);
  });
});
