'use strict';
// Deploy churn: 200 redeploys of a flow with the callback node while deliveries are posted.
// Routes on RED.httpNode and the heap after a full GC (before and after, read by a
// benchmark-only probe node loaded from test/support/probe through `nodesDir`, Node-RED run with
// --expose-gc), and every answer's status: none may be 404.
//   node bench/churn.js [--deploys 200]
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { startNodeRed, request } = require('../test/support/node-red');
const { completedBody } = require('./lib/bodies');
const { lineChart } = require('./lib/svg');
const { arg, writeResult, PLOTS } = require('../test/support/bench-results');

const DEPLOYS = Number(arg('deploys', 200));
const SECRET = 'churn-secret';
const MiB = 2 ** 20;

function flows(i) {
  return [
    { id: 't', type: 'tab', label: 'churn' },
    { id: 'acc', type: 'meetingbaas-config', name: 'churn', credentials: { callbackSecret: SECRET } },
    // The node under churn: its name changes on every deploy, so every deploy restarts it.
    { id: 'cb', type: 'meetingbaas-callback', z: 't', name: `deploy ${i}`, url: '/churn/mb', account: 'acc', wires: [['count'], ['count'], ['count'], ['count']] },
    { id: 'count', type: 'function', z: 't', outputs: 0, wires: [], func: "global.set('delivered', (global.get('delivered') || 0) + 1);\nreturn null;" },
    { id: 'p-in', type: 'http in', z: 't', url: '/churn/stats', method: 'get', wires: [['p']] },
    { id: 'p', type: 'bench-probe', z: 't', wires: [['p-deliv']] },
    { id: 'p-deliv', type: 'change', z: 't', rules: [{ t: 'set', p: 'payload.delivered', pt: 'msg', to: 'delivered', tot: 'global' }], wires: [['p-out']] },
    { id: 'p-out', type: 'http response', z: 't', statusCode: '200', wires: [] },
  ];
}

async function main() {
  const previous = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `${previous || ''} --expose-gc`.trim();
  let nodeRed;
  try {
    nodeRed = await startNodeRed({ nodesDir: path.join(__dirname, '..', 'test', 'support', 'probe') });
  } finally {
    if (previous === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = previous;
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  try {
    const stats = async () => JSON.parse((await request(nodeRed.nodeUrl('/churn/stats'))).text);
    const url = nodeRed.nodeUrl('/churn/mb');
    await nodeRed.deploy(flows(0));
    const post = (n) => new Promise((resolve) => {
      const body = completedBody(n, 99);
      const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-mb-secret': SECRET, 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', () => resolve('network'));
      req.end(body);
    });
    // Warm-up: some deploys and deliveries, so that what is loaded once is loaded before "before".
    let n = 0;
    for (let i = 1; i <= 10; i++) {
      await nodeRed.deploy(flows(i));
      for (let k = 0; k < 20; k++) await post(++n);
    }
    const before = await stats();
    if (!before.gc) throw new Error('the probe could not run the garbage collector (--expose-gc)');
    const statuses = {};
    let posting = true;
    const senders = Array.from({ length: 4 }, async () => {
      while (posting) {
        const status = await post(++n);
        statuses[status] = (statuses[status] || 0) + 1;
      }
    });
    const heapSeries = [[0, before.heapUsed / MiB]];
    const started = Date.now();
    for (let i = 1; i <= DEPLOYS; i++) {
      await nodeRed.deploy(flows(10 + i));
      if (i % 20 === 0) {
        const s = await stats();
        heapSeries.push([i, s.heapUsed / MiB]);
        console.log(`  ${i} deploys: ${s.routes} routes, heap ${(s.heapUsed / MiB).toFixed(1)} MiB`);
      }
    }
    posting = false;
    await Promise.all(senders);
    const seconds = (Date.now() - started) / 1000;
    const after = await stats();
    const deliveries = Object.values(statuses).reduce((a, b) => a + b, 0);
    const result = {
      date: new Date().toISOString(),
      versions: { node: process.version, nodeRed: require('node-red/package.json').version },
      method: [
        `${DEPLOYS} full deploys in ${seconds.toFixed(0)} s, each changing the callback node's name so that it restarts, after 10 warm-up deploys;`,
        `meanwhile 4 senders post distinct deliveries back to back (no retries here: the retry behaviour is in the stress tests).`,
        'Routes and heap are read by a benchmark-only probe node (test/support/probe, loaded through `nodesDir`, not part of the package)',
        'that counts the route layers on RED.httpNode and reports `process.memoryUsage().heapUsed` after two `global.gc()` calls (Node-RED started with `--expose-gc`).',
        'The heap may move by a few MiB with what Node-RED itself keeps (deploy history, context); the goal is no growth that scales with the number of deploys.',
      ].join(' '),
      deploys: DEPLOYS,
      seconds,
      deliveries,
      delivered: after.delivered,
      statuses,
      routesBefore: before.routes,
      routesAfter: after.routes,
      callbackRoutesBefore: before.routePaths.filter((p) => p === '/churn/mb').length,
      callbackRoutesAfter: after.routePaths.filter((p) => p === '/churn/mb').length,
      heapBefore: before.heapUsed,
      heapAfter: after.heapUsed,
      heapTolerance: 4 * MiB,
      rssBefore: before.rss,
      rssAfter: after.rss,
      heapSeries,
    };
    console.log(`routes ${before.routes} → ${after.routes}; heap ${(before.heapUsed / MiB).toFixed(1)} → ${(after.heapUsed / MiB).toFixed(1)} MiB; ` +
      `${deliveries} deliveries, statuses ${JSON.stringify(statuses)}, ${after.delivered} messages`);
    fs.mkdirSync(PLOTS, { recursive: true });
    fs.writeFileSync(path.join(PLOTS, 'churn-heap.svg'), lineChart({
      title: `Heap used after GC during ${DEPLOYS} redeploys under load`,
      xLabel: 'redeploys', yLabel: 'heap used, MiB', series: [{ name: 'heap after GC', points: heapSeries }], markers: true,
      yMax: Math.ceil((Math.max(...heapSeries.map((p) => p[1])) * 1.3) / 10) * 10,
    }));
    writeResult('churn', result);
    return result;
  } finally {
    agent.destroy();
    await nodeRed.stop();
  }
}

module.exports = { main };
if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
