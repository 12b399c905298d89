'use strict';
// The callback node inside a real Node-RED process, installed from the packed tarball, reached
// over real HTTP: the admin app's body parsers, httpNodeRoot and httpNodeAuth are all in play.
const assert = require('node:assert/strict');
const { randomUUID } = require('node:crypto');
const { startNodeRed, request } = require('../../support/node-red');
const { startCollector, callbackFlow } = require('../../support/collector');
const { sendLikeMeetingBaas, sendWhile } = require('../../support/meeting-baas-sender');
const deliveries = require('../../fixtures/deliveries');
const { rawExchange, head } = require('../../support/raw-http');

const CALLBACK_SECRET = 'callback-secret-for-tests';
const WEBHOOK_SECRET = deliveries.newWebhookSecret();
const ACCOUNT = { credentials: { callbackSecret: CALLBACK_SECRET, webhookSecret: WEBHOOK_SECRET } };

const svixHeaders = (body, options = {}) => deliveries.svixHeaders(body, { secret: WEBHOOK_SECRET, ...options });

describe('callback in, in a real Node-RED', function () {
  this.timeout(120000);
  let nodeRed;
  let collector;
  const url = () => nodeRed.nodeUrl('/mb/callback');

  function post(payload, headers = { 'x-mb-secret': CALLBACK_SECRET }, target = url()) {
    const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
    return request(target, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  }

  /** Nothing else arrived before a sentinel sent after the thing under test: it was not sent to any output. */
  async function nothingElseArrives(sinceCount) {
    const sentinel = deliveries.failed({ data: { error_code: `SENTINEL_${randomUUID()}` } });
    assert.equal((await post(sentinel)).status, 200);
    await collector.waitFor((r) => r.payload && r.payload.data && r.payload.data.error_code === sentinel.data.error_code);
    assert.equal(collector.received.length, sinceCount + 1, JSON.stringify(collector.received.slice(sinceCount)));
  }

  before(async () => {
    collector = await startCollector();
    nodeRed = await startNodeRed();
    assert.doesNotMatch(nodeRed.log, /\[meetingbaas-callback\]|\[@meeting-baas\/node-red\/meetingbaas-(callback|config)\] Error/);
    const open = callbackFlow({ collectorUrl: collector.url, url: '/mb/open', tag: 'open', id: 'cb-open' })
      .filter((n) => n.type !== 'tab');
    // The smallest node a flow can hold: type, url and wires, nothing else.
    const minimal = open.find((n) => n.type === 'meetingbaas-callback');
    for (const key of Object.keys(minimal)) if (!['id', 'type', 'url', 'wires', 'z'].includes(key)) delete minimal[key];
    await nodeRed.deploy([...callbackFlow({ collectorUrl: collector.url, account: ACCOUNT }), ...open]);
  });

  after(async () => {
    if (nodeRed) await nodeRed.stop();
    if (collector) await collector.close();
  });

  beforeEach(() => collector.clear());

  it('sends a bot.completed with the right secret to output 1, answered 200', async () => {
    const delivery = deliveries.completed();
    const res = await post(delivery);
    assert.equal(res.status, 200);
    const [report] = await collector.waitFor((r) => r.output === 0);
    assert.deepEqual(report.payload, delivery);
    assert.equal(report.topic, 'bot.completed');
    assert.equal(report.meetingbaas.verifiedBy, 'secret');
    assert.equal(report.meetingbaas.botId, delivery.data.bot_id);
    assert.deepEqual(Object.keys(report.meetingbaas.artifacts).sort(), ['audio', 'diarization', 'raw_transcription', 'transcription', 'video']);
    assert.equal(report.meetingbaas.artifacts.video, delivery.data.video);
    assert.match(report.meetingbaas.receivedAt, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(report.keys.sort(), ['_msgid', 'meetingbaas', 'payload', 'topic'], 'no req or res on the message');
  });

  it('sends the seed bot.completed (data deleted, no links) made valid to output 1', async () => {
    const delivery = deliveries.seedCompletedMadeValid();
    assert.equal((await post(delivery)).status, 200);
    const [report] = await collector.waitFor((r) => r.output === 0);
    assert.deepEqual(report.meetingbaas.artifacts, {});
    assert.equal(report.payload.data.data_deleted, true);
  });

  it('sends the seed bot.failed made valid to output 2', async () => {
    const delivery = deliveries.failed();
    assert.equal((await post(delivery)).status, 200);
    const [report] = await collector.waitFor((r) => r.output === 1);
    assert.equal(report.payload.data.error_code, 'CANNOT_JOIN_MEETING');
    assert.equal(report.topic, 'bot.failed');
  });

  it('verifies Svix-signed webhooks over the raw bytes and sends other events to output 3', async () => {
    // Key order and spacing that JSON.parse + JSON.stringify would not give back: the raw bytes must be used.
    const body = JSON.stringify(deliveries.statusChange(), null, 3);
    const res = await post(body, svixHeaders(body));
    assert.equal(res.status, 200);
    const [report] = await collector.waitFor((r) => r.output === 2);
    assert.equal(report.topic, 'bot.status_change');
    assert.equal(report.meetingbaas.verifiedBy, 'svix');
    assert.match(report.meetingbaas.deliveryId, /^svix:msg_/);
  });

  it('answers 401 to bad, stale or missing credentials and sends nothing', async () => {
    const body = JSON.stringify(deliveries.completed());
    const forged = { ...svixHeaders(body), 'svix-signature': svixHeaders(`${body} `)['svix-signature'] };
    const stale = svixHeaders(body, { at: new Date(Date.now() - 10 * 60 * 1000) });
    for (const headers of [{ 'x-mb-secret': 'wrong' }, {}, forged, stale]) {
      const res = await post(body, headers);
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.ok(!res.text.includes(CALLBACK_SECRET));
    }
    await nothingElseArrives(0);
    assert.ok(!nodeRed.log.includes(CALLBACK_SECRET) && !nodeRed.log.includes(WEBHOOK_SECRET), 'secrets never logged');
  });

  it('answers 413 past its own limit, before the admin app\'s 5 MB parser could', async () => {
    for (const size of [1.5 * 1024 * 1024, 6 * 1024 * 1024]) {
      const big = JSON.stringify({ ...deliveries.completed(), padding: 'x'.repeat(size) });
      const res = await post(big);
      assert.equal(res.status, 413, `${size} bytes`);
      assert.match(res.text, /body over 1048576 bytes/);
    }
    await nothingElseArrives(0);
  });

  it('sends authentic bodies that are not JSON to output 4, with 415 for a non-JSON Content-Type', async () => {
    const res = await post('{"event": "bot.completed", "data": {', { 'x-mb-secret': CALLBACK_SECRET });
    assert.equal(res.status, 200);
    const [notJson] = await collector.waitFor((r) => r.output === 3);
    assert.equal(notJson.meetingbaas.invalid.reason, 'not-json');
    assert.match(notJson.meetingbaas.invalid.errors[0].message, /^the body is not valid JSON \(.+\)$/);
    assert.equal(notJson.payload, '{"event": "bot.completed", "data": {');

    const form = await post('event=bot.completed', { 'x-mb-secret': CALLBACK_SECRET, 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415);
    const [unsupported] = await collector.waitFor((r) => r.output === 3 && r.meetingbaas.invalid.reason === 'unsupported-media-type');
    assert.equal(unsupported.payload, 'event=bot.completed');
    assert.equal(unsupported.meetingbaas.invalid.errors[0].message, 'Content-Type must be application/json, not "application/x-www-form-urlencoded"');
  });

  it('sends authentic deliveries that break the schema to output 4 with readable errors, answered 200', async () => {
    const delivery = deliveries.completed();
    delivery.data.bot_id = 'examplebot_id';
    delete delivery.data.sent_at;
    const res = await post(delivery);
    assert.equal(res.status, 200, 'a 4xx would make Meeting BaaS drop it for good');
    const [report] = await collector.waitFor((r) => r.output === 3);
    assert.equal(report.topic, 'bot.completed');
    assert.equal(report.meetingbaas.invalid.reason, 'schema');
    const fields = report.meetingbaas.invalid.errors.map((e) => e.field);
    assert.ok(fields.includes('data.bot_id') && fields.includes('data.sent_at'), fields.join());
    assert.deepEqual(report.payload, delivery);
  });

  it('acknowledges repeats with 200 and sends them once', async () => {
    const delivery = deliveries.failed();
    const first = await post(delivery);
    const again = await post(delivery);
    assert.equal(first.status, 200);
    assert.equal(again.status, 200);
    assert.deepEqual(JSON.parse(again.text), { received: true, duplicate: true });
    await collector.waitFor((r) => r.payload.data && r.payload.data.bot_id === delivery.data.bot_id);
    // A signed retry carries the same svix-id even if re-sent later.
    const body = JSON.stringify(deliveries.statusChange());
    const headers = svixHeaders(body);
    assert.equal((await post(body, headers)).status, 200);
    assert.equal((await post(body, { ...headers, ...svixHeaders(body, { id: headers['svix-id'] }) })).status, 200);
    await nothingElseArrives(2);
  });

  it('answers 405 with Allow to other methods', async () => {
    const res = await request(url(), { method: 'GET' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'POST');
    const put = await request(url(), { method: 'PUT', headers: { 'content-type': 'application/json', 'x-mb-secret': CALLBACK_SECRET }, body: JSON.stringify(deliveries.failed()) });
    assert.equal(put.status, 405);
  });

  it('works from a flow that holds only type, url and wires: unverified, defaults for the rest', async () => {
    const res = await post(deliveries.failed(), {}, nodeRed.nodeUrl('/mb/open'));
    assert.equal(res.status, 200);
    const [report] = await collector.waitFor((r) => r.tag === 'open');
    assert.equal(report.output, 1);
    assert.equal(report.meetingbaas.verifiedBy, 'none');
  });

  it('reports two nodes on one path in the log', async () => {
    const from = nodeRed.log.length;
    const twice = [
      ...callbackFlow({ collectorUrl: collector.url, account: ACCOUNT }),
      { id: 'cb-twin', type: 'meetingbaas-callback', z: 'tab1', url: '/MB/callback/', wires: [[], [], [], []] },
    ];
    await nodeRed.deploy(twice);
    await nodeRed.waitForLog(/Another callback node .*\/MB\/callback\//, from);
    // The first node keeps answering.
    assert.equal((await post(deliveries.failed())).status, 200);
    await collector.waitFor((r) => r.output === 1);
    await nodeRed.deploy(callbackFlow({ collectorUrl: collector.url, account: ACCOUNT }));
  });

  it('answers 503 and sends nothing on while the account it names cannot be found, so that the sender retries', async () => {
    const from = nodeRed.log.length;
    const lost = callbackFlow({ collectorUrl: collector.url, url: '/mb/lost', tag: 'lost', id: 'cb-lost', extra: { account: 'no-such-account' } })
      .filter((n) => n.type !== 'tab');
    await nodeRed.deploy([...callbackFlow({ collectorUrl: collector.url, account: ACCOUNT }), ...lost]);
    await nodeRed.waitForLog(/\[meetingbaas-callback:cb-lost\].*no-such-account/, from);
    for (const headers of [{}, { 'x-mb-secret': CALLBACK_SECRET }]) {
      const res = await post(deliveries.completed(), headers, nodeRed.nodeUrl('/mb/lost'));
      assert.equal(res.status, 503, res.text);
      assert.ok(Number(res.headers['retry-after']) > 0);
    }
    await nothingElseArrives(0);
    await nodeRed.deploy(callbackFlow({ collectorUrl: collector.url, account: ACCOUNT }));
  });

  it('removes exactly its own route when deleted, leaving an http in node on the same path', async () => {
    const withHttpIn = [
      ...callbackFlow({ collectorUrl: collector.url, account: ACCOUNT, url: '/mb/shared' }),
      { id: 'get1', type: 'http in', z: 'tab1', url: '/mb/shared', method: 'get', wires: [['resp1']] },
      { id: 'resp1', type: 'http response', z: 'tab1', statusCode: '200', wires: [] },
    ];
    await nodeRed.deploy(withHttpIn);
    assert.equal((await post(deliveries.failed(), undefined, nodeRed.nodeUrl('/mb/shared'))).status, 200);
    await nodeRed.deploy(withHttpIn.filter((n) => n.type !== 'meetingbaas-callback'));
    assert.equal((await post(deliveries.failed(), undefined, nodeRed.nodeUrl('/mb/shared'))).status, 404);
    assert.equal((await request(nodeRed.nodeUrl('/mb/shared'))).status, 200, 'the http in route is still there');
    await nodeRed.deploy(callbackFlow({ collectorUrl: collector.url, account: ACCOUNT }));
  });

  it('never answers 404 while redeployed: deliveries retried as Meeting BaaS does all land', async () => {
    const flows = callbackFlow({ collectorUrl: collector.url, account: ACCOUNT, direct: true });
    await nodeRed.deploy(flows);
    const statuses = [];
    const send = (delivery) =>
      sendLikeMeetingBaas(() => post(delivery).then((res) => res.status), (status) => statuses.push(status)).then((r) => r.status);
    let deploying = true;
    const deploys = (async () => {
      for (let i = 0; i < 8; i++) {
        flows.find((n) => n.type === 'meetingbaas-callback').name = `deploy ${i}`;
        await nodeRed.deploy(flows);
      }
      deploying = false;
    })();
    collector.clear();
    const { sent, finals } = await sendWhile(() => deploying, send, async (count) => {
      await new Promise((resolve) => setImmediate(resolve));
      if (count % 5 === 0) await post(deliveries.failed()).catch(() => {}); // keep the pipe busy
    });
    await deploys;
    assert.ok(!statuses.includes(404), `no 404 among ${statuses.length} answers`);
    assert.ok(sent.length > 10, `sent ${sent.length}`);
    assert.deepEqual(finals.filter((s) => s !== 200), [], 'every delivery eventually accepted');
    // Each delivery reached the node wired to its output, exactly once. (Node-RED itself drops
    // messages further downstream that are between two nodes when a deploy stops them: one hop here.)
    const ids = new Set(sent);
    const arrived = await collector.waitFor((r) => ids.has(r.payload.data && r.payload.data.bot_id), sent.length);
    assert.equal(new Set(arrived.map((r) => r.payload.data.bot_id)).size, sent.length);
    const sentinel = deliveries.failed();
    assert.equal((await post(sentinel)).status, 200);
    await collector.waitFor((r) => r.payload.data && r.payload.data.bot_id === sentinel.data.bot_id);
    const copies = collector.received.filter((r) => ids.has(r.payload.data && r.payload.data.bot_id)).length;
    assert.equal(copies, sent.length, 'no delivery sent twice');
  });
});

describe('callback in behind httpNodeRoot and httpNodeAuth, in a real Node-RED', function () {
  this.timeout(120000);
  let nodeRed;
  let collector;

  before(async () => {
    collector = await startCollector();
    const bcrypt = require('bcryptjs');
    nodeRed = await startNodeRed({
      httpNodeRoot: '/hooks',
      httpNodeAuth: { user: 'flows', pass: bcrypt.hashSync('open sesame', 8) },
    });
    await nodeRed.deploy(callbackFlow({ collectorUrl: collector.url, account: ACCOUNT }));
  });

  after(async () => {
    if (nodeRed) await nodeRed.stop();
    if (collector) await collector.close();
  });

  it('still verifies signatures over the raw bytes under the prefix, after basic auth', async () => {
    const body = JSON.stringify(deliveries.statusChange(), null, 1);
    const headers = { 'content-type': 'application/json', ...svixHeaders(body) };
    const target = nodeRed.nodeUrl('/mb/callback');
    assert.match(target, /\/hooks\/mb\/callback$/);
    assert.equal((await request(target, { method: 'POST', headers, body })).status, 401, 'basic auth applies');
    const auth = `Basic ${Buffer.from('flows:open sesame').toString('base64')}`;
    const res = await request(target, { method: 'POST', headers: { ...headers, authorization: auth }, body });
    assert.equal(res.status, 200, res.text);
    const [report] = await collector.waitFor((r) => r.output === 2);
    assert.equal(report.meetingbaas.verifiedBy, 'svix');
    const outside = await request(`http://127.0.0.1:${nodeRed.port}/mb/callback`, { method: 'POST', headers: { ...headers, authorization: auth }, body });
    assert.equal(outside.status, 404, 'nothing outside the prefix');
  });

  it('captures the raw bytes under the prefix whatever the form of the target', async () => {
    const auth = `Basic ${Buffer.from('flows:open sesame').toString('base64')}`;
    const targets = ['/hooks/mb/callback#x', '/HOOKS/mb/callback/', `http://127.0.0.1:${nodeRed.port}/hooks/mb/callback?x=1#y`, '/hooks//mb/callback'];
    for (const target of targets) {
      const body = JSON.stringify(deliveries.statusChange(), null, 2);
      const exchange = rawExchange(nodeRed.port);
      await exchange.send(head('POST', target, { host: 'x', authorization: auth, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...svixHeaders(body) }) + body);
      const res = await exchange.response;
      exchange.destroy();
      assert.equal(res.status, 200, `${target}: ${res.body}`);
    }
  });
});
