// The meetingbaas-simulator command as a user runs it: the compiled CLI started through its bin
// file, sending to a local HTTP server that records what arrives. No Node-RED here; the palette
// install test (test/install/) runs the installed command against a real one.
const assert = require('node:assert/strict');
const { once } = require('node:events');
const { createServer } = require('node:http');
const { randomUUID } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const simulator = require('../../simulator');
const { DeliveryAuthenticator } = require('../../lib/delivery/authentication');
const { startCommand, userEnv } = require('../support/command');
const { freePort } = require('../support/node-red');
const { npm } = require('../support/npm');

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const BIN = join(root, pkg.bin['meetingbaas-simulator']);

/** The compiled CLI through its bin file, in an environment without the user's secrets. */
const start = (args, env = {}) => startCommand(process.execPath, [BIN, ...args], { env: userEnv(env) });
const run = (args, env) => start(args, env).done;

describe('meetingbaas-simulator command', function () {
  let receiver;
  let url;
  let received;
  let answerStatus;

  before(async function () {
    receiver = createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(answerStatus, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    url = `http://127.0.0.1:${receiver.address().port}/meetingbaas/callback`;
  });
  beforeEach(function () {
    received = [];
    answerStatus = 200;
  });
  after(function () {
    receiver.close();
  });

  it('is the package bin, a node script, and what npm run simulate runs', function () {
    assert.deepEqual(pkg.bin, { 'meetingbaas-simulator': 'bin/meetingbaas-simulator.js' });
    assert.match(readFileSync(BIN, 'utf8'), /^#!\/usr\/bin\/env node\n/);
    assert.equal(pkg.scripts.simulate, `node ${pkg.bin['meetingbaas-simulator']}`);
  });

  it('ships the bin and the compiled CLI in the npm pack tarball', function () {
    const out = npm(['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root });
    const [{ files }] = JSON.parse(out);
    const paths = files.map((f) => f.path);
    for (const file of ['bin/meetingbaas-simulator.js', 'simulator/cli/index.js', 'simulator/cli/options.js', 'simulator/cli/help.js']) {
      assert.ok(paths.includes(file), `${file} is not packed: ${paths.join(', ')}`);
    }
  });

  it('prints its help and exits 0 for --help and -h', async function () {
    for (const flag of ['--help', '-h']) {
      const { code, stdout, stderr } = await run([flag]);
      assert.equal(code, 0, stderr);
      assert.match(stdout, /^Usage: meetingbaas-simulator <event> \[options\]$/m);
      for (const word of ['completed', 'expired', 'failed', 'status', 'invalid', '--url', '--method', '--secret', '--webhook-secret',
        '--unsigned', 'MEETINGBAAS_CALLBACK_SECRET', 'MEETINGBAAS_WEBHOOK_SECRET', '--bot-id', '--code', '--message', '--artifacts',
        '--expired', '--serve', '--quiet', simulator.DEMO_API_KEY, 'npx meetingbaas-simulator', 'Exit status']) {
        assert.ok(stdout.includes(word), `--help does not mention ${word}`);
      }
    }
  });

  it('exits 2 on a usage error, sends nothing and never repeats a secret', async function () {
    const cases = [
      [],
      ['finished', '--url', url],
      ['completed', 'failed', '--url', url],
      ['completed', '--url', url, '--secret', 'top-secret-value', '--unsigned'],
      ['completed', '--url', url, '--webhook-secret', 'top-secret-value'],
      ['completed', '--url', url, '--code', 'X'],
      ['failed', '--url', url, '--expired'],
      ['completed', '--url', 'ftp://127.0.0.1/x'],
      ['completed', '--url', url, '--bot-id', 'not-a-uuid'],
      ['completed', '--url', url, '--method', 'GET'],
      ['completed', '--url', url, '--serve', '--artifacts', 'http://example.com:1881'],
      ['completed', '--url', url, '--secret=top-secret-value', '--no-such-option'],
    ];
    for (const args of cases) {
      const { code, stdout, stderr } = await run(args);
      assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
      assert.match(stderr, /^meetingbaas-simulator: .+\nRun "meetingbaas-simulator --help"/, args.join(' '));
      assert.ok(!`${stdout}${stderr}`.includes('top-secret-value'), stderr);
    }
    assert.equal(received.length, 0);
  });

  it('sends bot.completed with the callback secret in x-mb-secret, and does not print the secret', async function () {
    const botId = randomUUID();
    const secret = 'my-callback-secret-1234';
    const { code, stdout, stderr } = await run(['completed', '--url', url, '--secret', secret, '--bot-id', botId, '--artifacts', 'http://127.0.0.1:1']);
    assert.equal(code, 0, stderr);
    assert.equal(received.length, 1);
    const [request] = received;
    assert.equal(request.method, 'POST');
    assert.equal(request.headers['x-mb-secret'], secret);
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['svix-signature'], undefined);
    const delivery = JSON.parse(request.body);
    assert.equal(delivery.event, 'bot.completed');
    assert.equal(delivery.data.bot_id, botId);
    assert.equal(new URL(delivery.data.audio).origin, 'http://127.0.0.1:1');
    assert.match(stdout, /→ 200 accepted/);
    assert.ok(!stdout.includes(secret) && !stderr.includes(secret), stdout);
    // Nothing served there: it says so, since the flow's downloads would fail.
    assert.match(stderr, /nothing answers at http:\/\/127\.0\.0\.1:1/);
  });

  it('signs with Svix headers for --webhook-secret, as an account webhook', async function () {
    const secret = simulator.newWebhookSecret();
    const { code, stderr } = await run(['status', '--url', url, '--webhook-secret', secret, '--code', 'joining_call', '--quiet']);
    assert.equal(code, 0, stderr);
    const [request] = received;
    for (const header of ['svix-id', 'svix-timestamp', 'svix-signature']) assert.ok(request.headers[header], header);
    assert.equal(request.headers['x-mb-secret'], undefined);
    const delivery = JSON.parse(request.body);
    assert.equal(delivery.event, 'bot.status_change');
    assert.equal(delivery.data.status.code, 'joining_call');
    const auth = new DeliveryAuthenticator({ webhookSecret: secret }).authenticate(request.headers, request.body);
    assert.deepEqual(auth, { ok: true, verifiedBy: 'svix', messageId: request.headers['svix-id'] });
  });

  it('reads the secret from the environment, sends to every --url with --method, and sends failures', async function () {
    const { code, stderr } = await run(
      ['failed', '--url', url, '--url', `${url}/second`, '--method', 'put', '--code', 'INSUFFICIENT_TOKENS', '--message', 'No tokens', '--quiet'],
      { MEETINGBAAS_CALLBACK_SECRET: 'from-the-environment' },
    );
    assert.equal(code, 0, stderr);
    assert.deepEqual(received.map((r) => [r.method, r.url]), [['PUT', '/meetingbaas/callback'], ['PUT', '/meetingbaas/callback/second']]);
    for (const request of received) {
      assert.equal(request.headers['x-mb-secret'], 'from-the-environment');
      const delivery = JSON.parse(request.body);
      assert.equal(delivery.event, 'bot.failed');
      assert.equal(delivery.data.error_code, 'INSUFFICIENT_TOKENS');
      assert.equal(delivery.data.error_message, 'No tokens');
    }
  });

  it('sends no credentials with --unsigned, and invalid deliveries', async function () {
    const { code, stderr } = await run(['invalid', '--url', url, '--unsigned', '--quiet']);
    assert.equal(code, 0, stderr);
    const [request] = received;
    assert.equal(request.headers['x-mb-secret'], undefined);
    assert.equal(request.headers['svix-id'], undefined);
    const delivery = JSON.parse(request.body);
    assert.equal(delivery.event, 'bot.completed');
    assert.equal(delivery.data.bot_id, 'examplebot_id');
  });

  it('exits 1 when an answer is not 2xx, and explains a 401', async function () {
    answerStatus = 401;
    const { code, stdout } = await run(['completed', '--url', url, '--secret', 'wrong', '--quiet']);
    assert.equal(code, 1);
    assert.match(stdout, /→ 401 refused: wrong or missing secret/);
  });

  it('exits 1 when nothing answers', async function () {
    const { code, stdout } = await run(['failed', '--url', `http://127.0.0.1:${await freePort()}/x`, '--quiet']);
    assert.equal(code, 1);
    assert.match(stdout, /→ no answer: ECONNREFUSED/);
  });

  it('sends the user and password of the URL as basic authentication and does not print the password', async function () {
    const withCredentials = url.replace('http://', 'http://admin:pass-word-9876@');
    const { code, stdout, stderr } = await run(['failed', '--url', withCredentials]);
    assert.equal(code, 0, stderr);
    assert.equal(received[0].headers.authorization, `Basic ${Buffer.from('admin:pass-word-9876').toString('base64')}`);
    assert.ok(!stdout.includes('pass-word-9876'), stdout);
    assert.ok(!stdout.includes(received[0].headers.authorization.slice(6)), stdout);
    assert.match(stdout, /POST http:\/\/admin:\*\*\*@127\.0\.0\.1/);
  });

  it('with --serve serves the artifacts and the API stand-in until stopped, and exits with the delivery\'s status', async function () {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const botId = randomUUID();
    const cli = start(['expired', '--url', url, '--serve', '--artifacts', base, '--bot-id', botId]);
    try {
      const stdout = await cli.output(/API key {2}simulator-api-key/);
      assert.match(stdout, new RegExp(`API URL {2}${base}`));
      const delivery = JSON.parse(received[0].body);
      // The delivery's links expired already; the API hands out fresh ones, which download.
      assert.equal((await fetch(delivery.data.audio)).status, 403);
      assert.equal((await fetch(`${base}/v2/bots/${botId}`)).status, 401);
      const details = await fetch(`${base}/v2/bots/${botId}`, { headers: { 'x-meeting-baas-api-key': simulator.DEMO_API_KEY } });
      assert.equal(details.status, 200);
      const fresh = await fetch((await details.json()).data.audio);
      assert.equal(fresh.status, 200);
      assert.ok(Buffer.from(await fresh.arrayBuffer()).equals(simulator.loadSampleMeeting().audio));
      await cli.output(/served: GET \/recordings\/.+\/audio\.flac → 200/);
    } finally {
      cli.child.kill('SIGTERM');
    }
    const { code, stderr } = await cli.done;
    assert.equal(code, 0, stderr);
  });

  it('with --serve alone serves without sending, and says when the port is taken', async function () {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const first = start(['--serve', '--artifacts', base]);
    try {
      await first.output(/Serving until Ctrl-C/);
      assert.equal((await fetch(`${base}/`)).status, 200);
      const second = await run(['--serve', '--artifacts', base]);
      assert.equal(second.code, 1);
      assert.match(second.stderr, /cannot serve on 127\.0\.0\.1:\d+: EADDRINUSE/);
    } finally {
      first.child.kill('SIGINT');
    }
    assert.equal((await first.done).code, 0);
    assert.equal(received.length, 0);
  });
});
