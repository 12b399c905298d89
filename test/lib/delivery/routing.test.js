'use strict';
// Which output a delivery goes to and what its message says, from the bytes received.
const assert = require('node:assert/strict');
const { randomUUID } = require('node:crypto');
const { readDelivery, routeDelivery, nestingExceeds, MAX_JSON_DEPTH, OUTPUT } = require('../../../lib/delivery/routing');
const { completed, failed, statusChange } = require('../../fixtures/deliveries');

const context = { deliveryId: 'sha256:test', verifiedBy: 'secret', receivedAt: new Date('2026-12-02T16:00:00Z') };
const route = (value, options) => routeDelivery(readDelivery(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), 'application/json'), context, options);

describe('delivery routing', () => {
  it('sends documented deliveries to their outputs without deviations', () => {
    for (const [delivery, output] of [[completed(), OUTPUT.completed], [failed(), OUTPUT.failed], [statusChange(), OUTPUT.other]]) {
      const routed = route(delivery);
      assert.equal(routed.output, output);
      assert.equal(routed.message.meetingbaas.deviations, undefined);
      assert.equal(routed.message.meetingbaas.invalid, undefined);
    }
  });

  it('sends minimal terminal deliveries to outputs 1 and 2 with their deviations, and to 4 when strict', () => {
    const botId = randomUUID();
    for (const [event, output] of [['bot.completed', OUTPUT.completed], ['bot.failed', OUTPUT.failed]]) {
      const delivery = { event, data: { bot_id: botId } };
      const routed = route(delivery);
      assert.equal(routed.output, output, JSON.stringify(routed.message.meetingbaas));
      assert.equal(routed.message.topic, event);
      assert.equal(routed.message.meetingbaas.botId, botId);
      assert.ok(routed.message.meetingbaas.deviations.some((d) => d.field === 'data.sent_at'));
      assert.equal(routed.message.meetingbaas.deviationCount, routed.message.meetingbaas.deviations.length);

      const strict = route(delivery, { strict: true });
      assert.equal(strict.output, OUTPUT.invalid);
      assert.deepEqual(strict.message.meetingbaas.invalid.errors, routed.message.meetingbaas.deviations);
      assert.equal(strict.message.meetingbaas.invalid.reason, 'schema');
      assert.equal(strict.message.meetingbaas.invalid.usable, true);
      assert.equal(strict.message.meetingbaas.deviations, undefined);
    }
  });

  it('still finds the links of a minimal bot.completed for fetch artifacts', () => {
    const link = 'https://artifacts.example-storage.com/a.flac?sig=1';
    const routed = route({ event: 'bot.completed', data: { bot_id: randomUUID(), audio: link } });
    assert.equal(routed.output, OUTPUT.completed);
    assert.deepEqual(routed.message.meetingbaas.artifacts, { audio: link });
  });

  it('sends unusable deliveries to output 4 whatever strict says, the unusable problems first', () => {
    const noBot = completed();
    noBot.data.bot_id = 42;
    delete noBot.data.transcription_ids;
    for (const strict of [false, true]) {
      const routed = route(noBot, { strict });
      assert.equal(routed.output, OUTPUT.invalid);
      const { invalid } = routed.message.meetingbaas;
      assert.equal(invalid.reason, 'schema');
      assert.equal(invalid.usable, false);
      assert.equal(invalid.errors[0].field, 'data.bot_id');
      assert.equal(invalid.errors[invalid.errors.length - 1].field, 'data.transcription_ids', JSON.stringify(invalid.errors));
    }
    const noEvent = route({ data: { bot_id: randomUUID() } });
    assert.equal(noEvent.output, OUTPUT.invalid);
    assert.equal(noEvent.message.topic, 'invalid');
  });

  it('sends JSON nested deeper than the limit to output 4 as text, and the limit itself through', () => {
    const nested = (depth) => `{"event":"bot.status_change","data":{"x":${'['.repeat(depth - 2)}${']'.repeat(depth - 2)}}}`;
    const atLimit = route(nested(MAX_JSON_DEPTH));
    assert.equal(atLimit.output, OUTPUT.other);
    const over = nested(MAX_JSON_DEPTH + 1);
    const routed = route(over);
    assert.equal(routed.output, OUTPUT.invalid);
    assert.equal(routed.message.payload, over);
    assert.equal(routed.message.meetingbaas.invalid.reason, 'too-deep');
    assert.equal(routed.message.meetingbaas.invalid.errors.length, 1);
    assert.equal(route(`[${'['.repeat(100000)}${']'.repeat(100000)}]`).message.meetingbaas.invalid.reason, 'too-deep');
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const inString = JSON.stringify({ event: 'bot.status_change', data: { note: `a \\" ${'['.repeat(500)} "\\\\` } });
    assert.equal(nestingExceeds(Buffer.from(inString), 3), false);
    assert.equal(route(inString).output, OUTPUT.other);
    assert.equal(nestingExceeds(Buffer.from('{"a\\\\":[[[1]]]}'), 3), true);
    assert.equal(nestingExceeds(Buffer.from('{"a\\"":[[1]]}'), 3), false);
    assert.equal(nestingExceeds(Buffer.from('["unterminated [[[['), 3), false);
    // Strings longer than the byte-by-byte stretch, with escapes on both sides of where it ends.
    for (let at = 50; at < 80; at += 1) {
      const text = `${'x'.repeat(at)}\\"[[[[${'y'.repeat(20)}\\\\`;
      const body = Buffer.from(`{"a":"${text}","b":[[[1]]]}`);
      assert.equal(JSON.parse(body).a.length > 0, true);
      assert.equal(nestingExceeds(body, 4), false, text);
      assert.equal(nestingExceeds(body, 3), true, text);
    }
  });

  it('keeps not-JSON and wrong Content-Type deliveries as before', () => {
    const notJson = routeDelivery(readDelivery(Buffer.from('{"event":'), 'application/json'), context);
    assert.equal(notJson.message.meetingbaas.invalid.reason, 'not-json');
    const form = routeDelivery(readDelivery(Buffer.from('[[[[[[['), 'text/plain'), context);
    assert.equal(form.message.meetingbaas.invalid.reason, 'unsupported-media-type');
  });

  it('leaves the words of a refused body to the caller, and gives its code without them', () => {
    const refusals = [
      [Buffer.from('{"event":'), 'application/json', 'not-json'],
      [Buffer.from(''), 'application/json', 'empty'],
      [Buffer.from([0x7b, 0xff, 0x7d]), 'application/json', 'not-utf8'],
      [Buffer.from('x'), 'text/plain', 'unsupported-media-type'],
      [Buffer.from('['.repeat(100)), 'application/json', 'too-deep'],
    ];
    for (const [bytes, contentType, code] of refusals) {
      const said = [];
      const sayRefusal = (refusal) => {
        said.push(refusal);
        return `words for ${refusal.code}`;
      };
      const routed = routeDelivery(readDelivery(bytes, contentType), context, { sayRefusal });
      assert.deepEqual(said.map((r) => r.code), [code]);
      assert.deepEqual(routed.message.meetingbaas.invalid.errors, [{ field: '(delivery)', message: `words for ${code}` }]);
      const bare = routeDelivery(readDelivery(bytes, contentType), context);
      assert.match(bare.message.meetingbaas.invalid.errors[0].message, new RegExp(`^${code}\\b`));
    }
    const params = (bytes, contentType) => {
      let seen = null;
      routeDelivery(readDelivery(Buffer.from(bytes), contentType), context, { sayRefusal: (refusal) => ((seen = refusal.params), '') });
      return seen;
    };
    assert.deepEqual(params('['.repeat(100), 'application/json'), { depth: 64 });
    assert.deepEqual(params('x', 'text/csv'), { contentType: 'text/csv' });
  });
});
