'use strict';
// The whole loop in a real Node-RED with the package installed as the palette installs it:
// the "Send a bot and get its transcript" example, pointed at the simulator, sends a bot; the
// simulator's API creates it and sends bot.completed to the callback node the bot node named;
// the transcript is downloaded. The editor's debug sidebar is read over the comms websocket.
const assert = require('node:assert/strict');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { DebugSidebar } = require('../../support/debug-sidebar');
const { startNodeRed, request, ROOT } = require('../../support/node-red');
const simulator = require('../../../simulator');

const EXAMPLE = join(ROOT, 'examples', '05 Send a bot and get its transcript.json');

describe('send a bot and get its transcript, in a real Node-RED', function () {
  this.timeout(180000);
  let nodeRed;
  let sim;
  let sidebar;

  before(async function () {
    sim = await simulator.ArtifactServer.start({ apiKey: simulator.DEMO_API_KEY, bots: { meetingMs: 50 } });
    nodeRed = await startNodeRed({ httpNodeRoot: '/red' });
    sidebar = await DebugSidebar.of(nodeRed);
  });
  after(async function () {
    sidebar?.close();
    await nodeRed?.stop();
    await sim?.close();
  });

  it('creates the bot with its callback wired to the callback node, receives bot.completed and shows the transcript', async function () {
    const flow = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    const account = flow.find((n) => n.type === 'meetingbaas-config');
    account.baseUrl = sim.baseUrl;
    account.publicUrl = `http://127.0.0.1:${nodeRed.port}`;
    account.credentials = { apiKey: simulator.DEMO_API_KEY, callbackSecret: simulator.DEMO_CALLBACK_SECRET };
    await nodeRed.deploy(flow);

    const inject = flow.find((n) => n.type === 'inject');
    const callbackSent = new Promise((resolve) => sim.api.once('callback', resolve));
    const pressed = await request(nodeRed.adminUrl(`/inject/${inject.id}`), { method: 'POST' });
    assert.equal(pressed.status, 200);

    const sent = await sidebar.first('bot sent');
    const botId = JSON.parse(sent.msg).bot_id;
    const bot = sim.api.bots.get(botId);
    assert.ok(bot, 'the simulator created the bot the node reports');
    assert.deepEqual(bot.request.callback_config, {
      url: `http://127.0.0.1:${nodeRed.port}/red/meetingbaas/bot-transcript`,
      method: 'POST',
      secret: simulator.DEMO_CALLBACK_SECRET,
    });
    assert.ok(!sent.msg.includes(simulator.DEMO_CALLBACK_SECRET), 'the debug sidebar shows no secret');

    // The callback node accepted the delivery: the secret the bot node sent is the one it checks.
    const callback = await callbackSent;
    assert.equal(callback.botId, botId);
    assert.equal(callback.result.status, 200, callback.result.responseBody);

    const transcript = await sidebar.first('transcript');
    const meeting = simulator.loadSampleMeeting();
    const firstSpeaker = meeting.script.speakers[0].name;
    assert.match(transcript.msg, new RegExp(firstSpeaker));
    assert.deepEqual(sidebar.names().filter((n) => n === 'problem' || n === 'bot failed'), [], 'no problem reported');
  });
});
