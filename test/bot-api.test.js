'use strict';
// The pure parts of the bot API client: where the key may go, when to retry, how schema
// errors of a request are said, and how the callback URL is joined.
const assert = require('node:assert/strict');
const { checkApiBase, apiUrl, retryDelay, retryAfterSeconds, CONNECT_ERRORS, ANY_NETWORK_ERROR } = require('../lib/api');
const { callbackUrl } = require('../nodes/meetingbaas-bot/callback-target');
const { withoutSecrets, botIdOf } = require('../nodes/meetingbaas-bot/bot-request');
const { validateCreateBotRequest, validateCreateBotResponse } = require('../lib/validation');
const { readBotDetails, readFreshLinks, readBotStatus, readCreatedBot, readLeaveAnswer } = require('../lib/api');

describe('bot API client', function () {
  it('sends the key over https anywhere, over http only to this machine', function () {
    assert.equal(checkApiBase('https://api.meetingbaas.com').origin, 'https://api.meetingbaas.com');
    for (const ok of ['http://127.0.0.1:1881', 'http://localhost:8080', 'http://[::1]:9']) assert.ok(checkApiBase(ok));
    for (const bad of ['http://api.meetingbaas.com', 'http://10.0.0.1', 'ftp://127.0.0.1', 'https://user:pw@api.meetingbaas.com', 'https://api.meetingbaas.com/?x=1', 'not a url']) {
      assert.throws(() => checkApiBase(bad), (e) => e.kind === 'refused', bad);
    }
  });

  it('keeps a path prefix of the base URL and its origin', function () {
    const url = apiUrl(new URL('https://proxy.example.com/meetingbaas/'), '/v2/bots');
    assert.equal(url.href, 'https://proxy.example.com/meetingbaas/v2/bots');
  });

  it('retries 429 and 5xx with doubling waits, within the limit, honouring Retry-After', function () {
    const limits = { retries: 3, delayMs: 1000, maxDelayMs: 30000, errorCodes: ANY_NETWORK_ERROR };
    assert.equal(retryDelay({ statusCode: 503 }, 1, limits), 1000);
    assert.equal(retryDelay({ statusCode: 500 }, 3, limits), 4000);
    assert.equal(retryDelay({ statusCode: 500 }, 4, limits), null, 'past the retry limit');
    assert.equal(retryDelay({ statusCode: 429, headers: { 'retry-after': '7' } }, 1, limits), 7000);
    assert.equal(retryDelay({ statusCode: 429, headers: { 'retry-after': '120' } }, 1, limits), null, 'too long a wait: reported instead');
    for (const status of [400, 401, 402, 404, 409, 422]) assert.equal(retryDelay({ statusCode: status }, 1, limits), null, String(status));
  });

  it('repeats a bot creation only after errors that prove the request never left', function () {
    const create = { retries: 3, delayMs: 10, maxDelayMs: 1000, errorCodes: CONNECT_ERRORS };
    assert.equal(retryDelay({ code: 'ECONNREFUSED' }, 1, create), 10);
    assert.equal(retryDelay({ code: 'ECONNRESET' }, 1, create), null);
    assert.equal(retryDelay({ code: 'UND_ERR_HEADERS_TIMEOUT' }, 1, create), null);
  });

  it('reads Retry-After as seconds or as a date', function () {
    assert.equal(retryAfterSeconds('30'), 30);
    assert.equal(retryAfterSeconds(new Date(Date.now() + 10_000).toUTCString(), Date.now()) > 8, true);
    assert.equal(retryAfterSeconds(undefined), null);
    assert.equal(retryAfterSeconds('soon'), null);
  });

  it('closes the request schema but keeps extra open, and keeps answers open', function () {
    const base = { bot_name: 'x', meeting_url: 'https://meet.google.com/a' };
    assert.equal(validateCreateBotRequest({ ...base, extra: { anything: { nested: true } } }), true);
    assert.equal(validateCreateBotRequest({ ...base, recording_mod: 'audio_only' }), false);
    assert.equal(validateCreateBotRequest({ ...base, callback_config: { url: 'https://x.example/cb', secrets: 's' } }), false);
    assert.equal(validateCreateBotResponse({ success: true, data: { bot_id: '6f1c2f61-1c1b-4b5e-9d3a-3c1f5a0e2b11', new_field: 1 }, more: true }), true);
  });
});

describe('bot API answers, read for what the nodes use', function () {
  const BOT = '6f1c2f61-1c1b-4b5e-9d3a-3c1f5a0e2b11';
  const LINK = 'https://storage.example.com/a.flac?X-Amz-Signature=x';

  it('accepts details whose unread fields are missing, null or of another type', function () {
    assert.ok(readBotDetails({ data: { bot_id: BOT, status: 'completed' } }), 'no links, no lists, no success');
    const odd = { success: 'yes', data: { bot_id: BOT, status: 'completed', audio: LINK, transcription_ids: 'one', transcription_provider: 7, participants: null, tokens: 'n/a' } };
    assert.ok(readBotDetails(odd), JSON.stringify(readBotDetails.errors));
    assert.ok(readFreshLinks({ data: { bot_id: BOT, video: null, artifacts_deleted: false } }), 'the refresh does not read status');
  });

  it('refuses details without what is read: bot_id, status, links that are URLs', function () {
    assert.equal(readBotDetails({ data: { status: 'completed' } }), false);
    assert.equal(readBotDetails({ data: { bot_id: BOT } }), false);
    assert.equal(readBotDetails({ data: { bot_id: 'examplebot_id', status: 'completed' } }), false);
    assert.equal(readBotDetails({ data: { bot_id: BOT, status: 'completed', audio: 'not a link' } }), false);
    assert.equal(readFreshLinks({ data: { bot_id: BOT, artifacts_deleted: 'no' } }), false);
    assert.equal(readBotDetails({ success: true }), false);
  });

  it('status needs bot_id and status; create needs bot_id; leave reads nothing', function () {
    assert.ok(readBotStatus({ data: { bot_id: BOT, status: 'joining_call' } }));
    assert.equal(readBotStatus({ data: { bot_id: BOT } }), false);
    assert.ok(readCreatedBot({ data: { bot_id: BOT } }));
    assert.equal(readCreatedBot({ success: true, data: {} }), false);
    assert.ok(readLeaveAnswer({ success: true }));
    assert.ok(readLeaveAnswer({ data: { note: 1 } }));
    assert.equal(readLeaveAnswer({ data: 'left' }), false, 'data, when sent, is passed on as an object');
  });
});

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
