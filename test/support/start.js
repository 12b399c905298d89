'use strict';
// What the package costs a Node-RED start: core Node-RED with an empty flow against Node-RED with
// the package installed (from its tarball) and one callback node and one artifact node deployed,
// started alternately, each measured from spawn until its flows have started and its HTTP port
// answers (Node-RED 4.1 listens before it starts the flows), with its resident memory then.
// Used by bench/start.js and by the start guard of test/regression-guard.test.js.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { installedTemplate, freePort, ROOT } = require('./node-red');
const { memoryOf, cpuMsOf } = require('./proc');

const PACKAGE_FLOW = [
  { id: 'tab1', type: 'tab', label: 'start' },
  { id: 'cb1', type: 'meetingbaas-callback', z: 'tab1', url: '/mb/start', wires: [['fa1'], [], [], []] },
  { id: 'fa1', type: 'meetingbaas-artifacts', z: 'tab1', artifacts: ['video'], mode: 'file', directory: 'recordings', wires: [[], []] },
];

/** Two user directories, `core` (nothing installed, empty flow) and `package`, made once. */
function userDirs() {
  const core = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-start-core-'));
  fs.writeFileSync(path.join(core, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
  fs.writeFileSync(path.join(core, 'flows.json'), '[]');
  const withPackage = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-start-package-'));
  fs.cpSync(installedTemplate(), withPackage, { recursive: true, verbatimSymlinks: true });
  fs.writeFileSync(path.join(withPackage, 'flows.json'), JSON.stringify(PACKAGE_FLOW));
  return { core, package: withPackage };
}

function answers(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(1000, () => req.destroy());
  });
}

/** One start: ms from spawn until the flows run and the HTTP port answers, and the resident memory then (MiB). */
async function startOnce(userDir, { pinned = false } = {}) {
  const port = await freePort();
  const settings = path.join(userDir, 'settings.js');
  fs.writeFileSync(settings, `module.exports = ${JSON.stringify({
    uiHost: '127.0.0.1', uiPort: port, userDir, flowFile: 'flows.json', credentialSecret: 'start-bench',
    editorTheme: { tours: false }, telemetry: { enabled: false }, logging: { console: { level: 'info' } },
  })};\n`);
  const main = require.resolve('node-red/red.js', { paths: [ROOT] });
  const command = pinned ? ['taskset', ['-c', '0', process.execPath, main, '-u', userDir, '-s', settings]] : [process.execPath, [main, '-u', userDir, '-s', settings]];
  const began = process.hrtime.bigint();
  const child = spawn(command[0], command[1], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false' } });
  let errors = '';
  let flowsStarted = false;
  let out = '';
  child.stderr.on('data', (chunk) => { errors += chunk; });
  child.stdout.on('data', (chunk) => {
    out = (out + chunk).slice(-4096);
    if (/\[info\] Started flows/.test(out)) flowsStarted = true;
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`Node-RED exited with ${child.exitCode}: ${errors}`);
      if (flowsStarted && (await answers(port))) break;
      if (Number(process.hrtime.bigint() - began) > 60e9) throw new Error('Node-RED did not answer within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const ms = Number(process.hrtime.bigint() - began) / 1e6;
    // taskset execs Node-RED in place: the child's pid is Node-RED's either way.
    const memory = memoryOf(child.pid);
    // CPU time is less disturbed than wall time by others using the cores meanwhile.
    const cpuMs = cpuMsOf(child.pid);
    return { ms, rssMiB: memory ? memory.rss / 2 ** 20 : NaN, cpuMs: cpuMs ?? NaN };
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function canPin() {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    return false;
  }
}

/**
 * `rounds` alternating starts of each (core first in odd rounds, the package first in even ones,
 * so that neither always follows the other), after one unmeasured start of each that warms the
 * file cache. Returns medians and every sample.
 */
async function measureStarts({ rounds = 5, pinned = false } = {}) {
  const dirs = userDirs();
  try {
    await startOnce(dirs.core, { pinned });
    await startOnce(dirs.package, { pinned });
    const samples = { core: [], package: [] };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? ['core', 'package'] : ['package', 'core'];
      for (const which of order) samples[which].push(await startOnce(dirs[which], { pinned }));
    }
    const summary = (list) => ({ ms: median(list.map((s) => s.ms)), rssMiB: median(list.map((s) => s.rssMiB)), cpuMs: median(list.map((s) => s.cpuMs)) });
    const core = summary(samples.core);
    const withPackage = summary(samples.package);
    return {
      pinned,
      rounds,
      core,
      package: withPackage,
      addedMs: withPackage.ms - core.ms,
      addedRssMiB: withPackage.rssMiB - core.rssMiB,
      addedCpuMs: withPackage.cpuMs - core.cpuMs,
      timeRatio: withPackage.ms / core.ms,
      samples,
    };
  } finally {
    for (const dir of Object.values(dirs)) fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { measureStarts, startOnce, canPin, PACKAGE_FLOW };
