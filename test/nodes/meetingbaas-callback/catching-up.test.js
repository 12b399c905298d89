'use strict';
// The catch-up schedule of a callback node, with a checkpoint in a real file and an API stand-in in
// memory: what a first start, a restart after a downtime, a failing API and a failed send recover.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const { CatchingUp, DamagedCheckpoint } = require('../../../nodes/meetingbaas-callback/catching-up');

const MINUTE = 60 * 1000;
const T0 = Date.parse('2026-12-03T10:00:00Z');

/** Small waits so that the looks come quickly; the clock the schedule reads is the test's. */
const TIMING = { everyMs: 20, settleMs: 2 * MINUTE, settleAtStartMs: 30 * 1000, marginMs: 5 * MINUTE, checkpointEveryMs: 60 * 1000, retryMs: 10 };

function standIn() {
  const bots = [];
  const api = {
    failing: 0,
    lists: [],
    listEndedBots: async (endedAfter, cursor) => {
      api.lists.push(endedAfter.getTime());
      if (api.failing > 0) {
        api.failing -= 1;
        throw Object.assign(new Error('GET /v2/bots: 503'), { code: 'server-error' });
      }
      assert.equal(cursor, null);
      const ended = bots.filter((b) => Date.parse(b.ended_at) > endedAfter.getTime());
      return { bots: ended.map((b) => ({ bot_id: b.bot_id, ended_at: b.ended_at })), nextCursor: null };
    },
    botDetails: async (botId) => {
      const bot = bots.find((b) => b.bot_id === botId);
      return { bot_id: botId, status: bot.status, error_code: 'CANNOT_JOIN_MEETING', extra: { ticket: botId } };
    },
    end(at, status = 'completed') {
      const bot = { bot_id: randomUUID(), ended_at: new Date(at).toISOString(), status };
      bots.push(bot);
      return bot.bot_id;
    },
  };
  return api;
}

/**
 * The list as the API gives it: newest created first (not in the order the bots ended), `pageSize`
 * a page, a cursor that is a place in the whole list; optionally a cursor that never moves.
 */
function pagedStandIn({ pageSize = 250, stuckCursor = false } = {}) {
  const bots = [];
  const api = {
    lists: [],
    listEndedBots: async (endedAfter, cursor) => {
      api.lists.push({ endedAfter: endedAfter.getTime(), cursor });
      const all = [...bots].reverse();
      const after = cursor === null || stuckCursor ? all : all.slice(all.findIndex((b) => b.bot_id === cursor) + 1);
      const matching = after.filter((b) => Date.parse(b.ended_at) > endedAfter.getTime());
      const page = matching.slice(0, pageSize);
      const nextCursor = stuckCursor ? 'stuck' : matching.length > pageSize ? page.at(-1).bot_id : null;
      return { bots: page.map((b) => ({ bot_id: b.bot_id, ended_at: b.ended_at })), nextCursor };
    },
    botDetails: async (botId) => ({ bot_id: botId, status: 'completed', extra: null }),
    /** A bot created now (after every other) that ended at `at`. */
    end(at) {
      const bot = { bot_id: randomUUID(), ended_at: new Date(at).toISOString() };
      bots.push(bot);
      return bot.bot_id;
    },
  };
  return api;
}

