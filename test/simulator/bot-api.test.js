'use strict';
// The simulator's stand-in for the bot API: the key is checked before anything else on every
// /v2/ endpoint, and its minimal mode answers only the fields the nodes read. GET /v2/bots lists,
// filters and pages as the OpenAPI document says.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;
const simulator = require('../../simulator');
const { validateBotDetails, validateValidationErrorResponse } = require('../../lib/schemas/documented');

const { schemas } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'schemas', 'meetingbaas-v2.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
addFormats(ajv, ['uuid', 'date-time', 'uri']);
const validateList = ajv.compile(schemas.ListBotsResponse);

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

describe('bot API stand-in: GET /v2/bots', function () {
  const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const T0 = Date.parse('2026-12-02T08:00:00Z');
  const at = (minutes) => new Date(T0 + minutes * 60_000);
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
      headers: { 'x-meeting-baas-api-key': key, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  async function get(pathAndQuery) {
    const res = await fetch(`${server.baseUrl}${pathAndQuery}`, { headers: { 'x-meeting-baas-api-key': API_KEY } });
    return { status: res.status, body: await res.json() };
  }
  const ids = (answer) => answer.body.data.map((b) => b.bot_id);
  const query = (params) => `/v2/bots?${new URLSearchParams(params)}`;

  /** Five meetings created ten minutes apart (bot 0 oldest), ended 40 minutes after creation; the odd ones failed. */
  function addFive() {
    return [0, 1, 2, 3, 4].map((n) =>
      server.api.addEndedBot({ status: n % 2 ? 'failed' : 'completed', createdAt: at(n * 10), endedAt: at(n * 10 + 40), extra: { n } }).botId,
    );
  }

  it('lists every field the documented item has, in the documented shape, newest first', async function () {
    const [b0, b1] = addFive();
    const answer = await get('/v2/bots');
    assert.equal(answer.status, 200);
    assert.equal(validateList(answer.body), true, JSON.stringify(validateList.errors));
    const documented = schemas.ListBotsResponse.properties.data.items.required;
    for (const item of answer.body.data) assert.deepEqual(Object.keys(item).sort(), [...documented].sort());
    assert.deepEqual(answer.body.data.map((b) => b.extra.n), [4, 3, 2, 1, 0]);
    const completed = answer.body.data.find((b) => b.bot_id === b0);
    assert.equal(completed.status, 'completed');
    assert.equal(completed.ended_at, at(40).toISOString());
    assert.equal(completed.created_at, at(0).toISOString());
    assert.ok(completed.duration > 0);
    assert.equal(typeof completed.tokens.total, 'number');
    assert.ok(new Date(completed.joined_at) < new Date(completed.exited_at) && new Date(completed.exited_at) <= at(40));
    const failed = answer.body.data.find((b) => b.bot_id === b1);
    assert.deepEqual(
      [failed.status, failed.error_code, failed.joined_at, failed.duration, failed.tokens],
      ['failed', simulator.DEFAULT_FAILURE, null, null, null],
    );
    assert.equal(failed.error_message, simulator.FAILURES[simulator.DEFAULT_FAILURE]);
    assert.deepEqual([answer.body.cursor, answer.body.prev_cursor], [null, null]);
    assert.equal('next_cursor' in answer.body, false, 'the documented answer allows no field but its own');
  });

  it('registers an ended meeting with a random UUID v4, or the id given, and refuses one that is not a UUID', function () {
    const bot = server.api.addEndedBot({ status: 'completed' });
    assert.match(bot.botId, UUID_V4);
    assert.ok(bot.endedAt instanceof Date && bot.createdAt < bot.endedAt);
    assert.equal(server.api.addEndedBot({ botId: BOT.toUpperCase(), status: 'failed' }).botId, BOT);
    assert.throws(() => server.api.addEndedBot({ botId: BOT, status: 'failed' }), /exists/);
    assert.throws(() => server.api.addEndedBot({ botId: 'examplebot_id', status: 'failed' }), TypeError);
    assert.throws(() => server.api.addEndedBot({ status: 'completed', errorCode: 'X' }), TypeError);
  });

  it('filters by status (comma-separated), ended_after, created_after and created_before', async function () {
    const bots = addFive();
    const joiner = (await (await call('POST', '/v2/bots', API_KEY, { bot_name: 'x', meeting_url: 'https://zoom.us/j/1' })).json()).data.bot_id;
    assert.deepEqual(ids(await get(query({ status: 'completed' }))), [bots[4], bots[2], bots[0]]);
    assert.deepEqual(ids(await get(query({ status: 'completed,failed' }))), [...bots].reverse());
    assert.deepEqual(ids(await get(query({ status: 'joining_call' }))), [joiner]);
    // Ended at 40, 50, 60, 70, 80 minutes; a bot still in its meeting has not ended.
    assert.deepEqual(ids(await get(query({ ended_after: at(60).toISOString() }))), [bots[4], bots[3]]);
    assert.deepEqual(ids(await get(query({ created_after: at(10).toISOString(), created_before: at(40).toISOString() }))), [bots[3], bots[2]]);
    assert.deepEqual(ids(await get(query({ status: 'failed', ended_after: '2026-12-02T08:45:00Z' }))), [bots[3], bots[1]]);
    // The document's pattern would take a time without seconds, its `format: date-time` would not: both apply.
    assert.equal((await get(query({ ended_after: '2026-12-02T08:45Z' }))).status, 400);
  });

  it('pages with limit, following cursor to the last page and prev_cursor back', async function () {
    const bots = addFive();
    const seen = [];
    let cursor = null;
    const pages = [];
    do {
      const answer = await get(query({ limit: '2', ...(cursor ? { cursor } : {}) }));
      assert.equal(answer.status, 200);
      assert.equal(validateList(answer.body), true, JSON.stringify(validateList.errors));
      pages.push(answer.body);
      seen.push(...ids(answer));
      cursor = answer.body.cursor;
    } while (cursor);
    assert.deepEqual(seen, [...bots].reverse());
    assert.deepEqual(pages.map((p) => p.data.length), [2, 2, 1]);
    assert.equal(pages[0].prev_cursor, null, 'none on the first page');
    const back = await get(query({ limit: '2', cursor: pages[2].prev_cursor }));
    assert.deepEqual(ids(back), ids({ body: pages[1] }));
    // The cursor is documented as base64 of `<isoDate>::<id>`.
    assert.match(Buffer.from(pages[0].cursor, 'base64').toString(), /^\d{4}-\d\d-\d\dT[\d:.]+Z::[0-9a-f-]{36}$/);
  });

  it('pages a filtered list without repeating or skipping a bot', async function () {
    const bots = addFive();
    const first = await get(query({ status: 'completed', limit: '1' }));
    const second = await get(query({ status: 'completed', limit: '1', cursor: first.body.cursor }));
    const third = await get(query({ status: 'completed', limit: '1', cursor: second.body.cursor }));
    assert.deepEqual([...ids(first), ...ids(second), ...ids(third)], [bots[4], bots[2], bots[0]]);
    assert.equal(third.body.cursor, null);
  });

  it('answers 50 bots unless limit says otherwise, and 250 at most', async function () {
    for (let n = 0; n < 51; n++) server.api.addEndedBot({ status: 'completed', createdAt: at(n), endedAt: at(n + 40) });
    const answer = await get('/v2/bots');
    assert.equal(answer.body.data.length, simulator.LIST_LIMITS.default);
    assert.ok(answer.body.cursor);
    assert.equal((await get(query({ limit: '250' }))).body.data.length, 51);
  });

  it('refuses a limit out of range, a malformed date, an unknown status and an unknown cursor with the documented validation error', async function () {
    addFive();
    const forged = Buffer.from(`${at(0).toISOString()}::${BOT}`).toString('base64');
    for (const params of [
      { limit: '0' },
      { limit: '251' },
      { limit: '2.5' },
      { limit: 'all' },
      { ended_after: 'yesterday' },
      { created_after: '2026-12-02 08:00' },
      { status: 'completed,finished' },
      { cursor: 'not-a-cursor' },
      { cursor: forged },
    ]) {
      const answer = await get(query(params));
      assert.equal(answer.status, 400, JSON.stringify(params));
      assert.equal(validateValidationErrorResponse(answer.body), true, JSON.stringify(answer.body));
      assert.equal(answer.body.code, 'VALIDATION_ERROR');
    }
  });

  it('answers only bot_id, ended_at and next_cursor in minimal mode', async function () {
    const bots = addFive();
    server.api.answers = 'minimal';
    const answer = await get(query({ limit: '2' }));
    assert.deepEqual(Object.keys(answer.body).sort(), ['data', 'next_cursor', 'success']);
    assert.deepEqual(answer.body.data, [
      { bot_id: bots[4], ended_at: at(80).toISOString() },
      { bot_id: bots[3], ended_at: at(70).toISOString() },
    ]);
    assert.deepEqual(ids(await get(query({ limit: '2', cursor: answer.body.next_cursor }))), [bots[2], bots[1]]);
  });

  it('gives a bot created here that finished an ended_at, and none while it is in the meeting', async function () {
    const botId = (await (await call('POST', '/v2/bots', API_KEY, { bot_name: 'x', meeting_url: 'https://teams.microsoft.com/l/meetup-join/1' })).json()).data.bot_id;
    let [item] = (await get('/v2/bots')).body.data;
    assert.deepEqual([item.bot_id, item.status, item.ended_at, item.meeting_platform], [botId, 'joining_call', null, 'teams']);
    const before = Date.now();
    assert.equal((await call('POST', `/v2/bots/${botId}/leave`, API_KEY)).status, 200);
    [item] = (await get(query({ status: 'completed', ended_after: new Date(before - 1000).toISOString() }))).body.data;
    assert.equal(item.bot_id, botId);
    assert.ok(Date.parse(item.ended_at) >= before - 5 && Date.parse(item.ended_at) <= Date.now());
    assert.ok(Date.parse(item.joined_at) >= Date.parse(item.created_at), 'not in the meeting before it was created');
  });

  it('answers GET /v2/bots/{id} of an added bot with its status and extra, and a failed one with its error', async function () {
    const completed = server.api.addEndedBot({ status: 'completed', endedAt: at(40), extra: { order: 7 } });
    const failed = server.api.addEndedBot({ status: 'failed', endedAt: at(50), extra: null, errorCode: 'CANNOT_JOIN_MEETING', errorMessage: 'locked' });
    const ok = (await get(`/v2/bots/${completed.botId}`)).body;
    assert.equal(validateBotDetails(ok), true, JSON.stringify(validateBotDetails.errors));
    assert.deepEqual([ok.data.status, ok.data.extra, ok.data.error_code], ['completed', { order: 7 }, null]);
    assert.match(ok.data.audio, /\/recordings\//);
    const bad = (await get(`/v2/bots/${failed.botId}`)).body;
    assert.equal(validateBotDetails(bad), true, JSON.stringify(validateBotDetails.errors));
    assert.deepEqual(
      [bad.data.status, bad.data.extra, bad.data.error_code, bad.data.error_message, bad.data.audio, bad.data.duration_seconds],
      ['failed', null, 'CANNOT_JOIN_MEETING', 'locked', null, null],
    );
    for (const name of simulator.ARTIFACT_NAMES) assert.equal(bad.data[name], null, name);
    const status = (await get(`/v2/bots/${failed.botId}/status`)).body;
    assert.equal(status.data.status, 'failed');
  });
});
