'use strict';
// What a real Node-RED does with deliveries that deviate from the documents, are unusable, or are
// nested too deep for Node-RED's own message handling: each reaches the output meant for it.
const assert = require('node:assert/strict');
const { randomUUID } = require('node:crypto');
const { startNodeRed, request } = require('../../support/node-red');
const { startCollector, callbackFlow } = require('../../support/collector');
const deliveries = require('../../fixtures/deliveries');

const CALLBACK_SECRET = 'callback-secret-for-delivery-tests';
const ACCOUNT = { credentials: { callbackSecret: CALLBACK_SECRET } };

describe('callback in, in a real Node-RED: usable, deviating, unusable and too deep deliveries', function () {
  this.timeout(120000);
  let nodeRed;
  let collector;

  function post(path, payload) {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    return request(nodeRed.nodeUrl(path), { method: 'POST', headers: { 'content-type': 'application/json', 'x-mb-secret': CALLBACK_SECRET }, body });
  }

  before(async () => {
    collector = await startCollector();
    nodeRed = await startNodeRed();
    const tolerant = callbackFlow({ collectorUrl: collector.url, account: ACCOUNT, url: '/mb/tolerant', tag: 'tolerant', id: 'cb-tolerant' });
    const strict = callbackFlow({ collectorUrl: collector.url, account: ACCOUNT, url: '/mb/strict', tag: 'strict', id: 'cb-strict', extra: { strict: true } })
      .filter((n) => n.type !== 'tab' && n.type !== 'meetingbaas-config');
    // Output 4 wired to a second reporter too: Node-RED clones the message for the second wire.
    const twice = callbackFlow({ collectorUrl: collector.url, account: ACCOUNT, url: '/mb/twice', tag: 'twice', id: 'cb-twice' })
      .filter((n) => n.type !== 'tab' && n.type !== 'meetingbaas-config');
    const second = twice.filter((n) => n.id === 'cb-twice-report3' || n.id === 'cb-twice-post3').map((n) => ({ ...n, id: `${n.id}-second` }));
    const secondReport = second.find((n) => n.type === 'function');
    secondReport.func = secondReport.func.replace('tag: "twice"', 'tag: "twice-second"');
    secondReport.wires = [['cb-twice-post3-second']];
    twice.find((n) => n.id === 'cb-twice').wires[3].push(secondReport.id);
    await nodeRed.deploy([...tolerant, ...strict, ...twice, ...second]);
  });

  after(async () => {
    if (nodeRed) await nodeRed.stop();
    if (collector) await collector.close();
  });

  beforeEach(() => collector.clear());

  it('sends a bot.completed with only event and bot_id to output 1, with its deviations listed', async () => {
    const botId = randomUUID();
    assert.equal((await post('/mb/tolerant', { event: 'bot.completed', data: { bot_id: botId } })).status, 200);
    const [report] = await collector.waitFor((r) => r.tag === 'tolerant');
    assert.equal(report.output, 0);
    assert.equal(report.meetingbaas.botId, botId);
    assert.deepEqual(report.meetingbaas.artifacts, {});
    const fields = report.meetingbaas.deviations.map((d) => d.field);
    assert.ok(fields.includes('data.sent_at') && fields.includes('data.transcription_ids'), fields.join());
  });

  it('sends a bot.failed with sent_at written +00:00 to output 2, and to output 4 with strict on', async () => {
    const delivery = deliveries.failed({ data: { sent_at: '2026-12-02T16:00:00+00:00' } });
    assert.equal((await post('/mb/tolerant', delivery)).status, 200);
    assert.equal((await post('/mb/strict', delivery)).status, 200);
    const [tolerant] = await collector.waitFor((r) => r.tag === 'tolerant');
    assert.equal(tolerant.output, 1);
    assert.deepEqual(tolerant.meetingbaas.deviations.map((d) => d.field), ['data.sent_at']);
    const [strict] = await collector.waitFor((r) => r.tag === 'strict');
    assert.equal(strict.output, 3);
    assert.equal(strict.meetingbaas.invalid.reason, 'schema');
    assert.equal(strict.meetingbaas.invalid.usable, true);
    assert.deepEqual(strict.meetingbaas.invalid.errors, tolerant.meetingbaas.deviations);
  });

  it('sends a bot.completed without a valid bot_id to output 4, the unusable problem first', async () => {
    const delivery = deliveries.completed();
    delivery.data.bot_id = 'examplebot_id';
    delivery.data.sent_at = '2026-12-02T16:00:00+00:00';
    assert.equal((await post('/mb/tolerant', delivery)).status, 200);
    const [report] = await collector.waitFor((r) => r.tag === 'tolerant');
    assert.equal(report.output, 3);
    assert.equal(report.meetingbaas.invalid.usable, false);
    const fields = report.meetingbaas.invalid.errors.map((e) => e.field);
    assert.equal(fields[0], 'data.bot_id');
    assert.equal(fields[fields.length - 1], 'data.sent_at', fields.join());
  });

  it('caps the error list of a delivery with thousands of broken participants', async () => {
    const delivery = deliveries.completed();
    delivery.data.participants = Array.from({ length: 24000 }, () => ({ name: 5, id: 'x', profile_picture: 3 }));
    assert.ok(JSON.stringify(delivery).length < 1024 * 1024);
    assert.equal((await post('/mb/strict', delivery)).status, 200);
    const [report] = await collector.waitFor((r) => r.tag === 'strict');
    assert.equal(report.output, 3);
    assert.equal(report.meetingbaas.invalid.errors.length, 50);
    assert.equal(report.meetingbaas.invalid.errorCountIsMinimum, true);
    assert.ok(report.meetingbaas.invalid.errorCount > 50);
  });

  it('sends JSON nested 100,000 deep to output 4 as text, once to each wired node, answered 200', async () => {
    const body = `{"event":"bot.completed","data":{"bot_id":"${randomUUID()}","extra":${'['.repeat(100000)}${']'.repeat(100000)}}}`;
    const res = await post('/mb/twice', body);
    assert.equal(res.status, 200, res.text);
    const reports = await collector.waitFor((r) => r.tag === 'twice' || r.tag === 'twice-second', 2);
    assert.deepEqual(reports.map((r) => r.tag).sort(), ['twice', 'twice-second']);
    for (const report of reports) {
      assert.equal(report.output, 3);
      assert.equal(report.meetingbaas.invalid.reason, 'too-deep');
      assert.equal(report.payload, body);
    }
    // The sentinel comes after: had the deep delivery produced any other message, it would be counted here.
    assert.equal((await post('/mb/twice', deliveries.failed())).status, 200);
    await collector.waitFor((r) => r.tag === 'twice' && r.output === 1);
    assert.equal(collector.received.length, 3, JSON.stringify(collector.received.map((r) => [r.tag, r.output])));
  });
});
