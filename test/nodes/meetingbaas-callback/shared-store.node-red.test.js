'use strict';
// "callback in" with a shared store (Redis) in the account, in a real Node-RED: what it writes to
// Redis, how it treats claims another instance holds, and what it does while Redis is away.
// The other instance is played by this test, writing to Redis as the node would.
const assert = require('node:assert/strict');
const { createClient } = require('@redis/client');
const { startNodeRed, request } = require('../../support/node-red');
const { startCollector } = require('../../support/collector');
const { startRedis, redisServerPath } = require('../../support/redis');
const deliveries = require('../../fixtures/deliveries');

const SECRET = 'shared-store-secret';
const REDIS_PASSWORD = 'redis-pass-never-logged';
const PREFIX = 'mbtest:';

function post(url, delivery) {
  return request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-mb-secret': SECRET }, body: JSON.stringify(delivery) });
}

/** Callback node `cb1` on /mb/shared, every output posting its payload to the collector. */
function flow(collectorUrl, redisUrl) {
  const nodes = [
    { id: 'tab1', type: 'tab', label: 'shared store' },
    { id: 'acc1', type: 'meetingbaas-config', name: 'shared', redisUrl, redisPrefix: PREFIX, credentials: { callbackSecret: SECRET, redisPassword: REDIS_PASSWORD } },
  ];
  const wires = [];
  for (let output = 0; output < 4; output++) {
    wires.push([`post${output}`]);
    nodes.push({ id: `post${output}`, type: 'http request', z: 'tab1', method: 'POST', ret: 'txt', url: `${collectorUrl}/${output}`, wires: [[]] });
  }
  nodes.push({ id: 'cb1', type: 'meetingbaas-callback', z: 'tab1', url: '/mb/shared', account: 'acc1', wires });
  return nodes;
}

