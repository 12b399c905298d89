'use strict';
// Ingest: the callback node against the core flow a user would otherwise build
// (http in → switch on payload.event → http response, no verification), side by side in one
// real Node-RED, loaded in turn by autocannon from a separate process.
//   node bench/ingest.js [--seconds 10] [--rounds 2] [--connections 50]
const { execFileSync, spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { startNodeRed, request } = require('../test/support/node-red');
const { completedBody, TEMPLATE_BYTES } = require('./lib/bodies');
const { lineChart } = require('./lib/svg');
const { arg, writeResult, PLOTS } = require('./lib/common');

const SECONDS = Number(arg('seconds', 10));
const ROUNDS = Number(arg('rounds', 3));
const CONNECTIONS = Number(arg('connections', 50));
const SECRET = 'bench-callback-secret';
const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

function flows() {
  const sink = { id: 'sink', type: 'debug', z: 't', active: false, tosidebar: true, complete: 'false', wires: [] };
  return [
    { id: 't', type: 'tab', label: 'bench' },
    { id: 'acc', type: 'meetingbaas-config', name: 'bench', credentials: { callbackSecret: SECRET, webhookSecret: WEBHOOK_SECRET } },
    // The package: secret / signature check, repeat filter (default 6 h, memory), AJV, four outputs.
    { id: 'cb', type: 'meetingbaas-callback', z: 't', url: '/bench/mb', method: 'post', account: 'acc', wires: [['sink'], ['sink'], ['sink'], ['sink']] },
    sink,
    // The hand-built core flow: no verification, no validation, no repeat filter.
    { id: 'in', type: 'http in', z: 't', url: '/bench/core', method: 'post', upload: false, wires: [['sw']] },
    {
      id: 'sw', type: 'switch', z: 't', property: 'payload.event', propertyType: 'msg', checkall: 'false', outputs: 3,
      rules: [{ t: 'eq', v: 'bot.completed', vt: 'str' }, { t: 'eq', v: 'bot.failed', vt: 'str' }, { t: 'else' }],
      wires: [['res'], ['res'], ['res']],
    },
    { id: 'res', type: 'http response', z: 't', statusCode: '200', headers: {}, wires: [] },
  ];
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
      } catch (error) {
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
  const { checkDelivery } = require('../lib/validation');
  const { DeliveryAuthenticator } = require('../lib/authentication');
  const { parseJsonBody } = require('../lib/request-body');
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

async function main() {
  const versions = {
    node: process.version,
    nodeRed: require('node-red/package.json').version,
    autocannon: require('autocannon/package.json').version,
  };
  console.log(`ingest: ${ROUNDS} rounds × ${SECONDS} s per route, ${CONNECTIONS} connections, body ${TEMPLATE_BYTES} bytes`);
  const nodeRed = await startNodeRed({ logging: { console: { level: 'info', metrics: false, audit: false } } });
  try {
    await nodeRed.deploy(flows());
    const urls = { callback: nodeRed.nodeUrl('/bench/mb'), core: nodeRed.nodeUrl('/bench/core') };
    // Sanity: both routes answer 200 to one delivery; the callback node refuses a wrong secret.
    const probe = completedBody(1, 4095);
    const ok = await request(urls.callback, { method: 'POST', headers: { 'content-type': 'application/json', 'x-mb-secret': SECRET }, body: probe });
    const bad = await request(urls.callback, { method: 'POST', headers: { 'content-type': 'application/json', 'x-mb-secret': 'nope' }, body: probe });
    const core = await request(urls.core, { method: 'POST', headers: { 'content-type': 'application/json' }, body: probe });
    if (ok.status !== 200 || bad.status !== 401 || core.status !== 200) throw new Error(`probe: ${ok.status} ${bad.status} ${core.status}`);

    // Warm-up, not counted: JIT and connection pools of both routes.
    await load(urls.callback, 'secret', 3, 1);
    await load(urls.core, 'plain', 3, 2);

    const runs = [];
    let salt = 10;
    for (let round = 0; round < ROUNDS; round++) {
      for (const [route, mode] of [['callback', 'secret'], ['core', 'plain']]) {
        const r = await load(urls[route], mode, SECONDS, salt++);
        runs.push({ route, mode, round, ...r });
        console.log(`  round ${round + 1} ${route.padEnd(8)} ${r.rps.toFixed(0).padStart(6)} req/s  p99 ${String(r.p99).padStart(4)} ms  non-2xx ${r.non2xx}  errors ${r.errors}`);
      }
    }
    const svix = await load(urls.callback, 'svix', SECONDS, salt++);
    runs.push({ route: 'callback', mode: 'svix', round: 0, ...svix });
    console.log(`  svix     callback ${svix.rps.toFixed(0).padStart(6)} req/s  p99 ${String(svix.p99).padStart(4)} ms  non-2xx ${svix.non2xx}  errors ${svix.errors}`);

    const of = (route, mode) => runs.filter((r) => r.route === route && r.mode === mode);
    const summary = (list) => ({ rps: median(list.map((r) => r.rps)), p99: median(list.map((r) => r.p99)), p50: median(list.map((r) => r.p50)), non2xx: list.reduce((a, r) => a + r.non2xx, 0), errors: list.reduce((a, r) => a + r.errors, 0) });
    const cb = summary(of('callback', 'secret'));
    const co = summary(of('core', 'plain'));
    const sv = summary(of('callback', 'svix'));
    const micro = microbench();
    const result = {
      date: new Date().toISOString(),
      versions,
      seconds: SECONDS,
      rounds: ROUNDS,
      connections: CONNECTIONS,
      bodyBytes: TEMPLATE_BYTES,
      callback: cb,
      core: co,
      svix: sv,
      ratios: { throughput: cb.rps / co.rps, p99: cb.p99 / co.p99, svixToSecret: sv.rps / cb.rps, svixToCore: sv.rps / co.rps },
      micro,
      runs: runs.map(({ perSecond, statusCodes, ...rest }) => ({ ...rest, statusCodes, perSecond })),
    };
    console.log(`\ncallback node (secret) ${cb.rps.toFixed(0)} req/s, p99 ${cb.p99} ms`);
    console.log(`core flow              ${co.rps.toFixed(0)} req/s, p99 ${co.p99} ms`);
    console.log(`callback node (svix)   ${sv.rps.toFixed(0)} req/s, p99 ${sv.p99} ms`);
    console.log(`throughput ratio callback/core ${result.ratios.throughput.toFixed(2)}×   p99 ratio ${result.ratios.p99.toFixed(2)}×   svix/secret ${result.ratios.svixToSecret.toFixed(2)}×`);
    console.log(`checkDelivery ${(micro.checkNs / 1000).toFixed(2)} µs vs JSON.parse ${(micro.parseNs / 1000).toFixed(2)} µs per delivery: ${micro.ratio.toFixed(2)}×`);
    console.log(`  (parseJsonBody incl. UTF-8 check ${(micro.parseJsonBodyNs / 1000).toFixed(2)} µs, secret check ${(micro.secretCheckNs / 1000).toFixed(2)} µs)`);

    const series = runs.filter((r) => r.mode !== 'svix').map((r) => ({
      name: `${r.route === 'callback' ? 'callback in' : 'core flow'} #${r.round + 1}`,
      colour: r.route === 'callback' ? (r.round ? '#6baed6' : '#1f77b4') : (r.round ? '#fc9272' : '#d62728'),
      dashed: r.round > 0,
      points: r.perSecond.map((v, i) => [i + 1, v]),
    }));
    series.push({ name: 'callback in, Svix', colour: '#2ca02c', points: of('callback', 'svix')[0].perSecond.map((v, i) => [i + 1, v]) });
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
