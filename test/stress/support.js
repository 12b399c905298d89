'use strict';
// Shared by the stress tests: a callback flow that reports only what identifies a delivery (so a
// huge or deeply nested payload never breaks the reporting), and a probe for prototype pollution.
const { createHash } = require('node:crypto');

/**
 * Callback node `cb` on `url` with an account; each output → function node that reduces the
 * message to {output, deliveryId, verifiedBy, topic} → http request to the collector.
 * Plus GET /probe/pollution answering what the runtime's Object.prototype and Array.prototype hold.
 */
function fuzzFlow({ collectorUrl, url = '/mb/fuzz', account, extra = {} }) {
  const nodes = [
    { id: 'tab1', type: 'tab', label: 'stress' },
    { id: 'acc1', type: 'meetingbaas-config', name: 'stress account', credentials: account },
  ];
  const wires = [];
  for (let output = 0; output < 4; output++) {
    wires.push([`rep${output}`]);
    nodes.push({
      id: `rep${output}`,
      type: 'function',
      z: 'tab1',
      func: `return { payload: { output: ${output}, deliveryId: msg.meetingbaas && msg.meetingbaas.deliveryId, verifiedBy: msg.meetingbaas && msg.meetingbaas.verifiedBy, topic: msg.topic, keys: Object.keys(msg) }, headers: { 'content-type': 'application/json' } };`,
      outputs: 1,
      wires: [[`post${output}`]],
    });
    nodes.push({ id: `post${output}`, type: 'http request', z: 'tab1', method: 'POST', ret: 'txt', url: collectorUrl, wires: [[]] });
  }
  nodes.push({ id: 'cb', type: 'meetingbaas-callback', z: 'tab1', url, account: 'acc1', ...extra, wires });
  // The heap after a full GC, from the benchmarks' probe node (test/support/probe, loaded through nodesDir).
  nodes.push({ id: 'heap-in', type: 'http in', z: 'tab1', url: '/probe/heap', method: 'get', wires: [['heap-probe']] });
  nodes.push({ id: 'heap-probe', type: 'bench-probe', z: 'tab1', wires: [['heap-out']] });
  nodes.push({ id: 'heap-out', type: 'http response', z: 'tab1', wires: [] });
  // The message an http in node makes is an object of the runtime's own realm (the function node's
  // sandbox has its own Object.prototype): its prototype chain is the runtime's.
  nodes.push({ id: 'probe-in', type: 'http in', z: 'tab1', url: '/probe/pollution', method: 'get', wires: [['probe-fn']] });
  nodes.push({
    id: 'probe-fn',
    type: 'function',
    z: 'tab1',
    func: [
      'const runtimeObject = Object.getPrototypeOf(msg);',
      'const runtimeArray = Object.getPrototypeOf(msg.req.rawHeaders);',
      'const names = (o) => Object.getOwnPropertyNames(o).sort();',
      'msg.payload = { object: names(runtimeObject), array: names(runtimeArray), polluted: [runtimeObject.polluted, runtimeArray.polluted, ({}).polluted, msg.polluted, msg.req.polluted].map(String) };',
      'return msg;',
    ].join('\n'),
    outputs: 1,
    wires: [['probe-out']],
  });
  nodes.push({ id: 'probe-out', type: 'http response', z: 'tab1', statusCode: '200', wires: [] });
  return nodes;
}

function sha256Id(bytes) {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

module.exports = { fuzzFlow, sha256Id };
