'use strict';
// The "meeting bot" node in Node-RED (node-red-node-test-helper), against the simulator's
// stand-in for the Meeting BaaS v2 API on 127.0.0.1, which validates requests with the same
// schemas and answers with the documented error shapes.
const assert = require('node:assert/strict');
const http = require('node:http');
const helper = require('node-red-node-test-helper');
const configNode = require('../../../nodes/meetingbaas-config/meetingbaas-config.js');
const callbackNode = require('../../../nodes/meetingbaas-callback/meetingbaas-callback.js');
const artifactsNode = require('../../../nodes/meetingbaas-artifacts/meetingbaas-artifacts.js');
const catchNode = require('@node-red/nodes/core/common/25-catch.js');
const { MeetingBaasApi } = require('../../../lib/api');
const { translatedNode } = require('../../support/translated-node');
const { useApiStandIn } = require('../../support/api-stand-in');
const { useHelperRuntime, nextMessage } = require('../../support/helper-runtime');
const { recordingServer } = require('../../support/local-server');

helper.init(require.resolve('node-red'));

const botNode = translatedNode('meetingbaas-bot');

const API_KEY = 'bot-test-api-key';
const CALLBACK_SECRET = 'bot-test-callback-secret';
const PUBLIC_URL = 'https://nodered.example.com/';

