'use strict';
// Load without loss: for 60 s at full speed (autocannon, 50 connections, from another process),
// every delivery answered 2xx reaches exactly one output, and repeats are dropped exactly.
// Counting at the outputs is one hop: each output is wired to a function node that records
// data.bot_id in global context; GET /counts reads them back after the run.
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const { startNodeRed, request } = require('../support/node-red');

const SECRET = 'load-secret';
const SECONDS = Number(process.env.LOAD_SECONDS || 60);

function countingFlow() {
  const nodes = [
    { id: 'tab1', type: 'tab', label: 'load' },
    { id: 'acc1', type: 'meetingbaas-config', name: 'load', credentials: { callbackSecret: SECRET } },
  ];
  const wires = [];
  for (let output = 0; output < 4; output++) {
    wires.push([`count${output}`]);
    nodes.push({
      id: `count${output}`, type: 'function', z: 'tab1', outputs: 0, wires: [],
      func: `let ids = global.get('out${output}'); if (!ids) { ids = []; global.set('out${output}', ids); }\nconst d = msg.payload && msg.payload.data;\nids.push(d && d.bot_id);\nreturn null;`,
    });
  }
  nodes.push({ id: 'cb', type: 'meetingbaas-callback', z: 'tab1', url: '/mb/load', account: 'acc1', wires });
  nodes.push({ id: 'counts-in', type: 'http in', z: 'tab1', url: '/counts', method: 'get', wires: [['counts-fn']] });
  nodes.push({
    id: 'counts-fn', type: 'function', z: 'tab1', outputs: 1, wires: [['counts-out']],
    func: "msg.payload = [0, 1, 2, 3].map((i) => global.get('out' + i) || []);\nreturn msg;",
  });
  nodes.push({ id: 'counts-out', type: 'http response', z: 'tab1', statusCode: '200', wires: [] });
  return nodes;
}

function runLoad(opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'load-worker.js'), JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        const result = JSON.parse(out.trim().split('\n').pop());
        if (code !== 0 || result.error) reject(new Error(result.error || `exit ${code}`));
        else resolve(result);
      } catch {
        reject(new Error(`unreadable load output (exit ${code})`));
      }
    });
  });
}

describe('callback in under sustained load, in a real Node-RED', function () {
  this.timeout(SECONDS * 1000 + 120000);
  let nodeRed;

  before(async () => {
    nodeRed = await startNodeRed();
    await nodeRed.deploy(countingFlow());
  });
  after(async () => {
    if (nodeRed) await nodeRed.stop();
  });

  it(`loses nothing and repeats nothing for ${SECONDS} s at full speed`, async () => {
    const result = await runLoad({ url: nodeRed.nodeUrl('/mb/load'), connections: 50, seconds: SECONDS, secret: SECRET, repeatEvery: 10 });
    const counts = JSON.parse((await request(nodeRed.nodeUrl('/counts'))).text);
    const arrived = counts.flat();
    console.log(`      ${result.responses} answers, ${Math.round(result.rps)} req/s; statuses ${JSON.stringify(result.statuses)}; ` +
      `${result.accepted.length} accepted, ${result.duplicates} answered as repeats of ${result.repeatsSent} repeats sent; outputs ${counts.map((c) => c.length).join('/')}`);
    assert.equal(result.errors, 0, 'no connection errors');
    assert.deepEqual(Object.keys(result.statuses), ['200'], 'every delivery answered 200');
    assert.ok(result.accepted.length > SECONDS * 200, `a high rate: ${result.accepted.length} in ${SECONDS} s`);
    // Exactly one message per accepted delivery, none for anything else.
    const seen = new Map();
    for (const id of arrived) seen.set(id, (seen.get(id) || 0) + 1);
    const twice = [...seen].filter(([, n]) => n > 1);
    assert.deepEqual(twice, [], 'no delivery reached an output twice');
    const accepted = new Set(result.accepted);
    // When the run ends, autocannon drops the connections with requests still on them: those may
    // have reached an output (the sender would retry and be told "duplicate"); nothing else may.
    assert.ok(result.unanswered.length <= 50, `${result.unanswered.length} unanswered at the end`);
    const unanswered = new Set(result.unanswered.map((u) => u.id));
    assert.deepEqual(arrived.filter((id) => !accepted.has(id) && !unanswered.has(id)), [], 'nothing reached an output that was not sent and answered 2xx');
    assert.deepEqual(result.accepted.filter((id) => !seen.has(id)), [], 'every 2xx delivery reached an output');
    // Repeats dropped exactly: of the copies of one delivery, one is accepted as new and every other is
    // answered "duplicate" (which copy wins depends on which connection the server reads first).
    assert.deepEqual(result.acceptedTwice, [], 'a repeat accepted as new');
    assert.deepEqual(result.onlyDuplicates, [], 'a delivery only ever told "duplicate"');
    assert.ok(result.answeredTwice > SECONDS * 20, `repeats were exercised: ${result.answeredTwice}`);
    assert.equal(result.duplicates, result.responses - result.accepted.length);
    // The right output for each kind: invalid ones on output 4, bot.failed on 2, bot.completed on 1.
    const numberOf = (id) => (id.startsWith('not-a-uuid-') ? Number(id.slice(11)) : parseInt(id.slice(-12), 16));
    assert.ok(counts[3].every((id) => numberOf(id) % 13 === 0) && counts[3].length > 0);
    assert.ok(counts[1].every((id) => numberOf(id) % 7 === 0 && numberOf(id) % 13 !== 0) && counts[1].length > 0);
    assert.ok(counts[0].every((id) => numberOf(id) % 7 !== 0 && numberOf(id) % 13 !== 0));
    assert.equal(counts[2].length, 0);
  });
});
