'use strict';
const assert = require('node:assert/strict');
const { SeenDeliveries, deliveryKey } = require('../lib/repeats');

/** A Map behind the callback API of Node-RED context stores, answering asynchronously like file or Redis stores. */
function asyncStore({ failGets = false } = {}) {
  const map = new Map();
  return {
    map,
    get: (key, cb) => setImmediate(() => (failGets ? cb(new Error('store down')) : cb(null, map.get(key)))),
    set: (key, value, cb) => setImmediate(() => { if (value === undefined) map.delete(key); else map.set(key, value); cb(null); }),
    keys: (cb) => setImmediate(() => cb(null, [...map.keys()])),
  };
}

describe('repeated deliveries', () => {
  it('lets the first copy through and drops repeats within the window', async () => {
    let now = 1_000_000;
    const seen = new SeenDeliveries(asyncStore(), 60_000, 'node1', () => now);
    assert.equal(await seen.firstSighting('a'), true);
    assert.equal(await seen.firstSighting('a'), false);
    assert.equal(await seen.firstSighting('b'), true);
    now += 60_001;
    assert.equal(await seen.firstSighting('a'), true, 'after the window a delivery counts as new');
  });

  it('drops a copy racing in while the first is still being checked', async () => {
    const seen = new SeenDeliveries(asyncStore(), 60_000);
    const results = await Promise.all([seen.firstSighting('k'), seen.firstSighting('k'), seen.firstSighting('k')]);
    assert.deepEqual(results.sort(), [false, false, true]);
  });

  it('shares what it saw through the store (another instance on the same store sees repeats)', async () => {
    const store = asyncStore();
    const one = new SeenDeliveries(store, 60_000);
    const two = new SeenDeliveries(store, 60_000);
    assert.equal(await one.firstSighting('shared'), true);
    assert.equal(await two.firstSighting('shared'), false);
  });

  it('lets deliveries through when the store fails: a duplicate beats a loss', async () => {
    const seen = new SeenDeliveries(asyncStore({ failGets: true }), 60_000);
    assert.equal(await seen.firstSighting('x'), true);
    assert.equal(await seen.firstSighting('x'), true);
  });

  it('keeps nodes apart, and stores keys that context stores cannot misread as paths', async () => {
    const store = asyncStore();
    const one = new SeenDeliveries(store, 60_000, 'node1');
    const two = new SeenDeliveries(store, 60_000, 'node2');
    assert.equal(await one.firstSighting('svix:a.b[0].__proto__'), true);
    assert.equal(await two.firstSighting('svix:a.b[0].__proto__'), true);
    for (const key of store.map.keys()) assert.match(key, /^meetingbaas-seen-node\d-[0-9a-f]{64}$/);
  });

  it('forgets a key so that a retry of a delivery that was not sent gets through', async () => {
    const seen = new SeenDeliveries(asyncStore(), 60_000);
    assert.equal(await seen.firstSighting('k'), true);
    await seen.forget('k');
    assert.equal(await seen.firstSighting('k'), true);
  });

  it('is off with a zero window', async () => {
    const seen = new SeenDeliveries(asyncStore(), 0);
    assert.equal(await seen.firstSighting('x'), true);
    assert.equal(await seen.firstSighting('x'), true);
  });

  it('prunes expired entries only, and leaves other keys of the store alone', async () => {
    let now = 0;
    const store = asyncStore();
    store.map.set('someone-else', 1);
    const seen = new SeenDeliveries(store, 1000, 'node1', () => now);
    const neighbour = new SeenDeliveries(store, 1000, 'node2', () => now);
    await seen.firstSighting('old');
    await neighbour.firstSighting('old');
    now = 500;
    await seen.firstSighting('young');
    now = 1200;
    assert.equal(await seen.prune(), 1);
    assert.equal(store.map.size, 3, 'the young entry, the neighbour node\'s entry and the foreign key stay');
    assert.ok(store.map.has('someone-else'));
    assert.equal(await seen.firstSighting('young'), false);
    assert.equal([...store.map.keys()].filter((k) => k.startsWith('meetingbaas-seen-node2-')).length, 1, 'another node\'s entries are its own to prune');
    assert.equal(await neighbour.prune(), 1);
  });

  it('keys signed deliveries by Svix id and others by a digest of the exact bytes', () => {
    assert.equal(deliveryKey('msg_1', Buffer.from('a')), 'svix:msg_1');
    const a = deliveryKey(null, Buffer.from('{"a":1}'));
    assert.match(a, /^sha256:[0-9a-f]{64}$/);
    assert.equal(deliveryKey(null, Buffer.from('{"a":1}')), a);
    assert.notEqual(deliveryKey(null, Buffer.from('{"a":2}')), a);
  });
});
