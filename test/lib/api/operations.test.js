'use strict';
// Every operation of the table in src/lib/api/operations.ts, through the one API client, against a
// local server that records what it was sent: the exact method, path, query and body; requests
// the API would refuse are refused before anything leaves; answers are read only for what the
// node uses; only repeatable requests are sent again after a broken connection.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { MeetingBaasApi, OPERATIONS, ACTIONS, ANSWER_READERS, PAGE_READERS, queryValuesOf } = require('../../../lib/api');
const { listenLocally, sendJson } = require('../../support/local-server');

const { schemas } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'schemas', 'meetingbaas-v2.json'), 'utf8'));

const KEY = 'operations-test-api-key';
const BOT = '6f1c2f61-1c1b-4b5e-9d3a-3c1f5a0e2b11';
const OTHER = '00000000-0000-4000-8000-000000000002';
const JOIN_AT = '2026-12-24T10:00:00.000Z';
const LINK = 'https://storage.example.com/shot-1.png?X-Amz-Signature=x';
const done = { success: true, data: { message: 'ok' } };

/** A server on this machine that records each request with its body and answers with `answer(req, res, body)`. */
async function recordingServer(answer) {
  const seen = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method, url: req.url, key: req.headers['x-meeting-baas-api-key'], type: req.headers['content-type'], body: text === '' ? undefined : JSON.parse(text) });
      answer(req, res, text);
    });
  });
  const { base, close } = await listenLocally(server);
  return { seen, url: base, close };
}

/**
 * One case per action: what the caller gives, what must reach the API, the smallest answer the
 * node can use, and a request with a misspelt field (for operations that take a body or a query).
 */
