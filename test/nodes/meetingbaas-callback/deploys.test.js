'use strict';
// How callback nodes hear deploys: through one listener per event on RED.events, whatever their number.
const assert = require('node:assert/strict');
const { EventEmitter } = require('node:events');
const { onFlowEvents, watchDeploys } = require('../../../nodes/meetingbaas-callback/deploys');

describe('deploys', function () {
  it('adds one listener per event to RED.events for any number of callback nodes, and none is left once they stop', function () {
    const events = new EventEmitter();
    const warnings = [];
    const onWarning = (warning) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      // Two subscriptions per node (its deploy watch and its intake), as the node makes them.
      const watches = Array.from({ length: 12 }, (_, i) => watchDeploys({ events }, `cb${i}`, [`out${i}`]));
      const stops = Array.from({ length: 12 }, () => onFlowEvents(events, { started: () => {}, stopping: () => {} }));
      assert.equal(events.listenerCount('flows:started'), 1);
      assert.equal(events.listenerCount('flows:stopping'), 1);
      for (const watch of watches) watch.stop();
      for (const stop of stops) stop();
      events.emit('flows:started');
      assert.ok(watches.every((watch) => watch.restarting), 'a stopped watch hears nothing more');
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning'), []);
  });

  it('tells each node of the deploys that stop it or what it is wired to, in the order they subscribed', function () {
    const events = new EventEmitter();
    const heard = [];
    const a = watchDeploys({ events }, 'a', ['a-out']);
    const b = watchDeploys({ events }, 'b', ['b-out']);
    onFlowEvents(events, { started: () => heard.push('first'), stopping: (event) => heard.push(`first:${event.type}`) });
    onFlowEvents(events, { started: () => heard.push('second') });
    events.emit('flows:started');
    assert.equal(a.restarting, false);
    assert.equal(b.restarting, false);
    events.emit('flows:stopping', { type: 'nodes', diff: { changed: ['b-out'] } });
    assert.equal(a.restarting, false, 'a deploy of another node leaves a running');
    assert.equal(b.restarting, true, 'a deploy of what b is wired to restarts b');
    assert.deepEqual(heard, ['first', 'second', 'first:nodes']);
  });
});
