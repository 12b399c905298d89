'use strict';
// The journal of "callback in" in a real Node-RED killed with SIGKILL after answering 200: what the
// flow had not finished is sent again when Node-RED starts on the same user directory, what it had
// finished is not, a delivery that never finishes is parked, and with the journal off nothing is kept.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startNodeRed, request } = require('../../support/node-red');
const { startCollector } = require('../../support/collector');
const deliveries = require('../../fixtures/deliveries');

const SECRET = 'journal-secret';

/**
 * callback in → "work" → meeting done → report "finished". "work" reports each arrival, and holds
 * (never passes on) the first sending of a delivery whose `extra.hold` is "first", and every sending
 * of one whose `extra.hold` is "always": the flow is still busy with it when Node-RED dies.
 * Output 2 (bot.failed) leads to a node that holds everything but to no finishing node.
 */
function flow(collectorUrl, callback = {}) {
  const post = (id) => ({ id, type: 'http request', z: 'tab', method: 'POST', ret: 'txt', url: collectorUrl, wires: [[]] });
  const report = (stage) =>
    `{ payload: { stage: '${stage}', botId: msg.meetingbaas.botId, redelivered: msg.meetingbaas.redelivered === undefined ? null : msg.meetingbaas.redelivered, journal: msg.meetingbaas.journal || null }, headers: { 'content-type': 'application/json' } }`;
  return [
    { id: 'tab', type: 'tab', label: 'journal' },
    { id: 'acc', type: 'meetingbaas-config', name: 'journal', baseUrl: '', credentials: { callbackSecret: SECRET } },
    { id: 'cb', type: 'meetingbaas-callback', z: 'tab', url: '/mb/journal', account: 'acc', wires: [['work'], ['busy'], [], []], ...callback },
    {
      id: 'work',
      type: 'function',
      z: 'tab',
      outputs: 2,
      func: `const hold = (msg.payload.extra || {}).hold;\nconst first = msg.meetingbaas.redelivered === undefined;\nconst arrived = ${report('arrived')};\nif (hold === 'always' || (hold === 'first' && first)) return [arrived, null];\nreturn [arrived, msg];`,
      wires: [['post-arrived'], ['done']],
    },
    { id: 'done', type: 'meetingbaas-done', z: 'tab', wires: [['finished']] },
    { id: 'finished', type: 'function', z: 'tab', outputs: 1, func: `return ${report('finished')};`, wires: [['post-finished']] },
    { id: 'busy', type: 'function', z: 'tab', outputs: 1, func: `node.send(${report('arrived')});\nreturn null;`, wires: [['post-busy']] },
    post('post-arrived'),
    post('post-finished'),
    post('post-busy'),
  ];
}

