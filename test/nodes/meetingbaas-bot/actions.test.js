'use strict';
// The "meeting bot" node's actions beyond sending a bot, in Node-RED (node-red-node-test-helper),
// each end to end against the simulator's stand-in for the Meeting BaaS API; and its locale and
// help, checked against the operations table so that no action is left without words.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const helper = require('node-red-node-test-helper');
const configNode = require('../../../nodes/meetingbaas-config/meetingbaas-config.js');
const callbackNode = require('../../../nodes/meetingbaas-callback/meetingbaas-callback.js');
const catchNode = require('@node-red/nodes/core/common/25-catch.js');
const { ACTIONS, OPERATIONS } = require('../../../lib/api');
const { ACTION_GROUPS, ACTION_TRAITS } = require('../../../nodes/meetingbaas-bot/actions');
const { editorDefaults, editorDefinition, editorHtml, editorScript, editorNode } = require('../../support/editor-definition');
const { translatedNode } = require('../../support/translated-node');
const { useApiStandIn } = require('../../support/api-stand-in');
const { useHelperRuntime, nextMessage, nextMessages } = require('../../support/helper-runtime');

helper.init(require.resolve('node-red'));

const NODE_DIR = path.join(__dirname, '../../../nodes/meetingbaas-bot');
const MESSAGES = require('../../../nodes/meetingbaas-bot/locales/en-US/meetingbaas-bot.json')['meetingbaas-bot'];
const HELP = fs.readFileSync(path.join(NODE_DIR, 'locales/en-US/meetingbaas-bot.html'), 'utf8');
const RUNTIME = fs.readFileSync(path.join(NODE_DIR, 'meetingbaas-bot.js'), 'utf8');

const botNode = translatedNode('meetingbaas-bot');

const API_KEY = 'bot-actions-test-key';
const PUBLIC_URL = 'https://nodered.example.com/';
const UNKNOWN = '6f1c2f61-1c1b-4b5e-9d3a-3c1f5a0e2b11';

const inMinutes = (minutes) => new Date(Date.now() + minutes * 60_000);

