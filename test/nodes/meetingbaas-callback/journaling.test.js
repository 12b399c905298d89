'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { JournaledDeliveries } = require('../../../nodes/meetingbaas-callback/journaling');
const { reportFinished, reportFailed, reportInterrupted } = require('../../../nodes/shared/finishing');

let nodeCount = 0;
function options(overrides = {}) {
  nodeCount += 1;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-journaling-'));
  return { nodeId: `node-${nodeCount}`, file: path.join(dir, 'journal.log'), retentionMs: 3600_000, maxRedeliveries: 2, ...overrides };
}

function recorder() {
  const seen = { redelivered: [], parked: [], problems: [] };
  return {
    seen,
    events: {
      redeliver: (entry, body, attempt) => seen.redelivered.push({ id: entry.deliveryId, body, attempt }),
      parked: (entry) => seen.parked.push(entry.deliveryId),
      problem: (code, detail) => seen.problems.push(`${code}:${detail}`),
    },
  };
}

const delivery = (n) => ({ deliveryId: `d${n}`, receivedAt: 1000 + n, verifiedBy: 'none', body: `{"n":${n}}`, meta: { output: n % 2 } });
const messageOf = (ref) => ({ meetingbaas: { journal: ref } });

describe('journaled deliveries of a callback node', () => {
  it('sends again after a restart what the flow had not finished, with the attempt number', async () => {
    const opts = options();
    const first = recorder();
    const journaled = await JournaledDeliveries.open(opts, first.events);
    journaled.setFinishers([true, false]);
    const kept = [1, 2, 3, 4].map((n) => journaled.keep(delivery(n)));
    await Promise.all(kept.map((k) => k.written));
    journaled.handedOver(kept[0].ref, 0); // a finisher follows output 0: still unfinished
    journaled.handedOver(kept[1].ref, 1); // nothing follows output 1: finished on handover
    journaled.handedOver(kept[3].ref, 0);
    reportFinished(messageOf(kept[3].ref));
    // kept[2] was never handed over: Node-RED died first.
    await journaled.close(false);

    const second = recorder();
    const reopened = await JournaledDeliveries.open(opts, second.events);
    await reopened.redeliverUnfinished();
    assert.deepEqual(second.seen.redelivered, [
      { id: 'd1', body: '{"n":1}', attempt: 1 },
      { id: 'd3', body: '{"n":3}', attempt: 1 },
    ]);
    assert.deepEqual(reopened.counts(), { unfinished: 2, parked: 0 });
    assert.deepEqual(reopened.entries().map((e) => e.deliveryId).sort(), ['d1', 'd2', 'd3', 'd4'], 'finished ones stay known for the repeat window');
    await reopened.close(false);
  });

  it('parks a delivery once its attempts are used up, counting errors the flow reported', async () => {
    const opts = options({ maxRedeliveries: 2 });
    let journaled = await JournaledDeliveries.open(opts, recorder().events);
    const { ref, written } = journaled.keep(delivery(1));
    await written;
    reportFailed(messageOf(ref), 'storage answered 500');
    await journaled.close(false);

    const restart = recorder();
    journaled = await JournaledDeliveries.open(opts, restart.events);
    await journaled.redeliverUnfinished();
    assert.deepEqual(restart.seen.redelivered.map((r) => r.attempt), [2], 'the error used up the first attempt');
    await journaled.close(false);

    const last = recorder();
    journaled = await JournaledDeliveries.open(opts, last.events);
    await journaled.redeliverUnfinished();
    assert.deepEqual(last.seen.redelivered, []);
    assert.deepEqual(last.seen.parked, ['d1']);
    assert.deepEqual(journaled.counts(), { unfinished: 1, parked: 1 });
    await journaled.redeliverUnfinished();
    assert.deepEqual(last.seen.parked, ['d1'], 'a parked delivery is not sent again by itself');
    await journaled.close(false);
  });

  it('applies what the flow finished while the callback node was being redeployed', async () => {
    const opts = options();
    const journaled = await JournaledDeliveries.open(opts, recorder().events);
    journaled.setFinishers([true]);
    const { ref, written } = journaled.keep(delivery(2));
    await written;
    journaled.handedOver(ref, 0);
    await journaled.close(false);
    reportFinished(messageOf(ref)); // between the old node's close and the new one's start
    const next = recorder();
    const reopened = await JournaledDeliveries.open(opts, next.events);
    await reopened.redeliverUnfinished();
    assert.deepEqual(next.seen.redelivered, []);
    await reopened.close(false);
  });

  it('sends again, once the flows run, what a deploy interrupted further down the flow', async () => {
    const opts = options();
    const running = recorder();
    const journaled = await JournaledDeliveries.open(opts, running.events);
    journaled.setFinishers([true]);
    const kept = [1, 2].map((n) => journaled.keep(delivery(n)));
    await Promise.all(kept.map((k) => k.written));
    kept.forEach((k) => journaled.handedOver(k.ref, 0));
    reportInterrupted(messageOf(kept[1].ref));
    await journaled.redeliverInterrupted();
    assert.deepEqual(running.seen.redelivered, [{ id: 'd2', body: '{"n":2}', attempt: 1 }], 'only the interrupted one, not the one still in the flow');
    await journaled.redeliverInterrupted();
    assert.equal(running.seen.redelivered.length, 1, 'once');
    await journaled.close(false);
  });

  it('deletes its journal with the node', async () => {
    const opts = options();
    const journaled = await JournaledDeliveries.open(opts, recorder().events);
    await journaled.keep(delivery(1)).written;
    assert.ok(fs.existsSync(opts.file));
    await journaled.close(true);
    assert.equal(fs.existsSync(opts.file), false);
  });
});
