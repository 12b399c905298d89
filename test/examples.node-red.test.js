// Every example, as a user imports it (no credentials, fresh Node-RED), deploys without errors
// and shows something in the debug sidebar when the simulator sends it a delivery.
const assert = require('node:assert/strict');
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { randomUUID } = require('node:crypto');
const { DebugSidebar } = require('./support/debug-sidebar');
const { startNodeRed, ROOT } = require('./support/node-red');
const simulator = require('../simulator');

const EXAMPLES_DIR = join(ROOT, 'examples');
const exampleFiles = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort();

function example(prefix) {
  const file = exampleFiles.find((f) => f.startsWith(prefix));
  assert.ok(file, `no example starting with "${prefix}"`);
  return { file, flow: JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) };
}

/** The account key of the examples that call the API; the simulator refuses any other, as Meeting BaaS does. */
const EXAMPLE_KEY = 'example-key';

describe('example flows in a real Node-RED', function () {
  this.timeout(120000);
  let nodeRed;
  let artifacts;
  let sidebar;
  const meeting = simulator.loadSampleMeeting();

  before(async function () {
    artifacts = await simulator.ArtifactServer.start({ apiKey: EXAMPLE_KEY });
    nodeRed = await startNodeRed();
    sidebar = await DebugSidebar.of(nodeRed);
  });
  after(async function () {
    sidebar?.close();
    await nodeRed?.stop();
    await artifacts?.close();
  });

  /** Deploys one example exactly as its file holds it and checks the log for problems. */
  async function deployAlone(prefix) {
    const { file, flow } = example(prefix);
    const from = nodeRed.log.length;
    await nodeRed.deploy(flow);
    const log = nodeRed.log.slice(from);
    assert.doesNotMatch(log, /\[(error|warn)\]/, `${file} deployed with problems:\n${log}`);
    assert.doesNotMatch(log, /missing types/i, `${file} uses node types Node-RED does not know:\n${log}`);
    return flow;
  }

  function callbackUrl(flow) {
    const node = flow.find((n) => n.type === 'meetingbaas-callback');
    return nodeRed.nodeUrl(node.url);
  }

  async function send(flow, delivery) {
    const result = await simulator.sendDelivery(callbackUrl(flow), delivery, { kind: 'none' });
    assert.equal(result.status, 200, result.responseBody);
  }

  it('has at least four examples, each with a comment node and its own callback path', function () {
    assert.ok(exampleFiles.length >= 4, exampleFiles.join(', '));
    const paths = exampleFiles.map((f) => {
      const { flow } = example(f);
      assert.ok(flow.some((n) => n.type === 'comment' && n.info && n.info.length > 100), `${f} lacks an explaining comment`);
      return flow.filter((n) => n.type === 'meetingbaas-callback').map((n) => n.url);
    });
    const all = paths.flat();
    assert.equal(new Set(all).size, all.length, `callback paths repeat: ${all.join(', ')}`);
  });

  it('01 routes bot.completed and bot.failed to their debug nodes', async function () {
    const flow = await deployAlone('01');
    const completed = sidebar.next('bot.completed');
    const urls = sidebar.next('artifact URLs');
    await send(flow, simulator.completedDelivery(meeting.script, artifacts.artifactUrls(randomUUID())));
    assert.equal((await completed).msg, 'Meeting finished: 13 s, speakers: Alice Martin, Bob Chen');
    assert.match((await urls).msg, /audio\.flac\?X-Amz-Algorithm/);
    const failed = sidebar.next('bot.failed');
    await send(flow, simulator.failedDelivery({ errorCode: 'CANNOT_JOIN_MEETING' }));
    assert.match((await failed).msg, /^Bot failed: CANNOT_JOIN_MEETING: /);
  });

  it('02 saves every artifact to disk and reports the files', async function () {
    const flow = await deployAlone('02');
    const botId = randomUUID();
    const report = sidebar.next('saved files');
    await send(flow, simulator.completedDelivery(meeting.script, artifacts.artifactUrls(botId), { botId }));
    const text = (await report).msg;
    for (const name of ['audio', 'transcription', 'raw_transcription', 'diarization', 'chat_messages']) {
      assert.match(text, new RegExp(`- ${name}: `), text);
    }
    assert.match(text, /audio\/flac/);
    assert.match(text, /video skipped/);
    const saved = join(nodeRed.userDir, 'meetingbaas-recordings', botId);
    assert.ok(readFileSync(join(saved, 'audio.flac')).equals(meeting.audio));
    assert.ok(existsSync(join(saved, 'diarization.jsonl')));
  });

  it('03 turns the transcript into text for an e-mail, with SRT subtitles', async function () {
    const flow = await deployAlone('03');
    const email = sidebar.next('e-mail (replace with an e-mail node)');
    const subtitles = sidebar.next('subtitles (SRT)');
    await send(flow, simulator.completedDelivery(meeting.script, artifacts.artifactUrls(randomUUID())));
    const mail = await email;
    assert.match(mail.topic, /^Transcript of your meeting of \d{4}-\d{2}-\d{2}$/);
    assert.match(mail.msg, /\[00:00:00\] Alice Martin: Good morning everyone/);
    assert.match(mail.msg, /Bob Chen: Sounds good\. I will send the notes after the meeting\./);
    assert.match((await subtitles).msg, /^1\n00:00:00,000 --> 00:00:03,520\nAlice Martin: /);
  });

  it('04 alerts on failures, urgently for account problems, and on invalid deliveries', async function () {
    const flow = await deployAlone('04');
    const urgent = sidebar.next('urgent: account needs attention');
    await send(flow, simulator.failedDelivery({ errorCode: 'INSUFFICIENT_TOKENS' }));
    const urgentAlert = await urgent;
    assert.equal(urgentAlert.topic, 'Meeting BaaS bot failed: INSUFFICIENT_TOKENS');
    assert.match(urgentAlert.msg, /Error code: INSUFFICIENT_TOKENS\nWhat happened: The account has no tokens left/);

    const normal = sidebar.next('alert: bot failed');
    await send(flow, simulator.failedDelivery({ errorCode: 'BOT_NOT_ACCEPTED' }));
    assert.match((await normal).msg, /Error code: BOT_NOT_ACCEPTED/);

    const invalid = sidebar.next('alert: invalid delivery');
    await send(flow, simulator.invalidDelivery(meeting.script, artifacts.artifactUrls(randomUUID())));
    const invalidAlert = (await invalid).msg;
    assert.match(invalidAlert, /- data\.sent_at: is required/);
    assert.match(invalidAlert, /- data\.bot_id: must match format "uuid"/);
  });

  /** Deploys one example with its account's API key and API URL set, as a user does after importing it. */
  async function deployWithKey(prefix) {
    const { flow } = example(prefix);
    const withKey = flow.map((n) => (n.type === 'meetingbaas-config' ? { ...n, baseUrl: artifacts.baseUrl, credentials: { apiKey: EXAMPLE_KEY } } : n));
    await deployAlone(prefix);
    const from = nodeRed.log.length;
    await nodeRed.deploy(withKey);
    assert.doesNotMatch(nodeRed.log.slice(from), /\[(error|warn)\]/);
    return withKey;
  }

  it('06 deletes a meeting\'s data at Meeting BaaS once every file is saved', async function () {
    const flow = await deployWithKey('06');
    const bot = artifacts.api.addEndedBot({ status: 'completed' });
    const deleted = sidebar.next('data deleted');
    await send(flow, simulator.completedDelivery(meeting.script, artifacts.artifactUrls(bot.botId), { botId: bot.botId }));
    assert.equal((await deleted).msg.includes(bot.botId), true);
    const saved = join(nodeRed.userDir, 'meetingbaas-recordings', bot.botId);
    assert.ok(readFileSync(join(saved, 'audio.flac')).equals(meeting.audio), 'every file saved before the deletion was asked');
  });

  it('07 lists the meetings of the last 24 hours and saves what is not on disk yet', async function () {
    const flow = await deployWithKey('07');
    const bots = [1, 2].map((hours) => artifacts.api.addEndedBot({ status: 'completed', endedAt: new Date(Date.now() - hours * 3600 * 1000) }));
    // Every completed bot the stand-in has that ended in the last 24 hours (earlier tests add some).
    const dayAgo = Date.now() - 86400000;
    const listed = [...artifacts.api.bots.values()].filter((b) => b.status === 'completed' && b.endedAt && b.endedAt.getTime() > dayAgo).length;
    const daily = flow.find((n) => n.type === 'inject');
    /** Presses the inject button and returns the next `count` reports of "meeting checked". */
    const press = async (count) => {
      let at = sidebar.messages.length;
      const res = await fetch(nodeRed.adminUrl(`/inject/${daily.id}`), { method: 'POST' });
      assert.equal(res.status, 200);
      const reports = [];
      while (reports.length < count) {
        const report = await sidebar.waitFor('meeting checked', at, 20000);
        reports.push(report.msg);
        at = sidebar.messages.indexOf(report) + 1;
      }
      return reports;
    };
    const first = await press(listed);
    for (const bot of bots) assert.ok(existsSync(join(nodeRed.userDir, 'meetingbaas-recordings', bot.botId, 'audio.flac')), `${bot.botId} saved`);
    assert.ok(first.some((r) => /audio: saved now/.test(r)), first.join('\n'));
    const second = await press(listed);
    assert.ok(second.every((r) => !/saved now/.test(r)), `nothing downloaded twice:\n${second.join('\n')}`);
  });

  it('deploys all examples together, as npm start does, without two nodes on one path', async function () {
    const flows = exampleFiles.flatMap((f) => example(f).flow);
    const from = nodeRed.log.length;
    await nodeRed.deploy(flows);
    const log = nodeRed.log.slice(from);
    assert.doesNotMatch(log, /\[(error|warn)\]/, log);
    for (const f of exampleFiles) {
      const { flow } = example(f);
      if (!flow.some((n) => n.type === 'meetingbaas-callback')) continue;
      const completed = simulator.completedDelivery(meeting.script, artifacts.artifactUrls(randomUUID()));
      const result = await simulator.sendDelivery(callbackUrl(flow), completed, { kind: 'none' });
      assert.equal(result.status, 200, `${f}: ${result.responseBody}`);
    }
  });
});