describe('meeting bot node: the actions', function () {
  this.timeout(20000);
  let server;
  /** Requests the stand-in answered since the test began. */
  let served;

  before(async function () {
    await botNode.ready();
  });
  const standIn = useApiStandIn({ apiKey: API_KEY, bots: { meetingMs: 60_000 } });
  beforeEach(function () {
    ({ server, served } = standIn);
    server.api.answers = 'full';
  });
  useHelperRuntime({ settings: { httpNodeRoot: '/hooks/' } });

  function flow(botProps) {
    const nodes = [
      { id: 'acc', type: 'meetingbaas-config', baseUrl: server.baseUrl, publicUrl: PUBLIC_URL },
      { id: 'cb1', type: 'meetingbaas-callback', z: 'f1', url: '/mb/hook', method: 'post', account: 'acc', journal: false, wires: [[], [], [], []] },
      { id: 'bot', type: 'meetingbaas-bot', z: 'f1', account: 'acc', wires: [['out']], ...botProps },
      { id: 'c1', type: 'catch', z: 'f1', scope: null, wires: [['caught']] },
      { id: 'out', type: 'helper', z: 'f1' },
      { id: 'caught', type: 'helper', z: 'f1' },
      { id: 'f1', type: 'tab' },
    ];
    return helper.load([configNode, callbackNode, botNode, catchNode], nodes, { acc: { apiKey: API_KEY, callbackSecret: 'cb-secret' } });
  }

  /** The message out of the node, or a failed test with the error a Catch node got. */
  async function run(props, input) {
    await flow(props);
    const out = nextMessage('out');
    const failed = nextMessage('caught').then((msg) => assert.fail(`${props.action} failed: ${msg.error.message}`));
    helper.getNode('bot').receive(input);
    return Promise.race([out, failed]);
  }

  async function caughtError(props, input) {
    await flow(props);
    const error = nextMessage('caught');
    helper.getNode('bot').receive(input);
    return (await error).error.message;
  }

  const apiRequests = (since = 0) => served.slice(since).filter((r) => r.path.startsWith('/v2/'));

  function createdBot(status, request = {}) {
    const bot = server.api.addEndedBot({ status: 'completed' });
    bot.status = status;
    Object.assign(bot.request, request);
    return bot;
  }

  describe('list', function () {
    /** Five bots created a minute apart, newest last; the odd ones failed. */
    function addFive() {
      const t0 = Date.now() - 60 * 60_000;
      return [0, 1, 2, 3, 4].map((n) =>
        server.api.addEndedBot({ status: n % 2 ? 'failed' : 'completed', createdAt: new Date(t0 + n * 60_000), endedAt: new Date(t0 + n * 60_000 + 30_000), extra: { n, team: n < 3 ? 'sales' : 'ops' } }).botId,
      );
    }
    beforeEach(function () {
      server.api.bots.clear();
    });

    it('all pages in one message: every bot in msg.payload, newest first, following next_cursor', async function () {
      const ids = addFive();
      const msg = await run({ action: 'list', pages: 'all' }, { payload: { limit: 2 } });
      assert.ok(Array.isArray(msg.payload));
      assert.deepEqual(msg.payload.map((b) => b.bot_id), [...ids].reverse());
      assert.deepEqual(msg.meetingbaas, { action: 'list', pages: 3, count: 5, nextCursor: null });
      const lists = apiRequests().filter((r) => r.method === 'GET' && r.path === '/v2/bots');
      assert.equal(lists.length, 3);
    });

    it('one message per page: each page as it arrives, with its number, the last one marked', async function () {
      const ids = addFive();
      await flow({ action: 'list', pages: 'each' });
      const pages = nextMessages('out', 3);
      helper.getNode('bot').receive({ payload: { limit: 2 }, topic: 'kept' });
      const got = await pages;
      assert.deepEqual(got.map((m) => m.payload.map((b) => b.bot_id)), [[ids[4], ids[3]], [ids[2], ids[1]], [ids[0]]]);
      assert.deepEqual(got.map((m) => [m.meetingbaas.page, m.meetingbaas.count, m.meetingbaas.lastPage]), [[1, 2, false], [2, 2, false], [3, 1, true]]);
      assert.equal(typeof got[0].meetingbaas.nextCursor, 'string');
      assert.equal(got[2].meetingbaas.nextCursor, null);
      assert.deepEqual(got.map((m) => m.topic), ['kept', 'kept', 'kept'], 'each page is a copy of the input message');
      assert.equal(new Set(got.map((m) => m._msgid)).size, 1);
    });

    it('stops at Max pages and says where to go on; the cursor sent back gives the rest', async function () {
      const ids = addFive();
      const first = await run({ action: 'list', maxPages: 2 }, { payload: { limit: 2 } });
      assert.deepEqual(first.payload.map((b) => b.bot_id), [ids[4], ids[3], ids[2], ids[1]]);
      assert.equal(first.meetingbaas.pages, 2);
      assert.equal(typeof first.meetingbaas.nextCursor, 'string');
      await helper.unload();
      const rest = await run({ action: 'list', maxPages: 2 }, { payload: { limit: 2, cursor: first.meetingbaas.nextCursor } });
      assert.deepEqual(rest.payload.map((b) => b.bot_id), [ids[0]]);
      assert.equal(rest.meetingbaas.nextCursor, null);
    });

    it('filters by status (a list), extra (an object) and created_after (a Date)', async function () {
      const ids = addFive();
      const msg = await run({ action: 'list' }, { payload: { status: ['completed'], extra: { team: 'sales' }, created_after: new Date(Date.now() - 2 * 3600_000) } });
      assert.deepEqual(msg.payload.map((b) => b.bot_id), [ids[2], ids[0]]);
    });

    it('lists without filters when the payload is no object (an inject timestamp)', async function () {
      addFive();
      const msg = await run({ action: 'list' }, { payload: Date.now() });
      assert.equal(msg.payload.length, 5);
    });

    it('refuses a misspelt filter by name before asking the API', async function () {
      const message = await caughtError({ action: 'list' }, { payload: { stauts: 'completed' } });
      assert.match(message, /stauts is not a Meeting BaaS option/);
      assert.match(message, /not sent/);
      assert.deepEqual(apiRequests(), []);
    });
  });

  describe('a bot during its meeting', function () {
    it('send-chat-message: posts msg.payload.message through the bot', async function () {
      const bot = createdBot('in_call_recording');
      const posted = new Promise((resolve) => server.api.once('chat-message', resolve));
      const msg = await run({ action: 'send-chat-message' }, { payload: { bot_id: bot.botId, message: 'Recording for the minutes' } });
      assert.deepEqual(await posted, { botId: bot.botId, message: 'Recording for the minutes' });
      assert.equal(msg.payload.bot_id, bot.botId);
      assert.equal(typeof msg.payload.message, 'string');
      assert.deepEqual(msg.meetingbaas, { action: 'send-chat-message', botId: bot.botId });
    });

    it('send-chat-message: says what is missing, and what a 409 means', async function () {
      const bot = createdBot('in_call_recording');
      assert.match(await caughtError({ action: 'send-chat-message' }, { payload: { bot_id: bot.botId } }), /No message: send it in msg\.payload\.message\.$/);
      assert.deepEqual(apiRequests(), []);
      await helper.unload();
      bot.status = 'joining_call';
      assert.match(await caughtError({ action: 'send-chat-message' }, { payload: { bot_id: bot.botId, message: 'hi' } }), /not in the meeting \(HTTP 409\)/);
      await helper.unload();
      assert.match(await caughtError({ action: 'send-chat-message' }, { payload: { bot_id: bot.botId, message: 'x'.repeat(501) } }), /message must NOT have more than 500 characters/);
    });

    it('pause-recording and resume-recording: the bot id of a delivery, no body without options, the chat message when given', async function () {
      const bot = createdBot('in_call_recording');
      const paused = await run({ action: 'pause-recording' }, { payload: { event: 'bot.status_change', data: { bot_id: bot.botId } }, meetingbaas: { botId: bot.botId } });
      assert.equal(paused.payload.bot_id, bot.botId);
      assert.equal(bot.status, 'recording_paused');
      await helper.unload();
      await run({ action: 'resume-recording' }, { payload: { bot_id: bot.botId, chat_message: 'We are recording again' } });
      assert.equal(bot.status, 'recording_resumed');
      assert.deepEqual(bot.chatMessages, ['We are recording again']);
      await helper.unload();
      assert.match(await caughtError({ action: 'resume-recording' }, { payload: { bot_id: bot.botId } }), /cannot be resumed now: it is not paused \(HTTP 409\)/);
    });

    it('update-config: merges msg.payload.extra into the bot\'s', async function () {
      const bot = createdBot('in_call_recording', { extra: { customer_id: '123' } });
      await run({ action: 'update-config' }, { payload: { bot_id: bot.botId, extra: { order_id: '456' } } });
      assert.deepEqual(bot.request.extra, { customer_id: '123', order_id: '456' });
      await helper.unload();
      assert.match(await caughtError({ action: 'update-config' }, { payload: { bot_id: bot.botId } }), /No extra: send it in msg\.payload\.extra\.$/);
    });

    it('screenshots: the links of a finished Meet bot, as an array', async function () {
      const bot = createdBot('completed');
      const msg = await run({ action: 'screenshots' }, { payload: { bot_id: bot.botId, limit: 1 } });
      assert.ok(msg.payload.length >= 1);
      for (const shot of msg.payload) assert.match(shot.url, /^http:\/\/127\.0\.0\.1:\d+\/screenshots\//);
      assert.equal(msg.meetingbaas.botId, bot.botId);
      assert.equal(msg.meetingbaas.count, msg.payload.length);
    });
  });

  describe('after the meeting', function () {
    it('resend-webhook: asks for the final webhook of a bot that ended', async function () {
      const bot = createdBot('completed');
      const resent = new Promise((resolve) => server.api.once('webhook-resent', resolve));
      const msg = await run({ action: 'resend-webhook' }, { payload: 'anything', meetingbaas: { botId: bot.botId } });
      assert.deepEqual(await resent, { botId: bot.botId });
      assert.equal(msg.payload.bot_id, bot.botId);
    });

    it('delete-data: only with msg.payload.bot_id, never the bot of a delivery', async function () {
      const bot = createdBot('completed');
      const fromDelivery = { payload: { event: 'bot.completed', data: { bot_id: bot.botId } }, meetingbaas: { botId: bot.botId } };
      assert.match(await caughtError({ action: 'delete-data' }, fromDelivery), /No bot id in msg\.payload\.bot_id\. This action deletes/);
      assert.deepEqual(apiRequests(), [], 'nothing was asked');
      assert.equal(bot.artifactsDeleted, false);
      await helper.unload();
      const deleted = new Promise((resolve) => server.api.once('data-deleted', resolve));
      const msg = await run({ action: 'delete-data' }, { payload: { bot_id: bot.botId } });
      assert.deepEqual(await deleted, { botId: bot.botId, fromProvider: true }, 'the provider\'s copy too, by default');
      assert.equal(bot.artifactsDeleted, true);
      assert.equal(msg.payload.bot_id, bot.botId);
      assert.deepEqual(apiRequests().map((r) => `${r.method} ${r.path}`), [`DELETE /v2/bots/${bot.botId}/delete-data`]);
    });

    it('delete-data: 409 while the bot is still in its meeting, said as such', async function () {
      const bot = createdBot('in_call_recording');
      assert.match(await caughtError({ action: 'delete-data' }, { payload: { bot_id: bot.botId } }), /cannot be deleted now: the bot has not finished \(HTTP 409\)/);
    });
  });

  describe('scheduled bots', function () {
    it('schedule-create: the node\'s settings, the callback node\'s address and join_at from a Date', async function () {
      const joinAt = inMinutes(90);
      const msg = await run(
        { action: 'schedule-create', callback: 'cb1', recordingMode: 'audio_only' },
        { payload: { meeting_url: 'https://meet.google.com/abc-defg-hij', bot_name: 'Later', join_at: joinAt, extra: { ticket: 9 } } },
      );
      const scheduled = server.api.scheduled.bots.get(msg.payload.bot_id);
      assert.ok(scheduled);
      assert.equal(scheduled.request.join_at, joinAt.toISOString());
      assert.equal(scheduled.request.recording_mode, 'audio_only');
      assert.deepEqual(scheduled.request.callback_config, { url: 'https://nodered.example.com/hooks/mb/hook', method: 'POST', secret: 'cb-secret' });
      assert.equal(msg.payload.request.callback_config.secret, '[hidden]');
      assert.deepEqual(msg.meetingbaas, { action: 'schedule-create', botId: scheduled.botId, callbackUrl: 'https://nodered.example.com/hooks/mb/hook' });
    });

    it('schedule-create: says that join_at is missing', async function () {
      const message = await caughtError({ action: 'schedule-create' }, { payload: { meeting_url: 'https://meet.google.com/a', bot_name: 'x' } });
      assert.match(message, /No join_at: send it in msg\.payload\.join_at\.$/);
      assert.deepEqual(apiRequests(), []);
    });

    it('schedule-list, schedule-get, schedule-update and schedule-delete, one after the other', async function () {
      const api = server.api.scheduled;
      api.bots.clear();
      const created = await run({ action: 'schedule-create' }, { payload: { meeting_url: 'https://zoom.us/j/1', bot_name: 'Standup', join_at: inMinutes(60).toISOString() } });
      const botId = created.payload.bot_id;
      await helper.unload();
      const listed = await run({ action: 'schedule-list' }, { payload: { status: 'scheduled' } });
      assert.deepEqual(listed.payload.map((b) => b.bot_id), [botId]);
      await helper.unload();
      const got = await run({ action: 'schedule-get' }, { payload: { bot_id: botId } });
      assert.equal(got.payload.bot_name, 'Standup');
      assert.deepEqual(got.meetingbaas, { action: 'schedule-get', botId, status: 'scheduled' });
      await helper.unload();
      assert.match(await caughtError({ action: 'schedule-update' }, { payload: { bot_id: botId } }), /Nothing to change: send the fields to change in msg\.payload/);
      await helper.unload();
      await run({ action: 'schedule-update' }, { payload: { bot_id: botId, bot_name: 'Daily standup' } });
      assert.equal(api.bots.get(botId).request.bot_name, 'Daily standup');
      await helper.unload();
      assert.match(await caughtError({ action: 'schedule-delete' }, { payload: 'x', meetingbaas: { botId } }), /No bot id in msg\.payload\.bot_id/);
      await helper.unload();
      await run({ action: 'schedule-delete' }, { payload: { bot_id: botId } });
      assert.equal(api.bots.get(botId).status, 'cancelled');
      await helper.unload();
      assert.match(await caughtError({ action: 'schedule-delete' }, { payload: { bot_id: botId } }), /cancelled already.*\(HTTP 409\)/);
      await helper.unload();
      assert.match(await caughtError({ action: 'schedule-get' }, { payload: { bot_id: UNKNOWN } }), /no such scheduled bot \(HTTP 404\)/);
    });
  });

  it('works with answers that carry only what the node reads (the stand-in in minimal mode)', async function () {
    server.api.answers = 'minimal';
    const bot = createdBot('in_call_recording');
    const checks = [
      ['send-chat-message', { bot_id: bot.botId, message: 'hi' }, (msg) => assert.deepEqual(msg.payload, { bot_id: bot.botId })],
      ['pause-recording', { bot_id: bot.botId }, (msg) => assert.deepEqual(msg.payload, { bot_id: bot.botId })],
      ['update-config', { bot_id: bot.botId, extra: null }, (msg) => assert.deepEqual(msg.payload, { bot_id: bot.botId })],
      ['list', {}, (msg) => assert.ok(msg.payload.every((b) => Object.keys(b).join() === 'bot_id,ended_at'))],
      ['screenshots', { bot_id: bot.botId }, (msg) => assert.ok(msg.payload.every((s) => Object.keys(s).join() === 'url'))],
      ['schedule-create', { meeting_url: 'https://zoom.us/j/2', bot_name: 'm', join_at: inMinutes(30).toISOString() }, (msg) => assert.ok(msg.payload.bot_id)],
      ['schedule-list', {}, (msg) => assert.ok(msg.payload.length >= 1)],
    ];
    for (const [action, payload, check] of checks) {
      const msg = await run({ action }, { payload });
      check(msg);
      await helper.unload();
    }
  });
});

describe('meeting bot node: words for every action', function () {
  const lookup = (key) => key.split('.').reduce((o, k) => (o ? o[k] : undefined), MESSAGES);

  it('has a message for every key the runtime uses, for every action of the operations table', function () {
    const literal = [...RUNTIME.matchAll(/t\('([a-zA-Z.-]+)'/g)].map((m) => m[1]);
    const perAction = ACTIONS.flatMap((action) => [`action.${action}`, `status.working.${action}`, `status.done.${action}`, `api.conflict-${action}`]);
    const targets = ['callback-missing', 'no-public-url', 'bad-public-url', 'insecure-public-url', 'callback-account-missing', 'http-disabled'].map((problem) => `errors.${problem}`);
    const kinds = ['invalid-request', 'no-api-key', 'bad-bot-id', 'refused', 'auth', 'out-of-tokens', 'rate-limited', 'not-found', 'rejected', 'server', 'redirect', 'status', 'invalid-response', 'network'].map((kind) => `api.${kind}`);
    const groups = ACTION_GROUPS.map((group) => `group.${group}`);
    for (const key of [...literal, ...perAction, ...targets, ...kinds, ...groups, 'api.not-found-scheduled', 'pages.all', 'pages.each']) {
      assert.equal(typeof lookup(key), 'string', `locale has ${key}`);
    }
    assert.deepEqual(Object.keys(MESSAGES.action), ACTIONS, 'a label for each action, no other');
  });

  it('has help for every action: its value, its label, what goes in and what comes out', function () {
    for (const action of ACTIONS) {
      const entry = new RegExp(`<dt>([^<]+) <code>${action}</code></dt>\\s*<dd>([\\s\\S]*?)</dd>`).exec(HELP);
      assert.ok(entry, `help has an entry for ${action}`);
      assert.equal(entry[1], MESSAGES.action[action], `the entry of ${action} is titled with its label`);
      assert.match(entry[2], /<i>in<\/i>/, `${action}: what goes in`);
      assert.match(entry[2], /<i>out<\/i>/, `${action}: what comes out`);
    }
    for (const group of ACTION_GROUPS) assert.ok(HELP.includes(`<h4>${MESSAGES.group[group]}</h4>`), `help has the group ${group}`);
    for (const { action, group } of ACTION_TRAITS) {
      const section = HELP.split(`<h4>${MESSAGES.group[group]}</h4>`)[1].split('</dl>')[0];
      assert.ok(section.includes(`<code>${action}</code></dt>`), `${action} is described under ${group}`);
    }
  });

  it('describes every setting of the editor in the help', function () {
    const properties = Object.keys(editorDefaults('meetingbaas-bot')).filter((p) => p !== 'name' && !p.endsWith('Type'));
    assert.deepEqual(properties, ['account', 'action', 'callback', 'meetingUrl', 'botName', 'recordingMode', 'transcription', 'pages', 'maxPages', 'retries']);
    const labels = { callback: MESSAGES.label.callback };
    for (const property of properties) {
      const label = labels[property] ?? MESSAGES.label[property];
      assert.ok(label, `label for ${property}`);
      assert.ok(HELP.includes(`<b>${label}</b>`), `help describes ${property} (${label})`);
    }
  });

  it('takes Retries as a whole number from 0 to 10 in the editor, as the runtime does, and says the range and default in the help', function () {
    const { validate, value } = editorDefinition('meetingbaas-bot').defaults.retries;
    const { API_DEFAULTS } = require('../../../lib/api');
    assert.equal(value, API_DEFAULTS.retries, 'one default for the node and the client');
    for (const ok of [0, 3, 10, '0', '7', '', undefined]) assert.equal(validate.call(editorNode(), ok, {}), true, `accepts ${JSON.stringify(ok)}`);
    for (const bad of [11, 20, 2.5, -1, '2.5', '-1', '1e1', 'three', ' 3x']) assert.notEqual(validate.call(editorNode(), bad, {}), true, `refuses ${JSON.stringify(bad)}`);
    assert.match(HELP, new RegExp(`<b>${MESSAGES.label.retries}</b>\\s+times, a whole number from 0 to 10, ${API_DEFAULTS.retries} by default`));
  });

  it('offers the actions of the table in the editor, from the build, in a literal registerType', function () {
    assert.match(editorScript('meetingbaas-bot'), /RED\.nodes\.registerType\(["']meetingbaas-bot["'], \{/);
    assert.ok(!/<option value="(create|status|list)"/.test(editorHtml('meetingbaas-bot')), 'no action list written by hand');
    // The dialog lists them from the table bundled into the editor (checked in a browser by test/e2e).
    assert.match(editorScript('meetingbaas-bot'), /\/\/ editor:src\/nodes\/meetingbaas-bot\/actions\.ts\n/);
    assert.deepEqual(ACTION_TRAITS.map((a) => a.action), ACTIONS);
    for (const action of ACTIONS) {
      const traits = ACTION_TRAITS.find((a) => a.action === action);
      assert.equal(traits.paged, OPERATIONS[action].paged, action);
      assert.equal(traits.destructive, OPERATIONS[action].method === 'DELETE', action);
      if (traits.destructive) assert.equal(traits.botId, 'payload', `${action} takes the bot id only from msg.payload.bot_id`);
    }
    assert.deepEqual(ACTION_TRAITS.filter((a) => a.destructive).map((a) => a.action), ['delete-data', 'schedule-delete']);
    assert.deepEqual(editorDefaults('meetingbaas-bot'), { name: '', account: '', callback: '', ...require('../../../nodes/shared/defaults').BOT_DEFAULTS });
  });
});
