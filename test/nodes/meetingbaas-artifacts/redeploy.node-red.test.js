'use strict';
// A redeploy (or a stop) of "fetch artifacts" while it downloads, in a real Node-RED: callback in
// → fetch artifacts, with a Catch node reporting to a collector, and a storage stand-in that sends
// the head of a large recording and then holds the rest back. Meeting BaaS has been told 200
// by then, so the stopped download must be reported: a warning naming the bot and the
// artifact, the error on a Catch node, and no file left under its final name. With the
// callback node's journal on (the default), the delivery is also sent again once the flows run.
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const http = require('node:http');
const path = require('node:path');
const { startNodeRed, request } = require('../../support/node-red');
const { startCollector } = require('../../support/collector');
const { listenLocally } = require('../../support/local-server');
const fx = require('../../fixtures/artifacts');
const deliveries = require('../../fixtures/deliveries');

const MiB = 1024 * 1024;

/**
 * Storage that announces `size` bytes, sends the first `sent` and then waits; `started(path, n)`
 * resolves once the head was sent to the n-th request for that path.
 */
async function startHoldingStorage({ size = 64 * MiB, sent = MiB } = {}) {
  const served = new Map();
  const waiters = [];
  const arrived = (pathname) => {
    served.set(pathname, (served.get(pathname) ?? 0) + 1);
    for (const waiter of [...waiters]) {
      if (waiter.pathname !== pathname || served.get(pathname) < waiter.n) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(size) });
    res.write(Buffer.concat([fx.HEADS.mp4, Buffer.alloc(sent - fx.HEADS.mp4.length, 7)]), () => arrived(pathname));
  });
  const { base, close } = await listenLocally(server);
  return {
    url: (pathname) => `${base}${pathname}?X-Amz-Signature=s`,
    started: (pathname, n = 1) =>
      (served.get(pathname) ?? 0) >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ pathname, n, resolve })),
    close,
  };
}

function flow({ collectorUrl, name = 'fetch', journal = false }) {
  const post = (id, url) => ({ id, type: 'http request', z: 'tab1', method: 'POST', ret: 'txt', url, wires: [[]] });
  return [
    { id: 'tab1', type: 'tab', label: 'redeploy' },
    { id: 'cb1', type: 'meetingbaas-callback', z: 'tab1', url: '/mb/redeploy', journal, wires: [['fa1'], [], [], []] },
    {
      id: 'fa1', type: 'meetingbaas-artifacts', z: 'tab1', name, artifacts: ['video', 'audio'], mode: 'file',
      directory: 'recordings', allowLocal: true, stallSeconds: 60, wires: [['out-post'], []],
    },
    post('out-post', `${collectorUrl}/0`),
    { id: 'catch1', type: 'catch', z: 'tab1', scope: null, wires: [['catch-report']] },
    {
      id: 'catch-report', type: 'function', z: 'tab1', outputs: 1, wires: [['catch-post']],
      func: 'msg.payload = { caught: true, error: msg.error.message, source: msg.error.source.id, botId: msg.payload.data && msg.payload.data.bot_id };\nmsg.headers = { "content-type": "application/json" };\nreturn msg;',
    },
    post('catch-post', collectorUrl),
  ];
}

