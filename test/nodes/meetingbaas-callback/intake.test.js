'use strict';
// The intake of a callback node, called directly: a real journal on disk, real repeat claims, the
// real authenticator; only Node-RED's send is stood in for, by a function that records what the
// flow would have received and says whether the wired nodes got it.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Intake, RECEIVED, DUPLICATE, NOT_SAVED, INTERNAL_ERROR, UNAUTHORIZED } = require('../../../nodes/meetingbaas-callback/intake');
const { RESTARTING } = require('../../../nodes/meetingbaas-callback/endpoints');
const { JournaledDeliveries } = require('../../../nodes/meetingbaas-callback/journaling');
const { DeliveryAuthenticator } = require('../../../lib/delivery/authentication');
const { BoundedClaims, RepeatFilter } = require('../../../lib/delivery/repeats');
const { reportFinished } = require('../../../nodes/shared/finishing');
const deliveries = require('../../fixtures/deliveries');

const SECRET = 'intake-test-secret';
const HEADERS = { 'content-type': 'application/json', ...deliveries.secretHeaders(SECRET) };
const bytesOf = (payload) => Buffer.from(JSON.stringify(payload), 'utf8');

/** A flow in which output 1 leads to a meeting done node (deliveries there wait for it) and output 3 to nothing. */
const FLOW = (nodeId) => [
  { id: nodeId, type: 'meetingbaas-callback', wires: [['work'], [], [], []] },
  { id: 'work', type: 'function', wires: [['done']] },
  { id: 'done', type: 'meetingbaas-done', wires: [] },
];

let nodeCount = 0;
const opened = [];

/** What the intake told its node. */
function recorder() {
  const told = { rejected: [], repeats: 0, delivered: [], failed: [] };
  return {
    told,
    rejected: (reason) => told.rejected.push(reason),
    repeat: () => (told.repeats += 1),
    delivered: (routed, how) => told.delivered.push({ how, output: routed.output, event: routed.message.meetingbaas.event }),
    failed: (error) => told.failed.push(error),
  };
}

/**
 * A callback node's parts around one intake. `sending(routed)` decides what send answers (default:
 * the wired nodes got it, on the next turn of the event loop, as in Node-RED).
 */
async function setUp({ nodeId, file, claims, inFlow, sending } = {}) {
  nodeCount += 1;
  const id = nodeId ?? `intake-${nodeCount}`;
  const journalFile = file ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mb-intake-')), 'node.journal');
  const events = recorder();
  const sent = [];
  const waiting = [];
  /** Resolves once `count` deliveries have been sent. */
  const sentCount = (count) => new Promise((resolve) => {
    const check = () => (sent.length >= count ? resolve() : waiting.push(check));
    check();
  });
  const problems = [];
  let intake = null;
  const journal = await JournaledDeliveries.open(
    { nodeId: id, file: journalFile, retentionMs: 3600_000, maxRedeliveries: 3 },
    {
      redeliver: (entry, text, attempt) => void intake.redeliver(entry, text, attempt),
      parked: () => undefined,
      problem: (code, detail) => problems.push(`${code}:${detail}`),
    },
  );
  opened.push(journal);
  const repeats = claims?.repeats ?? new RepeatFilter(new BoundedClaims(100), 3600_000);
  const meetings = claims?.meetings ?? new RepeatFilter(new BoundedClaims(100), 1800_000);
  intake = new Intake({
    nodeId: id,
    authenticator: new DeliveryAuthenticator({ callbackSecret: SECRET }),
    journal: Promise.resolve(journal),
    repeats,
    meetings,
    // Claims handed over are those of the node's instance before (a redeploy).
    claimsKnowJournal: claims !== undefined,
    send: (routed) => {
      sent.push(routed);
      for (const check of waiting.splice(0)) check();
      if (sending) return sending(routed);
      return new Promise((resolve) => setImmediate(() => resolve(true)));
    },
    restarting: () => false,
    inFlow: inFlow ?? new Set(),
    routing: {},
    events,
  });
  return { id, intake, journal, journalFile, sent, sentCount, told: events.told, problems, claims: { repeats, meetings } };
}

