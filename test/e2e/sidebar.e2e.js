'use strict';
// The "Meeting BaaS" sidebar in a real browser, on Node-RED 4.1 and 5: deliveries of each kind
// appear live with their state, a parked one (left by an earlier run) says why, the filters work,
// a payload opens with its signed links hidden, and Send again runs the flow again (the debug
// sidebar and a test node see it), a click on a callback node's status opens the sidebar on that
// node, an opened bot.completed lists the files fetch artifacts saved, and Fetch fresh links says
// in the server's words why the API refused. Screenshots go to test-results/screenshots/<major>/,
// or with UPDATE_SCREENSHOTS=1 (Node-RED 4.1) to docs/images/.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startNodeRed, request, ROOT } = require('../support/node-red');
const { MAJORS } = require('../support/node-red-majors');
const { startCollector } = require('../support/collector');
const { useEditorInBrowser } = require('./support/editor-in-browser');
const simulator = require('../../simulator');
const { DeliveryJournal } = require('../../lib/delivery/journal');

const SECRET = 'sidebar-e2e-secret';
const SIGNATURE = 'feedfacecafe0123';
const API_KEY = 'sidebar-e2e-api-key';
const imagesDir = (major) =>
  process.env.UPDATE_SCREENSHOTS && major === MAJORS[0] ? path.join(ROOT, 'docs', 'images') : path.join(ROOT, 'test-results', 'screenshots', major.key);

function flows(collectorUrl, api) {
  return [
    { id: 'tab1', type: 'tab', label: 'sidebar' },
    { id: 'acc1', type: 'meetingbaas-config', name: 'account', baseUrl: api.baseUrl, credentials: { callbackSecret: SECRET, apiKey: API_KEY } },
    { id: 'cb1', type: 'meetingbaas-callback', z: 'tab1', name: 'meetings', url: '/mb/sidebar', account: 'acc1', x: 160, y: 100, wires: [['dbg1', 'dbg2', 'fn1', 'fa1'], ['dbg1', 'dbg2', 'fn1'], ['dbg1', 'dbg2', 'fn1'], ['dbg1', 'dbg2', 'fn1']] },
    // Deliveries whose links are elsewhere than the simulator have neither audio nor transcript: skipped, nothing saved.
    { id: 'fa1', type: 'meetingbaas-artifacts', z: 'tab1', name: 'recordings', artifacts: ['audio', 'transcription'], mode: 'file', directory: 'recordings', allowLocal: true, x: 420, y: 260, wires: [[], []] },
    { id: 'fa2', type: 'meetingbaas-artifacts', z: 'tab1', name: 'transcript in a message', artifacts: ['transcription'], mode: 'message', allowLocal: true, x: 440, y: 380, wires: [[], []] },
    { id: 'cb2', type: 'meetingbaas-callback', z: 'tab1', name: 'other meetings', url: '/mb/sidebar-other', account: 'acc1', x: 160, y: 380, wires: [['fa2'], [], [], []] },
    { id: 'dbg2', type: 'debug', z: 'tab1', name: 'replayed?', active: true, tosidebar: true, complete: 'meetingbaas.replayed', x: 420, y: 100, wires: [] },
    { id: 'dbg1', type: 'debug', z: 'tab1', name: 'delivered', active: true, tosidebar: true, complete: 'true', x: 420, y: 60, wires: [] },
    { id: 'fn1', type: 'function', z: 'tab1', name: 'test node', func: 'msg.payload = { topic: msg.topic, meetingbaas: msg.meetingbaas };\nmsg.headers = { "content-type": "application/json" };\nreturn msg;', outputs: 1, x: 420, y: 140, wires: [['post1']] },
    { id: 'post1', type: 'http request', z: 'tab1', method: 'POST', ret: 'txt', url: collectorUrl, x: 600, y: 140, wires: [[]] },
  ];
}

/** A journal as an earlier run left it: one bot.completed sent again until its attempts were used up, then parked (a record from before output and extra were kept). */
async function leaveParkedDelivery(userDir) {
  const { journal } = await DeliveryJournal.open(path.join(userDir, 'meetingbaas', 'journals', 'cb1.journal'), { retentionMs: 3600_000 });
  const body = simulator.completedDelivery(simulator.loadSampleMeeting().script, {}, { botId: '99999999-8888-4777-8666-555555555555' });
  const { seq, written } = journal.append({ deliveryId: 'old-1', receivedAt: Date.now() - 3600_000, verifiedBy: 'secret', body: JSON.stringify(body), meta: { event: 'bot.completed', botId: body.data.bot_id, contentType: 'application/json' } });
  await written;
  for (let i = 0; i < 3; i++) await journal.attempt(seq, 'the artifacts could not be downloaded: 403 Forbidden');
  await journal.park(seq, 'the artifacts could not be downloaded: 403 Forbidden');
  await journal.close();
}

