'use strict';
// Redeploys while a sender retries as Meeting BaaS does (4 attempts, waiting 1 s, 5 s, 15 s,
// retrying only 5xx and network errors): every delivery is eventually accepted, and reaches the
// node wired to its output exactly once. The short version is in callback.node-red.test.js; this
// one runs for a minute, with full, flow and node deploys that restart the callback node, only the
// node it is wired to, or something unrelated.
const assert = require('node:assert/strict');
const http = require('node:http');
const { startNodeRed } = require('../support/node-red');
const { startCollector, callbackFlow } = require('../support/collector');
const { sendLikeMeetingBaas, sendWhile } = require('../support/meeting-baas-sender');
const deliveries = require('../fixtures/deliveries');

const SECRET = 'redeploy-secret';
const SECONDS = Number(process.env.REDEPLOY_SECONDS || 60);
const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });

function post(url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, timeout: 30000, headers: { 'content-type': 'application/json', ...deliveries.secretHeaders(SECRET), 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

describe('callback in during a minute of redeploys, in a real Node-RED', function () {
  this.timeout(SECONDS * 1000 + 180000);
  let nodeRed;
  let collector;

  before(async () => {
    collector = await startCollector();
    nodeRed = await startNodeRed();
  });
  after(async () => {
    agent.destroy();
    if (nodeRed) await nodeRed.stop();
    if (collector) await collector.close();
  });

  it('accepts every delivery once, whatever is redeployed', async () => {
    const account = { credentials: { callbackSecret: SECRET } };
    const flows = callbackFlow({ collectorUrl: collector.url, account, direct: true });
    flows.push({ id: 'unrelated', type: 'inject', z: 'tab1', name: 'unrelated', repeat: '', once: false, wires: [[]] });
    await nodeRed.deploy(flows);
    const url = nodeRed.nodeUrl('/mb/callback');
    const statuses = {};
    const attemptsUsed = [];

    const sendWithRetries = async (body) => {
      const { status, attempts } = await sendLikeMeetingBaas(
        () => post(url, body).then((res) => res.status),
        (answer) => { statuses[answer] = (statuses[answer] || 0) + 1; },
      );
      attemptsUsed.push(attempts);
      return status;
    };

    const cb = flows.find((n) => n.type === 'meetingbaas-callback');
    const firstPost = flows.find((n) => n.id === 'cb1-post1');
    const unrelated = flows.find((n) => n.id === 'unrelated');
    const kinds = {};
    let deploying = true;
    const deployer = (async () => {
      const until = Date.now() + SECONDS * 1000;
      for (let i = 0; Date.now() < until; i++) {
        // Rotate: the callback node itself, the node its output 2 is wired to, an unrelated node; full, flows and nodes deploys.
        const target = [cb, firstPost, unrelated][i % 3];
        const type = ['full', 'flows', 'nodes'][Math.floor(i / 3) % 3];
        target.name = `deploy ${i}`;
        await nodeRed.deploy(flows, type);
        kinds[type] = (kinds[type] || 0) + 1;
        // Pacing, not waiting for an event: a few deploys a second, so that a delivery's four attempts
        // over 21 s cannot all meet one (back-to-back deploys leave the node restarting most of the time).
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
      deploying = false;
    })();

    collector.clear();
    const { sent, finals } = await sendWhile(
      () => deploying,
      (delivery) => sendWithRetries(JSON.stringify(delivery)),
      () => new Promise((resolve) => setTimeout(resolve, 5)), // a steady stream, about 200 a second at most
    );
    await deployer;
    const deploys = Object.values(kinds).reduce((a, b) => a + b, 0);
    const retried = attemptsUsed.filter((n) => n > 1).length;
    console.log(`      ${deploys} deploys ${JSON.stringify(kinds)}, ${sent.length} deliveries, answers ${JSON.stringify(statuses)}, ${retried} needed a retry (max attempts ${Math.max(...attemptsUsed)})`);
    assert.ok(deploys >= SECONDS * 2, `deploys: ${deploys}`);
    assert.ok(!statuses[404], 'no 404');
    assert.deepEqual(finals.filter((s) => s !== 200), [], 'every delivery eventually accepted');
    assert.ok(retried > 0, 'some deliveries met a deploy and were retried: the test exercised what it claims');
    const ids = new Set(sent);
    await collector.waitFor((r) => ids.has(r.payload.data && r.payload.data.bot_id), sent.length, 60000);
    const sentinel = deliveries.failed();
    assert.equal((await post(url, JSON.stringify(sentinel))).status, 200);
    await collector.waitFor((r) => r.payload.data && r.payload.data.bot_id === sentinel.data.bot_id);
    const arrived = collector.received.filter((r) => ids.has(r.payload.data && r.payload.data.bot_id)).map((r) => r.payload.data.bot_id);
    assert.equal(arrived.length, sent.length, 'no delivery arrived twice');
    assert.equal(new Set(arrived).size, sent.length);
    assert.ok(collector.received.every((r) => r.output === 1), 'all on the bot.failed output');
  });
});
