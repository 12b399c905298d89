'use strict';
// The catch-up of "callback in" in a real Node-RED, against the simulator's API stand-in: after a
// downtime longer than Meeting BaaS retries, the meetings that ended meanwhile reach the flow once,
// rebuilt from the API, and their late copies are repeats; one the flow already had is left out.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startNodeRed, request } = require('../../support/node-red');
const { startCollector } = require('../../support/collector');
const deliveries = require('../../fixtures/deliveries');
const simulator = require('../../../simulator');

const SECRET = 'catch-up-secret';
const API_KEY = 'catch-up-api-key';
const HOUR = 3600 * 1000;

describe('callback in: catch-up after a downtime, in a real Node-RED', function () {
  this.timeout(120000);
  let collector;
  let api;
  let nodeRed;
  before(async () => {
    collector = await startCollector();
    api = await simulator.ArtifactServer.start({ apiKey: API_KEY });
  });
  after(async () => {
    if (nodeRed) await nodeRed.stop();
    await api.close();
    await collector.close();
  });

  // Outputs 1 and 2 reported to the collector with what the catch-up sets on the message.
  function flow(callback = {}) {
    const report = (output) => ({
      id: `report${output}`,
      type: 'function',
      z: 'tab',
      outputs: 1,
      func: `msg.payload = { output: ${output}, botId: msg.meetingbaas.botId, recovered: msg.meetingbaas.recovered === true, verifiedBy: msg.meetingbaas.verifiedBy, deliveryId: msg.meetingbaas.deliveryId, extra: msg.payload.extra, errorCode: (msg.payload.data || {}).error_code || null };\nmsg.headers = { 'content-type': 'application/json' };\nreturn msg;`,
      wires: [[`post${output}`]],
    });
    const post = (output) => ({ id: `post${output}`, type: 'http request', z: 'tab', method: 'POST', ret: 'txt', url: collector.url, wires: [[]] });
    return [
      { id: 'tab', type: 'tab', label: 'catch-up' },
      { id: 'acc', type: 'meetingbaas-config', name: 'catch-up', baseUrl: api.baseUrl, credentials: { apiKey: API_KEY, callbackSecret: SECRET } },
      { id: 'cb', type: 'meetingbaas-callback', z: 'tab', url: '/mb/catch-up', account: 'acc', catchUp: true, wires: [['report0'], ['report1'], [], []], ...callback },
      report(0),
      report(1),
      post(0),
      post(1),
    ];
  }

  const send = (delivery) =>
    request(nodeRed.nodeUrl('/mb/catch-up'), { method: 'POST', headers: { 'content-type': 'application/json', 'x-mb-secret': SECRET }, body: JSON.stringify(delivery) });
  const checkpointFile = () => path.join(nodeRed.userDir, 'meetingbaas', 'catch-up', 'cb.json');
  const arrivals = (botId) => collector.received.filter((r) => r.botId === botId);

  it('recovers what ended while Node-RED was down, once, leaving out what it had and what ended before it existed', async () => {
    // Ended before the node first started, even counted from the checkpoint moved an hour back below.
    const beforeItExisted = api.api.addEndedBot({ status: 'completed', endedAt: new Date(Date.now() - 70 * 60 * 1000) });
    nodeRed = await startNodeRed();
    await nodeRed.deploy(flow());
    await nodeRed.waitForLog(/\[info\] Started flows/);
    // The first checkpoint is on disk once the node has looked (nothing to find yet).
    while (!fs.existsSync(checkpointFile())) await new Promise((resolve) => setTimeout(resolve, 20));

    // A meeting whose callback did arrive, then a crash, and an hour down: as if the node had
    // started and last looked an hour ago (the checkpoint it wrote, moved back).
    const had = deliveries.completed({ extra: {} });
    api.api.addEndedBot({ botId: had.data.bot_id, status: 'completed', endedAt: new Date(Date.now() - 50 * 60 * 1000) });
    assert.equal((await send(had)).status, 200);
    await collector.waitFor((r) => r.botId === had.data.bot_id);
    const { userDir } = nodeRed;
    await nodeRed.kill('SIGKILL');
    const saved = JSON.parse(fs.readFileSync(path.join(userDir, 'meetingbaas', 'catch-up', 'cb.json'), 'utf8'));
    fs.writeFileSync(path.join(userDir, 'meetingbaas', 'catch-up', 'cb.json'), JSON.stringify({ ...saved, coveredUntil: saved.coveredUntil - HOUR, upAt: saved.upAt - HOUR, since: saved.since - HOUR }));
    const completed = api.api.addEndedBot({ status: 'completed', endedAt: new Date(Date.now() - 40 * 60 * 1000), extra: { ticket: 'T-1' } });
    const failed = api.api.addEndedBot({ status: 'failed', endedAt: new Date(Date.now() - 20 * 60 * 1000), errorCode: 'CANNOT_JOIN_MEETING' });

    nodeRed = await startNodeRed({}, { userDir });
    const [recovered] = await collector.waitFor((r) => r.botId === completed.botId);
    assert.deepEqual(
      { output: recovered.output, recovered: recovered.recovered, verifiedBy: recovered.verifiedBy, extra: recovered.extra },
      { output: 0, recovered: true, verifiedBy: 'api', extra: { ticket: 'T-1' } },
    );
    assert.equal(recovered.deliveryId, `api:bot.completed:${completed.botId}`);
    const [recoveredFailed] = await collector.waitFor((r) => r.botId === failed.botId);
    assert.deepEqual({ output: recoveredFailed.output, errorCode: recoveredFailed.errorCode }, { output: 1, errorCode: 'CANNOT_JOIN_MEETING' });

    // Meeting BaaS's own copy, late: the same meeting, so a repeat.
    const late = deliveries.completed({ botId: completed.botId });
    assert.deepEqual(JSON.parse((await send(late)).text), { received: true, duplicate: true });
    const sentinel = deliveries.failed();
    assert.equal((await send(sentinel)).status, 200);
    await collector.waitFor((r) => r.botId === sentinel.data.bot_id);
    assert.equal(arrivals(completed.botId).length, 1);
    assert.equal(arrivals(failed.botId).length, 1);
    assert.equal(arrivals(had.data.bot_id).length, 1, 'the flow had it before the crash');
    assert.equal(arrivals(beforeItExisted.botId).length, 0, 'ended before the node first started');
  });

  it('looks again while it runs, and logs when the API refuses the key, without the key', async () => {
    // The same Node-RED: a deploy that looks every 1.2 s. Once the look at its start has moved the
    // checkpoint on, a meeting that ended 150 s ago shows up in the list: its callback never came
    // although Node-RED was up (a tunnel was down). Only a later look can find it.
    const deployedAt = Date.now();
    await nodeRed.deploy(flow({ catchUpMinutes: 0.02 }));
    const covered = () => JSON.parse(fs.readFileSync(checkpointFile(), 'utf8')).coveredUntil;
    while (covered() < deployedAt - 30 * 1000) await new Promise((resolve) => setTimeout(resolve, 20));
    const lost = api.api.addEndedBot({ status: 'completed', endedAt: new Date(Date.now() - 150 * 1000) });
    const [found] = await collector.waitFor((r) => r.botId === lost.botId, 1, 30000);
    assert.equal(found.recovered, true);

    const broken = flow({ catchUpMinutes: 0.02 });
    broken.find((n) => n.id === 'acc').credentials.apiKey = 'a-wrong-key';
    const from = nodeRed.log.length;
    await nodeRed.deploy(broken);
    await nodeRed.waitForLog(/\[warn\] \[meetingbaas-callback:[^\]]+\] The catch-up could not ask Meeting BaaS which meetings ended .*tries again in \d+ s/, from);
    assert.equal(nodeRed.log.includes('a-wrong-key'), false, 'the key is never logged');
  });

  it('warns, in its own words, when a look could not read the whole list of ended bots', async () => {
    // More bots than one look reads (40 pages of 250), all ending an hour from now: the API lists
    // them (ended_after is only a lower bound), and no look's window holds them, so none is sent.
    for (let i = 0; i < 10_050; i++) api.api.addEndedBot({ status: 'completed', endedAt: new Date(Date.now() + HOUR) });
    const from = nodeRed.log.length;
    await nodeRed.deploy(flow({ catchUpMinutes: 0.02 }));
    await nodeRed.waitForLog(/\[warn\] \[meetingbaas-callback:[^\]]+\] The catch-up is behind: more meetings ended since \d{4}-\d\d-\d\dT[\d:.]+Z than one look reads\./, from);
  });
});
