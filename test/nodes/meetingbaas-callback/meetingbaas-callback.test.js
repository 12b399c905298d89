'use strict';
// The callback node under node-red-node-test-helper: status, errors, route bookkeeping and the
// editor/help files. HTTP behaviour in a real Node-RED is in callback.node-red.test.js.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const helper = require('node-red-node-test-helper');
const configNode = require('../../../nodes/meetingbaas-config/meetingbaas-config.js');
const { translatedNode } = require('../../support/translated-node');
const { useHelperRuntime } = require('../../support/helper-runtime');
const { request } = require('../../support/node-red');
const deliveries = require('../../fixtures/deliveries');

helper.init(require.resolve('node-red'));

const NODE_DIR = path.join(__dirname, '../../../nodes/meetingbaas-callback');
const MESSAGES = require('../../../nodes/meetingbaas-callback/locales/en-US/meetingbaas-callback.json')['meetingbaas-callback'];
const HELP = fs.readFileSync(path.join(NODE_DIR, 'locales/en-US/meetingbaas-callback.html'), 'utf8');
const { editorDefaults, editorDefinition, editorNode } = require('../../support/editor-definition');

// Keep hold of the RED the node sees, to reach its httpNode.
let RED;
const callbackNode = translatedNode('meetingbaas-callback', (red) => { RED = red; });

const SECRET = 'unit-test-secret';
const account = { id: 'acc', type: 'meetingbaas-config', name: 'account' };
const callback = (extra = {}) => ({ id: 'cb', type: 'meetingbaas-callback', url: '/mb/cb', account: 'acc', wires: [['out'], ['out'], ['out'], ['out']], ...extra });
const out = { id: 'out', type: 'helper' };

/** The helper spies on Node.prototype: keep the calls this node made. */
function callsOf(node, method) {
  return node[method].getCalls().filter((call) => call.thisValue === node);
}

/** The first status of a node whose text matches, whether already shown or still to come. */
function statusMatching(node, pattern) {
  return new Promise((resolve) => {
    const onStatus = (call) => {
      if (pattern.test(call.args[0].text || '')) {
        node.removeListener('call:status', onStatus);
        resolve(call.args[0]);
      }
    };
    node.on('call:status', onStatus);
    const shown = callsOf(node, 'status').find((call) => pattern.test(call.args[0].text || ''));
    if (shown) onStatus(shown);
  });
}

// The route of a callback node on /mb/cb: that path literally, in any case, with or without a trailing slash.
const LITERAL_MB_CB = String(/^\/mb\/cb\/?$/i);

function routesOn(app) {
  const methods = (route) => (route.methods.get && route.methods.post && route.methods.put ? 'all' : Object.keys(route.methods).join(','));
  if (!app._router) return []; // express makes its router with the first route
  return app._router.stack.filter((layer) => layer.route).map((layer) => `${methods(layer.route)} ${layer.route.path}`);
}

