'use strict';
// The pure parts of the bot API client: where the key may go, when to retry, how schema
// errors of a request are said, how answers are read; and the list of bots, against a local
// server that records what it was asked.
const assert = require('node:assert/strict');
const { checkApiBase, apiUrl, retryDelay, retryAfterSeconds, retriedFailures, CONNECT_ERRORS, OPERATIONS } = require('../../../lib/api');
const { MeetingBaasApi, readBotList } = require('../../../lib/api');
const { validateCreateBotRequest, validateCreateBotResponse } = require('../../../lib/schemas/documented');
const { readBotDetails, readFreshLinks, readBotStatus, readCreatedBot, readLeaveAnswer } = require('../../../lib/api');
const { recordingServer, sendJson } = require('../../support/local-server');

describe('bot API client', function () {
  it('sends the key over https anywhere, over http only to this machine', function () {
    assert.equal(checkApiBase('https://api.meetingbaas.com').origin, 'https://api.meetingbaas.com');
    for (const ok of ['http://127.0.0.1:1881', 'http://localhost:8080', 'http://[::1]:9']) assert.ok(checkApiBase(ok));
    for (const bad of ['http://api.meetingbaas.com', 'http://10.0.0.1', 'ftp://127.0.0.1', 'https://user:pw@api.meetingbaas.com', 'https://api.meetingbaas.com/?x=1', 'not a url']) {
      assert.throws(() => checkApiBase(bad), (e) => e.kind === 'refused', bad);
    }
  });

  it('tells plain http to another machine, which a network can read, from https and from this machine', function () {
    const { isPlainHttpElsewhere } = require('../../../lib/api');
    for (const clear of ['http://nodered.example.com', 'http://192.168.1.20:1880/red', 'http://128.0.0.1', 'http://localhost.example.com']) assert.equal(isPlainHttpElsewhere(clear), true, clear);
    for (const fine of ['https://nodered.example.com', 'http://127.0.0.1:1880', 'http://127.1', 'http://localhost:1880', 'http://[::1]:1880', 'HTTP://LOCALHOST', 'not a url', '']) assert.equal(isPlainHttpElsewhere(fine), false, fine);
  });

  it('keeps a path prefix of the base URL and its origin', function () {
    const url = apiUrl(new URL('https://proxy.example.com/meetingbaas/'), '/v2/bots');
    assert.equal(url.href, 'https://proxy.example.com/meetingbaas/v2/bots');
  });

  it('retries 429 and 5xx with doubling waits, within the limit, honouring Retry-After', function () {
    const limits = { retries: 3, delayMs: 1000, maxDelayMs: 30000, ...retriedFailures(true) };
    assert.equal(retryDelay({ statusCode: 503 }, 1, limits), 1000);
    assert.equal(retryDelay({ statusCode: 500 }, 3, limits), 4000);
    assert.equal(retryDelay({ statusCode: 500 }, 4, limits), null, 'past the retry limit');
    for (const status of [502, 504]) assert.equal(retryDelay({ statusCode: status }, 1, limits), 1000, String(status));
    assert.equal(retryDelay({ statusCode: 429, headers: { 'retry-after': '7' } }, 1, limits), 7000);
    assert.equal(retryDelay({ statusCode: 429, headers: { 'retry-after': '120' } }, 1, limits), null, 'too long a wait: reported instead');
    for (const status of [400, 401, 402, 404, 409, 422]) assert.equal(retryDelay({ statusCode: status }, 1, limits), null, String(status));
  });

  it('repeats a bot creation only after answers saying it was not acted on (429, 503), never after 500, 502 or 504', function () {
    const create = { retries: 3, delayMs: 10, maxDelayMs: 1000, ...retriedFailures(OPERATIONS.create.repeatable) };
    assert.equal(retryDelay({ statusCode: 429 }, 1, create), 10);
    assert.equal(retryDelay({ statusCode: 503 }, 1, create), 10);
    // A gateway's 502 or 504 may come after the API created the bot: a second request would make a second one.
    for (const status of [500, 502, 504]) assert.equal(retryDelay({ statusCode: status }, 1, create), null, String(status));
  });

  it('repeats a bot creation only after errors that prove the request never left', function () {
    const create = { retries: 3, delayMs: 10, maxDelayMs: 1000, ...retriedFailures(false) };
    assert.deepEqual(create.errorCodes, CONNECT_ERRORS);
    assert.equal(retryDelay({ code: 'ECONNREFUSED' }, 1, create), 10);
    assert.equal(retryDelay({ code: 'UND_ERR_CONNECT_TIMEOUT' }, 1, create), 10);
    for (const code of ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT']) assert.equal(retryDelay({ code }, 1, create), null, code);
    const read = { retries: 3, delayMs: 10, maxDelayMs: 1000, ...retriedFailures(true) };
    assert.equal(retryDelay({ code: 'ECONNRESET' }, 1, read), 10);
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

describe('bot API client: the list of bots', function () {
  const KEY = 'list-test-api-key';
  const id = (n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  let server;
  let api;
  let answer;

  beforeEach(async function () {
    answer = (req, res) => sendJson(res, 200, { success: true, data: [], next_cursor: null, prev_cursor: null });
    server = await recordingServer((req, res) => answer(req, res));
    api = new MeetingBaasApi({ baseUrl: server.url, apiKey: KEY, retries: 0 });
  });
  afterEach(async function () {
    await api.close();
    await server.close();
  });

  it('sends status comma-separated, ended_after in ISO 8601, limit and cursor, with the key', async function () {
    await api.listBots({ status: ['completed', 'failed'], endedAfter: new Date('2026-12-02T11:00:00Z'), limit: 250, cursor: 'MjAyNi0xMi0wMlQxMTowMDowMFo6OjEyMzQ1' });
    await api.listBots();
    await api.listBots({ cursor: null });
    assert.deepEqual(
      server.seen.map((r) => `${r.method} ${r.url}`),
      [
        'GET /v2/bots?status=completed%2Cfailed&ended_after=2026-12-02T11%3A00%3A00.000Z&limit=250&cursor=MjAyNi0xMi0wMlQxMTowMDowMFo6OjEyMzQ1',
        'GET /v2/bots',
        'GET /v2/bots',
      ],
    );
    assert.equal(server.seen[0].headers['x-meeting-baas-api-key'], KEY);
  });

  it('refuses a query the API documents as out of range, before sending anything', async function () {
    const bad = [
      { limit: 0 },
      { limit: 251 },
      { limit: 2.5 },
      { status: [] },
      { status: ['completed,failed'] },
      { endedAfter: new Date('not a date') },
    ];
    for (const query of bad) {
      await assert.rejects(api.listBots(query), (e) => e.kind === 'invalid-request' && e.problems.length === 1, JSON.stringify(query));
    }
    assert.deepEqual(server.seen, []);
  });

  it('gives the next cursor, which the caller follows to the last page', async function () {
    const pages = { '': [id(1), id(2)], p2: [id(3)], p3: [id(4)] };
    const next = { '': 'p2', p2: 'p3', p3: null };
    answer = (req, res) => {
      const cursor = new URL(req.url, server.url).searchParams.get('cursor') ?? '';
      sendJson(res, 200, { success: true, data: pages[cursor].map((botId) => ({ bot_id: botId, ended_at: null })), next_cursor: next[cursor], prev_cursor: null });
    };
    const ids = [];
    let cursor = null;
    do {
      const page = await api.listBots({ limit: 2, cursor });
      ids.push(...page.bots.map((b) => b.bot_id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    assert.deepEqual(ids, [id(1), id(2), id(3), id(4)]);
    assert.deepEqual(server.seen.map((r) => r.url), ['/v2/bots?limit=2', '/v2/bots?limit=2&cursor=p2', '/v2/bots?limit=2&cursor=p3']);
  });

  it('reads the next page from `cursor` (the schema\'s name) when there is no `next_cursor`, and from `next_cursor` when both are there', async function () {
    answer = (req, res) => sendJson(res, 200, { success: true, data: [], cursor: 'from-schema', prev_cursor: null });
    assert.equal((await api.listBots()).nextCursor, 'from-schema');
    answer = (req, res) => sendJson(res, 200, { success: true, data: [], cursor: 'this-page', next_cursor: null });
    assert.equal((await api.listBots()).nextCursor, null);
    answer = (req, res) => sendJson(res, 200, { success: true, data: [], next_cursor: '' });
    assert.equal((await api.listBots()).nextCursor, null, 'an empty cursor names no page');
  });

  it('accepts a minimal answer and passes every item on as received', async function () {
    answer = (req, res) => sendJson(res, 200, { success: true, data: [{ bot_id: id(1) }] });
    assert.deepEqual(await api.listBots(), { bots: [{ bot_id: id(1) }], nextCursor: null });
    const item = { bot_id: id(2), ended_at: '2026-12-02T11:00:00Z', status: 'retrying', tokens: 'n/a', added_later: { x: 1 } };
    answer = (req, res) => sendJson(res, 200, { data: [item], next_cursor: 'n' });
    assert.deepEqual(await api.listBots(), { bots: [item], nextCursor: 'n' });
  });

  it('refuses an answer with an item without bot_id, or a malformed ended_at, as invalid-response', async function () {
    for (const data of [[{ bot_id: id(1) }, { ended_at: null }], [{ bot_id: id(1), ended_at: 'yesterday' }], { bot_id: id(1) }]) {
      answer = (req, res) => sendJson(res, 200, { success: true, data, next_cursor: null });
      await assert.rejects(api.listBots(), (e) => e.kind === 'invalid-response' && e.statusCode === 200, JSON.stringify(data));
    }
    assert.equal(readBotList({ data: [{ bot_id: id(1) }] }), true);
  });

  it('says what the API said of a refused query', async function () {
    answer = (req, res) => sendJson(res, 400, { success: false, error: 'Bad Request', code: 'VALIDATION_ERROR', statusCode: 400, message: 'limit too big' });
    await assert.rejects(api.listBots(), (e) => e.kind === 'rejected' && e.apiCode === 'VALIDATION_ERROR' && e.apiMessage === 'limit too big');
  });

  it('does not follow a redirect: the target never sees the key', async function () {
    const target = await recordingServer((req, res) => sendJson(res, 200, { success: true, data: [{ bot_id: id(9) }], next_cursor: null }));
    try {
      answer = (req, res) => {
        res.writeHead(307, { location: `${target.url}${req.url}` });
        res.end();
      };
      await assert.rejects(api.listBots({ limit: 1 }), (e) => e.kind === 'redirect' && e.statusCode === 307);
      assert.deepEqual(target.seen, []);
      assert.equal(server.seen.length, 1);
    } finally {
      await target.close();
    }
  });
});