describe('catch-up schedule of a callback node', () => {
  let dir;
  let now;
  let running;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-catch-up-'));
    now = T0;
    running = [];
  });
  afterEach(async () => {
    for (const catchingUp of running) await catchingUp.close(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function start(api, { delivered = new Set(), deliver, events = {}, lock, shared, maxPages } = {}) {
    const sent = [];
    const said = { failed: [], resumed: 0, checkpoint: [], behind: [], caughtUp: 0 };
    const catchingUp = await CatchingUp.start({
      file: path.join(dir, 'catch-up', 'cb.json'),
      api,
      timing: TIMING,
      deliveredBots: () => delivered,
      deliver: deliver ?? (async (botId, delivery) => (sent.push({ botId, delivery }), true)),
      events: {
        failed: (error, retryInMs) => said.failed.push({ error: error.message, retryInMs }),
        resumed: () => (said.resumed += 1),
        checkpointProblem: (detail) => said.checkpoint.push(detail),
        behind: (why) => said.behind.push(why),
        caughtUp: () => (said.caughtUp += 1),
        ...events,
      },
      now: () => now,
      ...(lock ? { lock } : {}),
      ...(shared ? { shared } : {}),
      ...(maxPages ? { maxPages } : {}),
    });
    running.push(catchingUp);
    return { catchingUp, sent, said };
  }

  /** Resolves once `predicate` holds, checking after each look; fails after `looks` looks. */
  async function afterLooks(catchingUp, predicate, looks = 50) {
    for (let i = 0; i < looks; i++) {
      if (predicate()) return;
      await catchingUp.idle();
      await new Promise((resolve) => setTimeout(resolve, TIMING.everyMs));
    }
    assert.ok(predicate(), 'not reached within the looks allowed');
  }

  const checkpoint = () => JSON.parse(fs.readFileSync(path.join(dir, 'catch-up', 'cb.json'), 'utf8'));

  /** A lock as Redis holds it for several instances: one holder at a time, and what happened to it. */
  function sharedLock() {
    const state = { holder: null, acquired: 0, released: 0, refused: 0 };
    const of = (who) => ({
      acquire: async (ttlMs) => {
        assert.ok(ttlMs > 0);
        if (state.holder !== null && state.holder !== who) return (state.refused += 1), false;
        state.holder = who;
        state.acquired += 1;
        return true;
      },
      release: async () => {
        if (state.holder === who) state.holder = null;
        state.released += 1;
      },
    });
    return { state, of };
  }

  it('looks only while holding the shared lock, releases it after, and tries again soon when another holds it', async () => {
    const api = standIn();
    const first = await start(api);
    await first.catchingUp.idle();
    await first.catchingUp.close(false);
    const lock = sharedLock();
    lock.state.holder = 'other instance';
    const missed = api.end(T0 + MINUTE);
    now = T0 + 10 * MINUTE;
    const listed = api.lists.length;
    const { catchingUp, sent } = await start(api, { lock: lock.of('this instance') });
    await afterLooks(catchingUp, () => lock.state.refused >= 3);
    assert.equal(api.lists.length, listed, 'no look while another instance looks');
    assert.equal(checkpoint().coveredUntil, T0, 'nothing counts as covered');

    lock.state.holder = null;
    await afterLooks(catchingUp, () => sent.length === 1);
    assert.equal(sent[0].botId, missed);
    await catchingUp.idle();
    assert.equal(lock.state.holder, null, 'released after the look');
    assert.equal(lock.state.released, lock.state.acquired);
  });

  it('never lets two instances sharing the lock look at the same time', async () => {
    const api = standIn();
    let looking = 0;
    let most = 0;
    const list = api.listEndedBots;
    api.listEndedBots = async (...args) => {
      looking += 1;
      most = Math.max(most, looking);
      await new Promise((resolve) => setTimeout(resolve, 15));
      looking -= 1;
      return list(...args);
    };
    const lock = sharedLock();
    const a = await start(api, { lock: lock.of('a') });
    const b = await start(api, { lock: lock.of('b') });
    now = T0 + 10 * MINUTE;
    await afterLooks(a.catchingUp, () => api.lists.length >= 10 && lock.state.refused >= 1);
    assert.equal(most, 1, 'one look at a time across both');
    await b.catchingUp.idle();
  });

  it('with instances sharing a covered time, one back from a long downtime looks from where the others got', async () => {
    const api = standIn();
    let held = null;
    const shared = { read: async () => held, raise: async (value) => void (held = Math.max(held ?? value, value)) };
    await (await start(api, { shared })).catchingUp.close(false);
    // Meanwhile the other instances received and looked, up to three hours after this one went down.
    const hadElsewhere = api.end(T0 + 60 * MINUTE);
    held = T0 + 180 * MINUTE;
    const missed = api.end(T0 + 190 * MINUTE);
    now = T0 + 240 * MINUTE;
    const listed = api.lists.length;
    const { catchingUp, sent } = await start(api, { shared });
    await catchingUp.idle();
    assert.equal(api.lists[listed], T0 + 180 * MINUTE - TIMING.marginMs, 'from the shared covered time, not its own checkpoint');
    assert.deepEqual(sent.map((s) => s.botId), [missed]);
    assert.ok(!sent.some((s) => s.botId === hadElsewhere));
    assert.equal(held, now - TIMING.settleAtStartMs, 'raised for the others');
  });

  it('at its first start recovers nothing from before it existed, then what ended after, once settled', async () => {
    const api = standIn();
    api.end(T0 - 10 * MINUTE);
    const { catchingUp, sent } = await start(api);
    await catchingUp.idle();
    assert.deepEqual(sent, [], 'nothing from before the first start');
    assert.equal(checkpoint().coveredUntil, T0);

    const later = api.end(T0 + MINUTE);
    now = T0 + 2.5 * MINUTE;
    await afterLooks(catchingUp, () => api.lists.length >= 1);
    assert.deepEqual(sent, [], 'ended a minute ago: its callback may still come');
    now = T0 + 3.5 * MINUTE;
    await afterLooks(catchingUp, () => sent.length === 1);
    assert.equal(sent[0].botId, later);
    assert.equal(sent[0].delivery.event, 'bot.completed');
    assert.deepEqual(sent[0].delivery.extra, { ticket: later });
  });

  it('after a downtime recovers what ended since the checkpoint, leaves out what the flow had, and moves the checkpoint on', async () => {
    const api = standIn();
    const first = await start(api);
    await first.catchingUp.idle();
    await first.catchingUp.close(false);

    const had = api.end(T0 + MINUTE);
    const missedCompleted = api.end(T0 + 20 * MINUTE);
    const missedFailed = api.end(T0 + 40 * MINUTE, 'failed');
    const tooRecent = api.end(T0 + 60 * MINUTE - 10 * 1000);
    now = T0 + 60 * MINUTE;
    const listed = api.lists.length;
    const { catchingUp, sent } = await start(api, { delivered: new Set([had]) });
    await catchingUp.idle();
    assert.deepEqual(sent.map((s) => s.botId).sort(), [missedCompleted, missedFailed].sort());
    assert.equal(sent.find((s) => s.botId === missedFailed).delivery.event, 'bot.failed');
    assert.equal(api.lists[listed], T0, 'looks from the checkpoint, less the margin, but not from before the first start');
    assert.equal(checkpoint().coveredUntil, now - TIMING.settleAtStartMs);
    assert.ok(!sent.some((s) => s.botId === tooRecent), 'ended 10 s before the start: its callback may still be retried');

    await catchingUp.close(false);
    const coveredUntil = checkpoint().coveredUntil;
    now += 30 * MINUTE;
    const third = await start(api, { delivered: new Set([had, missedCompleted, missedFailed]) });
    await third.catchingUp.idle();
    assert.equal(api.lists.at(-1), coveredUntil - TIMING.marginMs, 'the next start looks from the covered time, less the margin');
    assert.deepEqual(third.sent.map((s) => s.botId), [tooRecent]);
  });

  it('reports a failing API, retries with a growing wait, and recovers the window once it answers', async () => {
    const api = standIn();
    await (await start(api)).catchingUp.close(false);
    const missed = api.end(T0 + 5 * MINUTE);
    now = T0 + 30 * MINUTE;
    api.failing = 3;
    const { catchingUp, sent, said } = await start(api);
    await afterLooks(catchingUp, () => sent.length === 1);
    assert.equal(sent[0].botId, missed);
    assert.deepEqual(said.failed.map((f) => f.retryInMs), [10, 20, 20], 'doubling, never past the look interval');
    assert.equal(said.resumed, 1);
  });

  it('looks again at a window whose meeting could not be sent', async () => {
    const api = standIn();
    await (await start(api)).catchingUp.close(false);
    const missed = api.end(T0 + 5 * MINUTE);
    now = T0 + 30 * MINUTE;
    let refusals = 2;
    const sent = [];
    const { catchingUp } = await start(api, {
      deliver: async (botId) => {
        if (refusals-- > 0) return false;
        sent.push(botId);
        return true;
      },
    });
    await afterLooks(catchingUp, () => sent.length === 1);
    await catchingUp.idle();
    assert.deepEqual(sent, [missed]);
    assert.equal(checkpoint().coveredUntil, now - TIMING.settleMs);
  });

  /**
   * After a long downtime on a busy account: more ended bots than one look reads (40 pages of 250),
   * nearly all delivered already; the ones still missing were created first, so they come last in
   * the list, although they ended last.
   */
  function longDowntime(api) {
    const delivered = new Set();
    const missedLast = [api.end(T0 + 100 * MINUTE), api.end(T0 + 101 * MINUTE)];
    for (let i = 0; i < 10_100; i++) delivered.add(api.end(T0 + 10 * MINUTE + i * 500));
    const missedFirst = api.end(T0 + 50 * MINUTE);
    return { delivered, missedFirst, missedLast };
  }

  it('a list longer than one look reads: the covered time stays until the rest is read, and the next look goes on from where it stopped', async () => {
    const api = pagedStandIn();
    await (await start(api)).catchingUp.close(false);
    const { delivered, missedFirst, missedLast } = longDowntime(api);
    now = T0 + 120 * MINUTE;
    const listed = api.lists.length;
    const { catchingUp, sent, said } = await start(api, { delivered });
    await catchingUp.idle();
    assert.deepEqual(sent.map((s) => s.botId), [missedFirst]);
    assert.equal(api.lists.length - listed, 40, 'one look reads 40 pages');
    assert.equal(checkpoint().coveredUntil, T0, 'not past the bots it has not read');
    assert.deepEqual(said.behind, [{ reason: 'page-limit', since: T0 }]);

    await afterLooks(catchingUp, () => sent.length === 3);
    await catchingUp.idle();
    assert.deepEqual(sent.map((s) => s.botId).slice(1).sort(), [...missedLast].sort());
    const lists = api.lists.slice(listed);
    assert.equal(lists.length, 41, 'the second look read only the page after the 40 (10,103 bots)');
    assert.notEqual(lists[40].cursor, null, 'it went on from the cursor');
    assert.ok(lists.every((l) => l.endedAfter === T0), 'the same window');
    assert.equal(new Set(lists.map((l) => l.cursor)).size, 41, 'no page read twice');
    assert.equal(checkpoint().coveredUntil, now - TIMING.settleAtStartMs, 'covered up to where the first look ended');
    assert.equal(said.behind.length, 1, 'said once');
    assert.equal(said.caughtUp, 1);
  });

  it('a restart in the middle of a long list goes on from the cursor in the checkpoint', async () => {
    const api = pagedStandIn();
    await (await start(api)).catchingUp.close(false);
    const { delivered, missedLast } = longDowntime(api);
    now = T0 + 120 * MINUTE;
    const first = await start(api, { delivered });
    await first.catchingUp.idle();
    await first.catchingUp.close(false);
    const stoppedAt = api.lists.at(-1);
    const { catchingUp, sent } = await start(api, { delivered });
    await catchingUp.idle();
    assert.equal(api.lists.at(-1).endedAfter, T0);
    assert.notEqual(api.lists.at(-1).cursor, null);
    assert.notEqual(api.lists.at(-1).cursor, stoppedAt.cursor, 'the page after the last one read');
    assert.deepEqual(sent.map((s) => s.botId).sort(), [...missedLast].sort());
    assert.equal(checkpoint().coveredUntil, T0 + 120 * MINUTE - TIMING.settleAtStartMs);
  });

  it('a cursor that does not move: what was read is sent, the covered time stays, and it is said once', async () => {
    const api = pagedStandIn({ pageSize: 2, stuckCursor: true });
    await (await start(api)).catchingUp.close(false);
    const unread = api.end(T0 + 5 * MINUTE);
    const read = [api.end(T0 + 6 * MINUTE), api.end(T0 + 7 * MINUTE)];
    now = T0 + 30 * MINUTE;
    const listed = api.lists.length;
    const { catchingUp, sent, said } = await start(api, { delivered: new Set() });
    await afterLooks(catchingUp, () => api.lists.length - listed >= 6);
    await catchingUp.idle();
    assert.deepEqual([...new Set(sent.map((s) => s.botId))].sort(), [...read].sort());
    assert.ok(!sent.some((s) => s.botId === unread));
    assert.equal(checkpoint().coveredUntil, T0, 'the unread bot stays inside the next look');
    assert.deepEqual(said.behind, [{ reason: 'stuck-cursor', since: T0 }]);
    assert.equal(said.caughtUp, 0);
  });

  it('a meeting refused in one look of a long list holds the covered time when the list is read, and is sent by the next', async () => {
    const api = pagedStandIn({ pageSize: 1 });
    await (await start(api)).catchingUp.close(false);
    const bots = [1, 2, 3, 4].map((n) => api.end(T0 + n * MINUTE));
    now = T0 + 30 * MINUTE;
    let refused = 0;
    const sent = [];
    // What the flow had, as the node's intake knows it.
    const delivered = new Set();
    const { catchingUp } = await start(api, {
      maxPages: 2,
      delivered,
      deliver: async (botId) => {
        if (botId === bots[3] && refused++ === 0) return false;
        sent.push(botId);
        delivered.add(botId);
        return true;
      },
    });
    await afterLooks(catchingUp, () => sent.length === 3);
    await catchingUp.idle();
    assert.equal(checkpoint().coveredUntil, T0, 'read to its end, with a meeting not sent');
    assert.equal(checkpoint().unfinished, undefined);
    await afterLooks(catchingUp, () => sent.includes(bots[3]));
    await afterLooks(catchingUp, () => checkpoint().coveredUntil > T0);
    assert.deepEqual([...sent].sort(), [...bots].sort());
  });

  it('drops the rest of a long list once another instance has read that whole window', async () => {
    const api = pagedStandIn({ pageSize: 1 });
    let held = null;
    const shared = { read: async () => held, raise: async (value) => void (held = Math.max(held ?? value, value)) };
    await (await start(api, { shared })).catchingUp.close(false);
    for (const n of [1, 2, 3, 4]) api.end(T0 + n * MINUTE);
    now = T0 + 30 * MINUTE;
    const first = await start(api, { shared, maxPages: 2 });
    await first.catchingUp.idle();
    await first.catchingUp.close(false);
    assert.equal(checkpoint().unfinished.endedBefore, now - TIMING.settleAtStartMs);
    held = now;
    const listed = api.lists.length;
    const { catchingUp } = await start(api, { shared, maxPages: 2 });
    await catchingUp.idle();
    assert.deepEqual(api.lists[listed], { endedAfter: now - TIMING.marginMs, cursor: null }, 'a new look from the shared covered time');
  });

  it('a damaged checkpoint is reported and taken as a first start; a removed node takes its checkpoint with it', async () => {
    fs.mkdirSync(path.join(dir, 'catch-up'));
    fs.writeFileSync(path.join(dir, 'catch-up', 'cb.json'), '{"coveredUnt');
    const api = standIn();
    api.end(T0 - MINUTE);
    const { catchingUp, sent, said } = await start(api);
    await catchingUp.idle();
    assert.equal(said.checkpoint.length, 1);
    assert.ok(said.checkpoint[0] instanceof DamagedCheckpoint, String(said.checkpoint[0]));
    assert.equal(said.checkpoint[0].file, path.join(dir, 'catch-up', 'cb.json'));
    assert.deepEqual(sent, []);
    await catchingUp.close(true);
    assert.equal(fs.existsSync(path.join(dir, 'catch-up', 'cb.json')), false);
  });
});
