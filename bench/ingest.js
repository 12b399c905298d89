'use strict';
// Ingest: the callback node, with its journal (the default) and without, against the core flow a
// user would otherwise build (http in → switch on payload.event → http response, no verification),
// side by side in one real Node-RED, loaded in turn by autocannon from a separate process.
//   node bench/ingest.js [--seconds 10] [--rounds 3] [--connections 50] [--cpu-prof DIR]
// --cpu-prof writes a CPU profile of the Node-RED process (not of npm or the load) into DIR.
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startNodeRed, request } = require('../test/support/node-red');
const { completedBody, TEMPLATE_BYTES } = require('./lib/bodies');
const { lineChart } = require('./lib/svg');
const { arg, writeResult, PLOTS } = require('../test/support/bench-results');

const SECONDS = Number(arg('seconds', 10));
const ROUNDS = Number(arg('rounds', 3));
const CONNECTIONS = Number(arg('connections', 50));
const CPU_PROF = arg('cpu-prof', '');
const SECRET = 'bench-callback-secret';
const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

const ROUTES = {
  journalOn: { node: 'cb', url: '/bench/mb', mode: 'secret', label: 'journal on' },
  journalOff: { node: 'cb-off', url: '/bench/mb-off', mode: 'secret', label: 'journal off' },
  core: { node: null, url: '/bench/core', mode: 'plain', label: 'core flow' },
};

function flows() {
  const sink = { id: 'sink', type: 'debug', z: 't', active: false, tosidebar: true, complete: 'false', wires: [] };
  return [
    { id: 't', type: 'tab', label: 'bench' },
    { id: 'acc', type: 'meetingbaas-config', name: 'bench', credentials: { callbackSecret: SECRET, webhookSecret: WEBHOOK_SECRET } },
    // The package: secret / signature check, repeat filter (default 6 h, memory), AJV, journal
    // (left unset: the default, on), four outputs.
    { id: 'cb', type: 'meetingbaas-callback', z: 't', url: ROUTES.journalOn.url, method: 'post', account: 'acc', wires: [['sink'], ['sink'], ['sink'], ['sink']] },
    // The same node as it was before the journal.
    { id: 'cb-off', type: 'meetingbaas-callback', z: 't', url: ROUTES.journalOff.url, method: 'post', account: 'acc', journal: false, wires: [['sink'], ['sink'], ['sink'], ['sink']] },
    sink,
    // The hand-built core flow: no verification, no validation, no repeat filter.
    { id: 'in', type: 'http in', z: 't', url: ROUTES.core.url, method: 'post', upload: false, wires: [['sw']] },
    {
      id: 'sw', type: 'switch', z: 't', property: 'payload.event', propertyType: 'msg', checkall: 'false', outputs: 3,
      rules: [{ t: 'eq', v: 'bot.completed', vt: 'str' }, { t: 'eq', v: 'bot.failed', vt: 'str' }, { t: 'else' }],
      wires: [['res'], ['res'], ['res']],
    },
    { id: 'res', type: 'http response', z: 't', statusCode: '200', headers: {}, wires: [] },
    // Benchmark-only: counts the flushes to disk, which nothing outside the process can see. Last,
    // so that its route is matched after the measured ones.
    { id: 'p-in', type: 'http in', z: 't', url: '/bench/stats', method: 'get', wires: [['p']] },
    { id: 'p', type: 'bench-probe', z: 't', wires: [['p-out']] },
    { id: 'p-out', type: 'http response', z: 't', statusCode: '200', wires: [] },
  ];
}

/** Where a callback node keeps its journal (see the node: `<userDir>/meetingbaas/journals/<id>.journal`). */
function journalPath(nodeRed, nodeId) {
  return path.join(nodeRed.userDir, 'meetingbaas', 'journals', `${nodeId}.journal`);
}

function fileSize(file) {
  try {
    return fs.statSync(file).size;
  } catch (error) {
    if (error.code === 'ENOENT') return null;
    throw error;
  }
}

const ACCEPTED = Buffer.from(' {"k":"a",');

/**
 * Accepted-delivery records between two offsets of a journal. A body sits in the record as a JSON
 * string, its quotes escaped, so the marker cannot occur inside one.
 */
