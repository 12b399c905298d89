'use strict';
// The repeat filter of "callback in" inside a real Node-RED: a delivery is remembered only once it
// was answered 2xx, and a copy that arrives while the first is undecided is not told "duplicate"
// about a delivery that then fails.
const assert = require('node:assert/strict');
const path = require('node:path');
const { createHash, randomUUID } = require('node:crypto');
const { startNodeRed, request } = require('../../support/node-red');
const { startCollector, callbackFlow } = require('../../support/collector');
const deliveries = require('../../fixtures/deliveries');

const SECRET = 'repeats-secret';
const ACCOUNT = { credentials: { callbackSecret: SECRET } };

function post(url, delivery) {
  return request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-mb-secret': SECRET }, body: JSON.stringify(delivery) });
}

const isAccepted = (status) => status >= 200 && status < 300;

describe('callback in: repeats, in a real Node-RED', function () {
  this.timeout(120000);
  let collector;
  before(async () => {
    collector = await startCollector();
  });
  after(async () => {
    if (collector) await collector.close();
  });
  beforeEach(() => collector.clear());

  describe('when handing a delivery to the flow throws', () => {
    let nodeRed;
    before(async () => {
      // Synchronous delivery: the first node on a wire runs inside the callback node's send, so it
      // can make Node-RED's copy of the message for the second wire throw, as a very deep payload does.
      nodeRed = await startNodeRed({ runtimeSyncDelivery: true });
    });
    after(async () => {
      if (nodeRed) await nodeRed.stop();
    });

    it('forgets the delivery, so that the retry reaches every wired node instead of "200 duplicate"', async () => {
      const flows = callbackFlow({ collectorUrl: collector.url, account: ACCOUNT, direct: true });
      const cb = flows.find((n) => n.type === 'meetingbaas-callback');
      // Output 2 (bot.failed): this function node first, then the collector. It poisons the message
      // once: Node-RED's copy for the next wire then throws inside node.send.
      cb.wires[1].unshift('poison');
      flows.push({
        id: 'poison',
        type: 'function',
        z: 'tab1',
        outputs: 1,
        func: "if (!context.get('poisoned')) {\n  context.set('poisoned', true);\n  Object.defineProperty(msg, 'unclonable', { enumerable: true, get() { throw new Error('this message cannot be copied'); } });\n}\nreturn null;",
        wires: [[]],
      });
      await nodeRed.deploy(flows);
      const url = nodeRed.nodeUrl('/mb/callback');
      const delivery = deliveries.failed({ data: { error_code: `POISONED_${randomUUID()}` } });

      const first = await post(url, delivery);
      assert.equal(first.status, 500, first.text);
      assert.match(nodeRed.log, /A delivery could not be handled: Error: this message cannot be copied/);

      const retry = await post(url, delivery);
      assert.equal(retry.status, 200);
      assert.deepEqual(JSON.parse(retry.text), { received: true }, 'the retry is handled afresh, not answered as a duplicate');
      const arrived = await collector.waitFor((r) => r.payload.data && r.payload.data.error_code === delivery.data.error_code);
      assert.equal(arrived.length, 1);
      assert.equal(arrived[0].output, 1);

      const again = await post(url, delivery);
      assert.deepEqual(JSON.parse(again.text), { received: true, duplicate: true }, 'once accepted, it is remembered');
    });
  });

  describe('with default settings', () => {
    let nodeRed;
    before(async () => {
      nodeRed = await startNodeRed();
    });
    after(async () => {
      if (nodeRed) await nodeRed.stop();
    });

    it('remembers at most "dedupeMax" of them, oldest forgotten first, under one context key across redeploys', async () => {
      // Same meeting off: its meetings have a bound of their own, which Remember does not lower.
      const flows = callbackFlow({ collectorUrl: collector.url, account: ACCOUNT, direct: true, extra: { dedupeMax: 3, dedupeMeetingMinutes: 0 } });
      const cb = flows.find((n) => n.type === 'meetingbaas-callback');
      await nodeRed.deploy(flows);
      const url = nodeRed.nodeUrl('/mb/callback');
      const sent = Array.from({ length: 8 }, () => deliveries.failed());
      for (const delivery of sent) assert.deepEqual(JSON.parse((await post(url, delivery)).text), { received: true });
      const answerTo = async (delivery) => JSON.parse((await post(url, delivery)).text);
      assert.deepEqual(await answerTo(sent[7]), { received: true, duplicate: true }, 'the youngest is remembered');
      assert.deepEqual(await answerTo(sent[0]), { received: true }, 'the oldest was forgotten');
      // Remembered now: sent[6], sent[7], sent[0]. A redeploy keeps them.
      cb.name = 'redeployed';
      await nodeRed.deploy(flows);
      assert.deepEqual(await answerTo(sent[6]), { received: true, duplicate: true }, 'still remembered after a redeploy');
      assert.deepEqual(await answerTo(sent[5]), { received: true }, 'forgotten before the redeploy, forgotten after');

      const context = JSON.parse((await request(nodeRed.adminUrl('/context/global?store=memory'))).text);
      const ours = Object.keys(context.memory || context).filter((key) => key.startsWith('meetingbaas-'));
      assert.deepEqual(ours, ['meetingbaas-repeats-cb1'], 'one context key for the node, not one per delivery');
    });

    it('never answers "200 duplicate" for a delivery 100,000 deep that could not be copied to its second wire', async () => {
      // Output 1 and 4 each wired to two nodes: Node-RED copies the message for the second one.
      const nodes = [{ id: 'tab-deep', type: 'tab', label: 'deep' }, { id: 'acc-deep', type: 'meetingbaas-config', name: 'deep', baseUrl: '', credentials: ACCOUNT.credentials }];
      const wires = [[], [], [], []];
      for (const output of [0, 3]) {
        for (const copy of ['a', 'b']) {
          const id = `deep-${output}-${copy}`;
          wires[output].push(id);
          // A new message, so that the deep one is left as it is for the other wire.
          nodes.push({ id, type: 'function', z: 'tab-deep', outputs: 1, func: `return { payload: { output: ${output}, copy: '${copy}', deliveryId: msg.meetingbaas.deliveryId }, headers: { 'content-type': 'application/json' } };`, wires: [[`${id}-post`]] });
          nodes.push({ id: `${id}-post`, type: 'http request', z: 'tab-deep', method: 'POST', ret: 'txt', url: collector.url, wires: [[]] });
        }
      }
      nodes.push({ id: 'cb-deep', type: 'meetingbaas-callback', z: 'tab-deep', url: '/mb/deep', account: 'acc-deep', wires });
      await nodeRed.deploy(nodes);
      const url = nodeRed.nodeUrl('/mb/deep');
      const send = (text) => request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-mb-secret': SECRET }, body: text });
      const depth = 100_000;
      const text = JSON.stringify(deliveries.completed({ extra: '@@DEEP@@' })).replace('"@@DEEP@@"', `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
      const deliveryId = `sha256:${createHash('sha256').update(text).digest('hex')}`;

      // As Meeting BaaS does: up to 4 attempts while the answer is a 5xx.
      const answers = [];
      for (let attempt = 0; attempt < 4; attempt++) {
        const res = await send(text);
        answers.push({ status: res.status, body: res.text });
        if (!(res.status >= 500)) break;
      }
      // Whatever arrived by now: a small delivery sent after it reaches both copies last.
      const sentinel = JSON.stringify(deliveries.completed());
      assert.equal((await send(sentinel)).status, 200);
      const sentinelId = `sha256:${createHash('sha256').update(sentinel).digest('hex')}`;
      await collector.waitFor((r) => r.deliveryId === sentinelId, 2);

      const copies = new Set(collector.received.filter((r) => r.deliveryId === deliveryId).map((r) => r.copy));
      for (const answer of answers) {
        assert.ok(!/"duplicate":true/.test(answer.body), `answered ${answer.status} ${answer.body} after ${JSON.stringify(answers.map((a) => a.status))}: a delivery not handed to every wired node was remembered`);
        if (isAccepted(answer.status)) assert.deepEqual([...copies].sort(), ['a', 'b'], 'answered 2xx: both wired nodes have it');
      }
    });
  });

  describe('when a copy arrives while the first is undecided', () => {
    let nodeRed;
    before(async () => {
      nodeRed = await startNodeRed({}, { contextStoreModules: { held: path.join(__dirname, '..', '..', 'fixtures', 'held-context-store.js') } });
    });
    after(async () => {
      if (nodeRed) await nodeRed.stop();
    });

    it('does not answer it "200 duplicate" when the first then ends in 503', async () => {
      // The node remembers in a context store that holds every read until released: the first copy
      // stays undecided while the second arrives and while a deploy stops the node.
      const flows = callbackFlow({ collectorUrl: collector.url, account: ACCOUNT, direct: true, extra: { store: 'held' } });
      const cb = flows.find((n) => n.type === 'meetingbaas-callback');
      await nodeRed.deploy(flows);
      const url = nodeRed.nodeUrl('/mb/callback');
      const delivery = deliveries.failed({ data: { error_code: `UNDECIDED_${randomUUID()}` } });
      const isIt = (r) => r.payload.data && r.payload.data.error_code === delivery.data.error_code;

      const copy = () => post(url, delivery).then((res) => ({ ...res, at: Date.now() }));
      const copies = [copy(), copy()];
      cb.name = 'redeployed';
      await nodeRed.deploy(flows);
      const releasedAt = Date.now();
      const release = await request(nodeRed.adminUrl('/context/global/release-held-reads?store=held'), { method: 'DELETE' });
      assert.equal(release.status, 204, release.text);
      const answers = await Promise.all(copies);

      // Whatever arrived by now: a sentinel sent after it comes back last.
      const sentinel = deliveries.failed();
      assert.equal((await post(url, sentinel)).status, 200);
      await collector.waitFor((r) => r.payload.data && r.payload.data.bot_id === sentinel.data.bot_id);
      const delivered = collector.received.filter(isIt).length;
      for (const answer of answers) {
        if (isAccepted(answer.status)) assert.equal(delivered, 1, `a copy was answered ${answer.status} ${answer.text} but the delivery never reached the flow`);
      }
      assert.ok(answers.some((a) => a.status === 503), `the first was stopped by the deploy: ${answers.map((a) => a.status)}`);
      assert.ok(answers.every((a) => a.at >= releasedAt), 'the second copy waited for the first');

      // The sender retries the 503 and the delivery lands, once.
      const retry = await post(url, delivery);
      assert.equal(retry.status, 200);
      assert.deepEqual(JSON.parse(retry.text), delivered === 1 ? { received: true, duplicate: true } : { received: true });
      await collector.waitFor(isIt);
      const last = deliveries.failed();
      await post(url, last);
      await collector.waitFor((r) => r.payload.data && r.payload.data.bot_id === last.data.bot_id);
      assert.equal(collector.received.filter(isIt).length, 1);
    });
  });
});