describe('fetch artifacts redeployed during a download, in a real Node-RED', function () {
  this.timeout(120000);
  let nodeRed;
  let collector;
  let storage;
  const recordings = () => path.join(nodeRed.userDir, 'recordings');

  before(async () => {
    collector = await startCollector();
    storage = await startHoldingStorage();
    nodeRed = await startNodeRed();
  });
  after(async () => {
    await nodeRed?.stop();
    await collector?.close();
    await storage?.close();
  });
  beforeEach(async () => {
    collector.clear();
    await nodeRed.deploy(flow({ collectorUrl: collector.url }));
  });

  /** Sends a bot.completed whose video is held back by the storage; resolves once its temporary file is being written. */
  async function startDownload() {
    const botId = await sendDelivery();
    const dir = path.join(recordings(), botId);
    while (!fx.listFiles(dir).some((f) => f.endsWith('.part'))) await new Promise((resolve) => setTimeout(resolve, 10));
    return botId;
  }

  async function sendDelivery() {
    const botId = crypto.randomUUID();
    const videoPath = `/${botId}/video.mp4`;
    const delivery = deliveries.completed({ botId, urls: { video: storage.url(videoPath), audio: storage.url(`/${botId}/audio.flac`) } });
    const answer = await request(nodeRed.nodeUrl('/mb/redeploy'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(delivery),
    });
    assert.equal(answer.status, 200, 'Meeting BaaS was told the delivery arrived');
    await storage.started(videoPath);
    return botId;
  }

  function assertNoFilesFor(botId) {
    assert.deepEqual(fx.listFiles(path.join(recordings(), botId)), [], 'neither a final file nor a temporary one is left');
  }

  for (const type of ['nodes', 'flows']) {
    it(`a "modified ${type}" deploy of the changed node: a warning naming bot and artifacts, the error on the Catch node, no file`, async () => {
      const botId = await startDownload();
      const from = nodeRed.log.length;
      const started = Date.now();
      await nodeRed.deploy(flow({ collectorUrl: collector.url, name: 'fetch, renamed' }), type);
      assert.ok(Date.now() - started < 10000, `the node closed in ${Date.now() - started} ms`);

      const [report] = await collector.waitFor((r) => r.caught);
      assert.equal(report.source, 'fa1');
      assert.equal(report.botId, botId, 'the Catch node gets the message that was being handled');
      assert.match(report.error, /redeploy/);
      assert.ok(report.error.includes(botId), report.error);
      assert.match(report.error, /video/);
      assert.match(report.error, /audio/);

      const log = nodeRed.log.slice(from);
      const warning = log.split('\n').find((line) => line.includes('[warn]') && line.includes('[meetingbaas-artifacts:'));
      assert.ok(warning, `a warning in the log:\n${log}`);
      assert.ok(warning.includes(botId), warning);
      assert.match(warning, /video/);
      assert.ok(!warning.includes('X-Amz-Signature'), 'no signed link in the log');
      assertNoFilesFor(botId);
      assert.deepEqual(collector.received.filter((r) => r.output === 0), [], 'nothing was reported as fetched');
    });
  }

  it('with the journal on, a "modified nodes" deploy of fetch artifacts sends the delivery again, which downloads anew', async () => {
    await nodeRed.deploy(flow({ collectorUrl: collector.url, journal: true }));
    const botId = await sendDelivery();
    const from = nodeRed.log.length;
    await nodeRed.deploy(flow({ collectorUrl: collector.url, journal: true, name: 'fetch, renamed' }), 'nodes');
    await nodeRed.waitForLog(new RegExp(`\\[warn\\] \\[meetingbaas-artifacts:[^\\]]+\\].*${botId}.*sends this delivery again`), from);
    await storage.started(`/${botId}/video.mp4`, 2);
    const [report] = await collector.waitFor((r) => r.caught);
    assert.equal(report.botId, botId, 'the stopped one still reaches the Catch node');
    // The journal of the first test's flow is gone with a full deploy of a flow without one.
    await nodeRed.deploy(flow({ collectorUrl: collector.url }), 'full');
  });

  it('a full deploy: the warning in the log, no file', async () => {
    const botId = await startDownload();
    const from = nodeRed.log.length;
    await nodeRed.deploy(flow({ collectorUrl: collector.url }), 'full');
    const log = nodeRed.log.slice(from);
    const warning = log.split('\n').find((line) => line.includes('[warn]') && line.includes('[meetingbaas-artifacts:'));
    assert.ok(warning, `a warning in the log:\n${log}`);
    assert.ok(warning.includes(botId), warning);
    assertNoFilesFor(botId);
  });
});
