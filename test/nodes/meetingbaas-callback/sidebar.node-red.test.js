'use strict';
// The admin routes of the "Meeting BaaS" sidebar in a real Node-RED with adminAuth on: a user
// with read sees the deliveries (paged, filtered, secrets hidden), only a user with write acts
// on them, and a user without the permission, or without a token, gets nothing.
const assert = require('node:assert/strict');
const bcrypt = require('bcryptjs');
const { startNodeRed, request } = require('../../support/node-red');
const { startCollector, callbackFlow } = require('../../support/collector');
const simulator = require('../../../simulator');
const deliveries = require('../../fixtures/deliveries');

const SECRET = 'secret-of-the-sidebar-account';
const PASSWORD = 'sidebar-test-password';
const SIGNATURE = 'e2f1c0ffee5ec12e7';

describe('the sidebar routes, in a real Node-RED with adminAuth', function () {
  this.timeout(90000);
  let nodeRed;
  let collector;
  const tokens = {};

  async function login(username) {
    const res = await request(nodeRed.adminUrl('/auth/token'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'node-red-admin', grant_type: 'password', scope: '', username, password: PASSWORD }),
    });
    assert.equal(res.status, 200, res.text);
    return JSON.parse(res.text).access_token;
  }

  function admin(path, { user, method = 'GET' } = {}) {
    const headers = user ? { authorization: `Bearer ${tokens[user]}` } : {};
    return request(nodeRed.adminUrl(path), { method, headers: method === 'POST' ? { ...headers, 'content-type': 'application/json' } : headers, body: method === 'POST' ? '{}' : undefined }).then((res) => ({
      status: res.status,
      text: res.text,
      body: res.text && res.headers['content-type']?.includes('json') ? JSON.parse(res.text) : null,
    }));
  }

  function deliver(body, secret = SECRET) {
    return request(nodeRed.nodeUrl('/mb/sidebar'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mb-secret': secret },
      body: JSON.stringify(body),
    });
  }

  const video = `https://bucket.s3.amazonaws.com/v.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=${SIGNATURE}`;
  const completed = deliveries.completed({ botId: '11111111-2222-4333-8444-555555555555', urls: { video, audio: video }, extra: { customer: 'acme', ticket: 'T-42' } });
  const failed = deliveries.failed({ botId: '66666666-7777-4888-9999-000000000000', extra: { customer: 'globex' } });

  before(async function () {
    const hash = bcrypt.hashSync(PASSWORD, 8);
    collector = await startCollector();
    nodeRed = await startNodeRed({
      adminAuth: {
        type: 'credentials',
        users: [
          { username: 'admin', password: hash, permissions: '*' },
          { username: 'viewer', password: hash, permissions: 'read' },
          { username: 'outsider', password: hash, permissions: ['flows.read'] },
        ],
      },
    });
    for (const user of ['admin', 'viewer', 'outsider']) tokens[user] = await login(user);
    await nodeRed.deploy(callbackFlow({ collectorUrl: collector.url, url: '/mb/sidebar', account: { credentials: { callbackSecret: SECRET } } }), 'full', { authorization: `Bearer ${tokens.admin}` });
    assert.equal((await deliver(completed)).status, 200);
    assert.equal((await deliver(failed)).status, 200);
    assert.equal((await deliver({ event: 'bot.completed', data: { bot_id: 42 } })).status, 200);
    assert.equal((await deliver(failed)).status, 200, 'a repeat is acknowledged');
    assert.equal((await deliver(failed, 'wrong')).status, 401);
    await collector.waitFor(() => true, 3);
  });
  after(async () => {
    await nodeRed?.stop();
    await collector?.close();
  });

  it('lists the deliveries newest first with their facts, and the counts of each node', async function () {
    const res = await admin('/meetingbaas/deliveries', { user: 'viewer' });
    assert.equal(res.status, 200, res.text);
    const { rows, nodes, next } = res.body;
    assert.equal(next, null);
    assert.deepEqual(rows.map((r) => [r.event, r.output]), [['bot.completed', 3], ['bot.failed', 1], ['bot.completed', 0]]);
    assert.deepEqual(rows[2].extra, { customer: 'acme', ticket: 'T-42' });
    assert.equal(rows[2].botId, '11111111-2222-4333-8444-555555555555');
    assert.ok(rows.every((r) => r.node === 'cb1' && r.verifiedBy === 'secret' && r.state === 'finished'));
    assert.deepEqual(nodes.map((n) => [n.id, n.rejected, n.repeats, n.journal]), [['cb1', 1, 1, true]]);
    assert.ok(!res.text.includes(SIGNATURE) && !res.text.includes(SECRET));
  });

  it('pages, and filters by event, state, node and a search', async function () {
    const first = await admin('/meetingbaas/deliveries?limit=2', { user: 'viewer' });
    assert.equal(first.body.rows.length, 2);
    assert.ok(first.body.next);
    const second = await admin(`/meetingbaas/deliveries?limit=2&cursor=${first.body.next}`, { user: 'viewer' });
    assert.equal(second.body.rows.length, 1);
    assert.equal(second.body.next, null);
    assert.equal((await admin('/meetingbaas/deliveries?cursor=garbage', { user: 'viewer' })).status, 400);
    assert.deepEqual((await admin('/meetingbaas/deliveries?event=bot.failed', { user: 'viewer' })).body.rows.map((r) => r.event), ['bot.failed']);
    assert.equal((await admin('/meetingbaas/deliveries?state=parked', { user: 'viewer' })).body.rows.length, 0);
    assert.equal((await admin('/meetingbaas/deliveries?node=other', { user: 'viewer' })).body.rows.length, 0);
    assert.deepEqual((await admin('/meetingbaas/deliveries?q=GLOBEX', { user: 'viewer' })).body.rows.map((r) => r.event), ['bot.failed']);
    assert.equal((await admin('/meetingbaas/deliveries?q=11111111-2222', { user: 'viewer' })).body.rows.length, 1);
  });

  it('opens a payload pretty-printed, signed links hidden, and an invalid one with its errors in words', async function () {
    const list = (await admin('/meetingbaas/deliveries', { user: 'viewer' })).body.rows;
    const done = list.find((r) => r.output === 0);
    const res = await admin(`/meetingbaas/deliveries/cb1/${done.seq}`, { user: 'viewer' });
    assert.equal(res.status, 200, res.text);
    assert.match(res.body.payload, /\n {2}"event": "bot.completed"/);
    assert.match(res.body.payload, /X-Amz-Signature=\[hidden\]/);
    assert.ok(!res.text.includes(SIGNATURE));
    const invalid = await admin(`/meetingbaas/deliveries/cb1/${list.find((r) => r.output === 3).seq}`, { user: 'viewer' });
    assert.ok(invalid.body.errors.some((e) => /bot_id/.test(e)), invalid.text);
    assert.equal((await admin('/meetingbaas/deliveries/cb1/999', { user: 'viewer' })).status, 404);
  });

  it('refuses everything to a user without the permission, and to a request without a token', async function () {
    const seq = (await admin('/meetingbaas/deliveries', { user: 'viewer' })).body.rows[0].seq;
    for (const user of ['outsider', undefined]) {
      for (const [path, method] of [
        ['/meetingbaas/deliveries', 'GET'],
        [`/meetingbaas/deliveries/cb1/${seq}`, 'GET'],
        [`/meetingbaas/deliveries/cb1/${seq}/send-again`, 'POST'],
        [`/meetingbaas/deliveries/cb1/${seq}/finish`, 'POST'],
        [`/meetingbaas/deliveries/cb1/${seq}/fresh-links`, 'POST'],
      ]) {
        const res = await admin(path, { user, method });
        assert.ok(res.status === 401 || res.status === 403, `${user} ${method} ${path}: ${res.status}`);
        assert.ok(!res.text.includes('bot.completed') && !res.text.includes('acme'), res.text);
      }
    }
    const res = await admin(`/meetingbaas/deliveries/cb1/${seq}/send-again`, { user: 'viewer', method: 'POST' });
    assert.ok(res.status === 401 || res.status === 403, `viewer cannot act: ${res.status}`);
  });

  it('sends a delivery again as a new attempt, marked replayed, for a user with write', async function () {
    const row = (await admin('/meetingbaas/deliveries?event=bot.failed', { user: 'viewer' })).body.rows[0];
    collector.clear();
    const res = await admin(`/meetingbaas/deliveries/cb1/${row.seq}/send-again`, { user: 'admin', method: 'POST' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.row.attempts, 1);
    const [report] = await collector.waitFor((r) => r.output === 1);
    assert.equal(report.meetingbaas.replayed, true);
    assert.equal(report.meetingbaas.redelivered, 1);
    assert.equal(report.payload.data.bot_id, row.botId);
    const after = (await admin(`/meetingbaas/deliveries/cb1/${row.seq}`, { user: 'viewer' })).body.row;
    assert.equal(after.attempts, 1);
  });

  it('marks a delivery finished, and fetches fresh links only with an API key', async function () {
    const row = (await admin('/meetingbaas/deliveries', { user: 'viewer' })).body.rows[0];
    const res = await admin(`/meetingbaas/deliveries/cb1/${row.seq}/finish`, { user: 'admin', method: 'POST' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.row.state, 'finished');
    const links = await admin(`/meetingbaas/deliveries/cb1/${row.seq}/fresh-links`, { user: 'admin', method: 'POST' });
    assert.equal(links.status, 409);
    assert.equal(links.body.error, 'no-api-key');
  });

  it('fetches fresh links through the API client with the account\'s key, their signatures hidden', async function () {
    const api = await simulator.ArtifactServer.start({ apiKey: 'sidebar-api-key' });
    try {
      const flows = callbackFlow({ collectorUrl: collector.url, url: '/mb/sidebar', account: { baseUrl: api.baseUrl, credentials: { callbackSecret: SECRET, apiKey: 'sidebar-api-key' } } });
      await nodeRed.deploy(flows, 'full', { authorization: `Bearer ${tokens.admin}` });
      const botId = '22222222-3333-4444-8555-666666666666';
      assert.equal((await deliver(deliveries.completed({ botId, urls: api.artifactUrls(botId) }))).status, 200);
      const row = (await admin('/meetingbaas/deliveries', { user: 'viewer' })).body.rows.find((r) => r.botId === botId);
      const fresh = await admin(`/meetingbaas/deliveries/cb1/${row.seq}/fresh-links`, { user: 'admin', method: 'POST' });
      assert.equal(fresh.status, 200, fresh.text);
      assert.equal(fresh.body.links.bot_id, botId);
      assert.match(fresh.body.links.audio, new RegExp(`^${api.baseUrl}/`));
      assert.doesNotMatch(fresh.text, /X-Amz-Signature=[0-9a-f]{8}/i, 'signatures hidden');
      // Node-RED answers a token without the permission 401.
      assert.equal((await admin(`/meetingbaas/deliveries/cb1/${row.seq}/fresh-links`, { user: 'viewer', method: 'POST' })).status, 401);
    } finally {
      await api.close();
    }
  });

  it('says in words why fresh links could not be fetched, not in the API client\'s codes', async function () {
    // The key may not go to plain http off this machine: the client refuses before any request.
    const flows = callbackFlow({ collectorUrl: collector.url, url: '/mb/sidebar', account: { baseUrl: 'http://api.example.com', credentials: { callbackSecret: SECRET, apiKey: 'k' } } });
    await nodeRed.deploy(flows, 'full', { authorization: `Bearer ${tokens.admin}` });
    assert.equal((await deliver(deliveries.failed({ botId: '33333333-4444-4555-8666-777777777777' }))).status, 200);
    const row = (await admin('/meetingbaas/deliveries', { user: 'viewer' })).body.rows.find((r) => r.botId === '33333333-4444-4555-8666-777777777777');
    const fresh = await admin(`/meetingbaas/deliveries/cb1/${row.seq}/fresh-links`, { user: 'admin', method: 'POST' });
    assert.equal(fresh.status, 502, fresh.text);
    assert.equal(fresh.body.error, 'api-failed');
    assert.equal(fresh.body.kind, 'refused');
    assert.equal(fresh.body.detail, 'API address: refused: the API key is only sent over https (plain http only to this machine), not to http://api.example.com');
  });
});
