'use strict';
// The "fetch artifacts" node against faults that test/nodes/meetingbaas-artifacts does not cover: a reset on
// every attempt, 5xx storms over parallel downloads (recovered, and not), a stall on every attempt
// seen from the node's status, a slow but steady sender, a full disk, a directory that cannot be
// created, a chunked body over the size limit, and closing while waiting out a Retry-After.
// Each: the right error (through a Catch node) or recovery, no partial file, a final status that
// is a summary and not a stuck progress line, and no unhandled rejection in the process.
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const helper = require('node-red-node-test-helper');
const configNode = require('../../nodes/meetingbaas-config/meetingbaas-config.js');
const { translatedNode } = require('../support/translated-node');
const { listenLocally } = require('../support/local-server');
const { useHelperRuntime, nextMessages: collect } = require('../support/helper-runtime');
const catchNode = require('@node-red/nodes/core/common/25-catch.js');
const fx = require('../fixtures/artifacts');
const deliveries = require('../fixtures/deliveries');

helper.init(require.resolve('node-red'));

const artifactsNode = translatedNode('meetingbaas-artifacts');

const MiB = 1024 * 1024;
const PATTERN = Buffer.alloc(64 * 1024, 7);

/** Faults the shared fixture server does not have: every-attempt resets, a trickle, chunked bodies. */
async function startFaultServer() {
  const hits = new Map();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    hits.set(url.pathname, (hits.get(url.pathname) || 0) + 1);
    const [, kind, sizeText] = url.pathname.split('/');
    const size = Number(sizeText);
    if (kind === 'reset') {
      // Every attempt, first or resumed with Range, sends 32 KiB of what was asked and then the connection dies.
      const start = Number((/^bytes=(\d+)-/.exec(req.headers.range || '') || [])[1] || 0);
      const headers = { 'content-type': 'video/mp4', 'content-length': String(size - start) };
      if (start > 0) headers['content-range'] = `bytes ${start}-${size - 1}/${size}`;
      res.writeHead(start > 0 ? 206 : 200, headers);
      res.write(start === 0 ? Buffer.concat([fx.HEADS.mp4, PATTERN]).subarray(0, 32 * 1024) : PATTERN.subarray(0, 32 * 1024));
      setTimeout(() => res.socket.destroy(), 20);
      return;
    }
    if (kind === 'trickle') {
      // 64 KiB every 100 ms: slow (0.6 MiB/s) but never stalled for the 0.5 s stall timeout.
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(size) });
      let sent = 0;
      const tick = () => {
        if (res.destroyed) return;
        const n = Math.min(PATTERN.length, size - sent);
        res.write(sent === 0 ? Buffer.concat([fx.HEADS.mp4, PATTERN]).subarray(0, n) : PATTERN.subarray(0, n));
        sent += n;
        if (sent >= size) res.end();
        else setTimeout(tick, 100);
      };
      tick();
      return;
    }
    if (kind === 'chunked') {
      // No Content-Length: the size is only known while reading.
      res.writeHead(200, { 'content-type': 'video/mp4' });
      let sent = 0;
      const pump = () => {
        while (sent < size) {
          const chunk = sent === 0 ? Buffer.concat([fx.HEADS.mp4, PATTERN]).subarray(0, PATTERN.length) : PATTERN;
          sent += chunk.length;
          if (!res.write(chunk)) return res.once('drain', pump);
        }
        res.end();
      };
      pump();
      return;
    }
    res.writeHead(404);
    res.end();
  });
  const { base, close } = await listenLocally(server);
  return {
    url: (kind, size) => `${base}/${kind}/${size}/${crypto.randomUUID()}?X-Amz-Signature=s`,
    hits: (url) => hits.get(new URL(url).pathname) || 0,
    close,
  };
}

/** Resolves with the status calls once the node's last status is a final summary (not a progress line). */
function finalStatus(node, pattern, timeoutMs = 20000) {
  return new Promise((resolve, reject) => {
    const until = Date.now() + timeoutMs;
    const check = () => {
      const calls = node.status.args.map((a) => a[0]);
      const last = calls[calls.length - 1];
      if (last && pattern.test(last.text || '')) return resolve(calls);
      if (Date.now() > until) return reject(new Error(`status never matched ${pattern}: ${calls.map((c) => c.text).join(' | ')}`));
      setTimeout(check, 20);
    };
    check();
  });
}

function withoutPartials(dir) {
  return fx.listFiles(dir).filter((f) => /\.part$|\.tmp|~$/.test(f) || f.includes('.mb-'));
}

