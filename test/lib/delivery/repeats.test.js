'use strict';
const assert = require('node:assert/strict');
const { BoundedClaims, PersistedClaims, RepeatFilter, deliveryKey } = require('../../../lib/delivery/repeats');

/** A Map behind the callback API of Node-RED context stores, answering asynchronously like file or Redis stores; counts calls. */
function asyncStore({ failGets = false, unrelatedKeys = 0 } = {}) {
  const map = new Map();
  for (let i = 0; i < unrelatedKeys; i++) map.set(`someone-else-${i}`, i);
  const calls = { get: 0, set: 0, keys: 0 };
  return {
    map,
    calls,
    get: (key, cb) => { calls.get += 1; setImmediate(() => (failGets ? cb(new Error('store down')) : cb(null, map.get(key)))); },
    set: (key, value, cb) => {
      calls.set += 1;
      setImmediate(() => { if (value === undefined) map.delete(key); else map.set(key, value); cb(null); });
    },
    keys: (cb) => { calls.keys += 1; setImmediate(() => cb(null, [...map.keys()])); },
  };
}

function filter({ max = 100, windowMs = 60_000, now } = {}) {
  const claims = new BoundedClaims(max, now);
  return { claims, repeats: new RepeatFilter(claims, windowMs) };
}

/** Claims and settles, as the node does for a delivery answered 2xx. */
async function accept(repeats, key) {
  const result = await repeats.claim(key);
  if (result === 'new') repeats.settle(key);
  return result;
}

