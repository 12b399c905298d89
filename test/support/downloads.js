'use strict';
// One download inside a real Node-RED process, measured from outside (resident memory, from /proc)
// and from inside (CPU time and event-loop delay, from the probe node), through either the artifact
// node in file mode or the core flow a user would otherwise build (http request → file). The files
// are real files on disk served by a plain static server, made sparse so that a gigabyte costs
// neither memory nor disk. Used by bench/artifacts.js and by the download guard of
// test/regression-guard.test.js.
const { randomUUID } = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { pipeline } = require('node:stream/promises');
const { startNodeRed, request } = require('./node-red');
const { memoryOf, resetPeak, sampleRss, pidOfNodeRed } = require('./proc');

const MiB = 2 ** 20;
const PROBE_DIR = path.join(__dirname, 'probe');
// An MP4 `ftyp` box: what a recording starts with.
const MP4_HEAD = Buffer.from('0000001866747970697336000000000069736f6d', 'hex');

/** A file of `bytes` at `file`: the MP4 head, then a hole up to its length (zeros when read, no blocks). */
function makeSparseFile(file, bytes) {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, MP4_HEAD);
    fs.ftruncateSync(fd, bytes);
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/** Serves the files of `dir` by name (GET and HEAD, Content-Length, video/mp4), streamed from disk. */
async function startFileServer(dir) {
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const name = path.basename(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const file = path.join(dir, name);
    let size;
    try {
      size = fs.statSync(file).size;
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': size });
    if (req.method === 'HEAD') return res.end();
    pipeline(fs.createReadStream(file, { highWaterMark: MiB }), res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    url: (name) => `${base}/${encodeURIComponent(name)}`,
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(resolve);
    }),
  };
}

// GET /bench/stats[?reset=1]: what the probe node reads inside Node-RED (see probe/bench-probe.js).
const PROBE_ROUTE = [
  { id: 'p-in', type: 'http in', z: 't', url: '/bench/stats', method: 'get', wires: [['p']] },
  { id: 'p', type: 'bench-probe', z: 't', wires: [['p-out']] },
  { id: 'p-out', type: 'http response', z: 't', statusCode: '200', wires: [] },
];

/** The package: POST /fetch {bot_id, video} → fetch artifacts, streamed to <directory>/<bot_id>/video.mp4 through a temporary file. */
function nodeFlow(directory) {
  return [
    { id: 't', type: 'tab', label: 'downloads' },
    { id: 'b-in', type: 'http in', z: 't', url: '/fetch', method: 'post', wires: [['b-fa']] },
    { id: 'b-fa', type: 'meetingbaas-artifacts', z: 't', mode: 'file', directory, artifacts: ['video'], allowLocal: true, wires: [['b-res'], ['b-res']] },
    { id: 'b-c', type: 'catch', z: 't', scope: ['b-fa'], wires: [['b-fail']] },
    { id: 'b-fail', type: 'change', z: 't', rules: [{ t: 'set', p: 'statusCode', pt: 'msg', to: '500', tot: 'num' }, { t: 'set', p: 'payload', pt: 'msg', to: 'error.message', tot: 'msg' }], wires: [['b-res']] },
    { id: 'b-res', type: 'http response', z: 't', statusCode: '', wires: [] },
    ...PROBE_ROUTE,
  ];
}

/** What a user builds from core nodes: GET the URL as one binary buffer, write it to a file. */
function coreFlow(file) {
  return [
    { id: 't', type: 'tab', label: 'downloads' },
    { id: 'b-in', type: 'http in', z: 't', url: '/fetch', method: 'post', wires: [['b-url']] },
    { id: 'b-url', type: 'change', z: 't', rules: [{ t: 'set', p: 'url', pt: 'msg', to: 'payload.video', tot: 'msg' }], wires: [['b-get']] },
    { id: 'b-get', type: 'http request', z: 't', method: 'GET', ret: 'bin', paytoqs: 'ignore', url: '', wires: [['b-file']] },
    { id: 'b-file', type: 'file', z: 't', filename: file, filenameType: 'str', appendNewline: false, createDir: true, overwriteFile: 'true', encoding: 'none', wires: [['b-done']] },
    { id: 'b-done', type: 'change', z: 't', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'ok', tot: 'str' }], wires: [['b-res']] },
    { id: 'b-res', type: 'http response', z: 't', statusCode: '200', wires: [] },
    ...PROBE_ROUTE,
  ];
}