function acceptedRecords(file, from, to) {
  const fd = fs.openSync(file, 'r');
  try {
    let count = 0;
    let carry = Buffer.alloc(0);
    const chunk = Buffer.alloc(8 * 2 ** 20);
    for (let at = from; at < to;) {
      const read = fs.readSync(fd, chunk, 0, Math.min(chunk.length, to - at), at);
      if (read === 0) break;
      at += read;
      const text = Buffer.concat([carry, chunk.subarray(0, read)]);
      for (let i = text.indexOf(ACCEPTED); i >= 0; i = text.indexOf(ACCEPTED, i + 1)) count += 1;
      // Keep a marker cut by the chunk's end for the next chunk, without counting one twice.
      carry = Buffer.from(text.subarray(Math.max(0, text.length - ACCEPTED.length + 1)));
    }
    return count;
  } finally {
    fs.closeSync(fd);
  }
}

function load(url, mode, seconds, salt) {
  return new Promise((resolve, reject) => {
    const opts = { url, seconds, connections: CONNECTIONS, mode, secret: SECRET, webhookSecret: WEBHOOK_SECRET, salt };
    const child = spawn(process.execPath, [path.join(__dirname, 'lib', 'load-worker.js'), JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        const result = JSON.parse(out.trim().split('\n').pop());
        if (code !== 0 || result.error) return reject(new Error(result.error || `load worker exited ${code}`));
        resolve(result);
      } catch {
        reject(new Error(`load worker output unreadable (${code}): ${out}`));
      }
    });
  });
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** In-process: checkDelivery per delivery against JSON.parse of the same body. */
function microbench() {
  const { checkDelivery } = require('../lib/delivery/validation');
  const { DeliveryAuthenticator } = require('../lib/delivery/authentication');
  const { parseJsonBody } = require('../lib/delivery/request-body');
  const bodies = Array.from({ length: 1000 }, (_, i) => completedBody(i + 1, 7));
  const parsed = bodies.map((b) => JSON.parse(b));
  const buffers = bodies.map((b) => Buffer.from(b));
  const auth = new DeliveryAuthenticator({ callbackSecret: SECRET, webhookSecret: WEBHOOK_SECRET });
  const headers = { 'x-mb-secret': SECRET };
  const time = (fn, iterations) => {
    for (let i = 0; i < 20000; i++) fn(i % 1000); // warm up the JIT
    const runs = [];
    for (let r = 0; r < 5; r++) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < iterations; i++) fn(i % 1000);
      runs.push(Number(process.hrtime.bigint() - start) / iterations);
    }
    return median(runs); // ns per call
  };
  let sink = 0;
  const N = 100000;
  const parseNs = time((i) => { sink += JSON.parse(bodies[i]).event.length; }, N);
  const checkNs = time((i) => { sink += checkDelivery(parsed[i]).valid ? 1 : 0; }, N);
  const bodyNs = time((i) => { sink += parseJsonBody(buffers[i], 'application/json').kind.length; }, N);
  const secretNs = time((i) => { sink += auth.authenticate(headers, buffers[i]).ok ? 1 : 0; }, N);
  if (sink === 0) throw new Error('unreachable');
  return { parseNs, checkNs, ratio: checkNs / parseNs, parseJsonBodyNs: bodyNs, secretCheckNs: secretNs };
}

/** 2xx answers of one load run. */
function answered2xx(run) {
  return Object.entries(run.statusCodes || {}).reduce((sum, [code, { count }]) => sum + (code.startsWith('2') ? count : 0), 0);
}

