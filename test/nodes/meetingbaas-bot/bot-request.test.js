'use strict';
// The meeting bot node's pure helpers: how the callback URL is joined, what a request shows of its
// secrets, where a message carries the bot id.
const assert = require('node:assert/strict');
const { callbackUrl } = require('../../../nodes/shared/urls');
const { withoutSecrets, botIdOf } = require('../../../nodes/meetingbaas-bot/bot-request');

describe('bot node helpers', function () {
  it('joins public URL, httpNodeRoot and path with single slashes', function () {
    assert.equal(callbackUrl('https://n.example.com/', '/', '/mb/cb'), 'https://n.example.com/mb/cb');
    assert.equal(callbackUrl('https://n.example.com', '/red/', 'mb/cb'), 'https://n.example.com/red/mb/cb');
    assert.equal(callbackUrl('https://n.example.com/base', '/red', '/mb/cb'), 'https://n.example.com/base/red/mb/cb');
  });

  it('hides every secret a request can carry', function () {
    const shown = withoutSecrets({
      bot_name: 'x',
      meeting_url: 'https://meet.google.com/a',
      callback_config: { url: 'https://x.example/cb', secret: 'S1' },
      transcription_config: { api_key: 'S2' },
      zoom_config: { obf_token: 'S3' },
    });
    assert.ok(!/S[123]/.test(JSON.stringify(shown)), JSON.stringify(shown));
    assert.equal(shown.callback_config.url, 'https://x.example/cb');
  });

  it('finds the bot id in msg.payload.bot_id, a delivery, or msg.meetingbaas.botId', function () {
    assert.equal(botIdOf({ payload: { bot_id: 'a' } }), 'a');
    assert.equal(botIdOf({ payload: { event: 'bot.completed', data: { bot_id: 'b' } } }), 'b');
    assert.equal(botIdOf({ payload: 'x', meetingbaas: { botId: 'c' } }), 'c');
    assert.equal(botIdOf({ payload: 'x' }), undefined);
  });
});
