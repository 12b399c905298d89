'use strict';
// Where test flows report what left the callback node: each output is wired to a function node
// and an `http request` node that posts here, so the tests observe a real Node-RED from outside.
const http = require('node:http');

async function startCollector() {
  const received = [];
  const waiters = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const report = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      // Direct wiring posts the bare payload to /out/<output>.
      const direct = /^\/out\/(\d)$/.exec(req.url);
      received.push(direct ? { output: Number(direct[1]), payload: report, direct: true } : report);
      res.end('ok');
      for (const waiter of [...waiters]) {
        const match = received.filter(waiter.predicate);
        if (match.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(match);
        }
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/out`;
  return {
    url,
    received,
    /** Resolves with the matching reports once `count` of them have arrived. */
    waitFor(predicate, count = 1, timeoutMs = 15000) {
      const match = received.filter(predicate);
      if (match.length >= count) return Promise.resolve(match);
      return new Promise((resolve, reject) => {
        const waiter = { predicate, count, resolve: (m) => { clearTimeout(timer); resolve(m); } };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`timed out waiting for ${count} report(s); got ${received.filter(predicate).length}`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    clear() {
      received.length = 0;
    },
    close() {
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A flow with one callback node whose four outputs are reported to the collector as
 * `{output, tag, topic, meetingbaas, payload, keys}` (`keys`: the message's own properties).
 * `direct`: each output wired straight to an `http request` node that posts only the payload, one
 * hop, so that a deploy cannot drop a message in a node downstream between our node and the report.
 */
function callbackFlow({ collectorUrl, url = '/mb/callback', method, account, tag = 'a', extra = {}, id = 'cb1', direct = false }) {
  const nodes = [{ id: 'tab1', type: 'tab', label: 'test' }];
  if (account) nodes.push({ id: 'acc1', type: 'meetingbaas-config', name: 'test account', baseUrl: account.baseUrl || '', credentials: account.credentials || {} });
  const wires = [[], [], [], []];
  for (let output = 0; output < 4; output++) {
    const fn = `${id}-report${output}`;
    const post = `${id}-post${output}`;
    if (direct) {
      wires[output].push(post);
      nodes.push({ id: post, type: 'http request', z: 'tab1', method: 'POST', ret: 'txt', url: `${collectorUrl}/${output}`, wires: [[]] });
      continue;
    }
    wires[output].push(fn);
    nodes.push({
      id: fn,
      type: 'function',
      z: 'tab1',
      func: `msg.payload = { output: ${output}, tag: ${JSON.stringify(tag)}, topic: msg.topic, meetingbaas: msg.meetingbaas, payload: msg.payload, keys: Object.keys(msg) };\nmsg.headers = { 'content-type': 'application/json' };\nreturn msg;`,
      outputs: 1,
      wires: [[post]],
    });
    nodes.push({ id: post, type: 'http request', z: 'tab1', method: 'POST', ret: 'txt', url: collectorUrl, wires: [[]] });
  }
  nodes.push({ id, type: 'meetingbaas-callback', z: 'tab1', url, ...(method ? { method } : {}), ...(account ? { account: 'acc1' } : {}), ...extra, wires });
  return nodes;
}

module.exports = { startCollector, callbackFlow };
