'use strict';
// What fetch artifacts saved of a bot.completed, in the sidebar's view of the delivery, in a real
// Node-RED: callback in → two fetch artifacts nodes (one saving files with SRT subtitles, one keeping
// the transcript and WebVTT subtitles in messages) → a complete node that reports to a collector once
// each is done. The delivery's view then lists each artifact, subtitles included, with its size and,
// for files, its path; it survives a restart.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startNodeRed, request } = require('../../support/node-red');
const { startCollector } = require('../../support/collector');
const simulator = require('../../../simulator');
const { toWebVtt, utterancesOf } = require('../../../lib/artifacts/transcript');

const SECRET = 'secret-of-the-saved-files-test';

function flow(collectorUrl) {
  return [
    { id: 'tab1', type: 'tab', label: 'saved' },
    { id: 'acc1', type: 'meetingbaas-config', name: 'account', credentials: { callbackSecret: SECRET } },
    { id: 'cb1', type: 'meetingbaas-callback', z: 'tab1', url: '/mb/saved', account: 'acc1', wires: [['files', 'memory'], [], [], []] },
    { id: 'files', type: 'meetingbaas-artifacts', z: 'tab1', artifacts: ['audio', 'transcription'], mode: 'file', directory: 'recordings', subtitles: 'srt', allowLocal: true, wires: [[], []] },
    { id: 'memory', type: 'meetingbaas-artifacts', z: 'tab1', artifacts: ['transcription'], mode: 'message', subtitles: 'vtt', allowLocal: true, wires: [[], []] },
    { id: 'done1', type: 'complete', z: 'tab1', scope: ['files', 'memory'], uncaught: false, wires: [['report']] },
    { id: 'catch1', type: 'catch', z: 'tab1', scope: null, uncaught: false, wires: [['report']] },
    {
      id: 'report', type: 'function', z: 'tab1', outputs: 1, wires: [['post']],
      func: 'msg.payload = { node: msg.complete ? "complete" : "error", error: msg.error && msg.error.message };\nmsg.headers = { "content-type": "application/json" };\nreturn msg;',
    },
    { id: 'post', type: 'http request', z: 'tab1', method: 'POST', ret: 'txt', url: collectorUrl, wires: [[]] },
  ];
}

describe('the artifacts saved of a delivery, in the sidebar, in a real Node-RED', function () {
  this.timeout(90000);
  let nodeRed;
  let collector;
  let storage;
  const botId = '33333333-4444-4555-8666-777777777777';

  const view = async (seq) => {
    const res = await request(nodeRed.adminUrl(`/meetingbaas/deliveries/cb1/${seq}`));
    assert.equal(res.status, 200, res.text);
    return JSON.parse(res.text);
  };
  const listed = async () => JSON.parse((await request(nodeRed.adminUrl('/meetingbaas/deliveries'))).text).rows;

  before(async function () {
    collector = await startCollector();
    storage = await simulator.ArtifactServer.start();
    nodeRed = await startNodeRed();
    await nodeRed.deploy(flow(collector.url));
  });
  after(async () => {
    await nodeRed?.stop();
    await storage?.close();
    await collector?.close();
  });

  it('lists each artifact saved with its size, and its path for a file, once fetch artifacts is done', async function () {
    const body = simulator.completedDelivery(simulator.loadSampleMeeting().script, storage.artifactUrls(botId), { botId });
    const res = await request(nodeRed.nodeUrl('/mb/saved'), { method: 'POST', headers: { 'content-type': 'application/json', 'x-mb-secret': SECRET }, body: JSON.stringify(body) });
    assert.equal(res.status, 200, res.text);
    const reports = await collector.waitFor(() => true, 2);
    assert.deepEqual(reports.map((r) => r.node), ['complete', 'complete'], JSON.stringify(reports));
    const [row] = await listed();
    assert.equal(row.botId, botId);
    assert.equal(row.state, 'finished');
    const { saved } = await view(row.seq);
    const dir = path.join(nodeRed.userDir, 'recordings');
    const files = saved.filter((f) => f.path !== null).sort((a, b) => a.artifact.localeCompare(b.artifact));
    assert.deepEqual(files.map((f) => f.artifact), ['audio', 'subtitles', 'transcription']);
    for (const file of files) {
      assert.ok(file.path.startsWith(dir + path.sep), file.path);
      assert.equal(file.bytes, fs.statSync(file.path).size, file.artifact);
      assert.ok(file.bytes > 0);
    }
    const [, subtitles, transcript] = files;
    assert.equal(subtitles.path, transcript.path.replace(/\.json$/, '.srt'), 'the subtitles beside their transcript');
    const inMessage = saved.filter((f) => f.path === null).sort((a, b) => a.artifact.localeCompare(b.artifact));
    assert.deepEqual(inMessage.map((f) => f.artifact), ['subtitles', 'transcription']);
    assert.equal(inMessage[1].bytes, transcript.bytes, 'the same transcript, kept in a message');
    const vtt = toWebVtt(utterancesOf(JSON.parse(fs.readFileSync(transcript.path, 'utf8'))));
    assert.equal(inMessage[0].bytes, Buffer.byteLength(vtt), 'the WebVTT subtitles kept in a message, in UTF-8 bytes');
  });

  it('shows a delivery whose download failed as failed, waiting to be sent again, not as sent again', async function () {
    collector.clear();
    const failing = '44444444-5555-4666-8777-888888888888';
    // Both nodes fail (one finishing would finish the delivery): the audio, and the transcript both want.
    const urls = { ...storage.artifactUrls(failing), audio: `${storage.baseUrl}/no-such-recording.flac`, transcription: `${storage.baseUrl}/no-such-transcript.json` };
    const body = simulator.completedDelivery(simulator.loadSampleMeeting().script, urls, { botId: failing });
    const res = await request(nodeRed.nodeUrl('/mb/saved'), { method: 'POST', headers: { 'content-type': 'application/json', 'x-mb-secret': SECRET }, body: JSON.stringify(body) });
    assert.equal(res.status, 200, res.text);
    await collector.waitFor((r) => r.node === 'error', 2);
    const row = (await listed()).find((r) => r.botId === failing);
    assert.equal(row.state, 'failed');
    assert.equal(row.attempts, 0, 'never sent again');
    assert.match(row.problem, /transcription/);
    assert.deepEqual((await view(row.seq)).saved, []);
    const resent = JSON.parse((await request(nodeRed.adminUrl(`/meetingbaas/deliveries/cb1/${row.seq}/send-again`), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).text).row;
    assert.deepEqual([resent.state, resent.attempts], ['sent-again', 1]);
  });

  it('still lists them after a restart, from the journal', async function () {
    const row = (await listed()).find((r) => r.botId === botId);
    const before = (await view(row.seq)).saved;
    await nodeRed.stop({ keep: true });
    nodeRed = await startNodeRed({}, { userDir: nodeRed.userDir });
    // The journal opens after the flows have started: until then the delivery is not known yet.
    let again = await request(nodeRed.adminUrl(`/meetingbaas/deliveries/cb1/${row.seq}`));
    for (let tries = 0; again.status === 404 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      again = await request(nodeRed.adminUrl(`/meetingbaas/deliveries/cb1/${row.seq}`));
    }
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(JSON.parse(again.text).saved, before);
  });
});
