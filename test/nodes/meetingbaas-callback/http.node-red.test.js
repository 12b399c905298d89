'use strict';
// The HTTP edges of callback in, in a real Node-RED, over raw sockets where a client library would
// tidy the request up: fragments and absolute-form targets, stalled bodies, answers given before
// the body is read, the cap on bytes in flight, paths with characters that express reads as
// patterns, and a signed delivery replayed under the other header names.
const assert = require('node:assert/strict');
const { randomUUID } = require('node:crypto');
const { startNodeRed, request } = require('../../support/node-red');
const { startCollector, callbackFlow } = require('../../support/collector');
const deliveries = require('../../fixtures/deliveries');
const { rawExchange, head } = require('../../support/raw-http');

const CALLBACK_SECRET = 'raw-callback-secret';
const WEBHOOK_SECRET = deliveries.newWebhookSecret();
const BODY_LIMIT_KB = 64;
const BODY_TIMEOUT_S = 1;

const svixHeaders = (body, options = {}) => deliveries.svixHeaders(body, { secret: WEBHOOK_SECRET, ...options });

describe('callback in at the HTTP edges, in a real Node-RED', function () {
  this.timeout(120000);
  let nodeRed;
  let collector;

  const flows = () => {
    const nodes = callbackFlow({
      collectorUrl: collector.url,
      url: '/mb/raw',
      account: { credentials: { callbackSecret: CALLBACK_SECRET, webhookSecret: WEBHOOK_SECRET } },
      extra: { maxBodyKB: BODY_LIMIT_KB, bodyTimeoutSeconds: BODY_TIMEOUT_S },
    });
    const extraNodes = [
      { id: 'acc-cb', type: 'meetingbaas-config', name: 'callback secret only', credentials: { callbackSecret: CALLBACK_SECRET } },
      { id: 'acc-wh', type: 'meetingbaas-config', name: 'webhook secret only', credentials: { webhookSecret: WEBHOOK_SECRET } },
      { id: 'cb-only-callback', type: 'meetingbaas-callback', z: 'tab1', url: '/mb/only-callback', account: 'acc-cb', wires: [[], [], [], []] },
      { id: 'cb-only-webhook', type: 'meetingbaas-callback', z: 'tab1', url: '/mb/only-webhook', account: 'acc-wh', wires: [[], [], [], []] },
      { id: 'cb-plus', type: 'meetingbaas-callback', z: 'tab1', url: '/mb/x+y', wires: [['cb1-report1'], ['cb1-report1'], ['cb1-report1'], ['cb1-report1']] },
      { id: 'cb-dollar', type: 'meetingbaas-callback', z: 'tab1', url: "/mb/$(a).b!'~", wires: [['cb1-report1'], ['cb1-report1'], ['cb1-report1'], ['cb1-report1']] },
      { id: 'cb-pipe', type: 'meetingbaas-callback', z: 'tab1', url: '/mb/p|q', wires: [[], [], [], []] },
    ];
    return [...nodes, ...extraNodes];
  };

  const target = (p) => nodeRed.nodeUrl(p);
  const post = (p, body, headers = { 'x-mb-secret': CALLBACK_SECRET }) =>
    request(target(p), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  before(async () => {
    collector = await startCollector();
    nodeRed = await startNodeRed();
    await nodeRed.deploy(flows());
  });

  after(async () => {
    if (nodeRed) await nodeRed.stop();
    if (collector) await collector.close();
  });

  beforeEach(() => collector.clear());

  it('answers a target with a fragment as its path, with the raw bytes captured', async () => {
    const delivery = deliveries.failed();
    const body = JSON.stringify(delivery, null, 2);
    const exchange = rawExchange(nodeRed.port);
    await exchange.send(head('POST', '/mb/raw#frag', { host: 'x', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...svixHeaders(body) }) + body);
    const res = await exchange.response;
    exchange.destroy();
    assert.equal(res.status, 200, res.body);
    const [report] = await collector.waitFor((r) => r.payload.data && r.payload.data.bot_id === delivery.data.bot_id);
    assert.equal(report.meetingbaas.verifiedBy, 'svix', 'the signature was checked over the raw bytes');
  });

  it('answers an absolute-form target, upper case and with a trailing slash too', async () => {
    for (const path of ['/mb/raw', '/MB/Raw/']) {
      const delivery = deliveries.failed();
      const body = JSON.stringify(delivery);
      const exchange = rawExchange(nodeRed.port);
      await exchange.send(head('POST', `http://127.0.0.1:${nodeRed.port}${path}?q=1#f`, { host: `127.0.0.1:${nodeRed.port}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-mb-secret': CALLBACK_SECRET }) + body);
      const res = await exchange.response;
      exchange.destroy();
      assert.equal(res.status, 200, `${path}: ${res.body}`);
      await collector.waitFor((r) => r.payload.data && r.payload.data.bot_id === delivery.data.bot_id);
    }
  });

  it('answers 408 and closes the connection when a body stalls', async () => {
    const exchange = rawExchange(nodeRed.port, { timeoutMs: BODY_TIMEOUT_S * 1000 + 4000 });
    await exchange.send(head('POST', '/mb/raw', { host: 'x', 'content-type': 'application/json', 'content-length': 500, 'x-mb-secret': CALLBACK_SECRET }) + '{"event": "bot.fa');
    const res = await exchange.response;
    assert.equal(res.status, 408);
    assert.equal(res.headers.connection, 'close');
    await exchange.closed;
  });

  it('answers 401 before the body is sent when credentials are missing or the secret is wrong', async () => {
    // A fresh node: its once-a-minute rejection report has not been used yet.
    const from = nodeRed.log.length;
    await nodeRed.deploy(flows());
    const cases = [
      ['/mb/raw', {}],
      ['/mb/raw', { 'x-mb-secret': 'wrong' }],
      ['/mb/raw', { 'svix-id': 'msg_1', 'svix-signature': 'v1,xx' }], // an incomplete set of signature headers
      ['/mb/only-callback', svixHeaders('{}')], // signed, but this account cannot check signatures
      ['/mb/only-webhook', { 'x-mb-secret': CALLBACK_SECRET }], // a secret this account does not have
    ];
    for (const [path, credentials] of cases) {
      const exchange = rawExchange(nodeRed.port);
      await exchange.send(head('POST', path, { host: 'x', 'content-type': 'application/json', 'content-length': 1000000, ...credentials }));
      const res = await exchange.response;
      assert.equal(res.status, 401, `${path} ${JSON.stringify(credentials)}`);
      assert.equal(res.headers.connection, 'close');
      exchange.destroy();
    }
    await nodeRed.waitForLog(/Rejected 1 delivery\(s\) since the last report: no secret or signature sent/, from);
  });

  it('still reads the body when the headers could be authentic, and checks it', async () => {
    const body = JSON.stringify(deliveries.failed());
    const forged = await post('/mb/raw', body, { ...svixHeaders(`${body} `) });
    assert.equal(forged.status, 401);
    const good = await post('/mb/raw', body, svixHeaders(body));
    assert.equal(good.status, 200);
  });

  it('answers 503 with Retry-After past the bytes in flight it allows, and the others still land', async () => {
    // 16 bodies of the node's limit may be in flight at once: one more is refused before it is read.
    const padding = 'x'.repeat(BODY_LIMIT_KB * 1024 - 1500);
    const bodies = Array.from({ length: 17 }, () => JSON.stringify({ ...deliveries.failed(), extra: { padding } }));
    const exchanges = [];
    for (const body of bodies) {
      const exchange = rawExchange(nodeRed.port);
      exchanges.push(exchange);
      await exchange.send(head('POST', '/mb/raw', { host: 'x', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-mb-secret': CALLBACK_SECRET }) + body.slice(0, 100));
    }
    const refused = await Promise.any(exchanges.map((e, i) => e.response.then((res) => ({ res, i }))));
    assert.equal(refused.res.status, 503);
    assert.equal(refused.res.headers['retry-after'], '2');
    const others = exchanges.map((e, i) => ({ e, i })).filter(({ i }) => i !== refused.i);
    await Promise.all(others.map(({ e, i }) => e.send(bodies[i].slice(100))));
    const statuses = await Promise.all(others.map(({ e }) => e.response.then((res) => res.status)));
    for (const { e } of others) e.destroy();
    assert.deepEqual(statuses, new Array(16).fill(200));
    await collector.waitFor(() => true, 16);
  });

  it('matches paths literally: + $ ( ) . are plain characters', async () => {
    const delivery = deliveries.failed();
    assert.equal((await post('/mb/x+y', JSON.stringify(delivery), {})).status, 200);
    await collector.waitFor((r) => r.payload.data && r.payload.data.bot_id === delivery.data.bot_id);
    assert.equal((await post('/mb/X+Y/', JSON.stringify(deliveries.failed()), {})).status, 200);
    assert.equal((await post("/mb/$(A).b!'~", JSON.stringify(deliveries.failed()), {})).status, 200);
    for (const other of ['/mb/xxy', '/mb/xy', "/mb/(a).b!'~", "/mb/$(a)xb!'~"]) {
      assert.equal((await post(other, JSON.stringify(deliveries.failed()), {})).status, 404, other);
    }
  });

  it('refuses at deploy a path a client may send encoded, and it serves nothing', async () => {
    assert.match(nodeRed.log, /The URL "\/mb\/p\|q" may only contain/);
    assert.equal((await post('/pizza', JSON.stringify(deliveries.failed()), {})).status, 404);
    assert.equal((await post('/mb/p', JSON.stringify(deliveries.failed()), {})).status, 404);
  });

  it('recognises a signed delivery replayed under the other header names with an extra svix-id', async () => {
    const delivery = deliveries.statusChange();
    const body = JSON.stringify(delivery);
    const signed = svixHeaders(body);
    assert.equal((await post('/mb/raw', body, signed)).status, 200);
    const renamed = { 'webhook-id': signed['svix-id'], 'webhook-timestamp': signed['svix-timestamp'], 'webhook-signature': signed['svix-signature'] };
    for (const extra of [{}, { 'svix-id': `msg_${randomUUID()}` }, { 'svix-id': `msg_${randomUUID()}`, 'svix-timestamp': signed['svix-timestamp'] }]) {
      const res = await post('/mb/raw', body, { ...renamed, ...extra });
      assert.equal(res.status, 200);
      assert.deepEqual(JSON.parse(res.text), { received: true, duplicate: true }, JSON.stringify(extra));
    }
    const sentinel = deliveries.failed();
    assert.equal((await post('/mb/raw', JSON.stringify(sentinel))).status, 200);
    await collector.waitFor((r) => r.payload.data && r.payload.data.bot_id === sentinel.data.bot_id);
    const copies = collector.received.filter((r) => r.payload.data && r.payload.data.bot_id === delivery.data.bot_id);
    assert.equal(copies.length, 1);
  });
});