/** Node's own streams and nothing more (the bench-stream node): the floor of any streamed download. */
function streamFlow(file) {
  return [
    { id: 't', type: 'tab', label: 'downloads' },
    { id: 'b-in', type: 'http in', z: 't', url: '/fetch', method: 'post', wires: [['b-url']] },
    { id: 'b-url', type: 'change', z: 't', rules: [{ t: 'set', p: 'url', pt: 'msg', to: 'payload.video', tot: 'msg' }, { t: 'set', p: 'filename', pt: 'msg', to: file, tot: 'str' }], wires: [['b-get']] },
    { id: 'b-get', type: 'bench-stream', z: 't', wires: [['b-done']] },
    { id: 'b-done', type: 'change', z: 't', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'ok', tot: 'str' }], wires: [['b-res']] },
    { id: 'b-res', type: 'http response', z: 't', statusCode: '200', wires: [] },
    ...PROBE_ROUTE,
  ];
}

const FLOWS = { node: nodeFlow, core: coreFlow, stream: streamFlow };

/**
 * A Node-RED process with the probe node and the `kind` flow ('node', 'core' or 'stream') deployed, warmed up
 * with one download of `warmUrl`. `download(url, bytes)` then measures one download: wall time,
 * peak resident memory above the idle level just before it (VmHWM reset, and RSS sampled every
 * `rssEveryMs`), the process's CPU time and its event-loop delay over the download (and, with
 * `idleMs`, over as long a window just before it with nothing to do). `nodeBinary`:
 * what runs Node-RED (a wrapper that adds --cpu-prof, say).
 */
async function downloader(kind, workDir, warmUrl, { rssEveryMs = 25, nodeBinary } = {}) {
  const directory = path.join(workDir, `${kind}-out`);
  const target = path.join(directory, 'core.bin');
  const nodeRed = await startNodeRed({ logging: { console: { level: 'info', metrics: false, audit: false } }, nodesDir: PROBE_DIR }, nodeBinary ? { nodeBinary } : {});
  try {
    await nodeRed.deploy(FLOWS[kind](kind === 'node' ? directory : target));
    const pid = pidOfNodeRed(nodeRed);
    const stats = async (reset) => JSON.parse((await request(nodeRed.nodeUrl(`/bench/stats${reset ? '?reset=1' : ''}`))).text);
    const trigger = async (url, botId) => {
      const res = await request(nodeRed.nodeUrl('/fetch'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ bot_id: botId, video: url }),
      });
      if (res.status !== 200) throw new Error(`${kind} answered ${res.status}: ${res.text.slice(0, 300)}`);
    };
    // The code paths are loaded and compiled before idle is measured.
    await trigger(warmUrl, randomUUID());
    await stats(true);
    fs.rmSync(directory, { recursive: true, force: true });
    return {
      nodeRed,
      pid,
      async download(url, bytes, { idleMs = 0 } = {}) {
        const botId = randomUUID();
        // The machine's own share of the delay: the same histogram over a window with nothing to do.
        let idleLoop = null;
        if (idleMs > 0) {
          await stats(true);
          await new Promise((resolve) => setTimeout(resolve, idleMs));
          idleLoop = (await stats(false)).window.eventLoop;
        }
        await stats(true);
        const idle = memoryOf(pid).rss;
        resetPeak(pid);
        const sampler = sampleRss(pid, rssEveryMs);
        const started = process.hrtime.bigint();
        await trigger(url, botId);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const { window } = await stats(false);
        const { peak: sampledPeak, samples } = sampler.stop();
        const written = kind === 'node' ? path.join(directory, botId, 'video.mp4') : target;
        const size = fs.statSync(written).size;
        if (size !== bytes) throw new Error(`${kind} wrote ${size} bytes, expected ${bytes}`);
        const peak = Math.max(memoryOf(pid).hwm, sampledPeak);
        fs.rmSync(directory, { recursive: true, force: true });
        const cpuMs = window.cpuUserMs + window.cpuSystemMs;
        return {
          seconds,
          mibps: bytes / MiB / seconds,
          idle,
          peak,
          peakAboveIdle: peak - idle,
          cpu: { userMs: window.cpuUserMs, systemMs: window.cpuSystemMs, msPerGiB: cpuMs / (bytes / 2 ** 30) },
          eventLoop: window.eventLoop,
          idleLoop,
          samples,
        };
      },
      stop: () => nodeRed.stop(),
    };
  } catch (error) {
    await nodeRed.stop();
    throw error;
  }
}

module.exports = { makeSparseFile, startFileServer, downloader, nodeFlow, coreFlow, streamFlow, MP4_HEAD, PROBE_DIR, MiB };
