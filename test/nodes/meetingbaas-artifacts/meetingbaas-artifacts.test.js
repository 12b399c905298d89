'use strict';
// The "fetch artifacts" node in Node-RED (node-red-node-test-helper), against the local storage
// and API stand-ins of test/fixtures/artifacts.js.
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const helper = require('node-red-node-test-helper');
const configNode = require('../../../nodes/meetingbaas-config/meetingbaas-config.js');
const { translatedNode } = require('../../support/translated-node');
const { useHelperRuntime, nextMessages: collect } = require('../../support/helper-runtime');
const catchNode = require('@node-red/nodes/core/common/25-catch.js');
const fx = require('../../fixtures/artifacts');
const deliveries = require('../../fixtures/deliveries');

helper.init(require.resolve('node-red'));

const artifactsNode = translatedNode('meetingbaas-artifacts');

const HELP = fs.readFileSync(path.join(__dirname, '../../../nodes/meetingbaas-artifacts/locales/en-US/meetingbaas-artifacts.html'), 'utf8');
const { editorDefaults } = require('../../support/editor-definition');
const MESSAGES = require('../../../nodes/meetingbaas-artifacts/locales/en-US/meetingbaas-artifacts.json')['meetingbaas-artifacts'];

/** Every message the node sent on output 1 during these tests, for the help-text checks. */
const produced = { each: [], single: [], skipped: [] };

function caught(count = 1) {
  return collect('caught', count);
}

