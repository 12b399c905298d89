'use strict';
// Palette install on both current Node-RED majors: the npm pack tarball installed into a fresh
// user directory (test/support/node-red.js does it with the palette manager's npm flags) of
// Node-RED 4.1 on Node 20 and of Node-RED 5 on Node 22 (test/support/node-red-majors.js). Each
// one starts, gets the examples deployed, receives deliveries and shows the expected debug
// output; the editor's test-delivery route works too, and so does the meetingbaas-simulator
// command the install put in node_modules/.bin.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const { startCommand, userEnv } = require('../support/command');
const { DebugSidebar } = require('../support/debug-sidebar');
const { startNodeRed, request, freePort, ROOT } = require('../support/node-red');
const { MAJORS } = require('../support/node-red-majors');
const simulator = require('../../simulator');

const EXAMPLES_DIR = path.join(ROOT, 'examples');
const examples = fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort()
  .map((file) => ({ file, flow: JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) }));
const example = (prefix) => examples.find((e) => e.file.startsWith(prefix));

const SIMULATOR_PATH = '/meetingbaas/simulator-command';

/**
 * A callback node whose account has a callback secret and the simulator's API (for fresh
 * links), wired to example 02's "fetch artifacts" and a debug node saying what was saved.
 */
function simulatorFlow(secret, apiUrl) {
  const ids = { tab: 'mbsimcmd0000tab1', account: 'mbsimcmd0account', callback: 'mbsimcmdcallback', artifacts: 'mbsimcmartifacts', debug: 'mbsimcmd00debug1' };
  const from02 = (type) => example('02').flow.find((n) => n.type === type);
  return [
    { id: ids.tab, type: 'tab', label: 'meetingbaas-simulator command' },
    {
      id: ids.account,
      type: 'meetingbaas-config',
      name: 'simulator account',
      baseUrl: apiUrl,
      credentials: { callbackSecret: secret, apiKey: simulator.DEMO_API_KEY },
    },
    { ...from02('meetingbaas-callback'), id: ids.callback, z: ids.tab, account: ids.account, url: SIMULATOR_PATH, wires: [[ids.artifacts], [], [], []] },
    { ...from02('meetingbaas-artifacts'), id: ids.artifacts, z: ids.tab, account: ids.account, wires: [[ids.debug], []] },
    {
      id: ids.debug,
      type: 'debug',
      z: ids.tab,
      name: 'simulator command: saved',
      active: true,
      tosidebar: true,
      console: false,
      tostatus: false,
      complete: 'botId & " audio " & $string(artifacts.audio.size) & " refreshed " & $string(artifacts.audio.refreshed)',
      targetType: 'jsonata',
      wires: [],
    },
  ];
}

