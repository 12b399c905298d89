// The two editor actions' admin routes in a real Node-RED: "send a test delivery" of the
// callback node (signed with the account's secret, sent to the node's own URL over HTTP) and
// "test API key" of the account (one GET /v2/bots?limit=1, the key never echoed).
const assert = require('node:assert/strict');
const http = require('node:http');
const path = require('node:path');
const { DebugSidebar } = require('../../support/debug-sidebar');
const deliveries = require('../../fixtures/deliveries');
const { startNodeRed, request } = require('../../support/node-red');

const WEBHOOK_SECRET = deliveries.newWebhookSecret();
const CALLBACK_SECRET = 'a-callback-secret-of-the-test';
const GOOD_KEY = 'good-api-key-0123456789';
const OTHER_PACKAGE_KEY = 'key-of-another-package-0123';

/** A stand-in for the Meeting BaaS API: GET /v2/bots answers 200 for GOOD_KEY, 401 otherwise. */
function fakeApi() {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, key: req.headers['x-meeting-baas-api-key'] });
    const ok = req.url === '/v2/bots?limit=1' && req.headers['x-meeting-baas-api-key'] === GOOD_KEY;
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    res.end(ok ? '{"success":true,"data":[],"cursor":null}' : '{"success":false,"error":"Unauthorized"}');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, seen, url: `http://127.0.0.1:${server.address().port}` })));
}

function flow(api) {
  const account = (id, credentials) => ({ id, type: 'meetingbaas-config', name: `account ${id}`, baseUrl: api.url, credentials });
  const callback = (id, accountId, url, method = 'post') => ({
    id, type: 'meetingbaas-callback', z: 'tab', account: accountId, url, method, maxBodyKB: 1024, dedupeHours: 6, store: 'memory',
    wires: [[`${id}-out`], [`${id}-out`], [`${id}-out`], [`${id}-invalid`]],
  });
  const debug = (id, name) => ({ id, type: 'debug', z: 'tab', name, active: true, tosidebar: true, complete: 'true', targetType: 'full', wires: [] });
  return [
    { id: 'tab', type: 'tab', label: 'test deliveries' },
    account('acct-signed', { webhookSecret: WEBHOOK_SECRET, apiKey: GOOD_KEY }),
    account('acct-secret', { callbackSecret: CALLBACK_SECRET, apiKey: 'a-stored-bad-key' }),
    { id: 'other-pkg', type: 'other-api-account', baseUrl: api.url, credentials: { apiKey: OTHER_PACKAGE_KEY } },
    callback('cb-signed', 'acct-signed', '/test/signed'),
    callback('cb-secret', 'acct-secret', 'test/secret', 'put'),
    callback('cb-open', '', '/test/open'),
    debug('cb-signed-out', 'signed'), debug('cb-signed-invalid', 'signed invalid'),
    debug('cb-secret-out', 'secret'), debug('cb-secret-invalid', 'secret invalid'),
    debug('cb-open-out', 'open'), debug('cb-open-invalid', 'open invalid'),
  ];
}