describe('the intake of a callback node', function () {
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((journal) => journal.close(false)));
  });

  it('keeps a delivery on disk, then sends it, and only then answers 200', async () => {
    const order = [];
    let node;
    node = await setUp({
      sending: (routed) => {
        const onDisk = fs.readFileSync(node.journalFile, 'utf8').includes(routed.message.meetingbaas.deliveryId);
        order.push(onDisk ? 'sent after the journal had it' : 'sent before the journal had it');
        return new Promise((resolve) => setImmediate(() => resolve(true)));
      },
    });
    await node.intake.flowsStarted(() => FLOW(node.id));
    const payload = deliveries.completed();
    const answer = node.intake.receive(HEADERS, bytesOf(payload)).then((a) => {
      order.push('answered');
      return a;
    });
    assert.deepEqual(await answer, RECEIVED);
    assert.deepEqual(order, ['sent after the journal had it', 'answered']);
    const message = node.sent[0].message;
    assert.equal(node.sent[0].output, 0);
    assert.deepEqual(message.payload, payload);
    assert.equal(message.meetingbaas.verifiedBy, 'secret');
    assert.deepEqual(message.meetingbaas.journal, { node: node.id, entry: 1 });
    assert.deepEqual(node.told.delivered, [{ how: 'received', output: 0, event: 'bot.completed' }]);
    assert.equal(node.journal.counts().unfinished, 1, 'in the flow until meeting done says it is finished');
    reportFinished(message);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(node.journal.counts().unfinished, 0);
  });

  it('answers a repeat 200 duplicate without sending it, whether the same body, a copy of its meeting, or one that came meanwhile', async () => {
    let release;
    const node = await setUp({
      sending: () => new Promise((resolve) => (release = () => resolve(true))),
    });
    const payload = deliveries.completed();
    const first = node.intake.receive(HEADERS, bytesOf(payload));
    // The sender retries while the first is still on its way to the flow: it waits for the first's outcome.
    await node.sentCount(1);
    const meanwhile = node.intake.receive(HEADERS, bytesOf(payload));
    release();
    assert.deepEqual(await first, RECEIVED);
    assert.deepEqual(await meanwhile, DUPLICATE);

    const again = node.intake.receive(HEADERS, bytesOf(payload));
    const sameMeeting = { ...payload, data: { ...payload.data, sent_at: '2026-11-27T10:00:00Z' } };
    const copy = node.intake.receive(HEADERS, bytesOf(sameMeeting));
    assert.deepEqual(await again, DUPLICATE);
    assert.deepEqual(await copy, DUPLICATE);
    assert.equal(node.sent.length, 1, 'sent once');
    assert.equal(node.told.repeats, 3);
    assert.equal(node.journal.entries().length, 1, 'repeats are not journaled');
  });

  it('refuses a delivery without the secret with 401, before or after the body, and sends nothing', async () => {
    const node = await setUp();
    const forged = { 'content-type': 'application/json', ...deliveries.secretHeaders('not-the-secret') };
    assert.deepEqual(node.intake.beforeBody(forged), UNAUTHORIZED);
    assert.equal(node.intake.beforeBody(HEADERS), null);
    assert.deepEqual(await node.intake.receive(forged, bytesOf(deliveries.completed())), UNAUTHORIZED);
    assert.deepEqual(node.told.rejected, ['bad-secret', 'bad-secret']);
    assert.deepEqual(node.sent, []);
    assert.equal(node.journal.entries().length, 0);
  });

  it('releases the claims when the flow did not get the delivery, so that the sender\'s retry gets through', async () => {
    const outcomes = [
      // A deploy stopped the wired nodes between the send and the handover: the message is gone.
      () => Promise.resolve(false),
      () => Promise.reject(new Error('the flow threw')),
    ];
    const node = await setUp({ sending: () => (outcomes.length > 0 ? outcomes.shift()() : Promise.resolve(true)) });
    const payload = deliveries.completed();

    const stopped = await node.intake.receive(HEADERS, bytesOf(payload));
    assert.deepEqual(stopped, RESTARTING);
    assert.equal(stopped.headers['Retry-After'], '2');
    const failed = await node.intake.receive(HEADERS, bytesOf(payload));
    assert.deepEqual(failed, INTERNAL_ERROR);
    assert.match(String(node.told.failed[0]), /the flow threw/);
    assert.deepEqual(await node.intake.receive(HEADERS, bytesOf(payload)), RECEIVED);

    assert.equal(node.sent.length, 3, 'each retry was sent on');
    assert.equal(node.told.repeats, 0);
    assert.equal(node.told.delivered.length, 1);
    // The attempts that failed left no entry to send again after a restart: their sender retried.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(node.journal.entries().map((e) => e.seq), [3]);
  });

  it('answers 503 without sending when the journal cannot write, and takes the retry once it can', async () => {
    const node = await setUp();
    await node.journal.close(false);
    const payload = deliveries.completed();
    assert.deepEqual(await node.intake.receive(HEADERS, bytesOf(payload)), NOT_SAVED);
    assert.deepEqual(node.sent, []);
    assert.match(node.problems[0], /^write-failed:/);

    const back = await setUp({ file: node.journalFile, nodeId: node.id, claims: node.claims });
    assert.deepEqual(await back.intake.receive(HEADERS, bytesOf(payload)), RECEIVED);
    assert.equal(back.sent.length, 1);
  });

  it('sends again after a restart what the flow had not finished, with the attempt, and nothing finished', async () => {
    const node = await setUp();
    await node.intake.flowsStarted(() => FLOW(node.id));
    const unfinished = deliveries.completed();
    assert.deepEqual(await node.intake.receive(HEADERS, bytesOf(unfinished)), RECEIVED);
    // Output 3 leads nowhere: finished on handover.
    assert.deepEqual(await node.intake.receive(HEADERS, bytesOf(deliveries.statusChange())), RECEIVED);
    await node.journal.close(false);

    // Node-RED starts again: nothing is in the flow any more.
    const restarted = await setUp({ nodeId: node.id, file: node.journalFile });
    // Resolves once every unfinished entry has been handed to the intake again.
    await restarted.intake.flowsStarted(() => FLOW(node.id));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(restarted.sent.length, 1);
    const { payload, meetingbaas } = restarted.sent[0].message;
    assert.deepEqual(payload, unfinished);
    assert.equal(meetingbaas.redelivered, 1);
    assert.deepEqual(meetingbaas.journal, { node: node.id, entry: 1 });
    assert.equal(meetingbaas.verifiedBy, 'secret');
    assert.deepEqual(restarted.told.delivered, [{ how: 'redelivered', output: 0, event: 'bot.completed' }]);
  });

  it('takes a sender\'s retry of what the journal holds, or a copy of its meeting, as a repeat after a restart', async () => {
    const node = await setUp();
    const payload = deliveries.completed();
    assert.deepEqual(await node.intake.receive(HEADERS, bytesOf(payload)), RECEIVED);
    await node.journal.close(false);

    // Node-RED starts again: the claims in memory are new, the journal is not.
    const restarted = await setUp({ nodeId: node.id, file: node.journalFile });
    const copy = { ...payload, data: { ...payload.data, sent_at: '2026-11-27T10:00:00Z' } };
    assert.deepEqual(await restarted.intake.receive(HEADERS, bytesOf(payload)), DUPLICATE);
    assert.deepEqual(await restarted.intake.receive(HEADERS, bytesOf(copy)), DUPLICATE);
    assert.deepEqual(restarted.sent, []);
  });

  it('does not send again what the flow still works on after a redeploy of the callback node alone, but does after one of the nodes further down', async () => {
    const inFlow = new Set();
    const node = await setUp({ inFlow });
    await node.intake.flowsStarted(() => FLOW(node.id));
    assert.deepEqual(await node.intake.receive(HEADERS, bytesOf(deliveries.completed())), RECEIVED);
    assert.deepEqual([...inFlow], [1]);
    node.intake.close();
    await node.journal.close(false);

    const redeployed = await setUp({ nodeId: node.id, file: node.journalFile, inFlow });
    await redeployed.intake.flowsStarted(() => FLOW(node.id));
    assert.deepEqual(redeployed.sent, [], 'still with the nodes further down');

    redeployed.intake.flowsStopping(new Set(['done']));
    await new Promise((resolve) => setImmediate(resolve));
    await redeployed.intake.flowsStarted(() => FLOW(node.id));
    await redeployed.sentCount(1);
    assert.equal(redeployed.sent[0].message.meetingbaas.redelivered, 1);
  });

  it('journals and sends a meeting the catch-up recovered, and takes a later copy of it as a repeat', async () => {
    const node = await setUp();
    const payload = deliveries.completed();
    const recovered = { event: 'bot.completed', data: payload.data, extra: payload.extra };
    assert.equal(await node.intake.recover(payload.data.bot_id, recovered), true);
    const { meetingbaas } = node.sent[0].message;
    assert.equal(meetingbaas.recovered, true);
    assert.equal(meetingbaas.verifiedBy, 'api');
    assert.equal(node.journal.entries()[0].deliveryId, `api:bot.completed:${payload.data.bot_id}`);
    assert.deepEqual([...node.intake.deliveredBots], [payload.data.bot_id.toLowerCase()]);

    assert.deepEqual(await node.intake.receive(HEADERS, bytesOf(payload)), DUPLICATE);
    assert.equal(await node.intake.recover(payload.data.bot_id, recovered), true, 'already in the flow');
    assert.equal(node.sent.length, 1);
  });

  it('asks for a retry once closed, and a close waits for the deliveries being received', async () => {
    let release;
    const node = await setUp({ sending: () => new Promise((resolve) => (release = () => resolve(true))) });
    const payload = deliveries.completed();
    const first = node.intake.receive(HEADERS, bytesOf(payload));
    await node.sentCount(1);
    node.intake.close();
    assert.equal(node.intake.accepting, false);
    let settled = false;
    const closing = node.intake.settled(5000).then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false, 'waits for the delivery on its way');
    release();
    await closing;
    assert.deepEqual(await first, RECEIVED);
    assert.deepEqual(await node.intake.receive(HEADERS, bytesOf(deliveries.completed())), RESTARTING);
  });
});
