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

  async function start(api, { delivered = new Set(), deliver, events = {}, lock, shared } = {}) {
    const sent = [];
    const said = { failed: [], resumed: 0, checkpoint: [] };
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
        ...events,
      },
      now: () => now,
      ...(lock ? { lock } : {}),
      ...(shared ? { shared } : {}),
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
