'use strict';
// The package as a user sees it in a real browser: Debian's Chromium driven by playwright-core
// against a real Node-RED editor, 4.1 on Node 20 and 5 on Node 22, with the package installed
// from its npm tarball. The
// palette, every example imported through Import → Examples and deployed with the Deploy
// button, simulated deliveries showing in the debug sidebar, the help panel, the callback
// node's dialog (full URL, no-secret warning, "send a test delivery"), the meeting bot's dialog
// (its actions, from the operations table) and the account's "test API key". Screenshots go to
// test-results/screenshots/<major>/; UPDATE_SCREENSHOTS=1 writes those of Node-RED 4.1 to
// docs/images/ for the README.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const { startNodeRed, ROOT } = require('../support/node-red');
const { MAJORS } = require('../support/node-red-majors');
const { useEditorInBrowser } = require('./support/editor-in-browser');
const simulator = require('../../simulator');

const PACKAGE = require('../../package.json').name;
const EXAMPLES_DIR = path.join(ROOT, 'examples');
// The README's pictures are refreshed with UPDATE_SCREENSHOTS=1; otherwise they go to the
// git-ignored test-results/, so that a test run leaves the work tree clean.
const imagesDir = (major) =>
  process.env.UPDATE_SCREENSHOTS && major === MAJORS[0] ? path.join(ROOT, 'docs', 'images') : path.join(ROOT, 'test-results', 'screenshots', major.key);
const exampleFiles = fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort();

/**
 * What each example shows when the simulator sends it a delivery: the debug node's name and a
 * pattern of what it prints. Examples not listed here are only imported and deployed.
 */
const REACTIONS = {
  '01': { send: 'completed', debug: 'bot.completed', shows: /Meeting finished: 13 s, speakers: Alice Martin, Bob Chen/ },
  '02': { send: 'completed', debug: 'saved files', shows: /Saved the recordings of meeting/, savesFiles: true },
  '03': { send: 'completed', debug: 'subtitles (SRT)', shows: /00:00:00,000 --> 00:00:03,520/ },
  '04': { send: 'failed', debug: 'urgent: account needs attention', shows: /INSUFFICIENT_TOKENS/ },
};

const GOOD_KEY = 'e2e-good-api-key';

