'use strict';
// The simulator's stand-in for the bot API: the key is checked before anything else on every
// /v2/ endpoint, and its minimal mode answers only the fields the nodes read.
const assert = require('node:assert/strict');
const simulator = require('../lib/simulator');

const API_KEY = 'stand-in-test-key';
const BOT = '6f1c2f61-1c1b-4b5e-9d3a-3c1f5a0e2b11';

describe('bot API stand-in', function () {
  let server;
  beforeEach(async function () {
    server = await simulator.ArtifactServer.start({ apiKey: API_KEY, bots: { meetingMs: 60_000 } });
  });
  afterEach(async function () {
    await server.close();
  });

  const call = (method, path, key, body) =>
    fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { ...(key ? { 'x-meeting-baas-api-key': key } : {}), 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  const ENDPOINTS = [
    ['GET', '/v2/bots'],
    ['POST', '/v2/bots'],
    ['GET', `/v2/bots/${BOT}`],
    ['DELETE', `/v2/bots/${BOT}`],
    ['GET', `/v2/bots/${BOT}/status`],
    ['POST', `/v2/bots/${BOT}/leave`],
    ['POST', `/v2/bots/${BOT}/retry-callback`],
    ['GET', `/v2/bots/${BOT}/not-a-route`],
    ['GET', '/v2/calendars'],
  ];

  it('answers 401 to a wrong or missing key on every endpoint, before faults, methods and routes', async function () {
    for (const key of ['wrong-key', '']) {
      for (const [method, path] of ENDPOINTS) {
        server.api.injectFaults({ status: 503 });
        const res = await call(method, path, key, method === 'POST' ? { bot_name: 'x', meeting_url: 'https://meet.google.com/a' } : undefined);
        assert.equal(res.status, 401, `${method} ${path} with ${key ? 'a wrong' : 'no'} key`);
        assert.equal((await res.json()).code, 'INVALID_API_KEY');
      }
    }
  });

  it('lists the bots it created for GET /v2/bots (what "test API key" asks)', async function () {
    const created = await (await call('POST', '/v2/bots', API_KEY, { bot_name: 'x', meeting_url: 'https://meet.google.com/a' })).json();
    const res = await call('GET', '/v2/bots?limit=1', API_KEY);
    assert.equal(res.status, 200);
    assert.deepEqual((await res.json()).data.map((b) => b.bot_id), [created.data.bot_id]);
  });

  it('answers with only what the nodes read in minimal mode', async function () {
    server.api.answers = 'minimal';
    const created = await (await call('POST', '/v2/bots', API_KEY, { bot_name: 'x', meeting_url: 'https://meet.google.com/a' })).json();
    const botId = created.data.bot_id;
    assert.deepEqual(created, { success: true, data: { bot_id: botId } });
    const status = await (await call('GET', `/v2/bots/${botId}/status`, API_KEY)).json();
    assert.deepEqual(status, { success: true, data: { bot_id: botId, status: 'joining_call' } });
    const details = await (await call('GET', `/v2/bots/${botId}`, API_KEY)).json();
    assert.deepEqual(Object.keys(details.data).sort(), ['audio', 'bot_id', 'chat_messages', 'diarization', 'raw_transcription', 'status', 'transcription', 'video']);
    assert.equal(details.data.status, 'joining_call');
    assert.match(details.data.audio, /^http:\/\/127\.0\.0\.1:\d+\/recordings\//);
    assert.deepEqual(await (await call('POST', `/v2/bots/${botId}/leave`, API_KEY)).json(), { success: true });
  });
});