for (const major of MAJORS) describe(`the Meeting BaaS sidebar in a real browser (${major.title}, Chromium)`, function () {
  this.timeout(120000);
  const IMAGES_DIR = imagesDir(major);
  let nodeRed;
  let collector;
  let storage;
  let page;
  const editor = useEditorInBrowser();
  const meeting = simulator.loadSampleMeeting();
  const video = `https://bucket.s3.amazonaws.com/v.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=${SIGNATURE}`;

  function deliver(body, url = '/mb/sidebar') {
    return request(nodeRed.nodeUrl(url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-mb-secret': SECRET }, body: JSON.stringify(body) });
  }
  /** Hides the notifications shown so far: hidden, not removed, since the editor removes each one itself when its time is up. */
  async function hideNotifications() {
    await page.evaluate(() => $('.red-ui-notification').css('visibility', 'hidden'));
  }
  /** A screenshot of the editor as a user would see it, without the notifications of earlier steps. */
  async function screenshot(name) {
    await hideNotifications();
    await page.screenshot({ path: path.join(IMAGES_DIR, name) });
  }
  const rows = () => page.locator('#red-ui-sidebar .meetingbaas-sidebar-list .meetingbaas-delivery:visible');
  /** Waits until the list shows `count` rows, the first matching `pattern`. */
  const listShows = (count, pattern = /./) =>
    page.waitForFunction(
      ([n, source]) => {
        const shown = $('#red-ui-sidebar .meetingbaas-sidebar-list .meetingbaas-delivery');
        return shown.length === n && new RegExp(source).test(shown.first().text());
      },
      [count, pattern.source],
    );

  before(async function () {
    this.timeout(600000);
    fs.mkdirSync(IMAGES_DIR, { recursive: true });
    collector = await startCollector();
    const first = await startNodeRed({}, major.runtime());
    assert.match((first.log.match(/Node-RED version: (v\S+)/) || [])[1] ?? '', major.version, first.log);
    storage = await simulator.ArtifactServer.start({ apiKey: API_KEY });
    await first.deploy(flows(collector.url, storage));
    await first.stop({ keep: true });
    await leaveParkedDelivery(first.userDir);
    nodeRed = await startNodeRed({}, { ...major.runtime(), userDir: first.userDir });
    ({ page } = await editor.open(nodeRed.adminUrl('/')));
  });
  after(async function () {
    await nodeRed?.stop();
    await collector?.close();
    await storage?.close();
  });

  it('shows the parked delivery of an earlier run, highlighted with why', async function () {
    await page.evaluate(() => RED.sidebar.show('meetingbaas'));
    const parked = page.locator('.meetingbaas-delivery-parked:visible');
    await parked.first().waitFor({ state: 'visible' });
    const text = await parked.first().innerText();
    assert.match(text, /parked/);
    assert.match(text, /Parked: the artifacts could not be downloaded: 403 Forbidden/);
    assert.match(text, /99999999/);
  });

  it('shows new deliveries of each kind live, with their state, output and extra', async function () {
    assert.equal((await deliver(simulator.completedDelivery(meeting.script, { video }, { botId: '11111111-2222-4333-8444-555555555555', extra: { customer: 'acme', ticket: 'T-42' } }))).status, 200);
    assert.equal((await deliver(simulator.failedDelivery({ botId: '66666666-7777-4888-9999-000000000000', extra: { customer: 'globex' } }))).status, 200);
    assert.equal((await deliver({ event: 'bot.completed', data: { bot_id: 42 } })).status, 200);
    await page.waitForFunction(() => $('#red-ui-sidebar .meetingbaas-sidebar-list .meetingbaas-delivery').length === 4);
    const texts = await rows().allInnerTexts();
    assert.match(texts[0], /bot\.completed[\s\S]*finished[\s\S]*output 4 \(invalid\)/);
    assert.match(texts[1], /bot\.failed[\s\S]*finished[\s\S]*66666666[\s\S]*verified by secret[\s\S]*output 2[\s\S]*customer=globex/);
    assert.match(texts[2], /bot\.completed[\s\S]*11111111[\s\S]*output 1[\s\S]*customer=acme, ticket=T-42/);
    assert.match(texts[3], /parked/);
    assert.match(await page.locator('.meetingbaas-sidebar-counts:visible').innerText(), /meetings: 0 rejected \(401\), 0 repeats dropped/);
    await screenshot('sidebar-deliveries.png');
  });

  it('filters by state, event and a search on bot id and extra', async function () {
    await page.locator('#meetingbaas-sidebar-state').selectOption('parked');
    await listShows(1, /99999999/);
    await page.locator('#meetingbaas-sidebar-state').selectOption('');
    await page.locator('#meetingbaas-sidebar-event').selectOption('bot.failed');
    await listShows(1, /bot\.failed/);
    await page.locator('#meetingbaas-sidebar-event').selectOption('');
    await page.locator('#meetingbaas-sidebar-search').fill('ACME');
    await listShows(1, /11111111/);
    await page.locator('#meetingbaas-sidebar-search').fill('');
    await listShows(4);
  });

  it('opens a payload pretty-printed with its signed links hidden', async function () {
    await rows().nth(2).click();
    const payload = page.locator('.meetingbaas-delivery-payload:visible');
    await payload.waitFor({ state: 'visible' });
    const text = await payload.innerText();
    assert.match(text, /"event": "bot.completed"/);
    assert.match(text, /X-Amz-Signature=\[hidden\]/);
    assert.ok(!text.includes(SIGNATURE));
    // The hidden signature in view: the payload scrolled to the video link.
    await payload.evaluate((pre) => {
      const lines = pre.textContent.split('\n');
      pre.scrollTop = (pre.scrollHeight / lines.length) * Math.max(0, lines.findIndex((line) => line.includes('X-Amz-Signature')) - 4);
      pre.scrollIntoView({ block: 'end' });
    });
    await screenshot('sidebar-payload.png');
    await page.locator('#meetingbaas-sidebar-back').click();
    await rows().first().click();
    await page.locator('.meetingbaas-delivery-errors:visible').waitFor({ state: 'visible' });
    assert.match(await page.locator('.meetingbaas-delivery-errors:visible').innerText(), /bot_id/);
    await page.locator('#meetingbaas-sidebar-back').click();
  });

  it('sends a delivery again: the flow runs again, seen in the debug sidebar and by a test node', async function () {
    collector.clear();
    await rows().nth(1).click();
    await page.locator('#meetingbaas-sidebar-send-again').click();
    const [report] = await collector.waitFor((r) => r.topic === 'bot.failed');
    assert.equal(report.meetingbaas.replayed, true);
    assert.equal(report.meetingbaas.redelivered, 1);
    await page.locator('.meetingbaas-delivery-detail .meetingbaas-delivery-state', { hasText: 'sent again (1)' }).waitFor({ state: 'visible' });
    await page.locator('#meetingbaas-sidebar-back').click();
    await page.evaluate(() => RED.actions.invoke('core:show-debug-tab'));
    await page.locator('.red-ui-debug-msg:visible', { hasText: /msg\.meetingbaas\.replayed[\s\S]*true/ }).first().waitFor({ state: 'visible' });
  });

  it('opens the sidebar filtered to a node from its edit dialog', async function () {
    await page.evaluate(() => RED.editor.edit(RED.nodes.node('cb1')));
    await page.locator('#meetingbaas-callback-show-deliveries').click();
    await page.locator('#node-dialog-cancel').click();
    await page.waitForFunction(() => $('#meetingbaas-sidebar-node').val() === 'cb1' && $('#red-ui-sidebar .meetingbaas-sidebar-list .meetingbaas-delivery:visible').length === 4);
    await page.waitForFunction(() => $('.red-ui-tray:visible').length === 0);
    await page.locator('.meetingbaas-delivery-parked:visible').first().scrollIntoViewIfNeeded();
    await screenshot('sidebar-parked.png');
  });

  it('opens the sidebar filtered to a node when its status in the workspace is clicked', async function () {
    const botId = '77777777-8888-4999-8aaa-bbbbbbbbbbbb';
    assert.equal((await deliver(simulator.completedDelivery(meeting.script, {}, { botId }), '/mb/sidebar-other')).status, 200);
    await page.locator('#meetingbaas-sidebar-node').selectOption('');
    await listShows(5, /77777777/);
    await page.evaluate(() => RED.sidebar.show('debug'));
    const status = page.locator('#red-ui-workspace-chart .red-ui-flow-node-group', { has: page.locator('text=other meetings') }).locator('.red-ui-flow-node-status-group');
    await status.waitFor({ state: 'visible' });
    await status.click();
    await page.waitForFunction(() => $('#meetingbaas-sidebar-node').val() === 'cb2' && $('#red-ui-sidebar .meetingbaas-sidebar-list .meetingbaas-delivery:visible').length === 1);
    assert.match(await rows().first().innerText(), /77777777/);
    const cb1Status = page.locator('#red-ui-workspace-chart .red-ui-flow-node-group', { has: page.locator('text=/^meetings$/') }).locator('.red-ui-flow-node-status-group');
    await cb1Status.click();
    await listShows(4);
    assert.equal(await page.locator('#meetingbaas-sidebar-node').inputValue(), 'cb1');
  });

  it('lists the files fetch artifacts saved of an opened bot.completed, with sizes and paths to copy', async function () {
    const botId = '44444444-5555-4666-8777-888888888888';
    assert.equal((await deliver(simulator.completedDelivery(meeting.script, storage.artifactUrls(botId), { botId, extra: { customer: 'initech' } }))).status, 200);
    const row = page.locator('#red-ui-sidebar .meetingbaas-delivery:visible', { hasText: '44444444' });
    await row.locator('.meetingbaas-state-finished').waitFor({ state: 'visible' });
    await row.click();
    const files = page.locator('.meetingbaas-delivery-saved-file:visible');
    await page.waitForFunction(() => $('.meetingbaas-delivery-saved-file:visible').length === 2);
    const texts = (await files.allInnerTexts()).sort();
    const [audio, transcript] = texts;
    assert.match(audio, new RegExp(`^\\S+\\.flac · audio, [\\d.]+ (KB|MB)\\s+\\S*recordings\\S*${botId}\\S*\\.flac`));
    assert.match(transcript, /transcription, [\d.]+ (B|KB)\s+\S*recordings\S*\.json/);
    assert.equal(await page.locator('.meetingbaas-delivery-saved-path button:visible').count(), 2, 'each path has a copy button');
    await screenshot('sidebar-saved-files.png');
    await page.locator('#meetingbaas-sidebar-fresh-links').click();
    const links = page.locator('.meetingbaas-delivery-fresh:visible');
    await links.waitFor({ state: 'visible' });
    const fresh = await links.innerText();
    assert.match(fresh, new RegExp(`"audio": "${storage.baseUrl}/recordings/${botId}/audio\\.flac\\?[^"]*X-Amz-Signature=\\[hidden\\]`));
    assert.doesNotMatch(fresh, /bot_name|meeting_url/, 'only the links');
    await page.locator('#meetingbaas-sidebar-fresh-links').click();
    await page.waitForFunction(() => $('.meetingbaas-delivery-fresh').length === 1 && $('.meetingbaas-delivery-links').length === 1);
    await page.locator('#meetingbaas-sidebar-back').click();
  });

  it('shows a delivery whose download failed as failed, to be sent again, with why', async function () {
    const botId = '88888888-9999-4aaa-8bbb-cccccccccccc';
    const urls = { ...storage.artifactUrls(botId), audio: `${storage.baseUrl}/no-such-recording.flac` };
    assert.equal((await deliver(simulator.completedDelivery(meeting.script, urls, { botId }))).status, 200);
    const row = page.locator('#red-ui-sidebar .meetingbaas-delivery:visible', { hasText: '88888888' });
    await row.locator('.meetingbaas-state-failed', { hasText: 'failed, to be sent again' }).waitFor({ state: 'visible' });
    assert.match(await row.locator('.meetingbaas-delivery-problem').innerText(), /^Failed in the flow \(sent again when Node-RED next starts, or with Send again\): .*audio/);
    await page.locator('#meetingbaas-sidebar-state').selectOption('failed');
    await listShows(1, /88888888/);
    await rows().first().click();
    // What was saved before the failure is listed.
    await page.locator('.meetingbaas-delivery-saved-file:visible', { hasText: 'transcription' }).waitFor({ state: 'visible' });
    const summary = page.locator('.meetingbaas-delivery-detail > .meetingbaas-delivery .meetingbaas-delivery-state');
    await page.locator('#meetingbaas-sidebar-send-again').click();
    // Updated live while open: sent again, and failed again.
    await summary.filter({ hasText: 'failed, to be sent again · sent again (1)' }).waitFor({ state: 'visible' });
    await page.locator('#meetingbaas-sidebar-finish').click();
    await summary.filter({ hasText: 'finished · sent again (1)' }).waitFor({ state: 'visible' });
    await page.locator('#meetingbaas-sidebar-back').click();
    await page.locator('#meetingbaas-sidebar-state').selectOption('');
  });

  it('shows a transcript kept in a message as such, with no path', async function () {
    const botId = '55555555-6666-4777-8888-999999999999';
    assert.equal((await deliver(simulator.completedDelivery(meeting.script, storage.artifactUrls(botId), { botId }), '/mb/sidebar-other')).status, 200);
    await page.locator('#meetingbaas-sidebar-node').selectOption('cb2');
    const row = page.locator('#red-ui-sidebar .meetingbaas-delivery:visible', { hasText: '55555555' });
    await row.locator('.meetingbaas-state-finished').waitFor({ state: 'visible' });
    await row.click();
    const file = page.locator('.meetingbaas-delivery-saved-file:visible');
    await file.waitFor({ state: 'visible' });
    assert.match(await file.innerText(), /^transcription · [\d.]+ (B|KB)\s+kept in the message \(no file\)/);
    await page.locator('#meetingbaas-sidebar-back').click();
  });

  it('says in the server\'s words why fresh links could not be fetched when the API refuses the key', async function () {
    const botId = '12121212-3434-4565-8787-909090909090';
    assert.equal((await deliver(simulator.completedDelivery(meeting.script, storage.artifactUrls(botId), { botId }))).status, 200);
    await page.evaluate(() => RED.sidebar.show('meetingbaas'));
    await page.locator('#meetingbaas-sidebar-node').selectOption('cb1');
    const row = page.locator('#red-ui-sidebar .meetingbaas-delivery:visible', { hasText: '12121212' });
    await row.locator('.meetingbaas-state-finished').waitFor({ state: 'visible' });
    await row.click();
    // Only the notification of this click is to be visible.
    await hideNotifications();
    // The next API request is refused as the stand-in refuses a wrong key; the artifacts are downloaded already.
    storage.api.injectFaults({ status: 401, code: 'INVALID_API_KEY', message: 'Invalid or missing API key' });
    const [answer] = await Promise.all([
      page.waitForResponse((response) => response.url().endsWith('/fresh-links')),
      page.locator('#meetingbaas-sidebar-fresh-links').click(),
    ]);
    assert.equal(answer.status(), 502);
    const { detail } = await answer.json();
    assert.match(detail, /^GET \/v2\/bots\/\S+: auth \(HTTP 401\): Invalid or missing API key$/);
    const note = page.locator('.red-ui-notification:visible');
    await note.waitFor({ state: 'visible' });
    assert.equal((await note.innerText()).trim(), `The API did not give fresh links: ${detail}`);
    assert.equal(await page.locator('.meetingbaas-delivery-fresh').count(), 0, 'no links shown');
    await page.locator('#meetingbaas-sidebar-back').click();
  });

  it('names the action that did not work when the server answers without a reason', async function () {
    await page.evaluate(() => RED.sidebar.show('meetingbaas'));
    await page.locator('#meetingbaas-sidebar-node').selectOption('cb1');
    const row = page.locator('#red-ui-sidebar .meetingbaas-delivery:visible', { hasText: '12121212' });
    await row.click();
    await hideNotifications();
    // A proxy's or a crashed runtime's answer: a status and no JSON.
    await page.route('**/finish', (route) => route.fulfill({ status: 500, contentType: 'text/plain', body: 'Internal Server Error' }));
    try {
      await page.locator('#meetingbaas-sidebar-finish').click();
      const note = page.locator('.red-ui-notification:visible');
      await note.waitFor({ state: 'visible' });
      assert.equal((await note.innerText()).trim(), 'Mark finished did not work (HTTP 500)');
    } finally {
      await page.unroute('**/finish');
    }
    await page.locator('#meetingbaas-sidebar-back').click();
  });
});
