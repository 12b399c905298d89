'use strict';
// Artifacts: one large file from a local HTTP server, fetched by (a) curl -o, (b) the artifact
// node in file mode inside a real Node-RED, (c) the core flow a user would otherwise build
// (http request, binary buffer → file). Throughput ratios and the Node-RED process's peak
// resident memory above its idle level (VmHWM reset before each download, RSS sampled for the plot).
//   node bench/artifacts.js [--sizes 64,256,1024] (MiB)
const { execFile } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startNodeRed, request } = require('../test/support/node-red');
const fx = require('../test/fixtures/artifacts');
const { lineChart } = require('./lib/svg');
const { memoryOf, resetPeak, sampleRss, pidOfNodeRed } = require('../test/support/proc');
const { arg, writeResult, PLOTS } = require('../test/support/bench-results');

const MiB = 2 ** 20;
const SIZES = String(arg('sizes', '64,256,1024')).split(',').map(Number);
// The core flow holds the whole body in memory, several times over; above this it is not run.
const CORE_MAX_MIB = Number(arg('core-max', 1024));

function curl(url, file) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    execFile('curl', ['-s', '-S', '-f', '-o', file, url], (error) => {
      if (error) return reject(error);
      resolve(Number(process.hrtime.bigint() - started) / 1e9);
    });
  });
}

function nodeFlow(directory) {
  return [
    { id: 't', type: 'tab', label: 'artifacts bench' },
    { id: 'b-in', type: 'http in', z: 't', url: '/fetch', method: 'post', wires: [['b-fa']] },
    // The package: streamed to <directory>/<bot_id>/video.mp4 through a temporary file.
    { id: 'b-fa', type: 'meetingbaas-artifacts', z: 't', mode: 'file', directory, artifacts: ['video'], allowLocal: true, wires: [['b-res'], ['b-res']] },
    { id: 'b-c', type: 'catch', z: 't', scope: ['b-fa'], wires: [['b-fail']] },
    { id: 'b-fail', type: 'change', z: 't', rules: [{ t: 'set', p: 'statusCode', pt: 'msg', to: '500', tot: 'num' }, { t: 'set', p: 'payload', pt: 'msg', to: 'error.message', tot: 'msg' }], wires: [['b-res']] },
    { id: 'b-res', type: 'http response', z: 't', statusCode: '', wires: [] },
  ];
}

function coreFlow(file) {
  return [
    { id: 't', type: 'tab', label: 'artifacts bench' },
    { id: 'b-in', type: 'http in', z: 't', url: '/fetch', method: 'post', wires: [['b-url']] },
    { id: 'b-url', type: 'change', z: 't', rules: [{ t: 'set', p: 'url', pt: 'msg', to: 'payload.video', tot: 'msg' }], wires: [['b-get']] },
    // What a user builds: GET the URL as a binary buffer, write it to a file.
    { id: 'b-get', type: 'http request', z: 't', method: 'GET', ret: 'bin', paytoqs: 'ignore', url: '', wires: [['b-file']] },
    { id: 'b-file', type: 'file', z: 't', filename: file, filenameType: 'str', appendNewline: false, createDir: true, overwriteFile: 'true', encoding: 'none', wires: [['b-done']] },
    { id: 'b-done', type: 'change', z: 't', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'ok', tot: 'str' }], wires: [['b-res']] },
    { id: 'b-res', type: 'http response', z: 't', statusCode: '200', wires: [] },
  ];
}

/** One download inside a fresh Node-RED: idle RSS after a warm-up, then time and peak. */
async function inNodeRed(kind, url, bytes, workDir) {
  const directory = path.join(workDir, `${kind}-out`);
  const target = path.join(directory, 'core.bin');
  const nodeRed = await startNodeRed({ logging: { console: { level: 'info', metrics: false, audit: false } } });
  try {
    await nodeRed.deploy(kind === 'node' ? nodeFlow(directory) : coreFlow(target));
    const pid = pidOfNodeRed(nodeRed);
    const trigger = (videoUrl, botId) => request(nodeRed.nodeUrl('/fetch'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bot_id: botId, video: videoUrl }),
    });
    // Warm-up with a small file: the code paths are loaded and compiled before idle is measured.
    const warm = await trigger(url.small, randomUUID());
    if (warm.status !== 200) throw new Error(`warm-up answered ${warm.status}: ${warm.text}`);
    fs.rmSync(directory, { recursive: true, force: true });
    const idle = memoryOf(pid).rss;
    resetPeak(pid);
    const sampler = sampleRss(pid, 25);
    const botId = randomUUID();
    const started = process.hrtime.bigint();
    const res = await trigger(url.big, botId);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const { peak: sampledPeak, samples } = sampler.stop();
    if (res.status !== 200) throw new Error(`${kind} answered ${res.status}: ${res.text.slice(0, 300)}`);
    const written = kind === 'node' ? path.join(directory, botId, 'video.mp4') : target;
    const size = fs.statSync(written).size;
    if (size !== bytes) throw new Error(`${kind} wrote ${size} bytes, expected ${bytes}`);
    const hwm = memoryOf(pid).hwm;
    const peak = Math.max(hwm, sampledPeak);
    fs.rmSync(directory, { recursive: true, force: true });
    return { seconds, mibps: bytes / MiB / seconds, idle, peak, peakAboveIdle: peak - idle, samples };
  } finally {
    await nodeRed.stop();
  }
}