async function startInstance() {
  const settings = { logging: { console: { level: 'info', metrics: false, audit: false } }, nodesDir: path.join(__dirname, '..', 'test', 'support', 'probe') };
  if (!CPU_PROF) return startNodeRed(settings);
  // Node refuses --cpu-prof in NODE_OPTIONS, and npm (run while installing) must not be profiled:
  // Node-RED alone is started through a wrapper that adds the flag. It writes the profile on exit.
  const dir = path.resolve(CPU_PROF);
  fs.mkdirSync(dir, { recursive: true });
  const wrapper = path.join(dir, 'node-with-cpu-prof.sh');
  fs.writeFileSync(wrapper, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} --cpu-prof --cpu-prof-dir=${JSON.stringify(dir)} "$@"\n`, { mode: 0o755 });
  return startNodeRed(settings, { nodeBinary: wrapper });
}

async function main() {
  const versions = {
    node: process.version,
    nodeRed: require('node-red/package.json').version,
    autocannon: require('autocannon/package.json').version,
  };
  console.log(`ingest: ${ROUNDS} rounds × ${SECONDS} s per route, ${CONNECTIONS} connections, body ${TEMPLATE_BYTES} bytes`);
  const nodeRed = await startInstance();
  try {
    await nodeRed.deploy(flows());
    const urls = Object.fromEntries(Object.entries(ROUTES).map(([name, r]) => [name, nodeRed.nodeUrl(r.url)]));
    // With `reset`, the probe starts a fresh window of CPU time and event-loop delay (see test/support/probe).
    const stats = async (reset = false) => JSON.parse((await request(nodeRed.nodeUrl(`/bench/stats${reset ? '?reset=1' : ''}`))).text);
    const journalOn = journalPath(nodeRed, ROUTES.journalOn.node);
    const journalOff = journalPath(nodeRed, ROUTES.journalOff.node);

    // Sanity: every route answers 200 to one delivery; the callback node refuses a wrong secret.
    const probe = completedBody(1, 4095);
    const post = (url, headers) => request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: probe });
    const ok = await post(urls.journalOn, { 'x-mb-secret': SECRET });
    const okOff = await post(urls.journalOff, { 'x-mb-secret': SECRET });
    const bad = await post(urls.journalOn, { 'x-mb-secret': 'nope' });
    const core = await post(urls.core, {});
    if (ok.status !== 200 || okOff.status !== 200 || bad.status !== 401 || core.status !== 200) {
      throw new Error(`probe: ${ok.status} ${okOff.status} ${bad.status} ${core.status}`);
    }
    // The figure for "journal on" means something only if that node really writes its journal.
    if (!(fileSize(journalOn) > 0)) throw new Error(`no journal written at ${journalOn} after a delivery`);
    if ((await stats()).flushes === undefined) throw new Error('the probe node does not count flushes');

    // Warm-up, not counted: JIT and connection pools of every route.
    let salt = 1;
    for (const name of Object.keys(ROUTES)) await load(urls[name], ROUTES[name].mode, 3, salt++);

    const runs = [];
    /** One load run; for the journaled node, what the journal gained meanwhile, checked against the answers. */
    const measure = async (name, mode, round) => {
      const sizeBefore = name === 'journalOn' ? fileSize(journalOn) : null;
      const flushesBefore = (await stats(true)).flushes;
      const r = await load(urls[name], mode, SECONDS, salt++);
      const { flushes: flushesAfter, window } = await stats();
      const run = {
        route: name, mode, round, ...r, answered2xx: 0,
        datasyncs: flushesAfter.datasync - flushesBefore.datasync,
        datasyncMs: flushesAfter.datasyncMs - flushesBefore.datasyncMs,
        eventLoop: window.eventLoop,
        cpuMs: window.cpuUserMs + window.cpuSystemMs,
        windowSeconds: window.seconds,
      };
      run.answered2xx = answered2xx(run);
      // Per 1,000 requests answered, over the whole window (the load worker starts a few ms after the reset).
      run.cpuMsPer1000 = run.cpuMs / (run.answered2xx / 1000);
      if (name !== 'core' && r.duplicates > 0) {
        throw new Error(`${name}: ${r.duplicates} requests answered as repeats: the bodies are not distinct, and those skipped the journal`);
      }
      if (name === 'journalOn') {
        const sizeAfter = fileSize(journalOn);
        run.journalBytes = sizeAfter - sizeBefore;
        run.journaled = sizeAfter > sizeBefore ? acceptedRecords(journalOn, sizeBefore, sizeAfter) : 0;
        // Requests still in flight when the load stopped may be journaled without being counted as answered.
        if (run.journaled < run.answered2xx) {
          throw new Error(`journal gained ${run.journaled} deliveries (${run.journalBytes} bytes) for ${run.answered2xx} answered 2xx`);
        }
      }
      runs.push(run);
      const journal = name === 'journalOn'
        ? `  journal +${(run.journalBytes / 2 ** 20).toFixed(1)} MiB, ${run.journaled} deliveries, ${run.datasyncs} fdatasync of ${(run.datasyncMs / run.datasyncs).toFixed(2)} ms`
        : '';
      console.log(`  ${round === null ? 'svix    ' : `round ${round + 1}`} ${name.padEnd(10)} ${r.rps.toFixed(0).padStart(6)} req/s  p99 ${String(r.p99).padStart(4)} ms  ` +
        `loop p99 ${run.eventLoop.p99Ms.toFixed(1)} ms  CPU ${run.cpuMsPer1000.toFixed(0)} ms/1000  non-2xx ${r.non2xx}  errors ${r.errors}  repeats ${r.duplicates}${journal}`);
      return run;
    };

    const order = Object.keys(ROUTES);
    for (let round = 0; round < ROUNDS; round++) {
      // Each round starts one route further on, so that no route always follows the same one
      // (the journaled route's file and memory grow from run to run).
      for (let i = 0; i < order.length; i++) {
        const name = order[(round + i) % order.length];
        await measure(name, ROUTES[name].mode, round);
      }
    }
    await measure('journalOn', 'svix', null);
    if (fileSize(journalOff) !== null) throw new Error(`the node with journal: false wrote ${journalOff}`);

    const of = (route, mode) => runs.filter((r) => r.route === route && r.mode === mode);
    const sum = (list, key) => list.reduce((a, r) => a + (r[key] || 0), 0);
    const summary = (list) => ({
      rps: median(list.map((r) => r.rps)),
      p99: median(list.map((r) => r.p99)),
      p50: median(list.map((r) => r.p50)),
      non2xx: sum(list, 'non2xx'),
      errors: sum(list, 'errors'),
      repeats: sum(list, 'duplicates'),
      eventLoopP99Ms: median(list.map((r) => r.eventLoop.p99Ms)),
      eventLoopMaxMs: median(list.map((r) => r.eventLoop.maxMs)),
      cpuMsPer1000: median(list.map((r) => r.cpuMsPer1000)),
      // The share of one core the Node-RED process used during the runs.
      cpuCores: median(list.map((r) => r.cpuMs / 1000 / r.windowSeconds)),
    });
    const on = summary(of('journalOn', 'secret'));
    const off = summary(of('journalOff', 'secret'));
    const co = summary(of('core', 'plain'));
    const sv = summary(of('journalOn', 'svix'));
    const journaledRuns = runs.filter((r) => r.route === 'journalOn');
    const journal = {
      file: path.relative(nodeRed.userDir, journalOn),
      bytes: fileSize(journalOn),
      grewBytes: sum(journaledRuns, 'journalBytes'),
      deliveries: sum(journaledRuns, 'journaled'),
      answered2xx: sum(journaledRuns, 'answered2xx'),
      datasyncs: sum(journaledRuns, 'datasyncs'),
      datasyncMs: sum(journaledRuns, 'datasyncMs'),
      seconds: journaledRuns.length * SECONDS,
      offDatasyncs: sum(runs.filter((r) => r.route === 'journalOff'), 'datasyncs'),
    };
    journal.deliveriesPerDatasync = journal.deliveries / journal.datasyncs;
    journal.bytesPerDelivery = journal.grewBytes / journal.deliveries;
    journal.datasyncMeanMs = journal.datasyncMs / journal.datasyncs;
    // One flush is on its way at a time: this is the share of the time the disk had one.
    journal.datasyncBusy = journal.datasyncMs / (journal.seconds * 1000);
    // Read before the in-process microbenchmark: other work on the machine shares the cores with the runs.
    const loadAverage = os.loadavg()[0];
    const micro = microbench();
    const result = {
      date: new Date().toISOString(),
      versions,
      seconds: SECONDS,
      rounds: ROUNDS,
      connections: CONNECTIONS,
      bodyBytes: TEMPLATE_BYTES,
      loadAverage,
      journalOn: on,
      journalOff: off,
      core: co,
      svix: sv,
      journal,
      ratios: {
        onToCore: on.rps / co.rps,
        p99OnToCore: on.p99 / co.p99,
        onToOff: on.rps / off.rps,
        p99OnToOff: on.p99 / off.p99,
        offToCore: off.rps / co.rps,
        svixToSecret: sv.rps / on.rps,
        svixToCore: sv.rps / co.rps,
        loopP99OnToCore: on.eventLoopP99Ms / co.eventLoopP99Ms,
        cpuPer1000OnToCore: on.cpuMsPer1000 / co.cpuMsPer1000,
        cpuPer1000OffToCore: off.cpuMsPer1000 / co.cpuMsPer1000,
      },
      micro,
      runs: runs.map(({ perSecond, statusCodes, ...rest }) => ({ ...rest, statusCodes, perSecond })),
    };
    const line = (label, r) => console.log(`${label.padEnd(28)} ${r.rps.toFixed(0).padStart(6)} req/s, p99 ${r.p99} ms, ` +
      `event loop p99 ${r.eventLoopP99Ms.toFixed(1)} ms, CPU ${r.cpuMsPer1000.toFixed(0)} ms per 1,000 deliveries (${r.cpuCores.toFixed(2)} cores)`);
    console.log('');
    line('callback in, journal on', on);
    line('callback in, journal off', off);
    line('core flow', co);
    line('callback in, journal on, Svix', sv);
    console.log(`journal on / core: throughput ${result.ratios.onToCore.toFixed(2)}×, p99 ${result.ratios.p99OnToCore.toFixed(2)}×`);
    console.log(`journal on / off:  throughput ${result.ratios.onToOff.toFixed(2)}×, p99 ${result.ratios.p99OnToOff.toFixed(2)}×`);
    console.log(`journal ${journal.file}: grew ${(journal.grewBytes / 2 ** 20).toFixed(1)} MiB over the journaled runs, now ${(journal.bytes / 2 ** 20).toFixed(1)} MiB; ` +
      `${journal.deliveries} deliveries for ${journal.answered2xx} answered 2xx, ${journal.datasyncs} fdatasync (${journal.deliveriesPerDatasync.toFixed(1)} deliveries each, ` +
      `${journal.datasyncMeanMs.toFixed(2)} ms each, one on its way ${(journal.datasyncBusy * 100).toFixed(0)} % of the time); ` +
      `journal off: no file, ${journal.offDatasyncs} fdatasync`);
    console.log(`checkDelivery ${(micro.checkNs / 1000).toFixed(2)} µs vs JSON.parse ${(micro.parseNs / 1000).toFixed(2)} µs per delivery: ${micro.ratio.toFixed(2)}×`);
    console.log(`  (parseJsonBody incl. UTF-8 check ${(micro.parseJsonBodyNs / 1000).toFixed(2)} µs, secret check ${(micro.secretCheckNs / 1000).toFixed(2)} µs)`);

    const COLOURS = { journalOn: ['#1f77b4', '#6baed6'], journalOff: ['#ff7f0e', '#fdae6b'], core: ['#d62728', '#fc9272'] };
    const series = runs.filter((r) => r.mode !== 'svix').map((r) => ({
      name: `${ROUTES[r.route].label} #${r.round + 1}`,
      colour: COLOURS[r.route][r.round ? 1 : 0],
      dashed: r.round > 0,
      points: r.perSecond.map((v, i) => [i + 1, v]),
    }));
    series.push({ name: 'journal on, Svix', colour: '#2ca02c', points: of('journalOn', 'svix')[0].perSecond.map((v, i) => [i + 1, v]) });
    fs.mkdirSync(PLOTS, { recursive: true });
    fs.writeFileSync(path.join(PLOTS, 'ingest-throughput.svg'), lineChart({
      title: `Ingest: requests/s each second (${CONNECTIONS} connections, ${TEMPLATE_BYTES}-byte bot.completed)`,
      xLabel: 'second of the run', yLabel: 'requests / s', series,
    }));
    writeResult('ingest', result);
    return result;
  } finally {
    await nodeRed.stop();
  }
}

module.exports = { main, load, flows };
if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