for (const major of MAJORS) {
  describe(`palette install: ${major.title}`, function () {
    this.timeout(600000);
    let nodeRed;
    let feed;
    let artifacts;
    let runtime;
    const meeting = simulator.loadSampleMeeting();

    before(async function () {
      artifacts = await simulator.ArtifactServer.start();
      runtime = major.runtime();
      nodeRed = await startNodeRed({}, runtime);
      feed = await DebugSidebar.of(nodeRed);
    });
    after(async function () {
      feed?.close();
      await nodeRed?.stop();
      await artifacts?.close();
    });

    it('runs the expected Node-RED and Node.js, with the package loaded', async function () {
      const version = (nodeRed.log.match(/Node-RED version: (v\S+)/) || [])[1];
      const nodeVersion = (nodeRed.log.match(/Node\.js {2}version: (v\S+)/) || [])[1];
      assert.match(version ?? '', major.version, nodeRed.log);
      assert.match(nodeVersion ?? '', major.node, nodeRed.log);
      const res = await request(nodeRed.adminUrl('/nodes'), { headers: { accept: 'application/json' } });
      const sets = JSON.parse(res.text).filter((s) => s.module === require('../../package.json').name);
      assert.ok(sets.length >= 3, res.text.slice(0, 500));
      for (const set of sets) assert.equal(set.err, undefined, `${set.id}: ${set.err}`);
      assert.doesNotMatch(nodeRed.log, /\[(error|warn)\].*meeting/i, nodeRed.log);
    });

    it('deploys every example together without errors', async function () {
      const from = nodeRed.log.length;
      await nodeRed.deploy(examples.flatMap((e) => e.flow));
      const log = nodeRed.log.slice(from);
      assert.doesNotMatch(log, /\[(error|warn)\]/, log);
      assert.doesNotMatch(log, /missing types/i, log);
    });

    const send = async (prefix, delivery) => {
      const { flow } = example(prefix);
      const url = nodeRed.nodeUrl(flow.find((n) => n.type === 'meetingbaas-callback').url);
      const result = await simulator.sendDelivery(url, delivery, { kind: 'none' });
      assert.equal(result.status, 200, result.responseBody);
    };

    it('01 routes bot.completed and bot.failed', async function () {
      const completed = feed.next('bot.completed');
      await send('01', simulator.completedDelivery(meeting.script, artifacts.artifactUrls(randomUUID())));
      assert.equal((await completed).msg, 'Meeting finished: 13 s, speakers: Alice Martin, Bob Chen');
      const failed = feed.next('bot.failed');
      await send('01', simulator.failedDelivery({ errorCode: 'CANNOT_JOIN_MEETING' }));
      assert.match((await failed).msg, /^Bot failed: CANNOT_JOIN_MEETING: /);
    });

    it('02 downloads every artifact to disk', async function () {
      const botId = randomUUID();
      const report = feed.next('saved files');
      await send('02', simulator.completedDelivery(meeting.script, artifacts.artifactUrls(botId), { botId }));
      assert.match((await report).msg, /audio\/flac/);
      assert.ok(fs.readFileSync(path.join(nodeRed.userDir, 'meetingbaas-recordings', botId, 'audio.flac')).equals(meeting.audio));
    });

    it('03 makes text and subtitles of the transcript', async function () {
      const subtitles = feed.next('subtitles (SRT)');
      await send('03', simulator.completedDelivery(meeting.script, artifacts.artifactUrls(randomUUID())));
      assert.match((await subtitles).msg, /^1\n00:00:00,000 --> 00:00:03,520\nAlice Martin: /);
    });

    it('04 alerts on failures and invalid deliveries', async function () {
      const urgent = feed.next('urgent: account needs attention');
      await send('04', simulator.failedDelivery({ errorCode: 'INSUFFICIENT_TOKENS' }));
      assert.equal((await urgent).topic, 'Meeting BaaS bot failed: INSUFFICIENT_TOKENS');
      const invalid = feed.next('alert: invalid delivery');
      await send('04', simulator.invalidDelivery(meeting.script, artifacts.artifactUrls(randomUUID())));
      assert.match((await invalid).msg, /- data\.bot_id: must match format "uuid"/);
    });

    it('sends the editor\'s test delivery to a deployed callback node', async function () {
      const callback = example('01').flow.find((n) => n.type === 'meetingbaas-callback');
      const failed = feed.next('bot.failed');
      const res = await request(nodeRed.adminUrl(`/meetingbaas-callback/${callback.id}/test`), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'failed' }),
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(JSON.parse(res.text).status, 200, res.text);
      assert.match((await failed).msg, /^Bot failed: BOT_NOT_ACCEPTED: /);
    });

    /** The installed command, started in the user directory as a user would, its shebang finding this major's Node.js. */
    const simulatorCommand = (args) =>
      startCommand(path.join(nodeRed.userDir, 'node_modules', '.bin', 'meetingbaas-simulator'), args, {
        cwd: nodeRed.userDir,
        env: userEnv({ PATH: `${path.dirname(runtime.nodeBinary ?? process.execPath)}${path.delimiter}${process.env.PATH}` }),
      });

    it('runs the installed meetingbaas-simulator command: help, and signed deliveries with its artifact server and API stand-in', async function () {
      const help = await simulatorCommand(['--help']).done;
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /^Usage: meetingbaas-simulator <event> \[options\]$/m);

      const secret = `callback-secret-${randomUUID()}`;
      const apiUrl = `http://127.0.0.1:${await freePort()}`;
      await nodeRed.deploy([...examples.flatMap((e) => e.flow), ...simulatorFlow(secret, apiUrl)]);
      const url = nodeRed.nodeUrl(SIMULATOR_PATH);

      const completedId = randomUUID();
      const saved = feed.next('simulator command: saved');
      const serving = simulatorCommand(['completed', '--url', url, '--secret', secret, '--serve', '--artifacts', apiUrl, '--bot-id', completedId]);
      try {
        const output = await serving.output(/Serving until Ctrl-C/);
        assert.match(output, /→ 200 accepted/);
        assert.equal((await saved).msg, `${completedId} audio ${meeting.audio.length} refreshed false`);
        const file = path.join(nodeRed.userDir, 'meetingbaas-recordings', completedId, 'audio.flac');
        assert.ok(fs.readFileSync(file).equals(meeting.audio));

        // Expired links: the flow gets fresh ones from the API stand-in the first command serves.
        const expiredId = randomUUID();
        const refreshed = feed.next('simulator command: saved');
        const expired = await simulatorCommand(['expired', '--url', url, '--secret', secret, '--artifacts', apiUrl, '--bot-id', expiredId, '--quiet']).done;
        assert.equal(expired.code, 0, expired.stdout + expired.stderr);
        assert.equal((await refreshed).msg, `${expiredId} audio ${meeting.audio.length} refreshed true`);

        const refused = await simulatorCommand(['failed', '--url', url, '--secret', 'not-the-secret', '--quiet']).done;
        assert.equal(refused.code, 1, refused.stdout + refused.stderr);
        assert.match(refused.stdout, /→ 401 refused/);
      } finally {
        serving.child.kill('SIGINT');
      }
      const { code, stdout, stderr } = await serving.done;
      assert.equal(code, 0, stdout + stderr);
      assert.ok(!stdout.includes(secret) && !stderr.includes(secret), 'the secret was printed');
    });
  });
}