describe('callback in node (test helper)', function () {
  this.timeout(15000);
  let server;
  let baseUrl;

  before(async () => {
    await callbackNode.ready();
  });

  // The journal lives in the user directory: a fresh one per test, never the working directory.
  const runtime = useHelperRuntime({ userDir: 'mb-callback-' });
  const settings = (extra = {}) => helper.settings({ userDir: runtime.userDir, ...extra });

  afterEach(async () => {
    if (server) await new Promise((resolve) => server.close(resolve));
    server = null;
  });

  async function serveHttpNode() {
    server = http.createServer(RED.httpNode);
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${server.address().port}`;
  }

  function post(body, headers = { 'x-mb-secret': SECRET }) {
    return request(`${baseUrl}/mb/cb`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  }

  it('shows verified in green with a secret, and counts received, invalid and rejected', async () => {
    await helper.load([configNode, callbackNode], [account, callback(), out], { acc: { callbackSecret: SECRET } });
    const node = helper.getNode('cb');
    const first = await statusMatching(node, /verified/);
    assert.deepEqual(first, { fill: 'green', shape: 'dot', text: 'verified · 0 received' });
    await serveHttpNode();
    const sent = new Promise((resolve) => helper.getNode('out').on('input', resolve));
    assert.equal((await post(deliveries.failed())).status, 200);
    await sent;
    assert.equal((await post({ event: 'bot.failed', data: {} })).status, 200);
    assert.equal((await post(deliveries.failed(), { 'x-mb-secret': 'nope' })).status, 401);
    const status = await statusMatching(node, /rejected/);
    assert.deepEqual(status, { fill: 'green', shape: 'dot', text: 'verified · 2 received · 1 invalid · 1 rejected' });
  });

  it('sends a usable delivery that deviates to its own output, counting it in the status; strict sends it to output 4', async () => {
    const minimal = () => JSON.stringify({ event: 'bot.completed', data: { bot_id: deliveries.completed().data.bot_id } });
    const ports = ['port1', 'port2', 'port3', 'port4'];
    const wired = (id, strict) => ({ ...callback({ id, url: `/mb/${id}`, strict }), wires: ports.map((port) => [port]) });
    const helpers = ports.map((id) => ({ id, type: 'helper' }));
    await helper.load([configNode, callbackNode], [account, wired('cb', undefined), wired('strict', true), ...helpers], { acc: { callbackSecret: SECRET } });
    await serveHttpNode();
    const received = [];
    let wake = () => {};
    for (const port of ports) helper.getNode(port).on('input', (msg) => { received.push({ port, msg }); wake(); });
    const message = async (n) => {
      while (received.length < n) await new Promise((resolve) => { wake = resolve; });
      return received[n - 1];
    };
    const send = (path) => request(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-mb-secret': SECRET }, body: minimal() });

    assert.equal((await send('/mb/cb')).status, 200);
    const tolerant = await message(1);
    assert.equal(tolerant.port, 'port1');
    assert.equal(tolerant.msg.meetingbaas.invalid, undefined);
    const { deviations, deviationCount, deviationCountIsMinimum } = tolerant.msg.meetingbaas;
    assert.ok(deviations.some((d) => d.field === 'data.sent_at'), JSON.stringify(deviations));
    assert.equal(deviationCount, deviations.length);
    assert.equal(deviationCountIsMinimum, false);
    assert.deepEqual(await statusMatching(helper.getNode('cb'), /deviating/), { fill: 'green', shape: 'dot', text: 'verified · 1 received · 1 deviating' });

    assert.equal((await send('/mb/strict')).status, 200);
    const refused = await message(2);
    assert.equal(refused.port, 'port4');
    assert.equal(refused.msg.meetingbaas.invalid.reason, 'schema');
    assert.equal(refused.msg.meetingbaas.invalid.usable, true);
    assert.deepEqual(refused.msg.meetingbaas.invalid.errors, deviations);
    assert.equal(refused.msg.meetingbaas.deviations, undefined);
    assert.deepEqual(await statusMatching(helper.getNode('strict'), /invalid/), { fill: 'green', shape: 'dot', text: 'verified · 1 received · 1 invalid' });
  });

  it('shows unverified in yellow without an account, and works from type, url and wires alone', async () => {
    await helper.load([configNode, callbackNode], [{ id: 'cb', type: 'meetingbaas-callback', url: 'mb/cb', wires: [['out'], [], [], []] }, out]);
    const node = helper.getNode('cb');
    assert.deepEqual(await statusMatching(node, /verified/), { fill: 'yellow', shape: 'ring', text: 'unverified · 0 received' });
    await serveHttpNode();
    const sent = new Promise((resolve) => helper.getNode('out').on('input', resolve));
    assert.equal((await post(deliveries.completed(), {})).status, 200);
    const msg = await sent;
    assert.equal(msg.meetingbaas.verifiedBy, 'none');
    assert.equal(msg.req, undefined);
    assert.equal(msg.res, undefined);
  });

  it('accepts nothing while the account it names cannot be found: red status, one error, 503 so that the sender retries', async () => {
    // A disabled or deleted account, or an id of another kind of node: the secrets it held must still be checked.
    await helper.load([configNode, callbackNode], [callback({ account: 'no-such-account' }), out]);
    const node = helper.getNode('cb');
    assert.deepEqual(await statusMatching(node, /account/), { fill: 'red', shape: 'ring', text: 'account not found' });
    await serveHttpNode();
    let sent = 0;
    helper.getNode('out').on('input', () => { sent += 1; });
    for (const headers of [{}, { 'x-mb-secret': SECRET }]) {
      const res = await post(deliveries.completed(), headers);
      assert.equal(res.status, 503);
      assert.ok(Number(res.headers['retry-after']) > 0, JSON.stringify(res.headers));
    }
    assert.equal(sent, 0);
    const errors = callsOf(node, 'error').map((call) => call.args[0]);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0], /no-such-account/);
    assert.ok(!callsOf(node, 'status').some((call) => /unverified/.test(call.args[0].text || '')));
  });

  it('refuses an unusable webhook secret with a red status and an error that does not repeat it', async () => {
    await helper.load([configNode, callbackNode], [account, callback(), out], { acc: { webhookSecret: 'whsec_%%%secret-value%%%' } });
    const node = helper.getNode('cb');
    assert.deepEqual(await statusMatching(node, /webhook/), { fill: 'red', shape: 'ring', text: 'invalid webhook secret' });
    const message = callsOf(node, 'error')[0].args[0];
    assert.match(message, /webhook signing secret cannot be used/);
    assert.ok(!message.includes('secret-value'));
    // Kept for the sender to retry once the secret is fixed, rather than a 404 it would never retry.
    await serveHttpNode();
    assert.equal((await post(deliveries.completed(), {})).status, 503);
  });

  it('refuses a missing path, one with parameters, wildcards, a query or a fragment, or characters clients escape', async () => {
    const refused = ['/cb/:id', '/cb/*', '/cb?x', '/cb#x', '/p|q', '/a b', '/a{b}', '/a^b', '/a[0]', '/caf\u00e9', '/a%zz', '/a/../b', '/a/./b', '/a\\b'];
    await helper.load([configNode, callbackNode], [
      { id: 'none', type: 'meetingbaas-callback', url: '', wires: [[], [], [], []] },
      ...refused.map((url, i) => ({ id: `bad${i}`, type: 'meetingbaas-callback', url, wires: [[], [], [], []] })),
    ]);
    assert.match(callsOf(helper.getNode('none'), 'error')[0].args[0], /Set the URL path/);
    refused.forEach((url, i) => {
      const [call] = callsOf(helper.getNode(`bad${i}`), 'error');
      assert.ok(call, `${url} refused`);
      assert.match(call.args[0], /may only contain letters, digits/);
    });
    assert.deepEqual(routesOn(RED.httpNode), []);
  });

  it('gives new nodes in the editor the defaults the runtime applies to a flow that leaves them out', () => {
    const { CALLBACK_DEFAULTS } = require('../../../nodes/shared/defaults.js');
    const { DEFAULT_BODY_LIMIT, DEFAULT_BODY_TIMEOUT_SECONDS } = require('../../../nodes/meetingbaas-callback/endpoints.js');
    assert.deepEqual(editorDefaults('meetingbaas-callback'), { name: '', account: '', ...CALLBACK_DEFAULTS });
    assert.equal(DEFAULT_BODY_LIMIT, CALLBACK_DEFAULTS.maxBodyKB * 1024);
    assert.equal(DEFAULT_BODY_TIMEOUT_SECONDS, CALLBACK_DEFAULTS.bodyTimeoutSeconds);
    const { label } = editorDefinition('meetingbaas-callback');
    assert.equal(label.call(editorNode({ url: '/mb/cb' })), '[post] /mb/cb');
    assert.equal(label.call(editorNode({ url: '/mb/cb', method: 'any' })), '[post|put] /mb/cb');
  });

  it('answers 500 at once, and logs why, when a middleware read the body first', async () => {
    // An httpNodeMiddleware that reads every body to its end before the route runs.
    settings({ httpNodeMiddleware: (req, res, next) => { req.resume(); req.once('end', () => next()); } });
    await helper.load([configNode, callbackNode], [callback({ account: undefined })]);
    await serveHttpNode();
    const res = await post(deliveries.failed(), {});
    assert.equal(res.status, 500);
    assert.match(res.text, /body was read before/);
    assert.match(callsOf(helper.getNode('cb'), 'error')[0].args[0], /already read by something else/);
  });

  it('says so when HTTP endpoints are disabled', async () => {
    settings({ httpNodeRoot: false });
    await helper.load([configNode, callbackNode], [callback({ account: undefined })]);
    const node = helper.getNode('cb');
    assert.deepEqual(await statusMatching(node, /HTTP/), { fill: 'red', shape: 'ring', text: 'HTTP endpoints off' });
    assert.match(callsOf(node, 'error')[0].args[0], /httpNodeRoot is false/);
  });

  it('marks both nodes red when two share a path; only the first receives', async () => {
    await helper.load([configNode, callbackNode], [
      { id: 'one', type: 'meetingbaas-callback', url: '/mb/cb', wires: [['out'], ['out'], ['out'], ['out']] },
      { id: 'two', type: 'meetingbaas-callback', url: '/MB/cb/', wires: [[], [], [], []] },
      out,
    ]);
    for (const [id, path] of [['one', '/mb/cb'], ['two', '/MB/cb/']]) {
      assert.deepEqual(await statusMatching(helper.getNode(id), /used by another/), { fill: 'red', shape: 'dot', text: `${path} is used by another node` });
    }
    assert.match(callsOf(helper.getNode('two'), 'warn')[0].args[0], /receives nothing/);
    assert.equal(routesOn(RED.httpNode).length, 1, 'one route serves the path');
    await serveHttpNode();
    const sent = new Promise((resolve) => helper.getNode('out').on('input', resolve));
    assert.equal((await post(deliveries.failed(), {})).status, 200);
    assert.equal((await sent).topic, 'bot.failed');
  });

  it('keeps its route through a restart, answering 503 with Retry-After meanwhile', async () => {
    await helper.load([configNode, callbackNode], [callback({ account: undefined })]);
    const before = routesOn(RED.httpNode);
    assert.deepEqual(before, [`all ${LITERAL_MB_CB}`]);
    await helper.getNode('cb').close(false);
    assert.deepEqual(routesOn(RED.httpNode), before);
    await serveHttpNode();
    const during = await post(deliveries.failed(), {});
    assert.equal(during.status, 503);
    assert.equal(during.headers['retry-after'], '2');
  });

  it('removes exactly its own route when deleted, leaving other routes on the same path', async () => {
    await helper.load([configNode, callbackNode], [callback({ account: undefined })]);
    RED.httpNode.get('/mb/cb', (req, res) => res.end('sibling'));
    RED.httpNode.post('/other', (req, res) => res.end('other'));
    assert.deepEqual(routesOn(RED.httpNode), [`all ${LITERAL_MB_CB}`, 'get /mb/cb', 'post /other']);
    await helper.getNode('cb').close(true);
    assert.deepEqual(routesOn(RED.httpNode), ['get /mb/cb', 'post /other']);
  });

  // Every key used literally is checked for all nodes by test/nodes/locales.test.js.
  it('has a message for every rejection reason, and help for every property and output', () => {
    for (const key of ['missing-credentials', 'bad-signature', 'bad-secret'].map((r) => `reasons.${r}`)) {
      const value = key.split('.').reduce((o, k) => (o ? o[k] : undefined), MESSAGES);
      assert.equal(typeof value, 'string', `locale has ${key}`);
    }
    const properties = Object.keys(editorDefaults('meetingbaas-callback')).filter((p) => p !== 'name');
    assert.deepEqual(properties, ['account', 'url', 'method', 'maxBodyKB', 'bodyTimeoutSeconds', 'dedupeHours', 'dedupeMax', 'dedupeMeetingMinutes', 'store', 'strict', 'journal', 'maxRedeliveries', 'catchUp', 'catchUpMinutes']);
    for (const property of properties) {
      const label = MESSAGES.label[property === 'url' ? 'url' : property];
      assert.ok(label, `label for ${property}`);
      assert.ok(HELP.includes(`<dt${property === 'account' ? ' class="optional"' : ''}>${label}`) || HELP.includes(`>${label} <span`), `help describes ${property} (${label})`);
    }
    const ports = /<ol class="node-ports">([\s\S]*?)<\/ol>/.exec(HELP)[1];
    const portTitles = [...ports.matchAll(/<li>([^<\n]+)/g)].map((m) => m[1].trim());
    assert.deepEqual(portTitles, Object.values(MESSAGES.outputs));
    for (const field of ['event', 'botId', 'deliveryId', 'verifiedBy', 'receivedAt', 'artifacts', 'deviations', 'invalid', 'redelivered', 'recovered', 'journal']) {
      assert.ok(HELP.includes(`<code>${field}</code>`), `help documents msg.meetingbaas.${field}`);
    }
  });
});
