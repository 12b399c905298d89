'use strict';
const assert = require('node:assert/strict');
const { finishersByOutput } = require('../../../nodes/meetingbaas-callback/finishers');

const callback = (wires) => ({ id: 'cb', type: 'meetingbaas-callback', z: 'tab', wires });
const node = (id, type, wires = [], extra = {}) => ({ id, type, z: 'tab', wires, ...extra });

describe('finishing nodes reachable from the callback node', () => {
  it('says per output whether a fetch artifacts or meeting done node is downstream', () => {
    const flows = [
      callback([['fn'], ['dbg'], [], ['done']]),
      node('fn', 'function', [['fetch']]),
      node('fetch', 'meetingbaas-artifacts', [['dbg'], []]),
      node('dbg', 'debug'),
      node('done', 'meetingbaas-done', [[]]),
    ];
    assert.deepEqual(finishersByOutput(flows, 'cb'), [true, false, false, true]);
  });

  it('follows link out to link in, and link call into the flow it calls', () => {
    const flows = [
      callback([['out'], ['call'], ['other-out']]),
      node('out', 'link out', [], { links: ['in'] }),
      node('in', 'link in', [['fetch']]),
      node('fetch', 'meetingbaas-artifacts', [[], []]),
      node('call', 'link call', [['dbg']], { links: ['in2'] }),
      node('in2', 'link in', [['ret']]),
      node('ret', 'link out', [], { mode: 'return' }),
      node('dbg', 'debug'),
      node('other-out', 'link out', [], { links: ['in3'] }),
      node('in3', 'link in', [['dbg']]),
    ];
    assert.deepEqual(finishersByOutput(flows, 'cb'), [true, false, false]);
  });

  it('goes into a subflow, and out of it by the output the inner node is wired to', () => {
    const flows = [
      callback([['inst'], ['inst-2']]),
      { id: 'sf', type: 'subflow', in: [{ wires: [{ id: 'inner' }] }], out: [{ wires: [{ id: 'inner', port: 1 }] }] },
      { id: 'inner', type: 'switch', z: 'sf', wires: [['dbg-in-sf'], []] },
      { id: 'dbg-in-sf', type: 'debug', z: 'sf', wires: [] },
      node('inst', 'subflow:sf', [['done']]),
      node('done', 'meetingbaas-done', [[]]),
      { id: 'sf2', type: 'subflow', in: [{ wires: [{ id: 'inner2' }] }], out: [] },
      { id: 'inner2', type: 'meetingbaas-artifacts', z: 'sf2', wires: [[], []] },
      node('inst-2', 'subflow:sf2', []),
    ];
    assert.deepEqual(finishersByOutput(flows, 'cb'), [true, true]);
  });

  it('does not pass through disabled nodes, and ends on cycles', () => {
    const flows = [
      callback([['off'], ['a']]),
      node('off', 'function', [['fetch']], { d: true }),
      node('fetch', 'meetingbaas-artifacts', [[], []]),
      node('a', 'function', [['b']]),
      node('b', 'function', [['a']]),
    ];
    assert.deepEqual(finishersByOutput(flows, 'cb'), [false, false]);
  });

  it('knows nothing of a node it is not given', () => {
    assert.deepEqual(finishersByOutput([], 'cb'), []);
  });
});