const CASES = {
  create: {
    request: { body: { bot_name: 'Notes', meeting_url: 'https://meet.google.com/abc-defg-hij', extra: { id: 7 } } },
    sent: { method: 'POST', url: '/v2/bots', body: { bot_name: 'Notes', meeting_url: 'https://meet.google.com/abc-defg-hij', extra: { id: 7 } } },
    minimal: { data: { bot_id: BOT } },
    misspelt: { body: { bot_name: 'Notes', meeting_url: 'https://meet.google.com/abc-defg-hij', recording_mod: 'audio_only' } },
    wrongName: 'recording_mod',
  },
  list: {
    request: { query: { status: 'completed,failed', created_after: '2026-12-01T00:00:00Z', created_before: '2026-12-02T00:00:00Z', extra: 'customer_id:12', limit: 10, cursor: 'c1' } },
    sent: { method: 'GET', url: '/v2/bots?status=completed%2Cfailed&created_after=2026-12-01T00%3A00%3A00Z&created_before=2026-12-02T00%3A00%3A00Z&extra=customer_id%3A12&limit=10&cursor=c1' },
    minimal: { data: [{ bot_id: BOT }] },
    misspelt: { query: { stauts: 'completed' } },
    wrongName: 'stauts',
  },
  status: {
    request: { botId: BOT },
    sent: { method: 'GET', url: `/v2/bots/${BOT}/status` },
    minimal: { data: { bot_id: BOT, status: 'in_call_recording' } },
  },
  details: {
    request: { botId: BOT.toUpperCase() },
    sent: { method: 'GET', url: `/v2/bots/${BOT}` },
    minimal: { data: { bot_id: BOT, status: 'completed' } },
  },
  screenshots: {
    request: { botId: BOT, query: { limit: 5, cursor: 'MQ==' } },
    sent: { method: 'GET', url: `/v2/bots/${BOT}/screenshots?limit=5&cursor=MQ%3D%3D` },
    minimal: { data: [{ url: LINK }] },
    misspelt: { botId: BOT, query: { limt: 5 } },
    wrongName: 'limt',
  },
  'send-chat-message': {
    request: { botId: BOT, body: { message: 'Hello from the flow' } },
    sent: { method: 'POST', url: `/v2/bots/${BOT}/send-chat-message`, body: { message: 'Hello from the flow' } },
    minimal: { success: true },
    misspelt: { botId: BOT, body: { message: 'Hello', text: 'Hello' } },
    wrongName: 'text',
  },
  'pause-recording': {
    request: { botId: BOT, body: { chat_message: 'Recording paused' } },
    sent: { method: 'POST', url: `/v2/bots/${BOT}/pause-recording`, body: { chat_message: 'Recording paused' } },
    minimal: { success: true },
    misspelt: { botId: BOT, body: { chat_mesage: 'x' } },
    wrongName: 'chat_mesage',
  },
  'resume-recording': {
    request: { botId: BOT },
    sent: { method: 'POST', url: `/v2/bots/${BOT}/resume-recording` },
    minimal: {},
    misspelt: { botId: BOT, body: { message: 'x' } },
    wrongName: 'message',
  },
  'update-config': {
    request: { botId: BOT, body: { extra: { order_id: '456' } } },
    sent: { method: 'PATCH', url: `/v2/bots/${BOT}/update-config`, body: { extra: { order_id: '456' } } },
    minimal: { success: true },
    misspelt: { botId: BOT, body: { extras: { a: 1 } } },
    wrongName: 'extras',
  },
  leave: {
    request: { botId: BOT },
    sent: { method: 'POST', url: `/v2/bots/${BOT}/leave` },
    minimal: { success: true },
  },
  'retry-callback': {
    request: { botId: BOT, body: { url: 'https://n.example.com/cb', method: 'PUT', secret: 's' } },
    sent: { method: 'POST', url: `/v2/bots/${BOT}/retry-callback`, body: { url: 'https://n.example.com/cb', method: 'PUT', secret: 's' } },
    minimal: { success: true },
    misspelt: { botId: BOT, body: { url: 'https://n.example.com/cb', secrets: 's' } },
    wrongName: 'secrets',
  },
  'resend-webhook': {
    request: { botId: BOT },
    sent: { method: 'POST', url: `/v2/bots/${BOT}/resend-webhook` },
    minimal: { success: true },
  },
  'delete-data': {
    request: { botId: BOT, query: { delete_from_provider: false } },
    sent: { method: 'DELETE', url: `/v2/bots/${BOT}/delete-data?delete_from_provider=false` },
    minimal: { success: true },
    misspelt: { botId: BOT, query: { delete_transcription: true } },
    wrongName: 'delete_transcription',
  },
  'schedule-create': {
    request: { body: { bot_name: 'Notes', meeting_url: 'https://zoom.us/j/123', join_at: JOIN_AT, recording_mode: 'audio_only' } },
    sent: { method: 'POST', url: '/v2/bots/scheduled', body: { bot_name: 'Notes', meeting_url: 'https://zoom.us/j/123', join_at: JOIN_AT, recording_mode: 'audio_only' } },
    minimal: { data: { bot_id: BOT } },
    misspelt: { body: { bot_name: 'Notes', meeting_url: 'https://zoom.us/j/123', join_time: JOIN_AT } },
    wrongName: 'join_time',
  },
  'schedule-list': {
    request: { query: { status: 'scheduled', scheduled_after: '2026-12-01T00:00:00Z', limit: 100 } },
    sent: { method: 'GET', url: '/v2/bots/scheduled?status=scheduled&scheduled_after=2026-12-01T00%3A00%3A00Z&limit=100' },
    minimal: { data: [{ bot_id: BOT }] },
    misspelt: { query: { created_after: '2026-12-01T00:00:00Z' } },
    wrongName: 'created_after',
  },
  'schedule-get': {
    request: { botId: BOT },
    sent: { method: 'GET', url: `/v2/bots/scheduled/${BOT}` },
    minimal: { data: { bot_id: BOT, status: 'scheduled' } },
  },
  'schedule-update': {
    request: { botId: BOT, body: { join_at: JOIN_AT, bot_name: 'Renamed' } },
    sent: { method: 'PATCH', url: `/v2/bots/scheduled/${BOT}`, body: { join_at: JOIN_AT, bot_name: 'Renamed' } },
    minimal: { success: true },
    misspelt: { botId: BOT, body: { botname: 'Renamed' } },
    wrongName: 'botname',
  },
  'schedule-delete': {
    request: { botId: BOT },
    sent: { method: 'DELETE', url: `/v2/bots/scheduled/${BOT}` },
    minimal: { success: true },
  },
};