async function main() {
  const server = await fx.startServer();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-bench-artifacts-'));
  const versions = {
    node: process.version,
    nodeRed: require('node-red/package.json').version,
    curl: await new Promise((resolve) => execFile('curl', ['--version'], (e, out) => resolve(e ? 'curl (unknown)' : out.split(' ').slice(0, 2).join(' ')))),
  };
  const sizes = [];
  const traces = [];
  try {
    const small = server.add('/warm.mp4', { size: 256 * 1024, head: fx.HEADS.mp4, type: 'video/mp4' });
    for (const mib of SIZES) {
      const bytes = mib * MiB;
      const big = server.add(`/big-${mib}.mp4`, { size: bytes, head: fx.HEADS.mp4, type: 'video/mp4' });
      const label = mib >= 1024 ? `${mib / 1024} GiB` : `${mib} MiB`;
      console.log(`${label}:`);
      const curlFile = path.join(workDir, 'curl.bin');
      await curl(big, curlFile); // warm the server path and the page cache's free pages
      fs.rmSync(curlFile);
      const curlSeconds = await curl(big, curlFile);
      if (fs.statSync(curlFile).size !== bytes) throw new Error('curl wrote the wrong size');
      fs.rmSync(curlFile);
      const c = { seconds: curlSeconds, mibps: mib / curlSeconds };
      console.log(`  curl -o                ${c.seconds.toFixed(2)} s  ${c.mibps.toFixed(0)} MiB/s`);
      const n = await inNodeRed('node', { small, big }, bytes, workDir);
      console.log(`  fetch artifacts (file) ${n.seconds.toFixed(2)} s  ${n.mibps.toFixed(0)} MiB/s  peak above idle ${(n.peakAboveIdle / MiB).toFixed(1)} MiB (idle ${(n.idle / MiB).toFixed(0)} MiB)`);
      let core;
      if (mib <= CORE_MAX_MIB) {
        core = await inNodeRed('core', { small, big }, bytes, workDir);
        console.log(`  http request → file    ${core.seconds.toFixed(2)} s  ${core.mibps.toFixed(0)} MiB/s  peak above idle ${(core.peakAboveIdle / MiB).toFixed(0)} MiB`);
      } else {
        core = { skipped: `not run above ${CORE_MAX_MIB} MiB (buffers the whole file)` };
      }
      traces.push({ mib, node: n.samples, core: core.samples });
      const strip = ({ samples, ...rest }) => rest;
      sizes.push({ label, mib, bytes, curl: c, node: strip(n), core: core.skipped ? core : strip(core) });
    }
  } finally {
    await server.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }

  fs.mkdirSync(PLOTS, { recursive: true });
  const series = [
    { name: 'fetch artifacts', colour: '#1f77b4', points: sizes.map((s) => [s.mib, s.node.peakAboveIdle / MiB]) },
    { name: 'http request → file', colour: '#d62728', points: sizes.filter((s) => !s.core.skipped).map((s) => [s.mib, s.core.peakAboveIdle / MiB]) },
    { name: 'goal: 64 MiB', colour: '#999999', dashed: true, points: [[0, 64], [Math.max(...SIZES), 64]] },
  ];
  fs.writeFileSync(path.join(PLOTS, 'artifacts-memory.svg'), lineChart({
    title: 'Node-RED peak resident memory above idle while downloading one file',
    xLabel: 'file size, MiB', yLabel: 'MiB above idle', series, markers: true,
    xTicks: [0, ...SIZES].map((v) => ({ value: v, label: String(v) })),
  }));
  const result = {
    date: new Date().toISOString(),
    versions,
    method: [
      'A local HTTP server (in the benchmark process, Node `http`) streams generated bytes (an MP4 header, then a pattern; nothing stored on disk) with a Content-Length.',
      'Each Node-RED download runs in a fresh Node-RED process: an `http in` node triggers the flow and is answered when the file is written; a 256 KiB warm-up download comes first,',
      'then idle RSS is read, the kernel\'s peak (VmHWM) is reset (`/proc/<pid>/clear_refs` = 5) and RSS is also sampled every 25 ms; peak above idle = max(VmHWM, samples) − idle.',
      '`curl -s -o` runs once to warm up, then once timed. Every written file is checked for its exact size. The three share the machine\'s disk (files in the temp directory, deleted after each run).',
    ].join(' '),
    sizes,
    notes: [
      'The artifact node writes through a temporary file and renames it, checks the length, and can resume; `curl -o` and the core flow do none of that.',
      'The core `http request` node buffers the whole body (`ret: bin`), then the `file` node writes that buffer: memory grows with the file.',
    ],
  };
  writeResult('artifacts', result);
  return result;
}

module.exports = { main };
if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
