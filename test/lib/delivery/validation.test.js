'use strict';
const assert = require('node:assert/strict');
const { checkDelivery, KNOWN_EVENTS, MAX_LISTED_ERRORS } = require('../../../lib/delivery/validation');
const { completed, failed, statusChange, seedCompleted, seedCompletedMadeValid } = require('../../fixtures/deliveries');

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

describe('delivery validation: what the flow can use, and what only deviates from the documents', () => {
  const minimalCompleted = () => ({ event: 'bot.completed', data: { bot_id: completed().data.bot_id } });

  it('finds a bot.completed holding only event and bot_id usable, listing what it lacks as deviations', () => {
    const result = checkDelivery(minimalCompleted());
    assert.equal(result.valid, false, 'it deviates from the documented schema');
    assert.equal(result.usable, true, JSON.stringify(result.errors));
    const fields = result.errors.map((e) => e.field);
    for (const field of ['data.sent_at', 'data.transcription_ids', 'data.transcription_provider', 'data.participants']) {
      assert.ok(fields.includes(field), `${field} in ${fields.join()}`);
    }
    assert.equal(result.errorCount, result.errors.length);
    assert.equal(result.errorCountIsMinimum, false);
  });

  it('finds a sent_at written with +00:00 (valid RFC 3339) a deviation, never unusable', () => {
    for (const make of [completed, failed]) {
      const delivery = make();
      delivery.data.sent_at = '2026-12-02T16:00:00+00:00';
      const result = checkDelivery(delivery);
      assert.equal(result.usable, true, JSON.stringify(result.errors));
      assert.deepEqual(result.errors.map((e) => e.field), ['data.sent_at']);
    }
  });

  it('finds a terminal event without a valid bot_id unusable, and lists why before the deviations', () => {
    for (const make of [completed, failed]) {
      const delivery = make();
      delivery.data.bot_id = 'examplebot_id';
      delete delivery.data.sent_at;
      const result = checkDelivery(delivery);
      assert.equal(result.usable, false);
      const fields = result.errors.map((e) => e.field);
      assert.equal(fields[0], 'data.bot_id', JSON.stringify(result.errors));
      assert.ok(fields.lastIndexOf('data.bot_id') < fields.indexOf('data.sent_at'), fields.join());
      const pairs = result.errors.map((e) => `${e.field} ${e.message}`);
      assert.equal(new Set(pairs).size, pairs.length, 'each problem listed once');
    }
    const noData = checkDelivery({ event: 'bot.failed' });
    assert.equal(noData.usable, false);
    assert.equal(noData.errors[0].field, 'data');
  });

  it('finds link fields that are not URLs unusable; absent or null links are fine', () => {
    const badLink = minimalCompleted();
    badLink.data.audio = 'not a url';
    const bad = checkDelivery(badLink);
    assert.equal(bad.usable, false);
    assert.equal(bad.errors[0].field, 'data.audio');

    const badMp4 = minimalCompleted();
    badMp4.data.mp4 = 42;
    assert.equal(checkDelivery(badMp4).usable, false);

    const nullLinks = minimalCompleted();
    nullLinks.data.video = null;
    nullLinks.data.chat_messages = null;
    assert.equal(checkDelivery(nullLinks).usable, true);
  });

  it('finds other events usable with nothing but their name; no event at all is unusable', () => {
    const noStatus = { event: 'bot.status_change', data: { bot_id: 'not-a-uuid' } };
    const status = checkDelivery(noStatus);
    assert.equal(status.valid, false);
    assert.equal(status.usable, true, JSON.stringify(status.errors));
    assert.equal(checkDelivery({ event: 'bot.something_new' }).usable, true);
    for (const body of [null, [], 'text', 42, {}, { event: '' }, { event: 7, data: {} }]) {
      assert.equal(checkDelivery(body).usable, false, JSON.stringify(body));
    }
  });

  it('caps the error list and says the count is a minimum when it stopped there', () => {
    const delivery = completed();
    delivery.data.participants = Array.from({ length: 24000 }, () => ({ name: 5, id: 'x', profile_picture: 3 }));
    const result = checkDelivery(delivery);
    assert.equal(result.usable, true);
    assert.equal(result.errors.length, MAX_LISTED_ERRORS);
    assert.ok(result.errorCount > MAX_LISTED_ERRORS, String(result.errorCount));
    assert.equal(result.errorCountIsMinimum, true);
    assert.equal(result.errors[0].field, 'data.participants.0.name', JSON.stringify(result.errors[0]));
    assert.ok(MAX_LISTED_ERRORS >= 20 && MAX_LISTED_ERRORS <= 100, 'a few dozen');
  });

  it('finds every error of a late array item, with its index, after thousands of good ones', () => {
    const delivery = completed();
    delivery.data.participants = Array.from({ length: 20000 }, (_, i) => ({ name: `P${i}`, id: i }));
    delivery.data.participants[19999] = { name: 5, id: 'x' };
    delivery.data.participants[19990].id = 'y';
    delivery.data.speakers = [{ name: 'Ada', id: 1 }, { name: 'Bob' }];
    delivery.data.sent_at = 'yesterday';
    const result = checkDelivery(delivery);
    assert.equal(result.usable, true);
    const fields = result.errors.map((e) => e.field);
    assert.ok(fields.includes('data.participants.19999.name'), fields.join());
    assert.ok(fields.includes('data.participants.19999.id'), fields.join());
    assert.ok(fields.includes('data.participants.19990.id'), fields.join());
    assert.ok(fields.includes('data.speakers.1.id'), fields.join());
    assert.ok(fields.includes('data.sent_at'), fields.join());
    assert.equal(result.errorCountIsMinimum, false);
    assert.equal(result.errorCount, result.errors.length);
  });
});
