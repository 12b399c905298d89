'use strict';
// Scale-out: two real Node-RED instances behind HAProxy (round robin), each with two callback
// nodes: one whose account names a shared Redis (every delivery claimed there, atomically), one
// deciding about repeats in its own memory. autocannon loads each route in turn through the balancer,
// from a separate process, so both are measured in the same run on the same machine.
//   node bench/scale.js [--seconds 10] [--rounds 2] [--connections 50]
const { startNodeRed, request } = require('../test/support/node-red');
const { startRedis } = require('../test/support/redis');
const { startHaproxy } = require('../test/support/haproxy');
const { completedBody, TEMPLATE_BYTES } = require('./lib/bodies');
const { arg, writeResult } = require('../test/support/bench-results');
const { load } = require('./ingest');

const SECONDS = Number(arg('seconds', 10));
const ROUNDS = Number(arg('rounds', 3));
const CONNECTIONS = Number(arg('connections', 50));
const SECRET = 'bench-callback-secret';

function flows(redisUrl) {
  const sink = { id: 'sink', type: 'debug', z: 't', active: false, tosidebar: true, complete: 'false', wires: [] };
  const outputs = [['sink'], ['sink'], ['sink'], ['sink']];
  return [
    { id: 't', type: 'tab', label: 'bench scale-out' },
    { id: 'acc-redis', type: 'meetingbaas-config', name: 'shared', redisUrl, redisPrefix: 'bench:', credentials: { callbackSecret: SECRET } },
    { id: 'acc-memory', type: 'meetingbaas-config', name: 'alone', credentials: { callbackSecret: SECRET } },
    { id: 'cb-redis', type: 'meetingbaas-callback', z: 't', url: '/bench/redis', method: 'post', account: 'acc-redis', wires: outputs },
    { id: 'cb-memory', type: 'meetingbaas-callback', z: 't', url: '/bench/memory', method: 'post', account: 'acc-memory', wires: outputs },
    sink,
  ];
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function main() {
  const versions = {
    node: process.version,
    nodeRed: require('node-red/package.json').version,
    autocannon: require('autocannon/package.json').version,
    redisClient: require('@redis/client/package.json').version,
  };
  console.log(`scale: 2 Node-RED behind HAProxy, ${ROUNDS} rounds × ${SECONDS} s per route, ${CONNECTIONS} connections, body ${TEMPLATE_BYTES} bytes`);
  const redis = await startRedis();
  const nodeReds = [];
  let haproxy = null;
  try {
    for (let i = 0; i < 2; i++) {
      const nodeRed = await startNodeRed();
      nodeReds.push(nodeRed);
      await nodeRed.deploy(flows(redis.url));
    }
    haproxy = await startHaproxy(nodeReds.map((n) => n.port));
    const urls = { redis: haproxy.url('/bench/redis'), memory: haproxy.url('/bench/memory') };
    // Sanity: each route answers a delivery, and its repeat as a repeat, through the balancer.
    for (const url of Object.values(urls)) {
      const body = completedBody(1, Math.floor(Math.random() * 1e6));
      const headers = { 'content-type': 'application/json', 'x-mb-secret': SECRET };
      const first = await request(url, { method: 'POST', headers, body });
      const again = await request(url, { method: 'POST', headers, body });
      if (first.status !== 200 || again.status !== 200) throw new Error(`probe ${url}: ${first.status} ${again.status}`);
      // Through Redis the repeat is recognised on the other instance too; alone, only on the same one.
      if (url === urls.redis && !JSON.parse(again.text).duplicate) throw new Error('the repeat on the other instance was not recognised through Redis');
    }

    await load(urls.redis, 'secret', 3, 1);
    await load(urls.memory, 'secret', 3, 2);
    const runs = [];
    let salt = 10;
    for (let round = 0; round < ROUNDS; round++) {
      for (const route of ['redis', 'memory']) {
        const r = await load(urls[route], 'secret', SECONDS, salt++);
        runs.push({ route, round, ...r });
        console.log(`  round ${round + 1} ${route.padEnd(7)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(4)} ms  non-2xx ${r.non2xx}  errors ${r.errors}`);
      }
    }
    const of = (route) => runs.filter((r) => r.route === route);
    const summary = (list) => ({ rps: median(list.map((r) => r.rps)), p50: median(list.map((r) => r.p50)), p99: median(list.map((r) => r.p99)), non2xx: list.reduce((a, r) => a + r.non2xx, 0), errors: list.reduce((a, r) => a + r.errors, 0) });
    const withRedis = summary(of('redis'));
    const memory = summary(of('memory'));
    const result = {
      date: new Date().toISOString(),
      versions,
      redisServer: require('node:child_process').execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim().split(' ').slice(0, 3).join(' '),
      seconds: SECONDS,
      rounds: ROUNDS,
      connections: CONNECTIONS,
      bodyBytes: TEMPLATE_BYTES,
      redis: withRedis,
      memory,
      ratios: { throughput: withRedis.rps / memory.rps, p99: withRedis.p99 / memory.p99 },
      // Others may share the machine: the load says how far to trust one round.
      loadAverage: require('node:os').loadavg()[0],
      runs: runs.map(({ perSecond, ...rest }) => ({ ...rest, perSecond })),
    };
    console.log(`\nRedis claims  ${withRedis.rps.toFixed(0)} req/s, p99 ${withRedis.p99} ms`);
    console.log(`memory store  ${memory.rps.toFixed(0)} req/s, p99 ${memory.p99} ms`);
    console.log(`throughput Redis/memory ${result.ratios.throughput.toFixed(2)}×   p99 Redis/memory ${result.ratios.p99.toFixed(2)}×`);
    writeResult('scale', result);
    return result;
  } finally {
    if (haproxy) await haproxy.stop();
    for (const nodeRed of nodeReds) await nodeRed.stop();
    await redis.remove();
  }
}

module.exports = { main };
if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