describe('the operations table', function () {
  it('has a client case for every action, and every schema it names is in the schema file', function () {
    assert.deepEqual(Object.keys(CASES), ACTIONS);
    for (const action of ACTIONS) {
      const op = OPERATIONS[action];
      for (const name of [op.body, op.query, op.answer].filter((n) => n !== null)) assert.ok(schemas[name], `${action}: ${name}`);
      assert.equal(typeof ANSWER_READERS[action], 'function', `${action} has an answer reader`);
      assert.equal(op.paged, action in PAGE_READERS, `${action}: paged operations have a page reader`);
      if (op.paged) assert.equal(PAGE_READERS[action], ANSWER_READERS[action], `${action}: one reader for both`);
    }
  });

  it('keeps request bodies and query parameters closed, and answers open', function () {
    for (const action of ACTIONS) {
      const { body, query, answer } = OPERATIONS[action];
      for (const name of [body, query].filter((n) => n !== null)) {
        const schema = schemas[name];
        const closed = schema.additionalProperties === false || (schema.anyOf ?? []).some((s) => s.additionalProperties === false);
        assert.ok(closed, `${name} is closed`);
      }
      assert.ok(!JSON.stringify(schemas[answer]).includes('"additionalProperties":false'), `${answer} is open`);
    }
  });

  it('merges the scheduled bot into one object: every option of a bot, and join_at, required', function () {
    const scheduled = schemas.CreateScheduledBotRequestBodyInput;
    assert.equal(scheduled.allOf, undefined);
    assert.deepEqual(scheduled.required, ['bot_name', 'meeting_url', 'join_at']);
    assert.deepEqual(Object.keys(scheduled.properties).sort(), [...Object.keys(schemas.CreateBotRequestBodyInput.properties), 'join_at'].sort());
  });
});

