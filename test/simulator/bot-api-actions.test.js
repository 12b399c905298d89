'use strict';
// The simulator's stand-in for the bot API, for the operations added to the bot node: every
// endpoint of the operations table refuses a wrong key, answers in the documented shape (and with
// only what the node reads in minimal mode), checks requests as the API documents them, and
// keeps the bot's state as the descriptions say (in call, paused, ended, data deleted, scheduled).
// Requests are made by hand, not through the package's client: the stand-in must not agree with
// the client by construction.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;
const simulator = require('../../simulator');
const { OPERATIONS, ACTIONS } = require('../../lib/api');

const { schemas } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'schemas', 'meetingbaas-v2.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
addFormats(ajv, ['uuid', 'date-time', 'uri']);
const documented = (name) => ajv.getSchema(name) ?? (ajv.addSchema(schemas[name], name), ajv.getSchema(name));

const API_KEY = 'stand-in-actions-key';
const UNKNOWN = '6f1c2f61-1c1b-4b5e-9d3a-3c1f5a0e2b11';
const inMinutes = (minutes) => new Date(Date.now() + minutes * 60_000).toISOString();

describe('bot API stand-in: the actions added to the bot node', function () {
  let server;
  beforeEach(async function () {
    server = await simulator.ArtifactServer.start({ apiKey: API_KEY, bots: { meetingMs: 60_000 } });
  });
  afterEach(async function () {
    await server.close();
  });

  async function call(method, pathAndQuery, body, key = API_KEY) {
    const res = await fetch(`${server.baseUrl}${pathAndQuery}`, {
      method,
      headers: { ...(key ? { 'x-meeting-baas-api-key': key } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
  }

  async function createBot(request = {}) {
    const answer = await call('POST', '/v2/bots', { bot_name: 'x', meeting_url: 'https://meet.google.com/abc-defg-hij', ...request });
    assert.equal(answer.status, 201);
    return server.api.bots.get(answer.body.data.bot_id);
  }

  function scheduleBody(overrides = {}) {
    return { bot_name: 'Planning notes', meeting_url: 'https://teams.microsoft.com/l/meetup-join/abc', join_at: inMinutes(60), extra: { team: 'sales' }, ...overrides };
  }

  const pathOf = (action, botId) => OPERATIONS[action].path.replace('{bot_id}', botId);

  it('answers 401 to a wrong or missing key on every endpoint of the operations table', async function () {
    for (const key of ['wrong-key', '']) {
      for (const action of ACTIONS) {
        const { method } = OPERATIONS[action];
        const answer = await call(method, pathOf(action, UNKNOWN), method === 'GET' || method === 'DELETE' ? undefined : {}, key);
        assert.equal(answer.status, 401, `${action} with ${key ? 'a wrong' : 'no'} key`);
        assert.equal(answer.body.code, 'INVALID_API_KEY');
      }
    }
  });

  it('refuses a bot id that is no UUID (400), knows no other bot (404), and takes only the documented method (405)', async function () {
    const byId = ACTIONS.filter((action) => OPERATIONS[action].path.includes('{bot_id}') && !['status', 'details', 'leave', 'retry-callback'].includes(action));
    for (const action of byId) {
      const { method } = OPERATIONS[action];
      const bodies = { 'send-chat-message': { message: 'hi' }, 'update-config': { extra: null }, 'schedule-update': { bot_name: 'x' } };
      const body = bodies[action];
      const malformed = await call(method, pathOf(action, 'not-a-uuid'), body);
      assert.equal(malformed.status, 400, action);
      assert.equal(documented('ValidationErrorResponse')(malformed.body), true, action);
      const missing = await call(method, pathOf(action, UNKNOWN), body);
      assert.equal(missing.status, 404, action);
      assert.equal(documented('ErrorResponse')(missing.body), true, action);
      const wrongMethod = await call('PUT', pathOf(action, UNKNOWN));
      assert.equal(wrongMethod.status, 405, action);
    }
  });

  describe('during the meeting', function () {
    it('send-chat-message: only while in the meeting, 1 to 500 characters, not only white space', async function () {
      const bot = await createBot();
      const refused = await call('POST', pathOf('send-chat-message', bot.botId), { message: 'Hello' });
      assert.equal(refused.status, 409, 'joining_call: not in the meeting yet');
      assert.equal(refused.body.code, 'FST_ERR_BOT_STATUS');
      bot.status = 'in_call_recording';
      const posted = new Promise((resolve) => server.api.once('chat-message', resolve));
      const sent = await call('POST', pathOf('send-chat-message', bot.botId), { message: 'Hello' });
      assert.equal(sent.status, 200);
      assert.equal(documented('SendChatMessageResponse')(sent.body), true);
      assert.deepEqual(await posted, { botId: bot.botId, message: 'Hello' });
      for (const body of [{ message: '' }, { message: '   ' }, { message: 'x'.repeat(501) }, {}]) {
        const answer = await call('POST', pathOf('send-chat-message', bot.botId), body);
        assert.equal(answer.status, 400, JSON.stringify(body));
        assert.match(answer.body.message, /^body/);
      }
      // The document leaves the body open: a field it does not list is no reason to refuse (the
      // package refuses it before sending; the stand-in judges by the document, not by the package).
      assert.equal((await call('POST', pathOf('send-chat-message', bot.botId), { message: 'x', text: 'x' })).status, 200);
      assert.deepEqual(bot.chatMessages, ['Hello', 'x']);
    });

    it('pause-recording and resume-recording: recording → paused → resumed, 409 otherwise, the optional chat message posted', async function () {
      const bot = await createBot();
      assert.equal((await call('POST', pathOf('pause-recording', bot.botId))).status, 409);
      bot.status = 'in_call_recording';
      const paused = await call('POST', pathOf('pause-recording', bot.botId), { chat_message: 'Recording paused' });
      assert.equal(paused.status, 200);
      assert.equal(documented('PauseBotRecordingResponse')(paused.body), true);
      assert.equal(bot.status, 'recording_paused');
      assert.equal((await call('POST', pathOf('pause-recording', bot.botId))).status, 409, 'already paused');
      const resumed = await call('POST', pathOf('resume-recording', bot.botId));
      assert.equal(resumed.status, 200, 'no body: no chat message');
      assert.equal(bot.status, 'recording_resumed');
      assert.equal((await call('POST', pathOf('resume-recording', bot.botId))).status, 409, 'not paused');
      assert.equal((await call('POST', pathOf('pause-recording', bot.botId), {})).status, 200, 'paused again after a resume');
      assert.equal((await call('POST', pathOf('resume-recording', bot.botId), { chat_message: 1 })).status, 400);
      assert.deepEqual(bot.chatMessages, ['Recording paused']);
    });

    it('update-config: merges extra shallowly in any status, null clears it, and the details show it', async function () {
      const bot = await createBot({ extra: { customer_id: '123', session_id: 'abc' } });
      const updated = await call('PATCH', pathOf('update-config', bot.botId), { extra: { session_id: 'xyz', order_id: '456' } });
      assert.equal(updated.status, 200);
      assert.equal(documented('UpdateBotConfigResponse')(updated.body), true);
      const details = await call('GET', `/v2/bots/${bot.botId}`);
      assert.deepEqual(details.body.data.extra, { customer_id: '123', session_id: 'xyz', order_id: '456' });
      bot.status = 'completed';
      assert.equal((await call('PATCH', pathOf('update-config', bot.botId), { extra: null })).status, 200);
      assert.equal(bot.request.extra, null);
      assert.equal((await call('PATCH', pathOf('update-config', bot.botId), {})).status, 400, 'extra is required');
      assert.equal((await call('PATCH', pathOf('update-config', bot.botId), { extra: 'x' })).status, 400);
    });

    it('screenshots: every 10 s of a Meet or Teams meeting with video, paged by cursor; none for Zoom or audio only', async function () {
      const bot = await createBot();
      bot.status = 'completed';
      const first = await call('GET', `${pathOf('screenshots', bot.botId)}?limit=1`);
      assert.equal(first.status, 200);
      assert.equal(documented('GetBotScreenshotsResponse')(first.body), true, JSON.stringify(documented('GetBotScreenshotsResponse').errors));
      const all = [...first.body.data];
      let cursor = first.body.cursor;
      while (cursor) {
        const page = await call('GET', `${pathOf('screenshots', bot.botId)}?limit=1&cursor=${encodeURIComponent(cursor)}`);
        all.push(...page.body.data);
        cursor = page.body.cursor;
      }
      const expected = Math.max(1, Math.floor(simulator.loadSampleMeeting().script.duration / 10));
      assert.deepEqual(all.map((s) => s.screenshot_id), Array.from({ length: expected }, (_, i) => i + 1));
      assert.equal(new Set(all.map((s) => s.url)).size, expected);
      for (const request of [{ recording_mode: 'audio_only' }, { meeting_url: 'https://zoom.us/j/123456789' }]) {
        const other = await createBot(request);
        other.status = 'completed';
        assert.deepEqual((await call('GET', pathOf('screenshots', other.botId))).body.data, [], JSON.stringify(request));
      }
      assert.equal((await call('GET', `${pathOf('screenshots', bot.botId)}?limit=0`)).status, 400);
      assert.equal((await call('GET', `${pathOf('screenshots', bot.botId)}?cursor=nonsense!`)).status, 400);
    });
  });

  describe('after the meeting', function () {
    it('resend-webhook: only for a bot that completed or failed', async function () {
      const bot = await createBot();
      assert.equal((await call('POST', pathOf('resend-webhook', bot.botId))).status, 409);
      bot.status = 'failed';
      const resent = new Promise((resolve) => server.api.once('webhook-resent', resolve));
      const answer = await call('POST', pathOf('resend-webhook', bot.botId));
      assert.equal(answer.status, 200);
      assert.equal(documented('ResendFinalWebhookResponse')(answer.body), true);
      assert.deepEqual(await resent, { botId: bot.botId });
    });

    it('delete-data: only once ended; the details keep the bot with null links, and screenshots are gone', async function () {
      const bot = await createBot();
      assert.equal((await call('DELETE', pathOf('delete-data', bot.botId))).status, 409);
      bot.status = 'completed';
      assert.equal((await call('GET', pathOf('screenshots', bot.botId))).body.data.length > 0, true);
      assert.equal((await call('DELETE', `${pathOf('delete-data', bot.botId)}?delete_from_provider=maybe`)).status, 400);
      const deleted = new Promise((resolve) => server.api.once('data-deleted', resolve));
      const answer = await call('DELETE', `${pathOf('delete-data', bot.botId)}?delete_from_provider=false`);
      assert.equal(answer.status, 200);
      assert.equal(documented('DeleteBotDataResponse')(answer.body), true);
      assert.deepEqual(await deleted, { botId: bot.botId, fromProvider: false });
      const details = (await call('GET', `/v2/bots/${bot.botId}`)).body.data;
      assert.equal(details.artifacts_deleted, true);
      for (const name of simulator.ARTIFACT_NAMES) assert.equal(details[name], null, name);
      assert.deepEqual((await call('GET', pathOf('screenshots', bot.botId))).body.data, []);
      const again = new Promise((resolve) => server.api.once('data-deleted', resolve));
      assert.equal((await call('DELETE', pathOf('delete-data', bot.botId))).status, 200, 'the documented default: delete from the provider too');
      assert.equal((await again).fromProvider, true);
    });
  });

  describe('GET /v2/bots filtered by extra', function () {
    it('keeps the bots whose extra holds every field:value named, compared as text', async function () {
      const a = server.api.addEndedBot({ status: 'completed', extra: { customer_id: 12345, project: 'sales' } }).botId;
      server.api.addEndedBot({ status: 'completed', extra: { customer_id: 12345, project: 'ops' } });
      server.api.addEndedBot({ status: 'completed', extra: null });
      const answer = await call('GET', `/v2/bots?extra=${encodeURIComponent('customer_id:12345,project:sales')}`);
      assert.deepEqual(answer.body.data.map((b) => b.bot_id), [a]);
      assert.equal((await call('GET', '/v2/bots?extra=no-colon')).status, 400);
    });
  });

  describe('scheduled bots', function () {
    it('schedule-create: 201 with a bot id; join_at required, in the future and within 90 days; fields the document does not list ignored', async function () {
      const created = await call('POST', '/v2/bots/scheduled', scheduleBody());
      assert.equal(created.status, 201);
      assert.equal(documented('CreateScheduledBotResponse')(created.body), true);
      assert.equal(server.api.scheduled.bots.get(created.body.data.bot_id).status, 'scheduled');
      const refused = [
        scheduleBody({ join_at: inMinutes(-5) }),
        scheduleBody({ join_at: inMinutes(91 * 24 * 60) }),
        scheduleBody({ join_at: 'tomorrow' }),
        { bot_name: 'x', meeting_url: 'https://meet.google.com/a', join_time: inMinutes(60) },
      ];
      for (const body of refused) {
        const answer = await call('POST', '/v2/bots/scheduled', body);
        assert.equal(answer.status, 400, JSON.stringify(body));
        assert.equal(documented('ValidationErrorResponse')(answer.body), true);
      }
    });

    it('schedule-get: every documented field, or only the id and status in minimal mode', async function () {
      const { body } = await call('POST', '/v2/bots/scheduled', scheduleBody({ recording_mode: 'audio_only', callback_enabled: true, callback_config: { url: 'https://n.example.com/cb', secret: 's' } }));
      const botId = body.data.bot_id;
      const answer = await call('GET', pathOf('schedule-get', botId));
      assert.equal(answer.status, 200);
      assert.equal(documented('GetScheduledBotResponse')(answer.body), true, JSON.stringify(documented('GetScheduledBotResponse').errors));
      assert.deepEqual(Object.keys(answer.body.data).sort(), [...schemas.GetScheduledBotResponse.properties.data.required].sort());
      assert.deepEqual(
        [answer.body.data.meeting_platform, answer.body.data.recording_mode, answer.body.data.status, answer.body.data.callback_config.method],
        ['teams', 'audio_only', 'scheduled', 'POST'],
      );
      server.api.answers = 'minimal';
      assert.deepEqual((await call('GET', pathOf('schedule-get', botId))).body, { success: true, data: { bot_id: botId, status: 'scheduled' } });
    });

    it('schedule-list: earliest join_at first, filtered, in pages that follow the cursor', async function () {
      const ids = [];
      for (const minutes of [300, 100, 200]) {
        ids.push((await call('POST', '/v2/bots/scheduled', scheduleBody({ join_at: inMinutes(minutes), extra: { n: minutes } }))).body.data.bot_id);
      }
      await call('DELETE', pathOf('schedule-delete', ids[0]));
      const all = await call('GET', '/v2/bots/scheduled');
      assert.equal(documented('ListScheduledBotsResponse')(all.body), true, JSON.stringify(documented('ListScheduledBotsResponse').errors));
      assert.deepEqual(all.body.data.map((b) => b.extra.n), [100, 200, 300]);
      const scheduledOnly = await call('GET', '/v2/bots/scheduled?status=scheduled');
      assert.deepEqual(scheduledOnly.body.data.map((b) => b.bot_id), [ids[1], ids[2]]);
      const byExtra = await call('GET', `/v2/bots/scheduled?extra=${encodeURIComponent('n:200')}`);
      assert.deepEqual(byExtra.body.data.map((b) => b.bot_id), [ids[2]]);
      const paged = [];
      let cursor = null;
      do {
        const page = await call('GET', `/v2/bots/scheduled?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        paged.push(...page.body.data.map((b) => b.bot_id));
        cursor = page.body.cursor;
      } while (cursor);
      assert.deepEqual(paged, [ids[1], ids[2], ids[0]]);
      assert.equal((await call('GET', '/v2/bots/scheduled?limit=101')).status, 400, 'at most 100 a page');
      assert.equal((await call('GET', '/v2/bots/scheduled?scheduled_after=yesterday')).status, 400);
      server.api.answers = 'minimal';
      const minimal = await call('GET', '/v2/bots/scheduled?limit=1');
      assert.deepEqual(Object.keys(minimal.body).sort(), ['cursor', 'data', 'success']);
      assert.deepEqual(Object.keys(minimal.body.data[0]), ['bot_id']);
    });

    it('schedule-update: merges the fields given while scheduled and more than 4 minutes ahead, 409 otherwise', async function () {
      const botId = (await call('POST', '/v2/bots/scheduled', scheduleBody())).body.data.bot_id;
      const later = inMinutes(120);
      const updated = await call('PATCH', pathOf('schedule-update', botId), { join_at: later, bot_name: 'Renamed' });
      assert.equal(updated.status, 200);
      assert.equal(documented('UpdateScheduledBotResponse')(updated.body), true);
      const details = (await call('GET', pathOf('schedule-get', botId))).body.data;
      assert.deepEqual([details.bot_name, details.join_at, details.extra], ['Renamed', later, { team: 'sales' }]);
      assert.equal((await call('PATCH', pathOf('schedule-update', botId), { bot_name: 7 })).status, 400);
      assert.equal((await call('PATCH', pathOf('schedule-update', botId), { join_at: inMinutes(-1) })).status, 400);
      server.api.scheduled.bots.get(botId).request.join_at = inMinutes(3);
      const locked = await call('PATCH', pathOf('schedule-update', botId), { bot_name: 'Too late' });
      assert.equal(locked.status, 409);
      assert.equal(documented('ErrorResponse')(locked.body), true);
    });

    it('schedule-delete: cancels a scheduled bot once; a second time is 409', async function () {
      const botId = (await call('POST', '/v2/bots/scheduled', scheduleBody())).body.data.bot_id;
      const deleted = await call('DELETE', pathOf('schedule-delete', botId));
      assert.equal(deleted.status, 200);
      assert.equal(documented('DeleteScheduledBotResponse')(deleted.body), true);
      const details = (await call('GET', pathOf('schedule-get', botId))).body.data;
      assert.equal(details.status, 'cancelled');
      assert.ok(details.cancelled_at);
      assert.equal((await call('DELETE', pathOf('schedule-delete', botId))).status, 409);
      assert.equal((await call('GET', pathOf('schedule-get', UNKNOWN))).status, 404);
    });
  });

  it('answers only what the node reads in minimal mode: {success: true} for the requests that act, links for screenshots', async function () {
    server.api.answers = 'minimal';
    const bot = await createBot();
    bot.status = 'in_call_recording';
    assert.deepEqual((await call('POST', pathOf('send-chat-message', bot.botId), { message: 'hi' })).body, { success: true });
    assert.deepEqual((await call('POST', pathOf('pause-recording', bot.botId))).body, { success: true });
    assert.deepEqual((await call('PATCH', pathOf('update-config', bot.botId), { extra: { a: 1 } })).body, { success: true });
    bot.status = 'completed';
    const shots = (await call('GET', `${pathOf('screenshots', bot.botId)}?limit=2`)).body;
    assert.deepEqual(Object.keys(shots).sort(), ['cursor', 'data', 'success']);
    for (const shot of shots.data) assert.deepEqual(Object.keys(shot), ['url']);
    assert.deepEqual((await call('POST', pathOf('resend-webhook', bot.botId))).body, { success: true });
    assert.deepEqual((await call('DELETE', pathOf('delete-data', bot.botId))).body, { success: true });
  });
});
