'use strict';
// Artifacts (goal 2, downloads, and the throughput comparison): one large file on disk, served by a
// local static server, fetched by (a) curl -o, (b) the artifact node in file mode inside a real
// Node-RED, (c) the core flow a user would otherwise build (http request, binary buffer → file),
// (d) Node's own streams and nothing more (http.get piped to fs.createWriteStream, in a
// benchmark-only node): the floor any streamed download in Node pays.
// For each: throughput; for the Node-RED process, peak resident memory above its idle level (VmHWM
// reset before the download, RSS sampled for the plot), its CPU time (user + system, read inside it
// by the probe node) per GiB against curl's, and its event-loop delay (monitorEventLoopDelay) while
// the file downloads.
//   node bench/artifacts.js [--sizes 64,256,1024] (MiB)
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { makeSparseFile, startFileServer, downloader, MiB } = require('../test/support/downloads');
const { lineChart } = require('./lib/svg');
const { arg, writeResult, PLOTS } = require('../test/support/bench-results');

const SIZES = String(arg('sizes', '64,256,1024')).split(',').map(Number);
// The core flow holds the whole body in memory, several times over; above this it is not run.
const CORE_MAX_MIB = Number(arg('core-max', 1024));
const GiB = 2 ** 30;

// curl under a parent that reads its resource usage with wait4 (microseconds, where /usr/bin/time
// prints hundredths): Node cannot read a child's rusage.
const RUSAGE = [
  'import json, os, sys, time',
  't = time.monotonic()',
  'pid = os.spawnvp(os.P_NOWAIT, sys.argv[1], sys.argv[1:])',
  '_, status, ru = os.wait4(pid, 0)',
  'print(json.dumps({"status": status, "seconds": time.monotonic() - t, "user": ru.ru_utime, "system": ru.ru_stime}))',
].join('\n');

async function curl(url, file, bytes) {
  // Not execFileSync: the server answering curl runs in this process.
  const out = await new Promise((resolve, reject) => execFile('python3', ['-c', RUSAGE, 'curl', '-s', '-S', '-f', '-o', file, url], (error, stdout) => (error ? reject(error) : resolve(stdout))));
  const r = JSON.parse(out);
  if (r.status !== 0) throw new Error(`curl exited with status ${r.status}`);
  if (fs.statSync(file).size !== bytes) throw new Error('curl wrote the wrong size');
  fs.rmSync(file);
  const cpuMs = (r.user + r.system) * 1000;
  return { seconds: r.seconds, mibps: bytes / MiB / r.seconds, cpu: { userMs: r.user * 1000, systemMs: r.system * 1000, msPerGiB: cpuMs / (bytes / GiB) } };
}

const RUNS = Number(arg('runs', 3));

/**
 * `RUNS` downloads of `url` in one fresh Node-RED process running the `kind` flow (after a small
 * warm-up download), each right after a `curl -o` of the same file, so that each CPU figure has a
 * divisor measured under the same load. The first download gives the memory figure: the memory
 * a process takes for a download stays with it, so later ones start from a higher idle level.
 */
