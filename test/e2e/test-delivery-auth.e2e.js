'use strict';
// The callback node's "Send a test delivery" in a real browser, on a Node-RED whose HTTP endpoints
// are behind httpNodeAuth: the delivery reaches the flow, and the notification says that it was
// handed to the node inside Node-RED, past httpNodeAuth, which Meeting BaaS has to pass itself.
const assert = require('node:assert/strict');
const bcrypt = require('bcryptjs');
const { startNodeRed } = require('../support/node-red');
const { useEditorInBrowser } = require('./support/editor-in-browser');

describe('send a test delivery under httpNodeAuth, in a real browser', function () {
  this.timeout(120000);
  let nodeRed;
  let page;
  const editor = useEditorInBrowser();

  before(async function () {
    nodeRed = await startNodeRed({ httpNodeAuth: { user: 'hooks', pass: bcrypt.hashSync('a-password-only-the-user-knows', 8) } });
    await nodeRed.deploy([
      { id: 'tab1', type: 'tab', label: 'authed' },
      { id: 'acc1', type: 'meetingbaas-config', name: 'account', credentials: { callbackSecret: 'a-secret' } },
      { id: 'cb1', type: 'meetingbaas-callback', z: 'tab1', url: '/mb/authed', account: 'acc1', x: 200, y: 100, wires: [['dbg1'], ['dbg1'], ['dbg1'], ['dbg1']] },
      { id: 'dbg1', type: 'debug', z: 'tab1', name: 'delivered', active: true, tosidebar: true, complete: 'topic', x: 450, y: 100, wires: [] },
    ]);
    ({ page } = await editor.open(nodeRed.adminUrl('/')));
  });
  after(async function () {
    await nodeRed?.stop();
  });

  it('reaches the flow and the notification says it went past httpNodeAuth', async function () {
    await page.evaluate(() => RED.actions.invoke('core:show-debug-tab'));
    await page.evaluate(() => RED.editor.edit(RED.nodes.node('cb1')));
    await page.locator('#meetingbaas-callback-test').waitFor({ state: 'visible' });
    assert.match(await page.locator('#meetingbaas-callback-test').locator('xpath=..').innerText(), /past httpNodeAuth/);
    await page.locator('#meetingbaas-callback-test-kind').selectOption('failed');
    await page.locator('#meetingbaas-callback-test').click();
    const note = page.locator('.red-ui-notification', { hasText: 'Test bot.failed for' });
    await note.waitFor({ state: 'visible' });
    const text = await note.innerText();
    assert.match(text, new RegExp(`http://127\\.0\\.0\\.1:${nodeRed.port}/mb/authed \\(x-mb-secret\\) handed to the node inside Node-RED: answered 200`));
    assert.match(text, /went past httpNodeAuth; Meeting BaaS must send that user and password itself/);
    await page.locator('.red-ui-debug-msg:visible', { hasText: 'bot.failed' }).first().waitFor({ state: 'visible' });
    await page.locator('#node-dialog-cancel').click();
  });
});