describe('callback in: the journal, in a real Node-RED killed after answering 200', function () {
  this.timeout(120000);
  let collector;
  let nodeRed;
  before(async () => {
    collector = await startCollector();
  });
  after(async () => {
    if (nodeRed) await nodeRed.stop();
    await collector.close();
  });
  beforeEach(() => collector.clear());
  afterEach(async () => {
    if (nodeRed) await nodeRed.stop();
    nodeRed = null;
  });

  const reports = (botId, stage) => collector.received.filter((r) => r.botId === botId && r.stage === stage);
  const send = (delivery) =>
    request(nodeRed.nodeUrl('/mb/journal'), { method: 'POST', headers: { 'content-type': 'application/json', 'x-mb-secret': SECRET }, body: JSON.stringify(delivery) });

  async function started(callback) {
    nodeRed = await startNodeRed();
    await nodeRed.deploy(flow(collector.url, callback));
  }

  /** SIGKILL, then Node-RED started again on the same user directory, flows and journal. */
  async function crashAndRestart() {
    const { userDir } = nodeRed;
    await nodeRed.kill('SIGKILL');
    nodeRed = await startNodeRed({}, { userDir });
  }

  /**
   * A delivery that goes straight through to meeting done, sent after a restart: once it is
   * finished, whatever the journal sent again at the start has arrived too (it left first).
   */
  async function sentinel() {
    const delivery = deliveries.completed({ extra: {} });
    assert.equal((await send(delivery)).status, 200);
    await collector.waitFor((r) => r.botId === delivery.data.bot_id && r.stage === 'finished');
  }

  it('sends an unfinished delivery again after SIGKILL, with the attempt number, and a finished one not', async () => {
    await started();
    const busy = deliveries.completed({ extra: { hold: 'first' } });
    const quick = deliveries.completed({ extra: {} });
    for (const delivery of [busy, quick]) assert.deepEqual(JSON.parse((await send(delivery)).text), { received: true });
    await collector.waitFor((r) => r.botId === busy.data.bot_id && r.stage === 'arrived');
    await collector.waitFor((r) => r.botId === quick.data.bot_id && r.stage === 'finished');
    assert.ok(fs.statSync(path.join(nodeRed.userDir, 'meetingbaas', 'journals', 'cb.journal')).size > 0, 'the journal is in the user directory');

    await crashAndRestart();
    const [again] = await collector.waitFor((r) => r.botId === busy.data.bot_id && r.stage === 'finished');
    assert.equal(again.redelivered, 1);
    await sentinel();
    assert.deepEqual(reports(busy.data.bot_id, 'arrived').map((r) => r.redelivered), [null, 1]);
    assert.equal(reports(quick.data.bot_id, 'arrived').length, 1, 'finished before the crash: not sent again');

    // Finished by meeting done after the restart: the next crash sends nothing again.
    await crashAndRestart();
    await sentinel();
    assert.deepEqual(reports(busy.data.bot_id, 'arrived').map((r) => r.redelivered), [null, 1]);
    // And a copy the sender retries now is still a repeat, though the repeat memory was in memory only.
    assert.deepEqual(JSON.parse((await send(quick)).text), { received: true, duplicate: true });
  });

  it('parks a delivery the flow never finishes after "maxRedeliveries" attempts, naming the bot', async () => {
    await started({ maxRedeliveries: 1 });
    const stuck = deliveries.completed({ extra: { hold: 'always' } });
    assert.equal((await send(stuck)).status, 200);
    await collector.waitFor((r) => r.botId === stuck.data.bot_id && r.stage === 'arrived');
    await crashAndRestart();
    await collector.waitFor((r) => r.botId === stuck.data.bot_id && r.stage === 'arrived', 2);
    await crashAndRestart();
    await nodeRed.waitForLog(new RegExp(`\\[warn\\] \\[meetingbaas-callback:[^\\]]+\\] The bot.completed of bot ${stuck.data.bot_id} was sent again 1 times .* parked`));
    await sentinel();
    assert.deepEqual(reports(stuck.data.bot_id, 'arrived').map((r) => r.redelivered), [null, 1], 'parked: not sent a third time');
  });

  it('finishes a delivery when it is handed over where no finishing node follows', async () => {
    await started();
    const failed = deliveries.failed();
    assert.equal((await send(failed)).status, 200);
    await collector.waitFor((r) => r.botId === failed.data.bot_id && r.stage === 'arrived');
    await crashAndRestart();
    await sentinel();
    assert.equal(reports(failed.data.bot_id, 'arrived').length, 1);
  });

  it('keeps nothing with the journal off', async () => {
    await started({ journal: false });
    const busy = deliveries.completed({ extra: { hold: 'first' } });
    assert.equal((await send(busy)).status, 200);
    const [arrived] = await collector.waitFor((r) => r.botId === busy.data.bot_id && r.stage === 'arrived');
    assert.equal(arrived.journal, null, 'no journal reference on the message');
    await crashAndRestart();
    await sentinel();
    assert.equal(reports(busy.data.bot_id, 'arrived').length, 1);
    assert.equal(fs.existsSync(path.join(nodeRed.userDir, 'meetingbaas', 'journals', 'cb.journal')), false);
  });
});
