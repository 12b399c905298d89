'use strict';
// "Send a test delivery" in a real Node-RED whose HTTP endpoints are behind httpNodeAuth. The
// runtime has only the bcrypt hash of that password, so it cannot send the credentials itself:
// the test delivery is handed to the node's route inside Node-RED instead, and says so. The
// node's own checks (secret, repeats, validation, routing) still run; httpNodeAuth stays in force
// for everyone else.
const assert = require('node:assert/strict');
const bcrypt = require('bcryptjs');
const { startNodeRed, request } = require('../../support/node-red');
const { startCollector, callbackFlow } = require('../../support/collector');

const USER = 'hooks';
const PASSWORD = 'a-password-only-the-user-knows';
const CALLBACK_SECRET = 'secret-of-the-test-account';

describe('send a test delivery under httpNodeAuth, in a real Node-RED', function () {
  this.timeout(60000);
  let nodeRed;
  let collector;

  before(async () => {
    collector = await startCollector();
    nodeRed = await startNodeRed({ httpNodeRoot: '/hooks', httpNodeAuth: { user: USER, pass: bcrypt.hashSync(PASSWORD, 8) } });
    await nodeRed.deploy(
      callbackFlow({ collectorUrl: collector.url, url: '/mb/authed', account: { credentials: { callbackSecret: CALLBACK_SECRET } } }),
    );
  });
  after(async () => {
    await nodeRed?.stop();
    await collector?.close();
  });
  beforeEach(() => collector.clear());

  function deliver(headers) {
    return request(nodeRed.nodeUrl('/mb/authed'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mb-secret': CALLBACK_SECRET, ...headers },
      body: JSON.stringify({ event: 'bot.status_change', data: { bot_id: 'x', status: { code: 'joining_call' } } }),
    });
  }

  async function sendTest(kind) {
    const res = await request(nodeRed.adminUrl('/meetingbaas-callback/cb1/test'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind }),
    });
    return { status: res.status, text: res.text, body: JSON.parse(res.text) };
  }

  it('reaches the flow, verified by the node, and says it was handed over inside Node-RED', async () => {
    const res = await sendTest('completed');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, {
      event: 'bot.completed',
      url: `http://127.0.0.1:${nodeRed.port}/hooks/mb/authed`,
      method: 'POST',
      auth: 'secret',
      status: 200,
      via: 'in-process',
    });
    const [report] = await collector.waitFor((r) => r.output === 0);
    assert.equal(report.meetingbaas.verifiedBy, 'secret');
    assert.equal(report.payload.event, 'bot.completed');
    assert.ok(!res.text.includes(CALLBACK_SECRET), 'the secret is never echoed');
  });

  it('routes bot.failed and bot.status_change to their own outputs', async () => {
    assert.equal((await sendTest('failed')).body.status, 200);
    assert.equal((await sendTest('status')).body.status, 200);
    const [failed] = await collector.waitFor((r) => r.output === 1);
    const [status] = await collector.waitFor((r) => r.output === 2);
    assert.equal(failed.topic, 'bot.failed');
    assert.equal(status.topic, 'bot.status_change');
  });

  it('leaves httpNodeAuth in force for every request from outside', async () => {
    await sendTest('status');
    const without = await deliver({});
    assert.equal(without.status, 401);
    assert.match(without.headers['www-authenticate'] || '', /^Basic/);
    const wrong = await deliver({ authorization: `Basic ${Buffer.from(`${USER}:wrong`).toString('base64')}` });
    assert.equal(wrong.status, 401);
    const right = await deliver({ authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` });
    assert.equal(right.status, 200, right.text);
  });
});