describe('fetch artifacts node', function () {
  this.timeout(20000);
  let server;
  let userDir;
  const bot = () => crypto.randomUUID();

  before(async function () {
    await artifactsNode.ready();
    server = await fx.startServer();
  });
  after(async function () {
    await server.close();
  });
  const runtime = useHelperRuntime({ userDir: 'mb-node-' });
  beforeEach(function () {
    userDir = runtime.userDir;
  });

  function flow(props, { apiKey = 'test-key' } = {}) {
    const nodes = [
      { id: 'acc', type: 'meetingbaas-config', baseUrl: server.base },
      { id: 'n1', type: 'meetingbaas-artifacts', account: 'acc', allowLocal: true, retries: 2, stallSeconds: 0.5, wires: [['out'], ['skip']], ...props },
      { id: 'c1', type: 'catch', scope: null, wires: [['caught']] },
      { id: 'out', type: 'helper' },
      { id: 'skip', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ];
    return helper.load([configNode, artifactsNode, catchNode], nodes, apiKey ? { acc: { apiKey } } : {});
  }

  function meeting(botId, names = ['video', 'audio', 'transcription', 'raw_transcription', 'diarization']) {
    const urls = {};
    const add = {
      video: () => server.add(`/${botId}/v`, { size: 1500 * 1024, head: fx.HEADS.mp4, type: 'video/mp4' }),
      audio: () => server.add(`/${botId}/a.mp3`, { size: 300 * 1024, head: fx.HEADS.flac, type: 'audio/mpeg' }),
      transcription: () => server.add(`/${botId}/t`, { body: JSON.stringify({ ...fx.TRANSCRIPTION, bot_id: botId }), type: 'application/json' }),
      raw_transcription: () => server.add(`/${botId}/r`, { body: JSON.stringify({ bot_id: botId, transcriptions: [{ id: 1 }] }), type: 'application/json' }),
      diarization: () => server.add(`/${botId}/d`, { body: fx.DIARIZATION, type: 'binary/octet-stream' }),
      chat_messages: () => server.add(`/${botId}/c`, { body: JSON.stringify(fx.CHAT), type: 'application/json' }),
    };
    for (const name of names) urls[name] = add[name]();
    return urls;
  }

  it('writes each artifact to <directory>/<bot_id>/<artifact>.<ext>, with text and subtitles, and reports the missing one', async function () {
    await flow({ mode: 'file', directory: 'downloads', subtitles: 'srt' });
    const botId = bot();
    const delivery = deliveries.completed({ botId, urls: meeting(botId) });
    const out = collect('out', 5);
    const skipped = collect('skip', 1);
    helper.getNode('n1').receive({ payload: delivery, meetingbaas: { botId, event: 'bot.completed' }, mine: 42 });
    // A copy: the collecting listener stays on the node and would add the next messages to it.
    const messages = [...(await out)];
    produced.each.push(...messages);
    // The same meeting sent again by callback in after a restart: the saved files are reported, not fetched.
    const again = collect('out', 5);
    const hits = server.log.length;
    helper.getNode('n1').receive({ payload: delivery, meetingbaas: { botId, event: 'bot.completed', redelivered: 1 } });
    const resent = await again;
    assert.ok(resent.every((m) => m.alreadySaved === true), 'every saved file is reported as already saved');
    assert.equal(server.log.length, hits, 'storage is not asked again');
    produced.each.push(...resent);
    const dir = path.join(userDir, 'downloads');
    assert.deepEqual(fx.listFiles(dir), [
      `${botId}/audio.flac`,
      `${botId}/diarization.jsonl`,
      `${botId}/raw_transcription.json`,
      `${botId}/transcription.json`,
      `${botId}/transcription.srt`,
      `${botId}/video.mp4`,
    ]);
    const byName = Object.fromEntries(messages.map((m) => [m.artifact, m]));
    assert.equal(byName.video.payload, path.join(dir, botId, 'video.mp4'));
    assert.equal(byName.video.filename, byName.video.payload);
    assert.equal(byName.video.size, 1500 * 1024);
    assert.equal(await fx.sha256OfFile(byName.video.filename), fx.sha256OfResource(server.resource(`/${botId}/v`)));
    assert.equal(byName.audio.contentType, 'audio/mpeg');
    assert.equal(byName.transcription.text, '[00:00:01] Alice: Hello everyone, thanks for joining.\n[01:01:01] Bob: Glad to be here.\n');
    assert.match(byName.transcription.subtitles, /^1\n00:00:01,200 --> 00:00:03,500\nAlice: Hello/);
    assert.equal(fs.readFileSync(byName.transcription.subtitlesFile, 'utf8'), byName.transcription.subtitles);
    for (const m of messages) {
      assert.equal(m.botId, botId);
      assert.deepEqual(m.delivery, delivery);
      assert.equal(m.mine, 42);
      assert.equal(m.meetingbaas.event, 'bot.completed');
      assert.equal(m.topic, m.artifact);
      assert.equal(m.refreshed, false);
    }
    const [skip] = await skipped;
    produced.skipped.push(skip);
    assert.equal(skip.artifact, 'chat_messages');
    assert.equal(skip.skipped.reason, 'missing');
    assert.match(skip.payload, /no chat_messages link/);
  });

  it('delivers parsed contents as messages, and one message with all of them when asked', async function () {
    await flow({ output: 'single', artifacts: ['video', 'transcription', 'diarization', 'chat_messages'] });
    const botId = bot();
    const details = fx.botDetails(botId, meeting(botId, ['video', 'transcription', 'diarization', 'chat_messages']));
    const out = collect('out', 1);
    helper.getNode('n1').receive({ payload: details });
    const [msg] = await out;
    produced.single.push(msg);
    assert.ok(Buffer.isBuffer(msg.payload.video));
    assert.equal(crypto.createHash('sha256').update(msg.payload.video).digest('hex'), fx.sha256OfResource(server.resource(`/${botId}/v`)));
    assert.equal(msg.payload.transcription.result.utterances.length, 2);
    assert.deepEqual(msg.payload.diarization.map((d) => d.speaker), ['Alice', 'Bob']);
    assert.deepEqual(msg.payload.chat_messages, fx.CHAT);
    assert.match(msg.text, /^\[00:00:01\] Alice: Hello/);
    assert.deepEqual(Object.keys(msg.artifacts).sort(), ['chat_messages', 'diarization', 'transcription', 'video']);
    assert.equal(msg.artifacts.video.size, 1500 * 1024);
    assert.deepEqual(msg.skipped, []);
    assert.equal(msg.botId, botId);
  });

  it('reports null artifacts, and all of them when data_deleted, as skipped, not errors', async function () {
    await flow({});
    const botId = bot();
    const deleted = deliveries.completed({ botId, urls: meeting(botId, ['transcription']), data: { data_deleted: true } });
    let skipped = collect('skip', 6);
    const node = helper.getNode('n1');
    let errors = 0;
    helper.getNode('caught').on('input', () => (errors += 1));
    node.receive({ payload: deleted });
    const all = await skipped;
    assert.deepEqual(all.map((m) => m.skipped.reason), new Array(6).fill('data-deleted'));
    assert.equal(server.requests(`/${botId}/t`).length, 0, 'nothing is downloaded for deleted data');

    skipped = collect('skip', 5);
    const out = collect('out', 1);
    node.receive({ payload: deliveries.completed({ botId, urls: { transcription: server.add(`/${botId}/t2`, { body: '{}' }) } }) });
    const nulls = await skipped;
    await out;
    assert.deepEqual(nulls.map((m) => `${m.artifact}:${m.skipped.reason}`).sort(), [
      'audio:null', 'chat_messages:missing', 'diarization:null', 'raw_transcription:null', 'video:null',
    ]);
    assert.equal(errors, 0);
  });

  it('fetches fresh links once from GET /v2/bots/{id} when links expired, and retries', async function () {
    await flow({ mode: 'file', directory: 'fresh', artifacts: ['audio', 'transcription'] });
    const botId = bot();
    const stale = {
      audio: server.add(`/${botId}/old-a`, { expired: true }),
      transcription: server.add(`/${botId}/old-t`, { expired: true }),
    };
    const freshUrls = meeting(botId, ['audio', 'transcription']);
    server.bot(botId, () => fx.botDetails(botId, freshUrls));
    const before = server.apiCalls;
    const out = collect('out', 2);
    helper.getNode('n1').receive({ payload: deliveries.completed({ botId, urls: stale }) });
    const messages = await out;
    assert.deepEqual(messages.map((m) => m.refreshed), [true, true]);
    assert.equal(server.apiCalls - before, 1, 'one API call for the whole message');
    assert.equal(server.log.filter((e) => e.path === `/v2/bots/${botId}`)[0].headers['x-meeting-baas-api-key'], 'test-key');
    // The storage client follows links wherever they lead: the key goes only with the API request.
    const storage = server.log.filter((e) => e.path.startsWith(`/${botId}/`));
    assert.ok(storage.length >= 4, 'the expired and the fresh links were requested');
    assert.deepEqual(storage.filter((e) => 'x-meeting-baas-api-key' in e.headers).map((e) => e.path), [], 'no storage request carried the API key');
    assert.deepEqual(fx.listFiles(path.join(userDir, 'fresh')), [`${botId}/audio.flac`, `${botId}/transcription.json`]);
  });

  it('without an API key, says that links expire after 4 hours and how to fix it', async function () {
    await flow({ mode: 'file', directory: 'x', artifacts: ['video'] }, { apiKey: '' });
    const botId = bot();
    const errors = caught();
    helper.getNode('n1').receive({ payload: deliveries.completed({ botId, urls: { video: server.add(`/${botId}/exp`, { expired: true }) } }) });
    const [msg] = await errors;
    assert.match(msg.error.message, /expired/);
    assert.match(msg.error.message, /4 hours/);
    assert.match(msg.error.message, /API key/);
    assert.doesNotMatch(msg.error.message, /secret-signature/);
    assert.deepEqual(fx.listFiles(path.join(userDir, 'x')), []);
  });

  it('refuses a media file over the message size cap and says to use file mode', async function () {
    await flow({ maxMessageMB: 1, artifacts: ['video'] });
    const botId = bot();
    const errors = caught();
    helper.getNode('n1').receive({ payload: deliveries.completed({ botId, urls: meeting(botId, ['video']) }) });
    const [msg] = await errors;
    assert.match(msg.error.message, /over the 1\.0 MB limit/);
    assert.match(msg.error.message, /files on disk/);
  });

  it('says which line of a diarization is not JSON', async function () {
    await flow({ artifacts: ['diarization'] });
    const botId = bot();
    const errors = caught();
    const diarization = server.add(`/${botId}/bad-d`, { body: '{"speaker":"A","start_time":0,"end_time":1}\n{oops\n', type: 'binary/octet-stream' });
    helper.getNode('n1').receive({ payload: deliveries.completed({ botId, urls: { diarization } }) });
    const [msg] = await errors;
    assert.match(msg.error.message, /diarization could not be read: line 2 is not JSON: \S/);
  });

  it('with defaults, refuses local addresses: links must be https to public hosts', async function () {
    await helper.load([artifactsNode, catchNode], [
      { id: 'n1', type: 'meetingbaas-artifacts', mode: 'file', directory: 'd', wires: [[]] },
      { id: 'c1', type: 'catch', scope: null, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
    ]);
    const botId = bot();
    const errors = caught();
    const https = server.add(`/${botId}/v`, { size: 10 }).replace('http://127.0.0.1', 'https://localhost');
    helper.getNode('n1').receive({ payload: { bot_id: botId, video: https, audio: server.add(`/${botId}/a`, { size: 10 }) } });
    const [msg] = await errors;
    assert.match(msg.error.message, /video was not downloaded: localhost resolves to/);
    assert.match(msg.error.message, /audio was not downloaded: only https/);
    assert.equal(server.requests(`/${botId}/v`).length + server.requests(`/${botId}/a`).length, 0);
  });

  it('takes msg.artifacts and msg.directory over the node settings', async function () {
    await flow({ mode: 'file', directory: 'configured' });
    const botId = bot();
    const out = collect('out', 1);
    helper.getNode('n1').receive({ payload: deliveries.completed({ botId, urls: meeting(botId) }), artifacts: 'transcription', directory: 'chosen' });
    const [msg] = await out;
    assert.equal(msg.artifact, 'transcription');
    assert.deepEqual(fx.listFiles(path.join(userDir, 'chosen')), [`${botId}/transcription.json`]);
    assert.equal(fs.existsSync(path.join(userDir, 'configured')), false);
    assert.equal(server.requests(`/${botId}/v`).length, 0);
    const errors = caught();
    helper.getNode('n1').receive({ payload: deliveries.completed({ botId, urls: {} }), artifacts: ['video', 'slides'] });
    assert.match((await errors)[0].error.message, /Unknown artifact name\(s\) in msg.artifacts: slides/);
  });

  it('runs at most "parallel downloads" at once across messages', async function () {
    await flow({ concurrency: 2, artifacts: ['video', 'audio', 'transcription', 'raw_transcription', 'diarization'] });
    const botIds = [bot(), bot()];
    const out = collect('out', 10);
    server.load.max = 0;
    for (const botId of botIds) {
      const urls = meeting(botId);
      for (const name of Object.keys(urls)) server.resource(new URL(urls[name]).pathname).delayMs = 100;
      helper.getNode('n1').receive({ payload: deliveries.completed({ botId, urls }) });
    }
    await out;
    assert.equal(server.load.max, 2);
  });

  it('shows progress with percent and MB/s, then a summary', async function () {
    await flow({ artifacts: ['video'], mode: 'file', directory: 'p', stallSeconds: 1 });
    const botId = bot();
    const url = server.add(`/${botId}/slow`, { size: 4 * 1024 * 1024, head: fx.HEADS.mp4, stallAt: 1024 * 1024, type: 'video/mp4' });
    const node = helper.getNode('n1');
    const out = collect('out', 1);
    node.receive({ payload: { bot_id: botId, video: url } });
    await out;
    await new Promise((resolve) => {
      const check = () => (node.status.args.some((a) => /fetched/.test(a[0].text || '')) ? resolve() : setTimeout(check, 20));
      check();
    });
    const texts = node.status.args.map((a) => a[0].text);
    assert.ok(texts.some((s) => /^video \d+% · \d+\.\d MB\/s$/.test(s)), texts.join(' | '));
    assert.ok(texts.includes('1 fetched'), texts.join(' | '));
  });

  it('stops its downloads on close and removes their temporary files', async function () {
    await flow({ artifacts: ['video'], mode: 'file', directory: 'c', stallSeconds: 30 });
    const botId = bot();
    const url = server.add(`/${botId}/hang`, { size: 4 * 1024 * 1024, head: fx.HEADS.mp4, stallAt: 512 * 1024, stallAlways: true });
    helper.getNode('n1').receive({ payload: { bot_id: botId, video: url } });
    const dir = path.join(userDir, 'c');
    while (fx.listFiles(dir).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.match(fx.listFiles(dir)[0], /\.part$/);
    const started = Date.now();
    await helper.unload();
    assert.ok(Date.now() - started < 5000);
    assert.deepEqual(fx.listFiles(dir), []);
  });

  for (const output of ['each', 'single']) {
    it(`on close names the artifacts it did not deliver, in a warning (output: ${output})`, async function () {
      await flow({ artifacts: ['video', 'transcription'], mode: 'file', directory: 'w', output, stallSeconds: 30 });
      const botId = bot();
      const video = server.add(`/${botId}/hang`, { size: 4 * 1024 * 1024, head: fx.HEADS.mp4, stallAt: 512 * 1024, stallAlways: true });
      const transcription = server.add(`/${botId}/t`, { body: JSON.stringify({ ...fx.TRANSCRIPTION, bot_id: botId }), type: 'application/json' });
      const node = helper.getNode('n1');
      // helper.unload() takes its spies off before it closes the nodes: record on the instance.
      const warnings = [];
      node.warn = (text) => warnings.push(String(text));
      const sent = output === 'each' ? collect('out', 1) : null;
      node.receive({ payload: { bot_id: botId, video, transcription } });
      const dir = path.join(userDir, 'w', botId);
      // The transcript is in (and, one per artifact, sent) while the video is still a temporary file.
      while (!fx.listFiles(dir).includes('transcription.json') || !fx.listFiles(dir).some((f) => f.endsWith('.part'))) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      if (sent) assert.equal((await sent)[0].artifact, 'transcription');
      await helper.unload();
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.ok(warnings[0].includes(botId), warnings[0]);
      // A message with all artifacts was never sent, so the transcript that arrived is named too.
      assert.match(warnings[0], output === 'each' ? /: video of bot / : /: video, transcription of bot /);
      assert.deepEqual(fx.listFiles(dir), ['transcription.json']);
    });
  }

  describe('help text', function () {
    it('states the defaults the editor and the runtime use', function () {
      const defaults = editorDefaults('meetingbaas-artifacts');
      assert.deepEqual(defaults, { name: '', account: '', ...require('../../../nodes/shared/defaults').ARTIFACTS_DEFAULTS });
      assert.equal(defaults.mode, 'message');
      // Recordings apart from the folder where callback in keeps its journals and catch-up checkpoints.
      assert.equal(defaults.directory, 'meetingbaas-recordings');
      assert.match(HELP, /<i>Max in memory<\/i> \(default 100 MB\)/);
      assert.equal(defaults.maxMessageMB, 100);
      assert.match(HELP, /<i>Retries<\/i>, default 4/);
      assert.equal(defaults.retries, require('../../../lib/artifacts/http-client').DEFAULTS.retries);
      assert.match(HELP, /<i>Stall timeout<\/i> \(default 60 s\)/);
      assert.equal(defaults.stallSeconds, require('../../../lib/artifacts/http-client').DEFAULTS.stallTimeoutMs / 1000);
      assert.match(HELP, /<i>Parallel downloads<\/i> \(default 2\)/);
      assert.equal(defaults.concurrency, 2);
      assert.match(HELP, /\(at most 5\)/);
      assert.equal(require('../../../lib/artifacts/http-client').DEFAULTS.maxRedirects, 5);
      assert.match(HELP, /default\s+<code>&lt;bot_id&gt;\/&lt;artifact&gt;\.&lt;ext&gt;<\/code>/);
      assert.equal(defaults.template, '<bot_id>/<artifact>.<ext>');
      assert.match(HELP, /work for 4 hours/);
    });

    it('documents exactly the properties the output messages have', function () {
      const [port1, port2] = HELP.split('<li>').slice(1);
      const documented = (html) => [...html.matchAll(/<dt(?: class="optional")?>(\w+) <span/g)].map((m) => m[1]);
      assert.ok(produced.each.length > 0 && produced.single.length > 0 && produced.skipped.length > 0, 'the node tests above ran');
      for (const name of documented(port1)) {
        assert.ok(produced.each.some((m) => name in m), `no per-artifact message has msg.${name}`);
      }
      for (const name of ['payload', 'artifacts', 'skipped', 'text', 'botId', 'delivery']) {
        assert.ok(name in produced.single[0], `the single message has no msg.${name}`);
        assert.match(port1, new RegExp(`<code>${name}</code>`));
      }
      for (const name of documented(port2)) assert.ok(name in produced.skipped[0], `skipped message has no msg.${name}`);
      for (const reason of Object.keys(MESSAGES.skipped)) assert.match(port2, new RegExp(`<code>${reason}</code>`));
    });

    it('has a summary, Inputs, Outputs with node-ports, Details and References', function () {
      assert.match(HELP, /^<script type="text\/html" data-help-name="meetingbaas-artifacts">\s*<p>/);
      const order = ['<h3>Inputs</h3>', '<h3>Outputs</h3>', '<ol class="node-ports">', '<h3>Details</h3>', '<h3>References</h3>'].map((s) => HELP.indexOf(s));
      assert.ok(order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1])), String(order));
      assert.equal(MESSAGES.paletteLabel, 'fetch artifacts');
    });
  });
});