async function inNodeRed(kind, warmUrl, url, bytes, workDir, curlFile) {
  const d = await downloader(kind, workDir, warmUrl);
  const runs = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const c = await curl(url, curlFile, bytes);
      runs.push({ curl: c, download: await d.download(url, bytes, { idleMs: 1000 }) });
    }
  } finally {
    await d.stop();
  }
  const first = runs[0].download;
  const ratios = runs.map((r) => r.download.cpu.msPerGiB / r.curl.cpu.msPerGiB);
  return {
    ...first,
    seconds: median(runs.map((r) => r.download.seconds)),
    mibps: median(runs.map((r) => r.download.mibps)),
    cpu: {
      ...first.cpu,
      msPerGiB: median(runs.map((r) => r.download.cpu.msPerGiB)),
      curlMsPerGiB: median(runs.map((r) => r.curl.cpu.msPerGiB)),
      ratioToCurl: median(ratios),
      runs: runs.map((r, i) => ({ msPerGiB: r.download.cpu.msPerGiB, userMs: r.download.cpu.userMs, systemMs: r.download.cpu.systemMs, curlMsPerGiB: r.curl.cpu.msPerGiB, ratio: ratios[i] })),
    },
    eventLoop: {
      ...first.eventLoop,
      p99MsRuns: runs.map((r) => r.download.eventLoop.p99Ms),
      maxMsRuns: runs.map((r) => r.download.eventLoop.maxMs),
      idleP99MsRuns: runs.map((r) => r.download.idleLoop.p99Ms),
      idleMaxMsRuns: runs.map((r) => r.download.idleLoop.maxMs),
    },
    later: runs.slice(1).map((r) => ({ seconds: r.download.seconds, peakAboveIdle: r.download.peakAboveIdle, idle: r.download.idle })),
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-bench-artifacts-'));
  const served = path.join(workDir, 'storage');
  fs.mkdirSync(served);
  const server = await startFileServer(served);
  const versions = {
    node: process.version,
    nodeRed: require('node-red/package.json').version,
    curl: await new Promise((resolve) => execFile('curl', ['--version'], (e, out) => resolve(e ? 'curl (unknown)' : out.split(' ').slice(0, 2).join(' ')))),
  };
  const loadBefore = os.loadavg();
  const sizes = [];
  const traces = [];
  try {
    const warm = server.url(path.basename(makeSparseFile(path.join(served, 'warm.mp4'), 256 * 1024)));
    for (const mib of SIZES) {
      const bytes = mib * MiB;
      const name = `big-${mib}.mp4`;
      makeSparseFile(path.join(served, name), bytes);
      const big = server.url(name);
      const label = mib >= 1024 ? `${mib / 1024} GiB` : `${mib} MiB`;
      console.log(`${label}:`);
      const curlFile = path.join(workDir, 'curl.bin');
      await curl(big, curlFile, bytes); // warm the server path and the page cache
      // Three timed runs, the median by CPU time: curl's figure is the divisor of a goal.
      const curls = [];
      for (let i = 0; i < 3; i++) curls.push(await curl(big, curlFile, bytes));
      const c = curls.find((run) => run.cpu.msPerGiB === median(curls.map((r) => r.cpu.msPerGiB)));
      console.log(`  curl -o                ${c.seconds.toFixed(2)} s  ${c.mibps.toFixed(0)} MiB/s  CPU ${c.cpu.msPerGiB.toFixed(0)} ms/GiB`);
      const line = (title, m) => console.log(`  ${title} ${m.seconds.toFixed(2)} s  ${m.mibps.toFixed(0)} MiB/s  peak above idle ${(m.peakAboveIdle / MiB).toFixed(1)} MiB (idle ${(m.idle / MiB).toFixed(0)} MiB)  ` +
        `CPU ${m.cpu.msPerGiB.toFixed(0)} ms/GiB (${m.cpu.ratioToCurl.toFixed(2)}× curl run beside it; ${m.cpu.runs.map((r) => r.ratio.toFixed(2)).join(', ')})  ` +
        `event loop p99 ${m.eventLoop.p99MsRuns.map((v) => v.toFixed(1)).join(', ')} ms, max ${m.eventLoop.maxMsRuns.map((v) => v.toFixed(0)).join(', ')} ms ` +
        `(idle 1 s before: p99 ${m.eventLoop.idleP99MsRuns.map((v) => v.toFixed(1)).join(', ')} ms)`);
      const n = await inNodeRed('node', warm, big, bytes, workDir, curlFile);
      line('fetch artifacts (file)', n);
      const stream = await inNodeRed('stream', warm, big, bytes, workDir, curlFile);
      line('http.get → write stream', stream);
      let core;
      if (mib <= CORE_MAX_MIB) {
        core = await inNodeRed('core', warm, big, bytes, workDir, curlFile);
        line('http request → file   ', core);
      } else {
        core = { skipped: `not run above ${CORE_MAX_MIB} MiB (buffers the whole file)` };
      }
      fs.rmSync(path.join(served, name));
      traces.push({ mib, node: n.samples, stream: stream.samples, core: core.samples });
      const strip = ({ samples, ...rest }) => rest;
      sizes.push({ label, mib, bytes, curl: { ...c, runs: curls.map((r) => r.cpu.msPerGiB) }, node: strip(n), stream: strip(stream), core: core.skipped ? core : strip(core) });
    }
  } finally {
    await server.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  const loadAfter = os.loadavg();

  fs.mkdirSync(PLOTS, { recursive: true });
  const series = [
    { name: 'fetch artifacts', colour: '#1f77b4', points: sizes.map((s) => [s.mib, s.node.peakAboveIdle / MiB]) },
    { name: 'http.get → write stream', colour: '#2ca02c', points: sizes.map((s) => [s.mib, s.stream.peakAboveIdle / MiB]) },
    { name: 'http request → file', colour: '#d62728', points: sizes.filter((s) => !s.core.skipped).map((s) => [s.mib, s.core.peakAboveIdle / MiB]) },
    { name: 'goal: 32 MiB', colour: '#999999', dashed: true, points: [[0, 32], [Math.max(...SIZES), 32]] },
  ];
  fs.writeFileSync(path.join(PLOTS, 'artifacts-memory.svg'), lineChart({
    title: 'Node-RED peak resident memory above idle while downloading one file',
    xLabel: 'file size, MiB', yLabel: 'MiB above idle', series, markers: true,
    xTicks: [0, ...SIZES].map((v) => ({ value: v, label: String(v) })),
  }));
  const result = {
    date: new Date().toISOString(),
    versions,
    loadAverage: { before: loadBefore, after: loadAfter },
    method: [
      'Each file is made on disk in a temporary directory as a sparse file (an MP4 header, then a hole: no memory and no disk blocks), served by a local static server',
      '(in the benchmark process, Node `http`, streamed from disk with a Content-Length), and deleted after its size is done.',
      'Each Node-RED download runs in a fresh Node-RED process: an `http in` node triggers the flow and is answered when the file is written; a 256 KiB warm-up download comes first,',
      'then idle RSS is read, the kernel\'s peak (VmHWM) is reset (`/proc/<pid>/clear_refs` = 5) and RSS is also sampled every 25 ms; peak above idle = max(VmHWM, samples) − idle.',
      'Inside Node-RED a benchmark-only probe node (test/support/probe, loaded through `nodesDir`) reads `process.cpuUsage()` (user + system of the whole process) and a',
      '`perf_hooks.monitorEventLoopDelay` histogram (10 ms resolution; its figures include the 10 ms timer interval, so an idle loop reads about 10 ms) reset just before the download and read just after.',
      '`curl -s -o` runs once to warm up, then three times timed under a parent that reads its CPU time with wait4 (the curl row: the run with the median CPU time).',
      `Each Node-RED process then downloads the file ${RUNS} times, each download right after a \`curl -o\` of the same file: the CPU ratio is the median of the ${RUNS} ratios`,
      '(each download over the curl run just before it), seconds and MiB/s are medians; the memory figure is the first download\'s (the memory taken stays with the process,',
      'later downloads start from a higher idle level); event-loop delay p99 is the first download\'s, every run\'s in the JSON, each beside the same histogram over',
      'one second with nothing to do just before the download (what the machine\'s other users alone make the loop wait).',
      'Every written file is checked for its exact size. All share the machine\'s disk (files in the temp directory, deleted after each run) and its 2 cores.',
    ].join(' '),
    sizes,
    notes: [
      'The artifact node writes through a temporary file and renames it, checks the length, and can resume; `curl -o` and the core flow do none of that.',
      'The core `http request` node buffers the whole body (`ret: bin`), then the `file` node writes that buffer: memory grows with the file.',
      '`http.get → write stream` is Node\'s own streams and nothing more, in a benchmark-only node (test/support/probe/bench-stream.js): no temporary file, no checks, no resume, no address policy. It is the floor of a streamed download in Node.',
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
