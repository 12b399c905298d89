'use strict';
// npm run bench -- start [--rounds 9]: what the package adds to a Node-RED start (test/support/start.js),
// on both cores and with Node-RED pinned to one core (taskset -c 0), and what requiring each node
// file costs on its own, in a fresh process.
const { execFileSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const { arg, writeResult } = require('../test/support/bench-results');
const { measureStarts, canPin } = require('../test/support/start');

const ROOT = path.join(__dirname, '..');

/** ms and resident MiB that requiring all five node files adds to a fresh Node process (median of 5). */
function requireCost() {
  const script = `
    const t = process.hrtime.bigint(); const m = process.memoryUsage().rss;
    for (const n of ['config', 'callback', 'artifacts', 'bot', 'done']) require('./nodes/meetingbaas-' + n + '/meetingbaas-' + n + '.js');
    process.stdout.write(JSON.stringify({ ms: Number(process.hrtime.bigint() - t) / 1e6, rssMiB: (process.memoryUsage().rss - m) / 2 ** 20,
      loaded: Object.keys(require.cache).filter((f) => /node_modules[\\\\/](undici|ajv[\\\\/]dist[\\\\/](core|2020))/.test(f)).length }));`;
  const runs = Array.from({ length: 5 }, () => JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' })));
  const median = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[2];
  return { ms: median('ms'), rssMiB: median('rssMiB'), compilerOrUndiciModules: median('loaded') };
}

async function main() {
  const rounds = Number(arg('rounds', 9));
  const loadBefore = os.loadavg();
  const free = await measureStarts({ rounds });
  console.log(`start, both cores: +${free.addedMs.toFixed(0)} ms, +${free.addedRssMiB.toFixed(1)} MiB, +${free.addedCpuMs.toFixed(0)} ms CPU`);
  const pinned = canPin() ? await measureStarts({ rounds, pinned: true }) : null;
  if (pinned) console.log(`start, one core: +${pinned.addedMs.toFixed(0)} ms, +${pinned.addedRssMiB.toFixed(1)} MiB, +${pinned.addedCpuMs.toFixed(0)} ms CPU`);
  const nodeRed = require(require.resolve('node-red/package.json', { paths: [ROOT] })).version;
  writeResult('start', { date: new Date().toISOString(), versions: { node: process.version, nodeRed }, loadAverage: { before: loadBefore, after: os.loadavg() }, free, pinned, requireCost: requireCost() });
}

module.exports = { main };
if (require.main === module) main().catch((error) => { console.error(error); process.exit(1); });