describe('callback in with a shared store (Redis), in a real Node-RED', function () {
  this.timeout(120000);
  let redis;
  let inspect;
  let collector;
  let nodeRed;
  let url;

  before(async function () {
    if (redisServerPath() === null) {
      if (process.env.CI) throw new Error('redis-server is not installed');
      this.skip();
    }
    redis = await startRedis({ password: REDIS_PASSWORD });
    inspect = createClient({ url: redis.url, password: REDIS_PASSWORD });
    inspect.on('error', () => {});
    await inspect.connect();
    collector = await startCollector();
    nodeRed = await startNodeRed();
    await nodeRed.deploy(flow(collector.url, redis.url));
    url = nodeRed.nodeUrl('/mb/shared');
  });
  after(async () => {
    if (inspect) inspect.destroy();
    if (nodeRed) await nodeRed.stop();
    if (collector) await collector.close();
    if (redis) await redis.remove();
  });
  beforeEach(() => collector.clear());

  const sentOn = (botId) => collector.received.filter((r) => r.payload && r.payload.data && r.payload.data.bot_id === botId);

  it('claims each delivery and its meeting in Redis, for their windows', async () => {
    const delivery = deliveries.completed();
    const botId = delivery.data.bot_id;
    const first = await post(url, delivery);
    assert.equal(first.status, 200, first.text);
    await collector.waitFor((r) => r.payload.data && r.payload.data.bot_id === botId);
    const meetingKey = `${PREFIX}cb1:meeting:bot.completed:${botId}`;
    // The node settles the claim in Redis after answering; on a busy machine the report can come first.
    const deadline = Date.now() + 5000;
    while ((await inspect.get(meetingKey)) !== 's' && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await inspect.get(meetingKey), 's', 'settled once accepted');
    const meetingTtl = await inspect.pTTL(meetingKey);
    assert.ok(meetingTtl > 29 * 60 * 1000 && meetingTtl <= 30 * 60 * 1000, `meeting window ${meetingTtl} ms`);
    const deliveryKeys = await inspect.keys(`${PREFIX}cb1:sha256:*`);
    assert.ok(deliveryKeys.length >= 1);
    assert.ok((await inspect.pTTL(deliveryKeys[0])) > 5 * 3600 * 1000, 'deliveries: the 6 h window');

    // The retry with a new sent_at is another delivery of the same meeting.
    const retry = await post(url, { ...delivery, data: { ...delivery.data, sent_at: new Date(Date.now() + 1000).toISOString() } });
    assert.deepEqual(JSON.parse(retry.text), { received: true, duplicate: true });
    assert.equal(sentOn(botId).length, 1);
  });

  it('answers a repeat for a meeting another instance accepted, and 503 while another is still deciding', async () => {
    const settled = deliveries.failed();
    await inspect.set(`${PREFIX}cb1:meeting:bot.failed:${settled.data.bot_id}`, 's', { expiration: { type: 'PX', value: 60000 } });
    const repeat = await post(url, settled);
    assert.deepEqual(JSON.parse(repeat.text), { received: true, duplicate: true });

    const pending = deliveries.failed();
    const key = `${PREFIX}cb1:meeting:bot.failed:${pending.data.bot_id}`;
    await inspect.set(key, 'p:another-instance', { expiration: { type: 'PX', value: 60000 } });
    const started = Date.now();
    const busy = await post(url, pending);
    const waited = Date.now() - started;
    assert.equal(busy.status, 503, busy.text);
    assert.ok(busy.headers['retry-after'], 'the sender is told when to retry');
    assert.ok(waited >= 900 && waited < 3000, `waited ${waited} ms for the other instance`);
    // The other instance failed and forgot it: the sender's retry gets through here.
    await inspect.del(key);
    const retried = await post(url, pending);
    assert.deepEqual(JSON.parse(retried.text), { received: true });
    await collector.waitFor((r) => r.payload.data && r.payload.data.bot_id === pending.data.bot_id);
    assert.equal(sentOn(settled.data.bot_id).length, 0);
  });

  it('accepts every delivery while Redis is down, says so once, and resumes claiming when it is back', async () => {
    const from = nodeRed.log.length;
    await redis.stop();
    const during = Array.from({ length: 10 }, () => deliveries.completed());
    for (const delivery of during) {
      const started = Date.now();
      const res = await post(url, delivery);
      assert.equal(res.status, 200, res.text);
      assert.ok(Date.now() - started < 2000, 'no long wait for Redis');
    }
    // A copy of a meeting this instance accepted while Redis was down: it knows, without Redis.
    const copy = await post(url, { ...during[0], data: { ...during[0].data, sent_at: new Date(Date.now() + 5000).toISOString() } });
    assert.deepEqual(JSON.parse(copy.text), { received: true, duplicate: true });
    await collector.waitFor(() => true, 10);
    const log = () => nodeRed.log.slice(from);
    assert.equal(log().match(/The shared store redis:\/\/127\.0\.0\.1:\d+ cannot be used/g).length, 1, log());

    await redis.start();
    const after = deliveries.completed();
    const deadline = Date.now() + 15000;
    // Reconnects by itself; the first claims after it are checked again.
    await nodeRed.waitForLog(/The shared store redis:\/\/127\.0\.0\.1:\d+ answers again; 11 delivery\(s\) could not be checked/, from, 15000);
    assert.equal((await post(url, after)).status, 200);
    // What was accepted meanwhile is in Redis now, for the other instances.
    const key = `${PREFIX}cb1:meeting:bot.completed:${during[1].data.bot_id}`;
    const deadlineRecorded = Date.now() + 5000;
    while ((await inspect.get(key).catch(() => null)) !== 's' && Date.now() < deadlineRecorded) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await inspect.get(key), 's');
    const repeat = await post(url, { ...after, data: { ...after.data, sent_at: new Date(Date.now() + 1000).toISOString() } });
    assert.deepEqual(JSON.parse(repeat.text), { received: true, duplicate: true });
    assert.ok(Date.now() < deadline);
    assert.doesNotMatch(nodeRed.log, new RegExp(REDIS_PASSWORD), 'the password never reaches the log');
  });

  it('keeps answering promptly when Redis stops answering (connected but silent)', async () => {
    redis.pause();
    try {
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 20 }, () => post(url, deliveries.completed())));
      const took = Date.now() - started;
      assert.deepEqual([...new Set(answers.map((a) => a.status))], [200]);
      assert.ok(took < 5000, `20 deliveries answered in ${took} ms`);
    } finally {
      redis.resume();
    }
    // A second outage within a minute is not logged again (a Redis that comes and goes must not
    // flood the log), so resumed claiming shows in the answers: a copy is a repeat again.
    const until = Date.now() + 15000;
    for (;;) {
      const delivery = deliveries.completed();
      await post(url, delivery);
      const copy = await post(url, { ...delivery, data: { ...delivery.data, sent_at: new Date(Date.now() + 1000).toISOString() } });
      if (JSON.parse(copy.text).duplicate) break;
      assert.ok(Date.now() < until, 'claims resume after Redis answers again');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
});