describe('meeting bot node', function () {
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
    server.api.tokens = Number.POSITIVE_INFINITY;
  });
  useHelperRuntime({ settings: { httpNodeRoot: '/hooks/' } });

  /** `callbackAccount`: the account the callback node checks with ('' for none); `acc2` is a second account with `otherCredentials`. */
  function flow(botProps, { account = {}, credentials = { apiKey: API_KEY, callbackSecret: CALLBACK_SECRET }, callbackAccount = 'acc', otherCredentials = {} } = {}) {
    const nodes = [
      { id: 'acc', type: 'meetingbaas-config', baseUrl: server.baseUrl, publicUrl: PUBLIC_URL, ...account },
      { id: 'acc2', type: 'meetingbaas-config', baseUrl: server.baseUrl, publicUrl: '' },
      { id: 'cb1', type: 'meetingbaas-callback', z: 'f1', url: '/mb/hook', method: 'put', account: callbackAccount, journal: false, wires: [[], [], [], []] },
      { id: 'bot', type: 'meetingbaas-bot', z: 'f1', account: 'acc', wires: [['out']], ...botProps },
      { id: 'c1', type: 'catch', z: 'f1', scope: null, wires: [['caught']] },
      { id: 'out', type: 'helper', z: 'f1' },
      { id: 'caught', type: 'helper', z: 'f1' },
      { id: 'f1', type: 'tab' },
    ];
    return helper.load([configNode, callbackNode, botNode, catchNode, artifactsNode], nodes, { acc: credentials, acc2: otherCredentials });
  }

  const created = (since) => served.slice(since).filter((r) => r.method === 'POST' && r.path === '/v2/bots');

  async function caughtError(input, props, options) {
    await flow(props, options);
    const error = nextMessage('caught');
    helper.getNode('bot').receive(input);
    return (await error).error.message;
  }

  it('refuses at deploy an action it does not know, says so in its status and log, and sends nothing', async function () {
    const since = served.length;
    await flow({ action: 'lsit' });
    const bot = helper.getNode('bot');
    const errors = bot.error.getCalls().filter((call) => call.thisValue === bot).map((call) => String(call.args[0]));
    assert.ok(errors.some((text) => /"lsit" is not one this version of the package knows/.test(text)), errors.join('\n'));
    const statuses = bot.status.getCalls().filter((call) => call.thisValue === bot).map((call) => call.args[0].text);
    assert.ok(statuses.includes('unknown action'), statuses.join(', '));
    const error = nextMessage('caught');
    bot.receive({ payload: { meeting_url: 'https://meet.google.com/abc-defg-hij', bot_name: 'x' } });
    assert.match((await error).error.message, /"lsit" is not one/);
    assert.equal(served.length, since, 'nothing reached the API: not taken for create');
  });

  describe('create', function () {
    it('sends the bot with the callback URL, method and secret of the chosen callback node, and hides the secret in its output', async function () {
      await flow({ action: 'create', callback: 'cb1', recordingMode: 'audio_only', transcription: true });
      const out = nextMessage('out');
      const extra = { customer_meeting_id: 'planning-7' };
      helper.getNode('bot').receive({ payload: { meeting_url: 'https://meet.google.com/abc-defg-hij', bot_name: 'Notes', extra } });
      const msg = await out;
      const bot = server.api.bots.get(msg.payload.bot_id);
      assert.ok(bot, 'the stand-in created the bot the node reports');
      assert.deepEqual(bot.request.callback_config, { url: 'https://nodered.example.com/hooks/mb/hook', method: 'PUT', secret: CALLBACK_SECRET });
      assert.equal(bot.request.callback_enabled, true);
      assert.equal(bot.request.recording_mode, 'audio_only');
      assert.equal(bot.request.transcription_enabled, true);
      assert.deepEqual(bot.request.extra, extra);
      assert.equal(bot.request.bot_name, 'Notes');
      assert.equal(msg.payload.request.callback_config.secret, '[hidden]');
      assert.equal(msg.payload.request.meeting_url, 'https://meet.google.com/abc-defg-hij');
      assert.deepEqual(msg.meetingbaas, { action: 'create', botId: bot.botId, callbackUrl: 'https://nodered.example.com/hooks/mb/hook' });
      const text = JSON.stringify(msg);
      assert.ok(!text.includes(CALLBACK_SECRET) && !text.includes(API_KEY), 'no secret in the output message');
    });

    async function sentCallback(options) {
      await flow({ action: 'create', callback: 'cb1' }, options);
      const out = nextMessage('out');
      const failed = nextMessage('caught').then((msg) => assert.fail(msg.error.message));
      helper.getNode('bot').receive({ payload: { meeting_url: 'https://meet.google.com/abc-defg-hij', bot_name: 'x' } });
      const msg = await Promise.race([out, failed]);
      return server.api.bots.get(msg.payload.bot_id).request.callback_config;
    }

    it('sends no secret for a callback node that checks none (no account), though the bot account has one', async function () {
      const config = await sentCallback({ callbackAccount: '' });
      assert.deepEqual(config, { url: 'https://nodered.example.com/hooks/mb/hook', method: 'PUT' });
    });

    it('sends the secret of the account the callback node checks with, and none when that account has none', async function () {
      assert.equal((await sentCallback({ callbackAccount: 'acc2', otherCredentials: { callbackSecret: 'other-secret' } })).secret, 'other-secret');
      await helper.unload();
      assert.equal('secret' in (await sentCallback({ callbackAccount: 'acc2', otherCredentials: {} })), false);
    });

    it('refuses to send a bot to a callback node whose account cannot be found (it answers every callback 503 until fixed), and sends nothing', async function () {
      const since = served.length;
      const message = await caughtError({ payload: { meeting_url: 'https://meet.google.com/abc-defg-hij', bot_name: 'x' } }, { callback: 'cb1' }, { callbackAccount: 'gone' });
      assert.match(message, /account/);
      assert.match(message, /callback in/);
      assert.equal(created(since).length, 0, 'no bot created whose callbacks would be refused');
    });

    it('refuses a plain http Public URL to another machine (the secret and the recordings\' links would travel in clear), and sends nothing', async function () {
      for (const publicUrl of ['http://nodered.example.com', 'http://192.168.1.20:1880']) {
        const since = served.length;
        const message = await caughtError({ payload: { meeting_url: 'https://meet.google.com/abc-defg-hij', bot_name: 'x' } }, { callback: 'cb1' }, { account: { publicUrl } });
        assert.match(message, /https/, publicUrl);
        assert.match(message, /Public URL/, publicUrl);
        assert.equal(created(since).length, 0, `nothing sent for ${publicUrl}`);
        await helper.unload();
      }
    });

    it('accepts a plain http Public URL to this machine (tests, the simulator)', async function () {
      const config = await sentCallback({ account: { publicUrl: 'http://127.0.0.1:1880' } });
      assert.deepEqual(config, { url: 'http://127.0.0.1:1880/hooks/mb/hook', method: 'PUT', secret: CALLBACK_SECRET });
    });

    it('reads meeting_url and bot_name from the TypedInputs it is given, and sends no callback without a callback node', async function () {
      await flow({ meetingUrl: 'https://zoom.us/j/123456789', meetingUrlType: 'str', botName: 'settings.name', botNameType: 'msg' });
      const out = nextMessage('out');
      helper.getNode('bot').receive({ payload: {}, settings: { name: 'From msg' } });
      const msg = await out;
      const bot = server.api.bots.get(msg.payload.bot_id);
      assert.equal(bot.request.meeting_url, 'https://zoom.us/j/123456789');
      assert.equal(bot.request.bot_name, 'From msg');
      assert.equal(bot.request.callback_enabled, undefined);
      assert.equal(bot.request.callback_config, undefined);
      assert.equal(bot.request.transcription_enabled, false);
    });

    it('refuses an unknown option before sending anything (the request schema is closed)', async function () {
      const since = served.length;
      const message = await caughtError(
        { payload: { meeting_url: 'https://meet.google.com/abc-defg-hij', bot_name: 'x' }, options: { transcription_enable: true } },
        {},
      );
      assert.match(message, /transcription_enable is not a Meeting BaaS option/);
      assert.match(message, /not sent/);
      assert.equal(created(since).length, 0, 'nothing reached the API');
    });

    it('refuses a meeting URL that is not a URL before sending', async function () {
      const since = served.length;
      const message = await caughtError({ payload: { meeting_url: 'my meeting', bot_name: 'x' } }, {});
      assert.match(message, /meeting_url must match format "uri"/);
      assert.equal(created(since).length, 0);
    });

    it('says where to set the public URL when a callback node is chosen without one', async function () {
      const since = served.length;
      const message = await caughtError({ payload: { meeting_url: 'https://meet.google.com/a', bot_name: 'x' } }, { callback: 'cb1' }, { account: { publicUrl: '' } });
      assert.match(message, /Public URL/);
      assert.equal(created(since).length, 0);
    });

    it('says what is missing when the message has no meeting URL', async function () {
      const message = await caughtError({ payload: { bot_name: 'x' } }, {});
      assert.match(message, /No meeting URL: send it in msg.payload.meeting_url/);
    });
  });

  describe('the other actions, by bot id', function () {
    let botId;
    beforeEach(async function () {
      const api = new MeetingBaasApi({ baseUrl: server.baseUrl, apiKey: API_KEY });
      botId = (await api.createBot({ bot_name: 'x', meeting_url: 'https://meet.google.com/abc-defg-hij' })).botId;
      await api.close();
    });

    it('status: reads msg.payload.bot_id', async function () {
      await flow({ action: 'status' });
      const out = nextMessage('out');
      helper.getNode('bot').receive({ payload: { bot_id: botId } });
      const msg = await out;
      assert.equal(msg.payload.bot_id, botId);
      assert.equal(msg.payload.status, 'joining_call');
      assert.equal(msg.meetingbaas.status, 'joining_call');
    });

    it('leave: reads the bot id of a callback delivery (msg.meetingbaas.botId), and the bot completes', async function () {
      await flow({ action: 'leave' });
      const out = nextMessage('out');
      helper.getNode('bot').receive({ payload: 'anything', meetingbaas: { botId } });
      const msg = await out;
      assert.equal(msg.payload.bot_id, botId);
      assert.equal(typeof msg.payload.message, 'string');
      assert.equal(server.api.bots.get(botId).status, 'completed');
    });

    it('leave again: 409 said as "not in a meeting any more", with the status code', async function () {
      server.api.bots.get(botId).status = 'completed';
      const message = await caughtError({ payload: { bot_id: botId } }, { action: 'leave' });
      assert.match(message, /not in a meeting any more \(HTTP 409\)/);
    });

    it('retry-callback: 409 when the bot has no callback, 200 and a new delivery when it has one', async function () {
      server.api.bots.get(botId).status = 'completed';
      const refused = await caughtError({ payload: { bot_id: botId } }, { action: 'retry-callback' });
      assert.match(refused, /HTTP 409/);
      await helper.unload();
      // A bot whose callback points at a local receiver.
      const receiver = http.createServer((req, res) => res.end('{}'));
      await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      try {
        server.api.bots.get(botId).request.callback_config = { url: `http://127.0.0.1:${receiver.address().port}/cb`, secret: 's' };
        await flow({ action: 'retry-callback' });
        const out = nextMessage('out');
        const delivered = new Promise((resolve) => server.api.once('callback', resolve));
        helper.getNode('bot').receive({ payload: { bot_id: botId } });
        const msg = await out;
        assert.equal(msg.payload.bot_id, botId);
        const sent = await delivered;
        assert.equal(sent.result.status, 200);
        assert.equal(sent.result.requestHeaders['x-mb-secret'], 's');
      } finally {
        await new Promise((resolve) => receiver.close(resolve));
      }
    });

    it('details: fresh artifact links that the fetch artifacts node downloads as they are', async function () {
      await helper.load(
        [configNode, botNode, catchNode, artifactsNode],
        [
          { id: 'acc', type: 'meetingbaas-config', baseUrl: server.baseUrl },
          { id: 'bot', type: 'meetingbaas-bot', account: 'acc', action: 'details', wires: [['fetch', 'out']] },
          { id: 'fetch', type: 'meetingbaas-artifacts', account: 'acc', artifacts: ['transcription'], mode: 'message', allowLocal: true, wires: [['got'], []] },
          { id: 'out', type: 'helper' },
          { id: 'got', type: 'helper' },
        ],
        { acc: { apiKey: API_KEY } },
      );
      const out = nextMessage('out');
      const got = nextMessage('got');
      helper.getNode('bot').receive({ payload: { bot_id: botId } });
      const details = await out;
      assert.equal(details.payload.bot_id, botId);
      assert.match(details.payload.transcription, /^http:\/\/127\.0\.0\.1:\d+\/recordings\//);
      const transcript = await got;
      assert.equal(transcript.artifact, 'transcription');
      assert.equal(transcript.payload.bot_id, botId);
      assert.ok(transcript.payload.result.utterances.length > 0);
    });

    it('refuses a bot id that is not a UUID without asking the API', async function () {
      const since = served.length;
      const message = await caughtError({ payload: { bot_id: '../../admin' } }, { action: 'status' });
      assert.match(message, /Not a bot id/);
      assert.equal(served.length, since);
    });

    it('404: no such bot', async function () {
      const message = await caughtError({ payload: { bot_id: '6f1c2f61-1c1b-4b5e-9d3a-3c1f5a0e2b11' } }, { action: 'status' });
      assert.match(message, /knows no such bot \(HTTP 404\)/);
    });
  });

  describe('API errors, said for a person, with the status code', function () {
    // A new message each time: the node replaces the payload of the message it sends on.
    const request = () => ({ payload: { meeting_url: 'https://meet.google.com/abc-defg-hij', bot_name: 'x' } });

    it('401: bad API key', async function () {
      const message = await caughtError(request(), {}, { credentials: { apiKey: 'wrong-key' } });
      assert.match(message, /refused the API key \(HTTP 401\)/);
    });

    it('402: out of tokens', async function () {
      server.api.tokens = 0;
      const message = await caughtError(request(), {});
      assert.match(message, /out of tokens \(HTTP 402\)/);
    });

    it('409: a bot is already in that meeting', async function () {
      const api = new MeetingBaasApi({ baseUrl: server.baseUrl, apiKey: API_KEY });
      await api.createBot({ bot_name: 'first', meeting_url: 'https://meet.google.com/busy-room' });
      await api.close();
      const message = await caughtError(
        { payload: { meeting_url: 'https://meet.google.com/busy-room', bot_name: 'x' }, options: { allow_multiple_bots: false } },
        {},
      );
      assert.match(message, /already in that meeting \(HTTP 409\)/);
    });

    it('429 with a wait longer than the retry limit: reported at once, with the wait', async function () {
      server.api.injectFaults({ status: 429, retryAfter: 120 });
      const since = served.length;
      const started = Date.now();
      const message = await caughtError(request(), {});
      assert.match(message, /rate limiting this account \(HTTP 429\)\. Wait 120 seconds/);
      assert.ok(Date.now() - started < 5000, 'did not wait');
      assert.equal(served.length - since, 1, 'not retried');
    });

    it('create: 429 and 503 (the API did not act) retried, then the bot is created', async function () {
      server.api.injectFaults({ status: 429, retryAfter: 0 }, { status: 503, retryAfter: 0 });
      await flow({});
      const out = nextMessage('out');
      const since = served.length;
      helper.getNode('bot').receive(request());
      const msg = await out;
      assert.ok(server.api.bots.has(msg.payload.bot_id));
      assert.deepEqual(served.slice(since).map((r) => r.status), [429, 503, 201]);
    });

    for (const status of [500, 502, 504]) {
      it(`create: ${status} not sent again (the bot may exist), said so with where to look`, async function () {
        server.api.injectFaults({ status, retryAfter: 0 });
        const since = served.length;
        const message = await caughtError(request(), {});
        assert.equal(created(since).length, 1, 'one request: a second could make a second bot');
        assert.match(message, new RegExp(`server error \\(HTTP ${status}\\)`));
        assert.match(message, /bot may have been created/);
        assert.match(message, /list/);
      });
    }

    it('create: a connection broken once the request was sent is not retried, and said so with where to look', async function () {
      // Reads the whole request, then hangs up without answering: the bot may exist.
      const breaking = await recordingServer((req, res) => {
        req.resume();
        req.on('end', () => res.socket.destroy());
      });
      try {
        const message = await caughtError(request(), {}, { account: { baseUrl: breaking.url } });
        assert.equal(breaking.seen.length, 1, 'sent once');
        assert.match(message, /bot may have been created/);
        assert.match(message, /list/);
      } finally {
        await breaking.close();
      }
    });

    it('5xx after every retry of a request safe to repeat: a server error, after retries+1 attempts', async function () {
      server.api.injectFaults({ status: 500 }, ...Array.from({ length: 2 }, () => ({ status: 502, retryAfter: 0 })));
      const since = served.length;
      const message = await caughtError({ payload: {} }, { action: 'list', retries: 2 });
      assert.match(message, /server error \(HTTP 502\) and still did after retries/);
      assert.deepEqual(served.slice(since).map((r) => r.status), [500, 502, 502]);
    });

    it('503 after every retry of a bot creation: a server error, after retries+1 attempts', async function () {
      server.api.injectFaults(...Array.from({ length: 3 }, () => ({ status: 503, retryAfter: 0 })));
      const since = served.length;
      const message = await caughtError(request(), { retries: 2 });
      assert.match(message, /server error \(HTTP 503\) and still did after retries/);
      assert.equal(created(since).length, 3);
    });
  });

  describe('Retries', function () {
    const request = () => ({ payload: { meeting_url: 'https://meet.google.com/abc-defg-hij', bot_name: 'x' } });
    const warnings = () => {
      const bot = helper.getNode('bot');
      return bot.warn.getCalls().filter((call) => call.thisValue === bot).map((call) => String(call.args[0]));
    };

    async function attemptsWith(retries) {
      server.api.injectFaults(...Array.from({ length: 12 }, () => ({ status: 503, retryAfter: 0 })));
      const since = served.length;
      await caughtError(request(), { retries });
      const attempts = created(since).length;
      await drainFaults();
      return attempts;
    }

    /** Answers the faults the node did not meet, so that the next test starts without any. */
    async function drainFaults() {
      const api = new MeetingBaasApi({ baseUrl: server.baseUrl, apiKey: API_KEY, retries: 0 });
      try {
        for (let failed = true; failed; ) failed = await api.listBots({ limit: 1 }).then(() => false, () => true);
      } finally {
        await api.close();
      }
    }

    it('blank or left out: the default, 3', async function () {
      assert.equal(await attemptsWith(''), 4);
      assert.deepEqual(warnings(), []);
      await helper.unload();
      assert.equal(await attemptsWith(undefined), 4);
    });

    it('a whole number from 0 to 10 as set, in a flow as a number or its digits', async function () {
      assert.equal(await attemptsWith(0), 1);
      assert.deepEqual(warnings(), []);
      await helper.unload();
      assert.equal(await attemptsWith('1'), 2);
    });

    for (const retries of [20, 2.5, -1, 'often']) {
      it(`${JSON.stringify(retries)} (a flow not made in the editor): the default, with a warning at deploy that says so`, async function () {
        assert.equal(await attemptsWith(retries), 4);
        const said = warnings();
        assert.equal(said.length, 1, said.join('\n'));
        assert.match(said[0], new RegExp(`Retries "${retries}" is not a whole number from 0 to 10: 3 are used`));
      });
    }
  });

  describe('answers that carry only what the node reads (the stand-in in minimal mode)', function () {
    let botId;
    beforeEach(async function () {
      server.api.answers = 'minimal';
      const api = new MeetingBaasApi({ baseUrl: server.baseUrl, apiKey: API_KEY });
      botId = (await api.createBot({ bot_name: 'x', meeting_url: 'https://meet.google.com/abc-defg-hij' })).botId;
      await api.close();
    });
    afterEach(function () {
      server.api.answers = 'full';
    });

    async function answerOf(action, input) {
      await flow({ action });
      const out = nextMessage('out');
      const failed = nextMessage('caught').then((msg) => assert.fail(`${action} failed: ${msg.error.message}`));
      helper.getNode('bot').receive(input);
      return Promise.race([out, failed]);
    }

    it('details: passes the answer on as received, without transcription_ids and the other unread fields', async function () {
      const msg = await answerOf('details', { payload: { bot_id: botId } });
      assert.equal(msg.payload.bot_id, botId);
      assert.equal(msg.payload.status, 'joining_call');
      assert.equal('transcription_ids' in msg.payload, false);
      assert.equal('transcription_provider' in msg.payload, false);
      assert.equal(msg.meetingbaas.status, 'joining_call');
    });

    it('status: needs only bot_id and status', async function () {
      const msg = await answerOf('status', { payload: { bot_id: botId } });
      assert.deepEqual(msg.payload, { bot_id: botId, status: 'joining_call' });
    });

    it('create: needs only data.bot_id', async function () {
      const msg = await answerOf('create', { payload: { meeting_url: 'https://meet.google.com/abc-defg-hij', bot_name: 'y' } });
      assert.ok(server.api.bots.has(msg.payload.bot_id));
    });

    it('leave: reads nothing from the answer, so a bare {success: true} is enough', async function () {
      const msg = await answerOf('leave', { payload: { bot_id: botId } });
      assert.deepEqual(msg.payload, { bot_id: botId });
      assert.equal(server.api.bots.get(botId).status, 'completed');
    });

    it('still refuses an answer without what it reads: details whose bot_id is no UUID', async function () {
      const other = http.createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ success: true, data: { bot_id: 'examplebot_id', status: 'completed' } }));
      });
      await new Promise((resolve) => other.listen(0, '127.0.0.1', resolve));
      try {
        const message = await caughtError({ payload: { bot_id: botId } }, { action: 'details' }, { account: { baseUrl: `http://127.0.0.1:${other.address().port}` } });
        assert.match(message, /does not understand: data\.bot_id must match/);
      } finally {
        await new Promise((resolve) => other.close(resolve));
      }
    });
  });

  describe('the API key goes only to the API URL, encrypted', function () {
    it('refuses plain http to another machine without connecting', async function () {
      const message = await caughtError({ payload: { bot_id: '6f1c2f61-1c1b-4b5e-9d3a-3c1f5a0e2b11' } }, { action: 'status' }, { account: { baseUrl: 'http://192.0.2.10' } });
      assert.match(message, /only sent over https/);
    });

    for (const [status, action] of [[301, 'details'], [302, 'status'], [307, 'create']]) {
      it(`does not follow a ${status} (${action}): the redirect target never sees the key`, async function () {
        const seenByTarget = [];
        const other = http.createServer((req, res) => {
          seenByTarget.push(req.headers['x-meeting-baas-api-key'] ?? '(no key)');
          res.end('{}');
        });
        await new Promise((resolve) => other.listen(0, '127.0.0.1', resolve));
        const redirector = http.createServer((req, res) => {
          res.writeHead(status, { location: `http://127.0.0.1:${other.address().port}${req.url}` });
          res.end();
        });
        await new Promise((resolve) => redirector.listen(0, '127.0.0.1', resolve));
        try {
          const input = action === 'create'
            ? { payload: { meeting_url: 'https://meet.google.com/abc-defg-hij', bot_name: 'x' } }
            : { payload: { bot_id: '6f1c2f61-1c1b-4b5e-9d3a-3c1f5a0e2b11' } };
          const message = await caughtError(input, { action }, { account: { baseUrl: `http://127.0.0.1:${redirector.address().port}` } });
          assert.deepEqual(seenByTarget, []);
          assert.match(message, new RegExp(`redirect \\(HTTP ${status}\\)`));
        } finally {
          await new Promise((resolve) => other.close(resolve));
          await new Promise((resolve) => redirector.close(resolve));
        }
      });
    }

    it('sends the key in x-meeting-baas-api-key and nowhere else', async function () {
      const seen = [];
      const api = http.createServer((req, res) => {
        seen.push({ url: req.url, headers: req.headers });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ success: true, data: { bot_id: '6f1c2f61-1c1b-4b5e-9d3a-3c1f5a0e2b11', status: 'completed', transcription_status: 'done', updated_at: new Date().toISOString() } }));
      });
      await new Promise((resolve) => api.listen(0, '127.0.0.1', resolve));
      try {
        await flow({ action: 'status' }, { account: { baseUrl: `http://127.0.0.1:${api.address().port}` } });
        const out = nextMessage('out');
        helper.getNode('bot').receive({ payload: { bot_id: '6f1c2f61-1c1b-4b5e-9d3a-3c1f5a0e2b11' } });
        await out;
        assert.equal(seen.length, 1);
        assert.equal(seen[0].headers['x-meeting-baas-api-key'], API_KEY);
        assert.equal(seen[0].url, '/v2/bots/6f1c2f61-1c1b-4b5e-9d3a-3c1f5a0e2b11/status');
        assert.ok(!seen[0].url.includes(API_KEY));
      } finally {
        await new Promise((resolve) => api.close(resolve));
      }
    });
  });
});