describe('editor actions in a real Node-RED', function () {
  this.timeout(60000);
  let nodeRed;
  let api;
  let feed;

  before(async function () {
    api = await fakeApi();
    // A node of another package with an apiKey credential, loaded from a nodes directory.
    nodeRed = await startNodeRed({ httpNodeRoot: '/hooks', nodesDir: path.join(__dirname, '..', '..', 'fixtures', 'other-package') });
    await nodeRed.deploy(flow(api));
    feed = await DebugSidebar.of(nodeRed);
  });
  after(async function () {
    feed?.close();
    await nodeRed?.stop();
    api?.server.close();
  });

  async function post(path, body) {
    const res = await request(nodeRed.adminUrl(path), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: JSON.parse(res.text), text: res.text };
  }

  describe('send a test delivery', function () {
    it('signs with the webhook secret and reaches the flow through httpNodeRoot', async function () {
      const received = feed.next('signed');
      const res = await post('/meetingbaas-callback/cb-signed/test', { kind: 'completed' });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, {
        event: 'bot.completed',
        url: `http://127.0.0.1:${nodeRed.port}/hooks/test/signed`,
        method: 'POST',
        auth: 'webhook',
        status: 200,
        via: 'http',
      });
      const msg = (await received).msg;
      assert.match(msg, /"verifiedBy":\s*"svix"/);
      assert.match(msg, /"event":\s*"bot.completed"/);
      assert.ok(!res.text.includes(WEBHOOK_SECRET.slice(6, 20)), 'the webhook secret is never echoed');
    });

    it('serves the artifacts a test bot.completed points at', async function () {
      const received = feed.next('signed');
      await post('/meetingbaas-callback/cb-signed/test', { kind: 'completed' });
      const delivery = JSON.parse((await received).msg).payload;
      const audio = await fetch(delivery.data.audio);
      assert.equal(audio.status, 200);
      assert.equal(Buffer.from(await audio.arrayBuffer()).subarray(0, 4).toString('latin1'), 'fLaC');
    });

    it('sends x-mb-secret with the callback secret, with the node\'s method', async function () {
      const received = feed.next('secret');
      const res = await post('/meetingbaas-callback/cb-secret/test', { kind: 'failed' });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.auth, 'secret');
      assert.equal(res.body.method, 'PUT');
      assert.equal(res.body.status, 200);
      assert.match((await received).msg, /"verifiedBy":\s*"secret"/);
      assert.ok(!res.text.includes(CALLBACK_SECRET));
    });

    it('sends unauthenticated to a node without secrets, and a status change when asked', async function () {
      const received = feed.next('open');
      const res = await post('/meetingbaas-callback/cb-open/test', { kind: 'status' });
      assert.equal(res.body.auth, 'none');
      assert.equal(res.body.event, 'bot.status_change');
      assert.equal(res.body.status, 200);
      assert.match((await received).msg, /bot\.status_change/);
    });

    it('answers 404 for a node that is not deployed and 400 for an unknown kind', async function () {
      assert.equal((await post('/meetingbaas-callback/nope/test', { kind: 'completed' })).status, 404);
      assert.equal((await post('/meetingbaas-callback/cb-open/test', { kind: 'bot.exploded' })).status, 400);
    });
  });

  describe('test API key', function () {
    it('says OK for a working key typed in the editor, with one GET /v2/bots?limit=1', async function () {
      const before = api.seen.length;
      const res = await post('/meetingbaas-config/test-key', { baseUrl: `${api.url}/`, apiKey: GOOD_KEY });
      assert.deepEqual(res.body, { result: 'ok', origin: api.url, status: 200 });
      assert.deepEqual(api.seen.slice(before), [{ method: 'GET', url: '/v2/bots?limit=1', key: GOOD_KEY }]);
      assert.ok(!res.text.includes(GOOD_KEY));
    });

    it('says unauthorized for a refused key and never echoes it', async function () {
      const res = await post('/meetingbaas-config/test-key', { baseUrl: api.url, apiKey: 'wrong-key-xyz' });
      assert.deepEqual(res.body, { result: 'unauthorized', origin: api.url, status: 401 });
      assert.ok(!res.text.includes('wrong-key-xyz'));
    });

    it('uses the deployed key when the editor sends none (unchanged password field)', async function () {
      assert.equal((await post('/meetingbaas-config/test-key', { id: 'acct-signed', baseUrl: api.url, apiKey: '__PWRD__' })).body.result, 'ok');
      assert.equal((await post('/meetingbaas-config/test-key', { id: 'acct-secret', apiKey: '' })).body.result, 'unauthorized');
      assert.equal(api.seen.at(-1).key, 'a-stored-bad-key');
    });

    it('does not send a stored key to a changed API URL', async function () {
      const before = api.seen.length;
      const res = await post('/meetingbaas-config/test-key', { id: 'acct-signed', baseUrl: 'https://elsewhere.invalid', apiKey: '__PWRD__' });
      assert.equal(res.body.result, 'key-needed');
      assert.equal(api.seen.length, before);
    });

    it('refuses the node id of another package\'s node, and sends its key nowhere', async function () {
      const before = api.seen.length;
      for (const body of [{ id: 'other-pkg', apiKey: '__PWRD__' }, { id: 'other-pkg', baseUrl: api.url, apiKey: '' }]) {
        const res = await post('/meetingbaas-config/test-key', body);
        assert.equal(res.body.result, 'no-key', JSON.stringify(body));
      }
      assert.deepEqual(api.seen.slice(before), []);
    });

    for (const status of [301, 302, 307]) {
      it(`does not follow a ${status}: says so, and the redirect target never sees the key`, async function () {
        const target = [];
        const other = http.createServer((req, res) => {
          target.push(req.headers['x-meeting-baas-api-key'] ?? '(no key)');
          res.end('{"success":true,"data":[]}');
        });
        await new Promise((resolve) => other.listen(0, '127.0.0.1', resolve));
        const redirector = http.createServer((req, res) => {
          res.writeHead(status, { location: `http://127.0.0.1:${other.address().port}${req.url}` });
          res.end();
        });
        await new Promise((resolve) => redirector.listen(0, '127.0.0.1', resolve));
        const origin = `http://127.0.0.1:${redirector.address().port}`;
        try {
          const res = await post('/meetingbaas-config/test-key', { baseUrl: origin, apiKey: GOOD_KEY });
          assert.deepEqual(target, []);
          assert.deepEqual(res.body, { result: 'redirect', origin, status });
        } finally {
          await new Promise((resolve) => other.close(resolve));
          await new Promise((resolve) => redirector.close(resolve));
        }
      });
    }

    it('says unreachable when nothing listens, refused for plain http off this machine, no-key without a key', async function () {
      const closed = http.createServer();
      await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = closed.address().port;
      await new Promise((resolve) => closed.close(resolve));
      const unreachable = await post('/meetingbaas-config/test-key', { baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k' });
      assert.equal(unreachable.body.result, 'unreachable');
      assert.equal(unreachable.body.detail, 'ECONNREFUSED');
      assert.equal((await post('/meetingbaas-config/test-key', { baseUrl: 'http://api.example.com', apiKey: 'k' })).body.result, 'refused');
      assert.equal((await post('/meetingbaas-config/test-key', { id: 'nope' })).body.result, 'no-key');
    });
  });
});