describe('bot API client: every operation', function () {
  let server;
  let api;
  let answer;

  beforeEach(async function () {
    answer = (req, res) => sendJson(res, 200, done);
    server = await recordingServer((req, res, text) => answer(req, res, text));
    api = new MeetingBaasApi({ baseUrl: server.url, apiKey: KEY, retries: 2, retryDelayMs: 10 });
  });
  afterEach(async function () {
    await api.close();
    await server.close();
  });

  for (const [action, c] of Object.entries(CASES)) {
    it(`${action}: sends ${OPERATIONS[action].method} ${OPERATIONS[action].path} exactly, with the key, and accepts an answer with only what is read`, async function () {
      answer = (req, res) => sendJson(res, action === 'create' || action === 'schedule-create' ? 201 : 200, c.minimal);
      const got = await api.perform(action, c.request);
      assert.deepEqual(got, c.minimal);
      assert.equal(server.seen.length, 1);
      const [sent] = server.seen;
      assert.deepEqual({ method: sent.method, url: sent.url, ...(sent.body !== undefined ? { body: sent.body } : {}) }, c.sent);
      assert.equal(sent.key, KEY);
      assert.equal(sent.type, c.sent.body === undefined ? undefined : 'application/json', 'a content type only with a body');
    });
  }

  for (const [action, c] of Object.entries(CASES).filter(([, c]) => c.misspelt)) {
    it(`${action}: refuses the misspelt ${c.wrongName} before sending anything`, async function () {
      await assert.rejects(api.perform(action, c.misspelt), (e) => {
        assert.equal(e.kind, 'invalid-request');
        assert.ok(e.problems.some((p) => p.code === 'unknown-option' && p.params.field.endsWith(c.wrongName)), JSON.stringify(e.problems));
        return true;
      });
      assert.deepEqual(server.seen, []);
    });
  }

  it('refuses, before sending, a bot id that is not a UUID for every operation with one in its path', async function () {
    const byId = ACTIONS.filter((action) => OPERATIONS[action].path.includes('{bot_id}'));
    assert.equal(byId.length, 14);
    for (const action of byId) {
      for (const botId of ['../../admin', undefined, `${BOT}?x=1`, 42]) {
        await assert.rejects(api.perform(action, { ...CASES[action].request, botId }), (e) => e.kind === 'bad-bot-id', `${action} ${botId}`);
      }
    }
    assert.deepEqual(server.seen, []);
  });

  it('refuses values the schemas refuse: an empty chat message, one over 500 characters, a limit over the maximum, a date without Z', async function () {
    const refused = [
      ['send-chat-message', { botId: BOT, body: { message: '' } }],
      ['send-chat-message', { botId: BOT, body: { message: 'x'.repeat(501) } }],
      ['send-chat-message', { botId: BOT, body: {} }],
      ['update-config', { botId: BOT, body: {} }],
      ['list', { query: { limit: 251 } }],
      ['schedule-list', { query: { limit: 101 } }],
      ['list', { query: { created_after: '2026-12-01 10:00' } }],
      ['schedule-create', { body: { bot_name: 'x', meeting_url: 'https://zoom.us/j/1' } }],
      ['status', { botId: BOT, query: { limit: 1 } }],
      ['leave', { botId: BOT, body: {} }],
    ];
    for (const [action, request] of refused) {
      await assert.rejects(api.perform(action, request), (e) => e.kind === 'invalid-request', `${action} ${JSON.stringify(request)}`);
    }
    assert.deepEqual(server.seen, []);
  });

  it('reads what is used, as documented: screenshots need their links, a scheduled bot its id and status', async function () {
    const unusable = [
      ['screenshots', { data: [{ screenshot_id: 1 }] }],
      ['screenshots', { data: [{ url: 'not a link' }] }],
      ['schedule-get', { data: { bot_id: BOT } }],
      ['schedule-list', { data: [{ bot_name: 'x' }] }],
      ['schedule-create', { data: {} }],
      ['send-chat-message', { success: true, data: 'sent' }],
    ];
    for (const [action, body] of unusable) {
      answer = (req, res) => sendJson(res, 200, body);
      await assert.rejects(api.perform(action, CASES[action].request), (e) => e.kind === 'invalid-response' && e.statusCode === 200, action);
    }
    const extra = { data: { bot_id: BOT, status: 'some_new_status', join_at: 'not said', added_later: true } };
    answer = (req, res) => sendJson(res, 200, extra);
    assert.deepEqual(await api.perform('schedule-get', { botId: BOT }), extra, 'unread fields pass as received, whatever they hold');
  });

  it('pages: the next cursor as next_cursor or cursor, null on the last page', async function () {
    answer = (req, res) => sendJson(res, 200, { success: true, data: [{ url: LINK, screenshot_id: 1 }], cursor: 'Mg==', prev_cursor: null });
    assert.deepEqual(await api.page('screenshots', { botId: BOT }), { items: [{ url: LINK, screenshot_id: 1 }], nextCursor: 'Mg==' });
    answer = (req, res) => sendJson(res, 200, { success: true, data: [{ bot_id: BOT }], cursor: null, prev_cursor: null });
    assert.deepEqual(await api.page('schedule-list'), { items: [{ bot_id: BOT }], nextCursor: null });
    answer = (req, res) => sendJson(res, 200, { success: true, data: [{ bot_id: BOT }], next_cursor: 'n2' });
    assert.deepEqual(await api.page('list', { query: { limit: 1 } }), { items: [{ bot_id: BOT }], nextCursor: 'n2' });
  });

  it('retries 429 and 5xx for PATCH and DELETE too', async function () {
    let count = 0;
    answer = (req, res) => (++count < 3 ? sendJson(res, count === 1 ? 503 : 429, { success: false, error: 'busy', code: 'X', statusCode: 503 }) : sendJson(res, 200, done));
    await api.perform('update-config', { botId: BOT, body: { extra: null } });
    count = 0;
    await api.perform('schedule-delete', { botId: OTHER });
    assert.deepEqual(server.seen.map((r) => `${r.method} ${r.url}`), [
      ...Array(3).fill(`PATCH /v2/bots/${BOT}/update-config`),
      ...Array(3).fill(`DELETE /v2/bots/scheduled/${OTHER}`),
    ]);
  });

  it('sends again after a broken connection only what is repeatable', async function () {
    const outcomes = {};
    for (const action of ['update-config', 'delete-data', 'list', 'send-chat-message', 'schedule-delete', 'resend-webhook', 'pause-recording']) {
      let count = 0;
      // The request arrives, then the connection breaks before any answer.
      answer = (req, res) => (++count === 1 ? req.socket.destroy() : sendJson(res, 200, action === 'list' ? { data: [] } : done));
      const before = server.seen.length;
      outcomes[action] = await api.perform(action, CASES[action].request).then(
        () => `sent ${server.seen.length - before} times`,
        (e) => `${e.kind} after ${server.seen.length - before}`,
      );
    }
    assert.deepEqual(outcomes, {
      'update-config': 'sent 2 times',
      'delete-data': 'sent 2 times',
      list: 'sent 2 times',
      'send-chat-message': 'network after 1',
      'schedule-delete': 'network after 1',
      'resend-webhook': 'network after 1',
      'pause-recording': 'network after 1',
    });
  });

  it('says what the API said, with its status, for the documented error shapes', async function () {
    answer = (req, res) => sendJson(res, 422, { success: false, error: 'Unprocessable Entity', code: 'FST_ERR_CHAT_DISABLED', statusCode: 422, message: 'Chat is disabled in this meeting' });
    await assert.rejects(api.perform('send-chat-message', CASES['send-chat-message'].request), (e) => {
      assert.equal(e.kind, 'rejected');
      assert.equal(e.statusCode, 422);
      assert.equal(e.apiCode, 'FST_ERR_CHAT_DISABLED');
      assert.equal(e.operation, 'POST /v2/bots/{bot_id}/send-chat-message');
      return true;
    });
    answer = (req, res) => sendJson(res, 409, { success: false, error: 'Conflict', code: 'FST_ERR_BOT_STATUS', statusCode: 409, message: 'not in a state that allows this' });
    await assert.rejects(api.perform('schedule-delete', { botId: BOT }), (e) => e.kind === 'conflict' && e.statusCode === 409);
  });
});