describe('repeated deliveries', () => {
  it('lets the first copy through and drops repeats within the window', async () => {
    let now = 1_000_000;
    const { repeats } = filter({ now: () => now });
    assert.equal(await accept(repeats, 'a'), 'new');
    assert.equal(await accept(repeats, 'a'), 'repeat');
    assert.equal(await accept(repeats, 'b'), 'new');
    now += 60_001;
    assert.equal(await accept(repeats, 'a'), 'new', 'after the window a delivery counts as new');
  });

  it('makes a copy that arrives while the first is undecided wait for it: a repeat once the first is settled', async () => {
    const { repeats } = filter();
    assert.equal(await repeats.claim('k'), 'new');
    let copy = 'waiting';
    const copyClaim = repeats.claim('k').then((result) => (copy = result));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(copy, 'waiting', 'not told "repeat" before the first is decided');
    repeats.settle('k');
    await copyClaim;
    assert.equal(copy, 'repeat');
  });

  it('makes a waiting copy the new first when the first is forgotten, and only one of several', async () => {
    const { repeats } = filter();
    assert.equal(await repeats.claim('k'), 'new');
    const copies = [repeats.claim('k'), repeats.claim('k'), repeats.claim('k')];
    await repeats.forget('k');
    const [first, ...others] = copies;
    assert.equal(await first, 'new', 'a first that failed lets a waiting copy through');
    repeats.settle('k');
    assert.deepEqual(await Promise.all(others), ['repeat', 'repeat']);
  });

  it('lets exactly one of several copies racing in through', async () => {
    const { repeats } = filter();
    const results = await Promise.all([accept(repeats, 'k'), accept(repeats, 'k'), accept(repeats, 'k')]);
    assert.deepEqual(results.sort(), ['new', 'repeat', 'repeat']);
  });

  it('forgets a delivery that was not accepted, so that its retry gets through', async () => {
    const { repeats } = filter();
    assert.equal(await repeats.claim('k'), 'new');
    await repeats.forget('k');
    assert.equal(await accept(repeats, 'k'), 'new');
    assert.equal(await accept(repeats, 'k'), 'repeat');
  });

  it('lets deliveries through when the store fails: a duplicate beats a loss', async () => {
    const failing = { claim: () => Promise.reject(new Error('store down')), forget: () => Promise.reject(new Error('store down')) };
    const repeats = new RepeatFilter(failing, 60_000);
    assert.equal(await accept(repeats, 'x'), 'new');
    assert.equal(await repeats.claim('x'), 'new');
    await repeats.forget('x');
  });

  it('is off with a zero window', async () => {
    const { repeats } = filter({ windowMs: 0 });
    assert.equal(await accept(repeats, 'x'), 'new');
    assert.equal(await accept(repeats, 'x'), 'new');
  });

  it('remembers at most max deliveries, forgetting the oldest first', async () => {
    const { claims, repeats } = filter({ max: 3 });
    for (const key of ['a', 'b', 'c', 'd']) assert.equal(await accept(repeats, key), 'new');
    assert.equal(claims.size, 3);
    assert.equal(await accept(repeats, 'a'), 'new', 'the oldest was forgotten');
    // 'a' came back as the youngest: now 'b' is the oldest and goes next.
    for (const key of ['c', 'd', 'a']) assert.equal(await accept(repeats, key), 'repeat', key);
    assert.equal(await accept(repeats, 'e'), 'new');
    assert.equal(await accept(repeats, 'b'), 'new', 'b was the oldest');
    assert.equal(claims.size, 3);
    for (let i = 0; i < 1000; i++) await accept(repeats, `many-${i}`);
    assert.equal(claims.size, 3, 'the bound holds');
    claims.setMax(1);
    assert.equal(claims.size, 1, 'a lower bound applies at once');
    assert.equal(await accept(repeats, 'many-999'), 'repeat', 'the youngest stays');
  });

  it('counts a delivery claimed again after it was forgotten as the youngest', async () => {
    const { claims, repeats } = filter({ max: 2 });
    await accept(repeats, 'a');
    await accept(repeats, 'b');
    assert.equal(await repeats.claim('a'), 'repeat');
    await repeats.forget('a');
    assert.equal(claims.size, 1);
    assert.equal(await accept(repeats, 'a'), 'new');
    await accept(repeats, 'c');
    assert.equal(await accept(repeats, 'a'), 'repeat', 'a is younger than b');
    assert.equal(await accept(repeats, 'b'), 'new', 'b was the oldest');
    // Undecided claims count toward the bound: the first of these pushes out the oldest (a).
    for (let i = 0; i < 5000; i++) {
      assert.equal(await repeats.claim(`failing-${i}`), 'new');
      await repeats.forget(`failing-${i}`);
    }
    assert.equal(claims.snapshot().claims.length, 1, 'deliveries forgotten leave nothing behind');
    assert.equal(await repeats.claim('b'), 'repeat');
  });

  it('remembers nothing with max 0', async () => {
    const { claims, repeats } = filter({ max: 0 });
    assert.equal(await accept(repeats, 'x'), 'new');
    assert.equal(await accept(repeats, 'x'), 'new');
    assert.equal(claims.size, 0);
  });

  it('prunes expired claims from the old end, at a cost of what it removes', async () => {
    let now = 0;
    const { claims, repeats } = filter({ windowMs: 1000, now: () => now });
    for (let i = 0; i < 10; i++) await accept(repeats, `old-${i}`);
    now = 500;
    for (let i = 0; i < 5; i++) await accept(repeats, `young-${i}`);
    now = 1200;
    assert.equal(claims.prune(), 10);
    assert.equal(claims.size, 5);
    assert.equal(await accept(repeats, 'young-0'), 'repeat');
    now = 1600;
    await accept(repeats, 'later');
    assert.equal(claims.size, 1, 'a claim prunes what expired before it');
  });

  it('keys entries by a digest of fixed size, whatever the delivery id', async () => {
    const saved = asyncStore();
    const claims = new BoundedClaims(10);
    const persisted = new PersistedClaims(claims, saved, 'k', { saveDelayMs: 60_000, loadTimeoutMs: 1000 });
    const repeats = new RepeatFilter(persisted, 60_000);
    await accept(repeats, `svix:${'x'.repeat(16_000)}`);
    await accept(repeats, 'svix:a.b[0].__proto__');
    await persisted.flush();
    const [first, second] = saved.map.get('k').claims;
    assert.equal(first[0].length, 43);
    assert.equal(second[0].length, 43);
  });

  it('saves under one key, costing no store call per delivery and never reading other keys', async () => {
    const store = asyncStore({ unrelatedKeys: 5000 });
    const claims = new BoundedClaims(100);
    const persisted = new PersistedClaims(claims, store, 'meetingbaas-repeats-node1', { saveDelayMs: 60_000, loadTimeoutMs: 1000 });
    const repeats = new RepeatFilter(persisted, 60_000);
    for (let i = 0; i < 300; i++) await accept(repeats, `d-${i}`);
    for (let i = 250; i < 300; i++) assert.equal(await accept(repeats, `d-${i}`), 'repeat');
    claims.prune();
    assert.deepEqual(store.calls, { get: 1, set: 0, keys: 0 }, 'one read of its own key at start; no save before the delay');
    await persisted.flush();
    assert.deepEqual(store.calls, { get: 1, set: 1, keys: 0 });
    assert.equal(store.map.size, 5001, 'one key for all its deliveries');
    assert.equal(JSON.parse(JSON.stringify(store.map.get('meetingbaas-repeats-node1'))).claims.length, 100, 'saved as JSON, bounded');
    await persisted.discard();
    assert.equal(store.map.size, 5000, 'a removed node leaves nothing behind');
  });

  it('recognises repeats after a restart from what was saved, oldest still first', async () => {
    let now = 0;
    const store = asyncStore();
    const options = { saveDelayMs: 60_000, loadTimeoutMs: 1000 };
    const before = new PersistedClaims(new BoundedClaims(3, () => now), store, 'k', options);
    const repeatsBefore = new RepeatFilter(before, 1000);
    await accept(repeatsBefore, 'a');
    now = 100;
    await accept(repeatsBefore, 'b');
    await before.flush();
    now = 200;
    const after = new PersistedClaims(new BoundedClaims(3, () => now), store, 'k', options);
    const repeatsAfter = new RepeatFilter(after, 1000);
    // Claimed before the saved claims are read: it waits for them rather than missing a repeat.
    const [b, c] = await Promise.all([accept(repeatsAfter, 'b'), accept(repeatsAfter, 'c')]);
    assert.equal(await after.loaded, 'loaded');
    assert.deepEqual([b, c], ['repeat', 'new']);
    await accept(repeatsAfter, 'd');
    assert.equal(await accept(repeatsAfter, 'a'), 'new', 'the oldest saved claim was forgotten first');
    now = 1150;
    assert.equal(await accept(repeatsAfter, 'b'), 'new', 'saved claims keep their expiry');
  });

  it('goes on without saved claims that cannot be read, or not in time', async () => {
    const failing = new PersistedClaims(new BoundedClaims(3), asyncStore({ failGets: true }), 'k', { saveDelayMs: 60_000, loadTimeoutMs: 1000 });
    assert.equal(await accept(new RepeatFilter(failing, 1000), 'a'), 'new');
    assert.equal(await failing.loaded, 'failed');
    const silent = { get: () => {}, set: (key, value, cb) => cb(null) };
    const stuck = new PersistedClaims(new BoundedClaims(3), silent, 'k', { saveDelayMs: 60_000, loadTimeoutMs: 20 });
    assert.equal(await accept(new RepeatFilter(stuck, 1000), 'a'), 'new');
    assert.equal(await stuck.loaded, 'timed-out');
  });

  it('reads tolerantly whatever a store gives back as saved claims', async () => {
    for (const value of [undefined, null, 'text', 42, [], { claims: 'x' }, { claims: [null, ['d'], ['d', 'soon'], [1, 2]] }]) {
      const store = asyncStore();
      store.map.set('k', value);
      const persisted = new PersistedClaims(new BoundedClaims(3), store, 'k', { saveDelayMs: 60_000, loadTimeoutMs: 1000 });
      assert.equal(await accept(new RepeatFilter(persisted, 1000), 'a'), 'new', JSON.stringify(value));
      assert.equal(persisted.claims.size, 1);
    }
  });

  it('keys signed deliveries by Svix id and others by a digest of the exact bytes', () => {
    assert.equal(deliveryKey('msg_1', Buffer.from('a')), 'svix:msg_1');
    const a = deliveryKey(null, Buffer.from('{"a":1}'));
    assert.match(a, /^sha256:[0-9a-f]{64}$/);
    assert.equal(deliveryKey(null, Buffer.from('{"a":1}')), a);
    assert.notEqual(deliveryKey(null, Buffer.from('{"a":2}')), a);
  });
});
