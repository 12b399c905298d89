'use strict';
// The sentences of the API client's problems are kept once, in the account node's catalog, and
// the other nodes take them from there by its namespace: checked in a real Node-RED, whose
// runtime is what resolves a namespaced key (the test helper's RED._ does not).
const assert = require('node:assert/strict');
const { DebugSidebar } = require('../../support/debug-sidebar');
const { startNodeRed, request } = require('../../support/node-red');

describe('the bot node words API problems from the account catalog, in a real Node-RED', function () {
  this.timeout(90000);
  let nodeRed;
  let sidebar;

  before(async function () {
    nodeRed = await startNodeRed();
    sidebar = await DebugSidebar.of(nodeRed);
  });
  after(async function () {
    sidebar?.close();
    await nodeRed?.stop();
  });

  it('says why the API key was not sent in a sentence, not as a key', async function () {
    const flow = [
      { id: 'tab1', type: 'tab', label: 'problems' },
      // Plain http off this machine: the API client refuses the account before any request.
      { id: 'acc1', type: 'meetingbaas-config', name: 'account', baseUrl: 'http://api.example.com', credentials: { apiKey: 'some-key' } },
      { id: 'go', type: 'inject', z: 'tab1', x: 100, y: 100, props: [{ p: 'payload' }], payload: '', payloadType: 'date', wires: [['bot1']] },
      { id: 'bot1', type: 'meetingbaas-bot', z: 'tab1', x: 300, y: 100, account: 'acc1', action: 'details', wires: [[]] },
      { id: 'catch1', type: 'catch', z: 'tab1', x: 100, y: 200, scope: ['bot1'], uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'debug', z: 'tab1', x: 300, y: 200, name: 'caught', active: true, tosidebar: true, console: false, complete: 'error.message', targetType: 'msg', wires: [] },
    ];
    await nodeRed.deploy(flow);
    const pressed = await request(nodeRed.adminUrl('/inject/go'), { method: 'POST' });
    assert.equal(pressed.status, 200);
    const caught = await sidebar.first('caught');
    // A done(error)'s message reaches a Catch node with its class in front.
    assert.equal(caught.msg, 'Error: The API key was not sent: the API key is only sent over https (plain http only to this machine), not to http://api.example.com');
  });
});
