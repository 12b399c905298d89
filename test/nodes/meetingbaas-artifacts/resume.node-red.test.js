'use strict';
// A real Node-RED killed with SIGKILL in the middle of a download: the delivery sent again to a
// new Node-RED continues the partial file with a Range request, and a third sending finds the
// file saved and asks storage nothing.
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { startNodeRed, request } = require('../../support/node-red');
const fx = require('../../fixtures/artifacts');
const deliveries = require('../../fixtures/deliveries');

/** Resolves when `test` holds: the bytes reaching the disk send no event, so this looks every few ms. */
async function whenTrue(test) {
  while (!test()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('fetch artifacts in a real Node-RED killed mid-download', function () {
  this.timeout(120000);
  let server;
  let directory;
  const instances = [];

  before(async function () {
    server = await fx.startServer();
    directory = fx.tempDir('mb-resume-nr-');
  });
  after(async function () {
    for (const instance of instances) await instance.stop();
    await server.close();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  // POST /fetch {delivery, meetingbaas} → the artifact node, as callback in would send it on.
  const flows = () => [
    { id: 'tab', type: 'tab', label: 'resume' },
    { id: 'acc', type: 'meetingbaas-config', baseUrl: server.base },
    { id: 'in', z: 'tab', type: 'http in', url: '/fetch', method: 'post', wires: [['unwrap']] },
    {
      id: 'unwrap',
      z: 'tab',
      type: 'change',
      rules: [
        { t: 'move', p: 'payload.meetingbaas', pt: 'msg', to: 'meetingbaas', tot: 'msg' },
        { t: 'move', p: 'payload.delivery', pt: 'msg', to: 'payload', tot: 'msg' },
      ],
      wires: [['fetch']],
    },
    {
      id: 'fetch',
      z: 'tab',
      type: 'meetingbaas-artifacts',
      account: 'acc',
      mode: 'file',
      output: 'single',
      directory,
      allowLocal: true,
      retries: 0,
      stallSeconds: 60,
      wires: [['report'], []],
    },
    { id: 'report', z: 'tab', type: 'change', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'artifacts', tot: 'msg' }], wires: [['answer']] },
    { id: 'answer', z: 'tab', type: 'http response' },
  ];

  async function nodeRedWithFlow() {
    const instance = await startNodeRed();
    instances.push(instance);
    await instance.deploy(flows());
    return instance;
  }

  const send = (instance, body) =>
    request(instance.nodeUrl('/fetch'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('resumes after SIGKILL from the partial size, byte-identical, then reports the file saved', async function () {
    const botId = crypto.randomUUID();
    const size = 6 * 1024 * 1024 + 123;
    const stallAt = 2 * 1024 * 1024;
    const url = server.add(`/${botId}/video`, { size, head: fx.HEADS.mp4, type: 'video/mp4', etag: '"obj-1"', stallAt });
    const delivery = deliveries.completed({ botId, urls: { video: url } });
    const partial = path.join(directory, botId, '.video.part');

    const first = await nodeRedWithFlow();
    const lost = send(first, { delivery, meetingbaas: { botId, event: 'bot.completed' } }).catch((error) => error);
    await whenTrue(() => fs.existsSync(partial) && fs.statSync(partial).size === stallAt);
    await first.kill('SIGKILL');
    assert.ok((await lost) instanceof Error, 'the killed Node-RED never answered');
    assert.deepEqual(fx.listFiles(directory), [`${botId}/.video.part`, `${botId}/.video.part.json`]);

    const second = await nodeRedWithFlow();
    const resumed = await send(second, { delivery, meetingbaas: { botId, event: 'bot.completed', redelivered: 1 } });
    assert.equal(resumed.status, 200, resumed.text);
    const report = JSON.parse(resumed.text);
    const file = path.join(directory, botId, 'video.mp4');
    assert.equal(report.video.filename, file);
    assert.equal(report.video.size, size);
    assert.equal(report.video.alreadySaved, undefined);
    assert.deepEqual(
      server.requests(`/${botId}/video`).map((r) => r.range),
      [null, `bytes=${stallAt}-`],
    );
    assert.equal(await fx.sha256OfFile(file), fx.sha256OfResource(server.resource(`/${botId}/video`)));
    assert.deepEqual(fx.listFiles(directory), [`${botId}/video.mp4`]);

    const again = await send(second, { delivery, meetingbaas: { botId, event: 'bot.completed', redelivered: 2 } });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(JSON.parse(again.text).video, { contentType: 'video/mp4', size, filename: file, refreshed: false, alreadySaved: true });
    assert.equal(server.requests(`/${botId}/video`).length, 2, 'storage was not asked again');
  });
});