describe('fetch artifacts under download faults', function () {
  this.timeout(60000);
  let server;
  let faults;
  let userDir;
  const unhandled = [];
  const onUnhandled = (reason) => unhandled.push(reason);

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    await artifactsNode.ready();
    server = await fx.startServer();
    faults = await startFaultServer();
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await server.close();
    await faults.close();
  });
  const runtime = useHelperRuntime({ userDir: 'mb-faults-' });
  beforeEach(function () {
    userDir = runtime.userDir;
  });
  afterEach(async function () {
    // Let a rejection that was left dangling surface before judging.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled.map(String), [], `unhandled rejections in "${this.currentTest.title}"`);
  });

  function flow(props) {
    return helper.load([configNode, artifactsNode, catchNode], [
      { id: 'n1', type: 'meetingbaas-artifacts', allowLocal: true, retries: 2, stallSeconds: 0.5, mode: 'file', directory: 'out', wires: [['out'], ['skip']], ...props },
      { id: 'c1', type: 'catch', scope: null, wires: [['caught']] },
      { id: 'out', type: 'helper' },
      { id: 'skip', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ]);
  }

  it('a connection reset on every attempt: a network error after the retries, no file, status says failed', async () => {
    await flow({ artifacts: ['video'] });
    const url = faults.url('reset', 2 * MiB);
    const caught = collect('caught', 1);
    const node = helper.getNode('n1');
    node.receive({ payload: { bot_id: crypto.randomUUID(), video: url } });
    const [err] = await caught;
    assert.match(err.error.message, /video/);
    assert.match(err.error.message, /network error|incomplete|timed out/);
    assert.ok(!err.error.message.includes('X-Amz-Signature=s'), 'no signed query string in the error');
    assert.ok(faults.hits(url) >= 3, `retried: ${faults.hits(url)} attempts`);
    assert.deepEqual(fx.listFiles(path.join(userDir, 'out')), []);
    const calls = await finalStatus(node, /failed/);
    assert.equal(calls[calls.length - 1].fill, 'red');
  });

  it('a 5xx storm over parallel downloads recovers within the retries; a longer one fails without files', async () => {
    await flow({ artifacts: ['video', 'audio', 'transcription', 'raw_transcription', 'diarization', 'chat_messages'], concurrency: 3, retries: 3 });
    const botId = crypto.randomUUID();
    const storm = (name, resource) => server.add(`/${botId}/${name}`, { fail: [503, 502, 500], retryAfter: 0, ...resource });
    const urls = {
      video: storm('v', { size: 3 * MiB, head: fx.HEADS.mp4, type: 'video/mp4' }),
      audio: storm('a', { size: MiB, head: fx.HEADS.flac, type: 'audio/flac' }),
      transcription: storm('t', { body: JSON.stringify({ ...fx.TRANSCRIPTION, bot_id: botId }), type: 'application/json' }),
      raw_transcription: storm('r', { body: '{"bot_id":"x","transcriptions":[]}', type: 'application/json' }),
      diarization: storm('d', { body: fx.DIARIZATION, type: 'application/octet-stream' }),
      chat_messages: storm('c', { body: JSON.stringify(fx.CHAT), type: 'application/json' }),
    };
    const out = collect('out', 6);
    const node = helper.getNode('n1');
    node.receive({ payload: deliveries.completed({ botId, urls }) });
    const msgs = await out;
    assert.deepEqual(msgs.map((m) => m.artifact).sort(), Object.keys(urls).sort());
    for (const m of msgs) assert.equal(fs.statSync(m.filename).size, m.size);
    assert.deepEqual(withoutPartials(path.join(userDir, 'out')), []);
    await finalStatus(node, /^6 fetched$/);

    // Longer than the retries: every artifact fails, nothing is left on disk, the status says so.
    const lost = crypto.randomUUID();
    const failing = {};
    for (const name of ['video', 'audio']) failing[name] = server.add(`/${lost}/${name}`, { fail: Array(10).fill(500), size: MiB, head: fx.HEADS.mp4 });
    const caught = collect('caught', 1);
    node.receive({ payload: { bot_id: lost, ...failing }, artifacts: ['video', 'audio'] });
    const [err] = await caught;
    assert.match(err.error.message, /video: the storage answered HTTP 500, also after retrying/);
    assert.match(err.error.message, /audio: the storage answered HTTP 500, also after retrying/);
    assert.equal(fs.existsSync(path.join(userDir, 'out', lost)) ? fx.listFiles(path.join(userDir, 'out', lost)).length : 0, 0);
    const calls = await finalStatus(node, /2 failed/);
    assert.equal(calls[calls.length - 1].fill, 'red');
  });

  it('a body that stalls on every attempt ends in a timeout error and a red summary, not a stuck progress line', async () => {
    await flow({ artifacts: ['video'], retries: 1 });
    const botId = crypto.randomUUID();
    const url = server.add(`/${botId}/stall`, { size: 4 * MiB, head: fx.HEADS.mp4, stallAt: MiB, stallAlways: true, type: 'video/mp4' });
    const caught = collect('caught', 1);
    const node = helper.getNode('n1');
    node.receive({ payload: { bot_id: botId, video: url } });
    const [err] = await caught;
    assert.match(err.error.message, /timed out/);
    const calls = await finalStatus(node, /failed/);
    assert.ok(calls.some((s) => /MB\/s/.test(s.text || '')), 'progress was shown while it ran');
    assert.deepEqual(fx.listFiles(path.join(userDir, 'out')), []);
  });

  it('a slow but steady sender is not mistaken for a stall', async () => {
    await flow({ artifacts: ['video'], retries: 0 });
    const url = faults.url('trickle', 1.5 * MiB);
    const out = collect('out', 1);
    helper.getNode('n1').receive({ payload: { bot_id: crypto.randomUUID(), video: url } });
    const [msg] = await out;
    assert.equal(msg.size, 1.5 * MiB);
    assert.equal(fs.statSync(msg.filename).size, 1.5 * MiB);
    assert.equal(faults.hits(url), 1, 'one attempt: never timed out');
  });

  it('a chunked body (no Content-Length) over the size limit is stopped at the limit, no partial file', async () => {
    await flow({ artifacts: ['video'], maxFileMB: 1 });
    const url = faults.url('chunked', 8 * MiB);
    const caught = collect('caught', 1);
    const node = helper.getNode('n1');
    node.receive({ payload: { bot_id: crypto.randomUUID(), video: url } });
    const [err] = await caught;
    assert.match(err.error.message, /over the 1\.0 MB "Max file size"|too large/);
    assert.deepEqual(fx.listFiles(path.join(userDir, 'out')), []);
    await finalStatus(node, /failed/);
  });

  it('a directory that cannot be created: a file error, nothing written anywhere', async () => {
    const blocker = path.join(userDir, 'not-a-directory');
    fs.writeFileSync(blocker, 'x');
    await flow({ artifacts: ['video'], directory: path.join(blocker, 'out') });
    const botId = crypto.randomUUID();
    const url = server.add(`/${botId}/v`, { size: MiB, head: fx.HEADS.mp4, type: 'video/mp4' });
    const caught = collect('caught', 1);
    const node = helper.getNode('n1');
    node.receive({ payload: { bot_id: botId, video: url } });
    const [err] = await caught;
    assert.match(err.error.message, /video could not be written: .*(ENOTDIR|EEXIST)/);
    assert.deepEqual(fx.listFiles(userDir), ['not-a-directory']);
    await finalStatus(node, /failed/);
  });

  it('a full disk: a file error, the temporary file removed, the space given back', async function () {
    const mountPoint = path.join(userDir, 'tiny');
    fs.mkdirSync(mountPoint);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    } catch (error) {
      // Mounting needs root (CI containers usually are); say why rather than pass silently.
      console.log(`      skipped: cannot mount a 1 MiB tmpfs here: ${String(error.stderr || error.message).trim()}`);
      this.skip();
    }
    try {
      // One at a time: the video fills the disk and is removed, then the transcript must fit.
      await flow({ artifacts: ['video', 'transcription'], directory: mountPoint, concurrency: 1 });
      const botId = crypto.randomUUID();
      const urls = {
        video: server.add(`/${botId}/v`, { size: 4 * MiB, head: fx.HEADS.mp4, type: 'video/mp4' }),
        transcription: server.add(`/${botId}/t`, { body: JSON.stringify({ ...fx.TRANSCRIPTION, bot_id: botId }), type: 'application/json' }),
      };
      const caught = collect('caught', 1);
      const out = collect('out', 1);
      const node = helper.getNode('n1');
      node.receive({ payload: deliveries.completed({ botId, urls }) });
      const [err] = await caught;
      assert.match(err.error.message, /video could not be written: .*ENOSPC/);
      // The small transcript still fits and arrives; only it remains on the disk.
      const [msg] = await out;
      assert.equal(msg.artifact, 'transcription');
      assert.deepEqual(fx.listFiles(mountPoint), [path.relative(mountPoint, msg.filename)]);
      const free = Number(execFileSync('df', ['--output=avail', '-B1', mountPoint], { encoding: 'utf8' }).split('\n')[1]);
      assert.ok(free > 900 * 1024, `the partial video's space was given back: ${free} bytes free`);
      await finalStatus(node, /1 fetched · 1 failed/);
    } finally {
      await helper.unload();
      execFileSync('umount', [mountPoint]);
    }
  });

  it('closing while waiting out a Retry-After ends at once, reported as stopped, with no file and no error afterwards', async () => {
    await flow({ artifacts: ['video'], retries: 3 });
    const botId = crypto.randomUUID();
    const url = server.add(`/${botId}/v`, { fail: [503, 503, 503], retryAfter: 20, size: MiB, head: fx.HEADS.mp4 });
    const node = helper.getNode('n1');
    const caught = [];
    helper.getNode('caught').on('input', (m) => caught.push(m));
    // helper.unload() takes its spies off before it closes the nodes: record on the instance.
    const warnings = [];
    node.warn = (text) => warnings.push(String(text));
    node.receive({ payload: { bot_id: botId, video: url } });
    while (server.requests(`/${botId}/v`).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const started = Date.now();
    await helper.unload();
    assert.ok(Date.now() - started < 3000, `closed in ${Date.now() - started} ms`);
    assert.deepEqual(fx.listFiles(path.join(userDir, 'out')), []);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], new RegExp(`^Stopped by a redeploy.*: video of bot ${botId} `));
    // The Catch node has closed with the flow by the time the stop is reported; the waited-out
    // retries must not surface later as a download error either.
    assert.deepEqual(caught, [], 'no error reported after the close');
  });
});
