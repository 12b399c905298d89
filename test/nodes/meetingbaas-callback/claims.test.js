'use strict';
// The claims a callback node keeps across redeploys: what Remember bounds, and what it does not.
const assert = require('node:assert/strict');
const { KeptClaims, rememberJournaled } = require('../../../nodes/meetingbaas-callback/claims');
const { BoundedClaims, meetingKey, RepeatFilter } = require('../../../lib/delivery/repeats');
const { CALLBACK_DEFAULTS } = require('../../../nodes/shared/defaults');

/** A global context that keeps values in a Map, answering through callbacks as Node-RED's does. */
function memoryContext() {
  const values = new Map();
  return {
    get: (name, _store, cb) => setImmediate(() => cb(null, values.get(name))),
    set: (name, value, _store, cb) => { values.set(name, value); setImmediate(() => cb && cb(null)); },
  };
}

function settings(extra = {}) {
  return {
    storeName: 'memory',
    context: memoryContext(),
    redis: null,
    windowMs: 6 * 3600 * 1000,
    meetingWindowMs: 30 * 60 * 1000,
    max: CALLBACK_DEFAULTS.dedupeMax,
    onNotLoaded: () => assert.fail('nothing saved to load'),
    onBadRedis: () => assert.fail('no Redis'),
    ...extra,
  };
}

const meeting = (n) => meetingKey('bot.completed', `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`);

async function claimAndSettle(filter, key) {
  const claimed = await filter.claim(key);
  if (claimed === 'new') filter.settle(key);
  return claimed;
}

describe('callback in: the claims it keeps', () => {
  it('with Remember at 0 forgets every delivery, yet still recognises a meeting within Same meeting, also after a redeploy', async () => {
    const kept = new KeptClaims();
    const claims = kept.of('cb', settings({ max: 0 }));
    assert.equal(await claimAndSettle(claims.repeats, 'sha256:one'), 'new');
    assert.equal(await claimAndSettle(claims.repeats, 'sha256:one'), 'new');

    assert.equal(await claimAndSettle(claims.meetings, meeting(1)), 'new');
    assert.equal(await claimAndSettle(claims.meetings, meeting(1)), 'repeat');
    const redeployed = kept.of('cb', settings({ max: 0 }));
    assert.equal(await claimAndSettle(redeployed.meetings, meeting(1)), 'repeat');
  });

  it('keeps at least the default number of meetings when Remember is smaller, and as many as Remember when it is larger', async () => {
    const small = new KeptClaims().of('cb', settings({ max: 2 }));
    for (let n = 0; n < 5; n++) assert.equal(await claimAndSettle(small.meetings, meeting(n)), 'new');
    assert.equal(await claimAndSettle(small.meetings, meeting(0)), 'repeat');
    assert.equal(small.meetingClaims.size, 5);

    const large = CALLBACK_DEFAULTS.dedupeMax + 5;
    const big = new KeptClaims().of('cb', settings({ max: large }));
    for (let n = 0; n < large + 1; n++) await claimAndSettle(big.meetings, meeting(n));
    assert.equal(big.meetingClaims.size, large);
    assert.equal(await claimAndSettle(big.meetings, meeting(0)), 'new', 'the oldest is forgotten first');
  });

  it('after a restart, holds what the journal kept only for what is left of its window since it arrived', async () => {
    const MINUTE = 60 * 1000;
    let now = Date.parse('2026-01-01T12:00:00Z');
    const clock = () => now;
    const claims = {
      repeats: new RepeatFilter(new BoundedClaims(100, clock), 6 * 60 * MINUTE),
      meetings: new RepeatFilter(new BoundedClaims(100, clock), 30 * MINUTE),
    };
    const entry = (n, minutesAgo) => ({
      seq: n, deliveryId: `sha256:${n}`, receivedAt: now - minutesAgo * MINUTE, verifiedBy: 'secret',
      meta: { event: 'bot.completed', botId: meeting(n).split(':').pop() },
      attempts: 0, sentAgain: 0, failedInFlow: false, lastProblem: null, parked: null, finishedAt: now, saved: [],
    });
    // Newest first, as the journal lists them.
    await rememberJournaled([entry(2, 20), entry(1, 40)], claims, clock());
    assert.equal(await claimAndSettle(claims.meetings, meeting(1)), 'new', 'its 30 minutes were over before the restart');
    assert.equal(await claimAndSettle(claims.repeats, 'sha256:1'), 'repeat', 'its 6 hours are not');
    // Ten minutes were left of the second one's window, not thirty.
    now += 9 * MINUTE;
    assert.equal(await claims.meetings.claim(meeting(2)), 'repeat');
    now += 2 * MINUTE;
    assert.equal(await claimAndSettle(claims.meetings, meeting(2)), 'new');
  });
});
