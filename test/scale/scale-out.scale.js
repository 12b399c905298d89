'use strict';
// Several Node-RED instances behind a load balancer: Redis and two real Node-RED processes (the
// package installed from its tarball) behind HAProxy, round robin, all started here on 127.0.0.1.
// Every meeting is sent several times at once through the balancer, as Meeting BaaS would: the
// callback, its retry with a changed sent_at, the signed account webhook and its retry. Each meeting
// must reach a flow exactly once across both instances. Then Redis is stopped mid-run and started
// again: no meeting may be lost, the only 5xx may be 503s (which the senders retry), and the
// duplicates of the outage are counted and reported.
const assert = require('node:assert/strict');
const http = require('node:http');
const { randomUUID } = require('node:crypto');
const { startNodeRed } = require('../support/node-red');
const { startRedis, redisServerPath } = require('../support/redis');
const { startHaproxy, haproxyPath } = require('../support/haproxy');
const { sendLikeMeetingBaas } = require('../support/meeting-baas-sender');
const deliveries = require('../fixtures/deliveries');

const MEETINGS = Number(process.env.SCALE_MEETINGS || 240);
const OUTAGE_MEETINGS = Number(process.env.SCALE_OUTAGE_MEETINGS || 240);
const CALLBACK_SECRET = 'scale-callback-secret';
const WEBHOOK_SECRET = deliveries.newWebhookSecret();
const PATH = '/mb/scale';

/** The same flow on every instance: the callback node, each output counted in global context. */
function flow(redisUrl) {
  const nodes = [
    { id: 'tab1', type: 'tab', label: 'scale-out' },
    { id: 'acc1', type: 'meetingbaas-config', name: 'scale', redisUrl, redisPrefix: 'scale:', credentials: { callbackSecret: CALLBACK_SECRET, webhookSecret: WEBHOOK_SECRET } },
  ];
  const wires = [];
  for (let output = 0; output < 4; output++) {
    wires.push([`count${output}`]);
    nodes.push({
      id: `count${output}`, type: 'function', z: 'tab1', outputs: 0, wires: [],
      func: `const sent = global.get('sent') || [];\nsent.push({ output: ${output}, event: msg.meetingbaas.event, botId: msg.meetingbaas.botId, by: msg.meetingbaas.verifiedBy });\nglobal.set('sent', sent);\nreturn null;`,
    });
  }
  nodes.push({ id: 'cb1', type: 'meetingbaas-callback', z: 'tab1', url: PATH, account: 'acc1', wires });
  nodes.push({ id: 'sent-in', type: 'http in', z: 'tab1', url: '/sent', method: 'get', wires: [['sent-fn']] });
  nodes.push({ id: 'sent-fn', type: 'function', z: 'tab1', outputs: 1, wires: [['sent-out']], func: "msg.payload = global.get('sent') || [];\nreturn msg;" });
  nodes.push({ id: 'sent-out', type: 'http response', z: 'tab1', statusCode: '200', wires: [] });
  return nodes;
}

