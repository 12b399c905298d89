'use strict';
// A delivery sent again after a close, a redeploy or a crash: the "fetch artifacts" node reports
// files saved complete by the earlier attempt, continues partial downloads with a Range request
// when storage proves it is the same object, and starts over otherwise. Files are compared byte
// for byte with what the local storage serves.
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const helper = require('node-red-node-test-helper');
const configNode = require('../../../nodes/meetingbaas-config/meetingbaas-config.js');
const catchNode = require('@node-red/nodes/core/common/25-catch.js');
const { translatedNode } = require('../../support/translated-node');
const { useHelperRuntime, nextMessages: collect } = require('../../support/helper-runtime');
const { removeStalePartials } = require('../../../lib/artifacts/temporary-file');
const fx = require('../../fixtures/artifacts');
const deliveries = require('../../fixtures/deliveries');

helper.init(require.resolve('node-red'));

const artifactsNode = translatedNode('meetingbaas-artifacts');

/** Resolves when `test` holds: the bytes reaching the disk send no event, so this looks every few ms. */
async function whenFiles(test) {
  for (;;) {
    const value = test();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const sizeOf = (file) => (fs.existsSync(file) ? fs.statSync(file).size : -1);

describe('fetch artifacts node: a delivery sent again', function () {
  this.timeout(20000);
  let server;
  let dir;

  before(async function () {
    await artifactsNode.ready();
    server = await fx.startServer();
  });
  after(async function () {
    await server.close();
  });
  const runtime = useHelperRuntime({ userDir: 'mb-resume-' });
  beforeEach(function () {
    dir = path.join(runtime.userDir, 'downloads');
  });

  function flow(props = {}) {
    const nodes = [
      { id: 'acc', type: 'meetingbaas-config', baseUrl: server.base },
      {
        id: 'n1',
        type: 'meetingbaas-artifacts',
        account: 'acc',
        allowLocal: true,
        retries: 0,
        stallSeconds: 30,
        mode: 'file',
        directory: 'downloads',
        wires: [['out'], ['skip']],
        ...props,
      },
      { id: 'c1', type: 'catch', scope: null, wires: [['caught']] },
      { id: 'out', type: 'helper' },
      { id: 'skip', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ];
    return helper.load([configNode, artifactsNode, catchNode], nodes, { acc: { apiKey: 'test-key' } });
  }

  const message = (botId, urls, redelivered) => ({
    payload: deliveries.completed({ botId, urls }),
    meetingbaas: { botId, event: 'bot.completed', ...(redelivered ? { redelivered } : {}) },
  });

  /** Starts a video download that stops after `stallAt` bytes, and resolves once they are in the partial file. */
  async function interruptedVideo(resource, stallAt) {
    const botId = crypto.randomUUID();
    const url = server.add(`/${botId}/v`, { type: 'video/mp4', head: fx.HEADS.mp4, stallAt, ...resource });
    await flow();
    const partial = path.join(dir, botId, '.video.part');
    helper.getNode('n1').receive(message(botId, { video: url }));
    await whenFiles(() => sizeOf(partial) === stallAt);
    return { botId, url, partial };
  }

  it('continues a download interrupted by a redeploy from where it stopped, byte-identical', async function () {
    const size = 2 * 1024 * 1024 + 333;
    const stallAt = 700 * 1024;
    const { botId, url, partial } = await interruptedVideo({ size, etag: '"v1"' }, stallAt);
    await helper.unload();
    assert.deepEqual(fx.listFiles(dir), [`${botId}/.video.part`, `${botId}/.video.part.json`], 'the partial is kept, hidden');
    assert.equal(sizeOf(partial), stallAt);

    await flow();
    const out = collect('out', 1);
    helper.getNode('n1').receive(message(botId, { video: url }, 1));
    const [msg] = await out;
    const requests = server.requests(`/${botId}/v`);
    assert.equal(requests.length, 2);
    assert.equal(requests[0].range, null);
    assert.equal(requests[1].range, `bytes=${stallAt}-`);
    assert.equal(requests[1].headers['if-range'], '"v1"');
    assert.equal(msg.filename, path.join(dir, botId, 'video.mp4'));
    assert.equal(msg.size, size);
    assert.equal(msg.alreadySaved, undefined);
    assert.equal(await fx.sha256OfFile(msg.filename), fx.sha256OfResource(server.resource(`/${botId}/v`)));
    assert.deepEqual(fx.listFiles(dir), [`${botId}/video.mp4`], 'no partial or record is left');
  });

  it('starts over when storage answers a Range request with the whole object (200)', async function () {
    const size = 1024 * 1024 + 5;
    const stallAt = 300 * 1024;
    const { botId, url } = await interruptedVideo({ size, etag: '"v1"', ignoreRange: true }, stallAt);
    await helper.unload();

    await flow();
    const out = collect('out', 1);
    helper.getNode('n1').receive(message(botId, { video: url }, 1));
    const [msg] = await out;
    const requests = server.requests(`/${botId}/v`);
    assert.equal(requests.length, 2);
    assert.equal(requests[1].range, `bytes=${stallAt}-`);
    assert.equal(msg.size, size);
    assert.equal(await fx.sha256OfFile(msg.filename), fx.sha256OfResource(server.resource(`/${botId}/v`)));
    assert.deepEqual(fx.listFiles(dir), [`${botId}/video.mp4`]);
  });

  it('starts over when the object changed since the partial was written (another ETag)', async function () {
    const size = 1024 * 1024;
    const stallAt = 200 * 1024;
    const { botId, url } = await interruptedVideo({ size, etag: '"v1"' }, stallAt);
    await helper.unload();
    // The same path now serves other bytes: appending to the partial would mix two objects.
    const changed = server.add(`/${botId}/v`, { size: size + 1000, etag: '"v2"', type: 'video/mp4', head: fx.HEADS.flac });
    assert.equal(changed, url);

    await flow();
    const out = collect('out', 1);
    helper.getNode('n1').receive(message(botId, { video: url }, 1));
    const [msg] = await out;
    const requests = server.requests(`/${botId}/v`);
    assert.equal(requests.length, 3, 'the Range request, then the whole object');
    assert.equal(requests[2].range, null);
    assert.equal(msg.filename, path.join(dir, botId, 'video.flac'));
    assert.equal(msg.size, size + 1000);
    assert.equal(await fx.sha256OfFile(msg.filename), fx.sha256OfResource(server.resource(`/${botId}/v`)));
    assert.deepEqual(fx.listFiles(dir), [`${botId}/video.flac`]);
  });

  it('continues with the fresh link when the old one expired meanwhile', async function () {
    const size = 1024 * 1024 + 77;
    const stallAt = 256 * 1024;
    const { botId, url, partial } = await interruptedVideo({ size, etag: '"same-object"' }, stallAt);
    await helper.unload();
    assert.equal(sizeOf(partial), stallAt);
    server.resource(`/${botId}/v`).expired = true;
    const fresh = server.add(`/${botId}/v-fresh`, { size, etag: '"same-object"', type: 'video/mp4', head: fx.HEADS.mp4 });
    server.bot(botId, () => fx.botDetails(botId, { video: fresh }));

    await flow();
    const out = collect('out', 1);
    helper.getNode('n1').receive(message(botId, { video: url }, 1));
    const [msg] = await out;
    assert.equal(msg.refreshed, true);
    assert.deepEqual(server.requests(`/${botId}/v-fresh`).map((r) => r.range), [`bytes=${stallAt}-`]);
    assert.equal(await fx.sha256OfFile(msg.filename), fx.sha256OfResource(server.resource(`/${botId}/v-fresh`)));
    assert.deepEqual(fx.listFiles(dir), [`${botId}/video.mp4`]);
  });

  it('reports files saved complete by an earlier attempt as saved, without asking storage, text and subtitles from the file', async function () {
    await flow({ subtitles: 'vtt' });
    const botId = crypto.randomUUID();
    const transcript = JSON.stringify({ ...fx.TRANSCRIPTION, bot_id: botId });
    const urls = {
      video: server.add(`/${botId}/v`, { size: 400 * 1024, head: fx.HEADS.mp4, type: 'video/mp4' }),
      transcription: server.add(`/${botId}/t`, { body: transcript, type: 'application/json' }),
    };
    const first = collect('out', 2);
    helper.getNode('n1').receive(message(botId, urls));
    const firstMessages = await first;
    assert.ok(firstMessages.every((m) => m.alreadySaved === undefined));
    const video = path.join(dir, botId, 'video.mp4');
    const savedAt = fs.statSync(video).mtimeMs;
    const requestsBefore = server.log.length;

    fs.rmSync(path.join(dir, botId, 'transcription.vtt'));
    const again = collect('out', 2);
    helper.getNode('n1').receive(message(botId, urls, 1));
    const byName = Object.fromEntries((await again).map((m) => [m.artifact, m]));
    assert.equal(server.log.length, requestsBefore, 'storage was not asked again');
    assert.equal(byName.video.alreadySaved, true);
    assert.equal(byName.video.filename, video);
    assert.equal(byName.video.payload, video);
    assert.equal(byName.video.size, 400 * 1024);
    assert.equal(byName.video.contentType, 'video/mp4');
    assert.equal(fs.statSync(video).mtimeMs, savedAt);
    assert.equal(byName.transcription.alreadySaved, true);
    assert.equal(byName.transcription.size, Buffer.byteLength(transcript));
    assert.equal(byName.transcription.text, '[00:00:01] Alice: Hello everyone, thanks for joining.\n[01:01:01] Bob: Glad to be here.\n');
    assert.match(byName.transcription.subtitles, /^WEBVTT/);
    assert.equal(fs.readFileSync(byName.transcription.subtitlesFile, 'utf8'), byName.transcription.subtitles);
  });

  it('downloads again on a first sending even when the file exists (a flow run again wants fresh files)', async function () {
    await flow();
    const botId = crypto.randomUUID();
    const urls = { video: server.add(`/${botId}/v`, { size: 100 * 1024, head: fx.HEADS.mp4, type: 'video/mp4' }) };
    const first = collect('out', 1);
    helper.getNode('n1').receive(message(botId, urls));
    await first;
    const again = collect('out', 1);
    helper.getNode('n1').receive(message(botId, urls));
    const [msg] = await again;
    assert.equal(server.requests(`/${botId}/v`).length, 2);
    assert.equal(msg.alreadySaved, undefined);
  });

  it('reports saved in the one-message output too', async function () {
    await flow({ output: 'single' });
    const botId = crypto.randomUUID();
    const urls = { video: server.add(`/${botId}/v`, { size: 64 * 1024, head: fx.HEADS.mp4, type: 'video/mp4' }) };
    const first = collect('out', 1);
    helper.getNode('n1').receive(message(botId, urls));
    await first;
    const again = collect('out', 1);
    helper.getNode('n1').receive(message(botId, urls, 2));
    const [msg] = await again;
    assert.equal(server.requests(`/${botId}/v`).length, 1);
    assert.equal(msg.artifacts.video.alreadySaved, true);
    assert.equal(msg.artifacts.video.size, 64 * 1024);
  });

  it('two messages for one bot at once do not write into each other', async function () {
    await flow({ concurrency: 4 });
    const botId = crypto.randomUUID();
    const size = 3 * 1024 * 1024 + 11;
    const urls = { video: server.add(`/${botId}/v`, { size, head: fx.HEADS.mp4, type: 'video/mp4', etag: '"v1"' }) };
    const out = collect('out', 2);
    helper.getNode('n1').receive(message(botId, urls));
    helper.getNode('n1').receive(message(botId, urls));
    const messages = await out;
    for (const msg of messages) assert.equal(msg.size, size);
    assert.equal(await fx.sha256OfFile(messages[0].filename), fx.sha256OfResource(server.resource(`/${botId}/v`)));
    assert.deepEqual(fx.listFiles(dir), [`${botId}/video.mp4`]);
  });
});

describe('stale partial downloads', function () {
  let dir;
  beforeEach(function () {
    dir = fx.tempDir('mb-stale-');
  });
  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('removes partials and records older than the limit, keeps recent ones and every other file', async function () {
    const old = Date.now() / 1000 - 10 * 24 * 3600;
    const write = (rel, age) => {
      const file = path.join(dir, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, 'x');
      if (age) fs.utimesSync(file, age, age);
    };
    write('a/.video.part', old);
    write('a/.video.part.json', old);
    write('a/.audio.mp3.0123456789ab.part', old);
    write('a/video.mp4', old);
    write('b/.video.part', null);
    write('b/c/.deeper.part', old);
    const removed = await removeStalePartials(dir, 1, 7 * 24 * 3600 * 1000);
    assert.equal(removed, 3);
    assert.deepEqual(fx.listFiles(dir), ['a/video.mp4', 'b/.video.part', 'b/c/.deeper.part']);
  });

  it('does nothing for a folder that does not exist', async function () {
    assert.equal(await removeStalePartials(path.join(dir, 'missing'), 1, 0), 0);
  });
});