/** A stand-in for the Meeting BaaS API: GET /v2/bots?limit=1 answers 200 for GOOD_KEY, 401 otherwise. */
function fakeApi() {
  const server = http.createServer((req, res) => {
    const ok = req.url === '/v2/bots?limit=1' && req.headers['x-meeting-baas-api-key'] === GOOD_KEY;
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    res.end(ok ? '{"success":true,"data":[]}' : '{"success":false}');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` })));
}

for (const major of MAJORS) describe(`the editor in a real browser (${major.title}, Chromium)`, function () {
  this.timeout(120000);
  const IMAGES_DIR = imagesDir(major);
  let nodeRed;
  let page;
  let artifacts;
  let api;
  const meeting = simulator.loadSampleMeeting();
  const editor = useEditorInBrowser();

  before(async function () {
    fs.mkdirSync(IMAGES_DIR, { recursive: true });
    artifacts = await simulator.ArtifactServer.start();
    api = await fakeApi();
    this.timeout(600000);
    nodeRed = await startNodeRed({}, major.runtime());
    assert.match((nodeRed.log.match(/Node-RED version: (v\S+)/) || [])[1] ?? '', major.version, nodeRed.log);
    ({ page } = await editor.open(nodeRed.adminUrl('/')));
  });
  after(async function () {
    await nodeRed?.stop();
    await artifacts?.close();
    api?.server.close();
  });

  /** Shows a sidebar tab through its editor action. */
  async function showSidebar(action) {
    await page.evaluate((a) => RED.actions.invoke(a), action);
  }

  /** Resolves with the payload text of the next debug message of the debug node named `name`. */
  async function debugMessage(name, pattern) {
    const message = page
      .locator('.red-ui-debug-msg:visible')
      .filter({ has: page.locator('.red-ui-debug-msg-name', { hasText: `: ${name}` }) })
      .filter({ hasText: pattern });
    try {
      await message.first().waitFor({ state: 'visible', timeout: 20000 });
    } catch {
      const shown = await page.locator('.red-ui-debug-msg').allInnerTexts();
      throw new Error(`no debug message from "${name}" matching ${pattern}; the sidebar shows:\n${shown.join('\n---\n')}`);
    }
    return message.first().locator('.red-ui-debug-msg-payload').innerText();
  }

  async function clearDebug() {
    await showSidebar('core:show-debug-tab');
    await page.evaluate(() => RED.actions.invoke('core:clear-debug-messages'));
    await page.locator('.red-ui-debug-msg:visible').first().waitFor({ state: 'detached' }).catch(() => {});
  }

  /** Imports an example the way a user does: menu action, the package's folder, the file, Import. */
  async function importExample(file) {
    await page.evaluate(() => RED.actions.invoke('core:show-examples-import-dialog'));
    const label = (text) => page.locator('#red-ui-clipboard-dialog .red-ui-treeList-label:visible', { hasText: text }).first();
    await label(PACKAGE).click();
    await label(file.replace(/\.json$/, '')).click();
    await page.locator('#red-ui-clipboard-dialog-ok').click();
    await page.locator('#red-ui-clipboard-dialog').waitFor({ state: 'hidden' });
  }

  /** Clicks Deploy and resolves once Node-RED started the flows; returns the log written meanwhile. */
  async function deploy() {
    const from = nodeRed.log.length;
    await page.locator('#red-ui-header-button-deploy').click();
    await nodeRed.waitForLog(/\[info\] Started (modified )?(flows|nodes)/, from);
    // The editor shows the deploy as done once the button is no longer marked as changed.
    await page.waitForFunction(() => !RED.nodes.dirty());
    return nodeRed.log.slice(from);
  }

  async function screenshot(name) {
    const file = path.join(IMAGES_DIR, name);
    await page.mouse.move(1, 1);
    // Notifications would cover the flow; modal overlays fade out before the picture is taken.
    const notes = page.locator('.red-ui-notification');
    for (let i = await notes.count(); i > 0; i--) await notes.first().click();
    await notes.first().waitFor({ state: 'detached' });
    await page.locator('.ui-widget-overlay').first().waitFor({ state: 'detached' });
    await page.screenshot({ path: file });
    assert.ok(fs.statSync(file).size < 300 * 1024, `${name} is over 300 KB`);
  }

  it('has the Meeting BaaS category in the palette with the nodes and their labels', async function () {
    const header = page.locator('.red-ui-palette-header', { hasText: 'Meeting BaaS' });
    await header.waitFor({ state: 'visible' });
    const category = page.locator('.red-ui-palette-category', { has: header });
    const labelOf = (type) => category.locator(`.red-ui-palette-node[data-palette-type="${type}"] .red-ui-palette-label`).innerText();
    assert.equal(await labelOf('meetingbaas-callback'), 'callback in');
    assert.equal(await labelOf('meetingbaas-artifacts'), 'fetch artifacts');
    assert.equal(await labelOf('meetingbaas-done'), 'meeting done');
    // Config nodes are not in the palette.
    assert.equal(await page.locator('.red-ui-palette-node[data-palette-type="meetingbaas-config"]').count(), 0);
    const icon = await category.locator('.red-ui-palette-node[data-palette-type="meetingbaas-callback"] .red-ui-palette-icon').evaluate((el) => getComputedStyle(el).backgroundImage);
    assert.match(icon, /meetingbaas-callback\.svg/);
  });

  it('shows the node help in the help sidebar', async function () {
    await showSidebar('core:show-help-tab');
    // Node-RED 5 splits the sidebar into sections; #red-ui-sidebar holds the help in both majors.
    const sidebar = page.locator('#red-ui-sidebar');
    const topic = (text) => sidebar.locator('.red-ui-treeList-label:visible', { hasText: text }).first();
    await topic(PACKAGE).click();
    await topic('callback in').click();
    await sidebar.getByText('Receives Meeting BaaS callbacks and webhooks').waitFor({ state: 'visible' });
    const text = await sidebar.innerText();
    assert.match(text, /Outputs/);
    assert.match(text, /bot\.completed/);
    assert.match(text, /References/);
    await topic('fetch artifacts').click();
    await sidebar.locator('h1, h2, h3, .red-ui-help-title', { hasText: 'fetch artifacts' }).first().waitFor({ state: 'visible' });
    await screenshot('help-sidebar.png');
  });

  for (const file of exampleFiles) {
    const prefix = file.slice(0, 2);
    const reaction = REACTIONS[prefix];
    it(`imports and deploys "${file.replace(/\.json$/, '')}"${reaction ? ', which reacts to a simulated delivery' : ''}`, async function () {
      const flow = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
      await importExample(file);
      const tab = flow.find((n) => n.type === 'tab');
      if (tab) {
        const found = await page
          .waitForFunction((label) => RED.nodes.getWorkspaceOrder().find((ws) => RED.nodes.workspace(ws).label === label), tab.label, { timeout: 5000 })
          .then((handle) => handle.jsonValue(), () => null);
        assert.ok(found, `no flow tab "${tab.label}" after the import`);
        await page.evaluate((id) => RED.workspaces.show(id), found);
      }
      const invalid = await page.evaluate(() => {
        const bad = [];
        RED.nodes.eachNode((n) => { if (n.valid === false) bad.push(`${n.type} ${n.name || n.id}`); });
        return bad;
      });
      assert.deepEqual(invalid, [], 'nodes the editor marks as not properly configured');
      const log = await deploy();
      assert.doesNotMatch(log, /\[(error|warn)\]/, `${file} deployed with problems:\n${log}`);
      if (!reaction) {
        await screenshot(`example-${prefix}.png`);
        return;
      }
      await clearDebug();
      const callback = flow.find((n) => n.type === 'meetingbaas-callback');
      const botId = randomUUID();
      const delivery =
        reaction.send === 'completed'
          ? simulator.completedDelivery(meeting.script, artifacts.artifactUrls(botId), { botId })
          : simulator.failedDelivery({ errorCode: 'INSUFFICIENT_TOKENS' });
      const result = await simulator.sendDelivery(nodeRed.nodeUrl(callback.url), delivery, { kind: 'none' });
      assert.equal(result.status, 200, result.responseBody);
      assert.match(await debugMessage(reaction.debug, reaction.shows), reaction.shows);
      if (reaction.savesFiles) {
        const saved = fs.readFileSync(path.join(nodeRed.userDir, 'meetingbaas-recordings', botId, 'audio.flac'));
        assert.ok(saved.equals(meeting.audio), 'the saved audio differs from the served one');
      }
      await screenshot(`example-${prefix}.png`);
    });
  }

  describe('the callback node dialog', function () {
    const callbackId = () => JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, exampleFiles[0]), 'utf8')).find((n) => n.type === 'meetingbaas-callback').id;

    before(async function () {
      await page.evaluate((id) => {
        const node = RED.nodes.node(id);
        RED.workspaces.show(node.z);
        RED.editor.edit(node);
      }, callbackId());
      await page.locator('#meetingbaas-callback-full-url').waitFor({ state: 'visible' });
    });
    after(async function () {
      await page.locator('#node-dialog-cancel').click();
    });

    /** Waits for the dialog's full URL to read `expected`, and says what it read when it never does. */
    const fullUrlShows = async (expected) => {
      const shown = () => page.locator('#meetingbaas-callback-full-url').innerText();
      try {
        await page.waitForFunction((text) => document.getElementById('meetingbaas-callback-full-url')?.textContent === text, expected, { timeout: 5000 });
      } catch {
        assert.equal(await shown(), expected);
      }
    };

    it('shows the full URL to give Meeting BaaS and warns that no secret is set', async function () {
      await fullUrlShows(`http://127.0.0.1:${nodeRed.port}/meetingbaas/callback`);
      await page.locator('#meetingbaas-callback-no-secret').waitFor({ state: 'visible' });
      assert.match(await page.locator('#meetingbaas-callback-no-secret').innerText(), /No secret set/);
      await page.locator('#node-input-url').fill('/somewhere/else');
      await fullUrlShows(`http://127.0.0.1:${nodeRed.port}/somewhere/else`);
      await page.locator('#node-input-url').fill('/meetingbaas/callback');
      await screenshot('callback-dialog.png');
    });

    it('keeps a journal by default, and asks how often to catch up only when catch-up is on', async function () {
      // Example 01 leaves both out, as flows from before these options do.
      assert.equal(await page.locator('#node-input-journal').isChecked(), true);
      assert.equal(await page.locator('#node-input-catchUp').isChecked(), false);
      const minutes = page.locator('#node-input-catchUpMinutes');
      await minutes.waitFor({ state: 'hidden' });
      await page.locator('#node-input-catchUp').check();
      await minutes.waitFor({ state: 'visible' });
      assert.equal(await minutes.inputValue(), '10');
      await screenshot('callback-dialog-catch-up.png');
      await page.locator('#node-input-catchUp').uncheck();
      await minutes.waitFor({ state: 'hidden' });
    });

    it('sends a test delivery that shows in the debug sidebar and says so in a notification', async function () {
      await clearDebug();
      await page.locator('#meetingbaas-callback-test-kind').selectOption('failed');
      await page.locator('#meetingbaas-callback-test').click();
      const note = page.locator('.red-ui-notification', { hasText: 'Test bot.failed sent to' });
      await note.waitFor({ state: 'visible' });
      assert.match(await note.innerText(), new RegExp(`http://127\\.0\\.0\\.1:${nodeRed.port}/meetingbaas/callback \\(no secret\\): answered 200`));
      assert.match(await debugMessage('bot.failed', /Bot failed: BOT_NOT_ACCEPTED/), /Bot failed: BOT_NOT_ACCEPTED/);
    });

    it('refuses a path the deploy would refuse, says which characters it takes, and accepts + $ ( )', async function () {
      const url = page.locator('#node-input-url');
      const tip = page.locator('#meetingbaas-callback-bad-path');
      const marked = () => page.evaluate(() => $('#node-input-url').hasClass('input-error'));
      for (const bad of ['/p|q', '/cb/:id', '/a b', '/cb#x']) {
        await url.fill(bad);
        await url.dispatchEvent('change');
        await tip.waitFor({ state: 'visible' });
        assert.equal(await marked(), true, bad);
      }
      assert.match(await tip.innerText(), /matched literally/);
      await url.fill("/x+y/$(a)");
      await url.dispatchEvent('change');
      await tip.waitFor({ state: 'hidden' });
      assert.equal(await marked(), false);
      await url.fill('/meetingbaas/callback');
      await url.dispatchEvent('change');
    });
  });

  describe('the meeting bot dialog', function () {
    const botId = () => JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, exampleFiles[4]), 'utf8')).find((n) => n.type === 'meetingbaas-bot').id;
    const visible = (selector) => page.locator(selector).first().isVisible();

    before(async function () {
      await page.evaluate((id) => {
        const node = RED.nodes.node(id);
        RED.workspaces.show(node.z);
        RED.editor.edit(node);
      }, botId());
      await page.locator('#node-input-action').waitFor({ state: 'visible' });
    });
    after(async function () {
      await page.locator('#node-dialog-cancel').click();
      await page.locator('#node-input-action').waitFor({ state: 'detached' });
    });

    it('offers every action of the operations table, grouped, with the saved one chosen', async function () {
      const { ACTIONS } = require('../../lib/api');
      const groups = await page.locator('#node-input-action optgroup').evaluateAll((els) => els.map((el) => el.label));
      assert.deepEqual(groups, ['Bots', 'During the meeting', 'After the meeting', 'Scheduled bots']);
      const values = await page.locator('#node-input-action option').evaluateAll((els) => els.map((el) => el.value));
      assert.deepEqual([...values].sort(), [...ACTIONS].sort());
      assert.equal(await page.locator('#node-input-action').inputValue(), 'create');
      assert.equal(await page.locator('#node-input-action option[value="send-chat-message"]').innerText(), 'send a chat message into the meeting');
    });

    it('shows the settings each action uses: the bot\'s for sending, the pages for lists, a warning for deleting', async function () {
      const action = page.locator('#node-input-action');
      const rows = async () => ({
        meetingUrl: await visible('.meetingbaas-bot-create'),
        pages: await visible('.meetingbaas-bot-paged'),
        botIdFrom: await visible('.meetingbaas-bot-by-id'),
        explicit: await visible('.meetingbaas-bot-by-payload-id'),
      });
      assert.deepEqual(await rows(), { meetingUrl: true, pages: false, botIdFrom: false, explicit: false });
      await action.selectOption('list');
      assert.deepEqual(await rows(), { meetingUrl: false, pages: true, botIdFrom: false, explicit: false });
      await action.selectOption('send-chat-message');
      assert.deepEqual(await rows(), { meetingUrl: false, pages: false, botIdFrom: true, explicit: false });
      await action.selectOption('delete-data');
      assert.deepEqual(await rows(), { meetingUrl: false, pages: false, botIdFrom: false, explicit: true });
      assert.match(await page.locator('.meetingbaas-bot-by-payload-id').innerText(), /never taken from a delivery/);
      await action.selectOption('schedule-create');
      assert.deepEqual(await rows(), { meetingUrl: true, pages: false, botIdFrom: false, explicit: false });
      await action.selectOption('create');
    });
  });

  describe('the meeting bot dialog: settings it refuses', function () {
    const botId = () => JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, exampleFiles[4]), 'utf8')).find((n) => n.type === 'meetingbaas-bot').id;
    let publicUrl;

    before(async function () {
      publicUrl = await page.evaluate((id) => {
        const node = RED.nodes.node(id);
        const account = RED.nodes.node(node.account);
        const saved = account.publicUrl;
        account.publicUrl = 'http://nodered.example.com';
        RED.workspaces.show(node.z);
        RED.editor.edit(node);
        return saved;
      }, botId());
      await page.locator('#node-input-action').waitFor({ state: 'visible' });
    });
    after(async function () {
      await page.locator('#node-dialog-cancel').click();
      await page.locator('#node-input-action').waitFor({ state: 'detached' });
      await page.evaluate(([id, saved]) => {
        RED.nodes.node(RED.nodes.node(id).account).publicUrl = saved;
      }, [botId(), publicUrl]);
    });

    it('warns that a plain http Public URL to another machine will be refused, for the actions that send a bot', async function () {
      const tip = page.locator('#meetingbaas-bot-insecure-public-url');
      await tip.waitFor({ state: 'visible' });
      assert.match(await tip.innerText(), /https/);
      await page.locator('#node-input-action').selectOption('list');
      await tip.waitFor({ state: 'hidden' });
      await page.locator('#node-input-action').selectOption('create');
      await tip.waitFor({ state: 'visible' });
    });

    it('marks Retries outside a whole number from 0 to 10 as invalid', async function () {
      const retries = page.locator('#node-input-retries');
      const marked = () => page.evaluate(() => $('#node-input-retries').hasClass('input-error'));
      for (const [value, invalid] of [['20', true], ['2.5', true], ['-1', true], ['10', false], ['0', false], ['', false]]) {
        await retries.fill(value);
        await retries.dispatchEvent('change');
        assert.equal(await marked(), invalid, value);
      }
      await retries.fill('3');
      await retries.dispatchEvent('change');
    });
  });

  it('sends a test bot.completed from the button on the node', async function () {
    await clearDebug();
    const id = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, exampleFiles[0]), 'utf8')).find((n) => n.type === 'meetingbaas-callback').id;
    await page.evaluate((nodeId) => RED.workspaces.show(RED.nodes.node(nodeId).z), id);
    await page.locator(`[id="${id}"] .red-ui-flow-node-button`).click();
    await page.locator('.red-ui-notification', { hasText: 'Test bot.completed sent to' }).waitFor({ state: 'visible' });
    assert.match(await debugMessage('bot.completed', /Meeting finished/), /Meeting finished: 13 s/);
  });

  it('tests an API key typed in the account dialog, without deploying it', async function () {
    const accountId = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, exampleFiles[0]), 'utf8')).find((n) => n.type === 'meetingbaas-config').id;
    await page.evaluate((id) => RED.editor.editConfig('', 'meetingbaas-config', id), accountId);
    await page.locator('#node-config-input-apiKey').waitFor({ state: 'visible' });
    await page.locator('#node-config-input-baseUrl').fill(api.url);
    await page.locator('#node-config-input-apiKey').fill('not-the-key');
    await page.locator('#meetingbaas-config-test-key').click();
    await page.locator('.red-ui-notification', { hasText: 'refused the API key (401)' }).waitFor({ state: 'visible' });
    await page.locator('#node-config-input-apiKey').fill(GOOD_KEY);
    await page.locator('#meetingbaas-config-test-key').click();
    const ok = page.locator('.red-ui-notification', { hasText: 'The API key works' });
    await ok.waitFor({ state: 'visible' });
    assert.ok(!(await ok.innerText()).includes(GOOD_KEY));
    await screenshot('account-test-key.png');
    await page.locator('#node-config-dialog-cancel').click();
    // The tray closes with an animation; a dialog opened before it is gone is disturbed by its end.
    await page.locator('#node-config-input-apiKey').waitFor({ state: 'detached' });
  });

});