describe('query values from a message', function () {
  it('writes dates in ISO 8601, lists comma-separated and an extra filter as field:value pairs', function () {
    assert.deepEqual(
      queryValuesOf('list', {
        status: ['completed', 'failed'],
        created_after: new Date('2026-12-01T10:00:00+02:00'),
        extra: { customer_id: 12345, project: 'sales' },
        limit: 20,
        cursor: null,
        bot_name: undefined,
      }),
      { status: 'completed,failed', created_after: '2026-12-01T08:00:00.000Z', extra: 'customer_id:12345,project:sales', limit: 20 },
    );
    assert.deepEqual(queryValuesOf('list', { extra: 'customer_id:1', status: 'completed' }), { extra: 'customer_id:1', status: 'completed' });
  });

  it('refuses what no query can carry, naming each value', function () {
    const bad = [
      [{ status: [] }, { code: 'empty-list', params: { name: 'status' } }],
      [{ status: ['completed,failed'] }, { code: 'not-a-list-item', params: { name: 'status', item: '"completed,failed"' } }],
      [{ status: ['in call'] }, { code: 'not-a-list-item', params: { name: 'status', item: '"in call"' } }],
      [{ created_after: new Date('soon') }, { code: 'not-a-date', params: { name: 'created_after' } }],
      [{ extra: {} }, { code: 'no-filter-fields', params: { name: 'extra' } }],
      [{ extra: { 'a:b': 1 } }, { code: 'bad-filter-field', params: { name: 'extra', field: '"a:b"' } }],
      [{ extra: { a: 'x,y' } }, { code: 'comma-in-filter', params: { name: 'extra', field: 'a' } }],
      [{ extra: { a: { nested: true } } }, { code: 'bad-filter-value', params: { name: 'extra', field: 'a' } }],
      [{ cursor: Buffer.from('x') }, { code: 'not-a-query-value', params: { name: 'cursor' } }],
    ];
    for (const [fields, problem] of bad) {
      assert.throws(() => queryValuesOf('list', fields), (e) => {
        assert.equal(e.kind, 'invalid-request');
        assert.deepEqual(e.problems, [problem], JSON.stringify(fields));
        return true;
      });
    }
  });
});