/** One POST; resolves the status, rejects on a network error; at most 30 s, as Meeting BaaS waits. */
function postOnce(url, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers, agent: false, timeout: 30000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The copies of one meeting as Meeting BaaS sends them: the callback, the callback again with a
 * changed sent_at (retries rebuild the body), the account webhook signed by Svix, and the same
 * webhook message again (same svix-id, signed anew). `at`: ms after the meeting's start.
 */
function copiesOf(meeting) {
  const base = meeting.failed ? deliveries.failed({ botId: meeting.botId }) : deliveries.completed({ botId: meeting.botId });
  const withSentAt = (ms) => JSON.stringify({ ...base, data: { ...base.data, sent_at: new Date(meeting.sentAt + ms).toISOString() } });
  const callback = () => ({ 'content-type': 'application/json', ...deliveries.secretHeaders(CALLBACK_SECRET) });
  const messageId = `msg_${randomUUID().replace(/-/g, '')}`;
  const webhookBody = withSentAt(500);
  const webhook = () => ({ 'content-type': 'application/json', ...deliveries.svixHeaders(webhookBody, { secret: WEBHOOK_SECRET, id: messageId }) });
  return [
    { kind: 'callback', body: withSentAt(0), headers: callback },
    { kind: 'callback retry', body: withSentAt(1000), headers: callback },
    { kind: 'webhook', body: webhookBody, headers: webhook },
    { kind: 'webhook retry', body: webhookBody, headers: webhook },
  ];
}

function newMeetings(count) {
  return Array.from({ length: count }, (_, i) => ({ botId: randomUUID(), failed: i % 5 === 0, sentAt: Date.now() }));
}

describe('several Node-RED instances behind HAProxy, sharing Redis', function () {
  this.timeout(240000);
  let redis;
  const nodeReds = [];
  let haproxy;
  /** Every answer the senders saw, by status ('network' for a failed connection). */
  const answers = new Map();
  const noteAnswer = (status) => answers.set(status, (answers.get(status) || 0) + 1);

  before(async function () {
    if (redisServerPath() === null || haproxyPath() === null) {
      if (process.env.CI) throw new Error('redis-server and haproxy must be installed (.ci/run installs them)');
      this.skip();
    }
    // Append-only, as a production Redis would be: claims survive its restart.
    redis = await startRedis({ appendonly: true });
    for (let i = 0; i < 2; i++) {
      const nodeRed = await startNodeRed();
      nodeReds.push(nodeRed);
      await nodeRed.deploy(flow(redis.url));
    }
    haproxy = await startHaproxy(nodeReds.map((n) => n.port));
  });
  after(async () => {
    if (haproxy) await haproxy.stop();
    for (const nodeRed of nodeReds) await nodeRed.stop();
    if (redis) await redis.remove();
  });

  /** What reached the flows of both instances, as [instance 0's, instance 1's]. */
  async function sentOn() {
    return Promise.all(nodeReds.map(async (n) => JSON.parse(await new Promise((resolve, reject) => {
      http.get(n.nodeUrl('/sent'), { agent: false }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    }))));
  }

  /** Resolves once the count of messages has not changed for `quietMs`; fails after `timeoutMs`. */
  async function settled(quietMs = 1500, timeoutMs = 30000) {
    const until = Date.now() + timeoutMs;
    let last = -1;
    let since = Date.now();
    for (;;) {
      const total = (await sentOn()).flat().length;
      if (total !== last) {
        last = total;
        since = Date.now();
      } else if (Date.now() - since >= quietMs) {
        return sentOn();
      }
      if (Date.now() > until) throw new Error('the flows kept receiving messages');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** How many times each meeting reached a flow, across both instances. */
  function timesSent(meetings, perInstance) {
    const counts = new Map(meetings.map((m) => [m.botId, 0]));
    for (const entry of perInstance.flat()) if (counts.has(entry.botId)) counts.set(entry.botId, counts.get(entry.botId) + 1);
    return counts;
  }

  /** Sends every copy with Meeting BaaS's retries; resolves the final status of each. */
  function send(copy) {
    return sendLikeMeetingBaas(() => postOnce(haproxy.url(PATH), copy.body, copy.headers()), noteAnswer);
  }

  it(`sends each of ${MEETINGS} meetings on exactly once across both instances, however its copies land`, async () => {
    const meetings = newMeetings(MEETINGS);
    const finals = [];
    // 40 meetings at a time, the four copies of each at once.
    for (let i = 0; i < meetings.length; i += 40) {
      const batch = meetings.slice(i, i + 40);
      finals.push(...(await Promise.all(batch.flatMap((m) => copiesOf(m).map(send)))));
    }
    const perInstance = await settled();
    const counts = timesSent(meetings, perInstance);
    const byTimes = {};
    for (const n of counts.values()) byTimes[n] = (byTimes[n] || 0) + 1;
    const fromEach = perInstance.map((sent) => sent.filter((e) => counts.has(e.botId)).length);
    console.log(`      ${meetings.length} meetings × 4 copies; answers ${JSON.stringify(Object.fromEntries(answers))}; ` +
      `meetings by times sent on ${JSON.stringify(byTimes)}; sent on by instance ${fromEach.join('/')}`);
    assert.deepEqual(byTimes, { 1: meetings.length }, 'every meeting exactly once');
    assert.ok(fromEach.every((n) => n > meetings.length / 5), `both instances take their share: ${fromEach}`);
    assert.ok(finals.every((f) => f.status === 200), 'every copy ends answered 200');
    for (const status of answers.keys()) assert.ok(status === 200 || status === 503, `only 200 and 503: ${status}`);
  });

  it(`loses none of ${OUTAGE_MEETINGS} meetings when Redis stops mid-run and comes back, and counts the duplicates`, async () => {
    answers.clear();
    const meetings = newMeetings(OUTAGE_MEETINGS);
    const logFrom = nodeReds.map((n) => n.log.length);
    const firstSentAt = new Map();
    const started = Date.now();
    const spreadMs = 8000;
    const offsets = [0, 100, 1000, 1500];
    const sending = meetings.map(async (meeting, i) => {
      await new Promise((resolve) => setTimeout(resolve, (i * spreadMs) / meetings.length));
      return Promise.all(copiesOf(meeting).map(async (copy, c) => {
        await new Promise((resolve) => setTimeout(resolve, offsets[c]));
        if (!firstSentAt.has(meeting.botId)) firstSentAt.set(meeting.botId, Date.now());
        return send(copy);
      }));
    });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const stoppedAt = Date.now();
    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await redis.start();
    const restartedAt = Date.now();
    await Promise.all(nodeReds.map((n, i) => n.waitForLog(/The shared store \S+ answers again/, logFrom[i], 20000)));
    const backAt = Date.now();
    const finals = (await Promise.all(sending)).flat();
    const perInstance = await settled();

    const counts = timesSent(meetings, perInstance);
    const lost = meetings.filter((m) => counts.get(m.botId) === 0);
    const duplicated = meetings.filter((m) => counts.get(m.botId) > 1);
    // Meetings with copies on their way while Redis was away: the only ones that may be duplicated.
    const exposed = new Set(meetings.filter((m) => firstSentAt.get(m.botId) + offsets.at(-1) + 1000 >= stoppedAt && firstSentAt.get(m.botId) <= backAt + 1000).map((m) => m.botId));
    const outageLogs = nodeReds.map((n, i) => (n.log.slice(logFrom[i]).match(/The shared store \S+ cannot be used/g) || []).length);
    const statuses = Object.fromEntries(answers);
    console.log(`      ${meetings.length} meetings × 4 copies over ${spreadMs / 1000} s; Redis stopped at ${((stoppedAt - started) / 1000).toFixed(1)} s, ` +
      `started at ${((restartedAt - started) / 1000).toFixed(1)} s, claims resumed on both at ${((backAt - started) / 1000).toFixed(1)} s`);
    console.log(`      answers ${JSON.stringify(statuses)}; lost ${lost.length}; duplicated ${duplicated.length} ` +
      `(extra copies sent on: ${duplicated.reduce((a, m) => a + counts.get(m.botId) - 1, 0)}) of ${exposed.size} meetings in flight during the outage; ` +
      `outage logged ${outageLogs.join('/')} time(s)`);
    assert.deepEqual(lost.map((m) => m.botId), [], 'no meeting lost');
    assert.ok(finals.every((f) => f.status === 200), `every copy ends answered 200: ${JSON.stringify(finals.filter((f) => f.status !== 200).slice(0, 5))}`);
    for (const status of answers.keys()) {
      assert.ok(status === 'network' ? false : status < 500 || status === 503, `no 5xx but 503, no network error: ${status}`);
    }
    assert.deepEqual(duplicated.filter((m) => !exposed.has(m.botId)).map((m) => m.botId), [], 'duplicates only among meetings sent during the outage');
    assert.deepEqual(outageLogs, [1, 1], 'each instance logs the outage once');
  });
});
