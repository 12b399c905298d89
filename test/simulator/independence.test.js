'use strict';
// The simulator is a part of its own: it stands for Meeting BaaS, so it must not reuse the package's
// code (a mistake there would be made on both sides of a test). Its modules, loaded alone and used
// (API requests, a signed delivery, the command), load nothing from the package's lib/ or nodes/;
// it reads the API from its own extract of the OpenAPI document, not the package's schemas; and,
// as the real API does, it refuses a missing or wrong key with 401 on every endpoint, and answers
// the paths it does not serve with the API's error shape.
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;
const simulator = require('../../simulator');
const { OPERATIONS } = require('../../lib/api');

const root = path.join(__dirname, '..', '..');
const openapi = JSON.parse(fs.readFileSync(path.join(root, 'simulator-assets', 'meetingbaas-openapi.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validateError = ajv.compile(openapi.components.schemas.ErrorResponse);

const BOT = '6f1c2f61-1c1b-4b5e-9d3a-3c1f5a0e2b11';

/** Every documented operation the simulator serves, as [method, path with a bot id]. */
const SERVED = Object.entries(openapi.paths).flatMap(([template, item]) =>
  Object.keys(item).map((method) => [method.toUpperCase(), template.replace('{bot_id}', BOT)]),
);
/** Paths and methods of the API it does not serve, and one the API does not have. */
const NOT_SERVED = [
  ['GET', '/v2/calendars'],
  ['POST', '/v2/bots/scheduled/batch'],
  ['DELETE', `/v2/bots/${BOT}`],
  ['GET', `/v2/bots/${BOT}/no-such-action`],
  ['GET', '/v2/'],
];

/** Runs `script` in a fresh Node.js process at the package root; returns what it printed as JSON. */
function inChildProcess(script) {
  const out = execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out);
}

describe('the simulator, a part of its own', function () {
  this.timeout(60_000);

  it('loads no module of the package\'s lib/ or nodes/, even when its API, deliveries and command run', function () {
    const loaded = inChildProcess(`
      const { join } = require('node:path');
      const packaged = () => Object.keys(require.cache).filter((file) => !file.includes('node_modules'));
      (async () => {
        const simulator = require('./simulator');
        const cli = require('./simulator/cli');
        const atRequire = Object.keys(require.cache);
        const server = await simulator.ArtifactServer.start({ apiKey: 'k' });
        const call = (method, path, body) => fetch(server.baseUrl + path, { method, headers: { 'x-meeting-baas-api-key': 'k', 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
        const created = await (await call('POST', '/v2/bots', { bot_name: 'x', meeting_url: 'https://meet.google.com/abc-defg-hij' })).json();
        await call('GET', '/v2/bots?limit=2&status=completed');
        await call('GET', '/v2/bots/' + created.data.bot_id);
        await call('POST', '/v2/bots/scheduled', { bot_name: 'x', meeting_url: 'https://meet.google.com/abc', join_at: new Date(Date.now() + 3600e3).toISOString() });
        await call('GET', '/v2/calendars');
        const meeting = simulator.loadSampleMeeting();
        const delivery = simulator.completedDelivery(meeting.script, server.artifactUrls(created.data.bot_id));
        simulator.deliveryHeaders(JSON.stringify(delivery), { kind: 'webhook', secret: simulator.newWebhookSecret() });
        await fetch(server.artifactUrls(created.data.bot_id).audio);
        await server.close();
        const { parseCommandLine } = require('./simulator/cli/options');
        parseCommandLine(['--help']);
        process.stdout.write(JSON.stringify({ root: process.cwd(), atRequire, after: packaged(), all: Object.keys(require.cache), cli: typeof cli.main }));
      })().catch((error) => { console.error(error); process.exit(1); });
    `);
    const within = (folder) => (file) => file.startsWith(path.join(loaded.root, folder) + path.sep);
    assert.equal(loaded.cli, 'function');
    assert.ok(loaded.after.some(within('simulator')), 'the simulator itself was loaded');
    assert.deepEqual(loaded.all.filter(within('lib')), [], 'modules of lib/');
    assert.deepEqual(loaded.all.filter(within('nodes')), [], 'modules of nodes/');
    assert.ok(loaded.all.some((file) => file.includes(`${path.sep}standardwebhooks${path.sep}`)), 'deliveries are signed with standardwebhooks');
    // Loaded when first needed: requiring the simulator compiles no schema.
    assert.equal(loaded.atRequire.some((file) => file.includes(`${path.sep}ajv${path.sep}`)), false, 'AJV loaded by a bare require');
    assert.ok(loaded.all.some((file) => file.includes(`${path.sep}ajv${path.sep}`)), 'AJV loaded for the first API request');
  });

  it('has no require of the package\'s other parts in its compiled code (paths the run above may not reach)', function () {
    const files = fs.readdirSync(path.join(root, 'simulator'), { recursive: true }).filter((file) => file.endsWith('.js'));
    assert.ok(files.length > 5, files.join(', '));
    for (const file of files) {
      const code = fs.readFileSync(path.join(root, 'simulator', file), 'utf8');
      for (const [, target] of code.matchAll(/require\("([^"]+)"\)/g)) {
        if (!target.startsWith('.')) continue;
        const resolved = path.resolve(path.dirname(path.join(root, 'simulator', file)), target);
        const inside = resolved === path.join(root, 'simulator') || resolved.startsWith(path.join(root, 'simulator') + path.sep);
        assert.ok(inside, `simulator/${file} requires ${target}`);
      }
    }
  });

  it('ships a document of only the operations it serves and what they refer to, far smaller than the whole', function () {
    const size = fs.statSync(path.join(root, 'simulator-assets', 'meetingbaas-openapi.json')).size;
    assert.ok(size < 200 * 1024, `${size} bytes`);
    const text = JSON.stringify(openapi);
    for (const name of Object.keys(openapi.components.schemas)) {
      if (['ErrorResponse', 'ValidationErrorResponse'].includes(name)) continue;
      assert.ok(text.includes(`"#/components/schemas/${name}"`), `${name} is shipped but nothing refers to it`);
    }
    for (const ref of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) assert.ok(openapi.components.schemas[ref[1]], ref[1]);
  });

  it('serves every operation the package calls, as the document names it', function () {
    for (const [action, operation] of Object.entries(OPERATIONS)) {
      const documented = openapi.paths[operation.path]?.[operation.method.toLowerCase()];
      assert.ok(documented, `${action}: ${operation.method} ${operation.path} is not served`);
      assert.equal(documented.operationId, operation.operationId, action);
    }
  });

  it('compares its answers with the document: a field the document does not allow is caught', function () {
    const { route } = require('../../simulator/openapi');
    const list = route('GET', '/v2/bots');
    assert.equal(list.kind, 'operation');
    const page = { success: true, data: [], cursor: null, prev_cursor: null };
    assert.equal(list.operation.answerProblem(200, page), null);
    assert.match(list.operation.answerProblem(200, { ...page, next_cursor: null }), /additional properties/);
    assert.match(list.operation.answerProblem(200, { success: true, data: [] }), /required property 'cursor'/);
    // A status the operation does not list (401, 405) is held to the API's ErrorResponse.
    assert.equal(list.operation.answerProblem(401, { success: false, error: 'Unauthorized', code: 'INVALID_API_KEY', statusCode: 401 }), null);
    assert.notEqual(list.operation.answerProblem(401, { success: false, error: 'Unauthorized' }), null);
    // As Fastify, a GET route answers HEAD; the most specific template wins.
    assert.equal(route('HEAD', `/v2/bots/${BOT}`).operation.operationId, 'getBotDetails');
    assert.equal(route('GET', '/v2/bots/scheduled').operation.operationId, 'listScheduledBots');
    assert.deepEqual(route('GET', '/v2/bots/%E0%A4%A').params, { bot_id: '%E0%A4%A' });
  });

  describe('as the API refuses a missing or wrong key', function () {
    let server;
    let defaultKeyServer;
    before(async function () {
      server = await simulator.ArtifactServer.start({ apiKey: 'the-account-key' });
      // Started without a key, it still has one (the demo's) and refuses any other.
      defaultKeyServer = await simulator.ArtifactServer.start();
    });
    after(async function () {
      await server.close();
      await defaultKeyServer.close();
    });

    const request = (target, method, path, key) =>
      fetch(`${target.baseUrl}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'x-meeting-baas-api-key': key }) },
        ...(method === 'GET' || method === 'DELETE' ? {} : { body: JSON.stringify({ bot_name: 'x', meeting_url: 'https://meet.google.com/a' }) }),
      });

    it('answers 401 in the documented error shape on every endpoint, served or not, before anything else', async function () {
      assert.ok(SERVED.length >= 18, `${SERVED.length} operations`);
      server.api.addEndedBot({ botId: BOT, status: 'completed' });
      for (const [method, path] of [...SERVED, ...NOT_SERVED]) {
        for (const [target, key] of [[server, undefined], [server, ''], [server, 'a-wrong-key'], [server, simulator.DEMO_API_KEY], [defaultKeyServer, 'any-key']]) {
          target.api.injectFaults({ status: 503 });
          const res = await request(target, method, path, key);
          const body = await res.json();
          assert.equal(res.status, 401, `${method} ${path} with key ${JSON.stringify(key)}`);
          assert.equal(validateError(body), true, JSON.stringify(validateError.errors));
          assert.equal(body.code, 'INVALID_API_KEY');
          target.api.takeFault();
        }
      }
    });

    it('answers what it does not serve with 404, or 405 and the methods it takes, in the documented error shape', async function () {
      const answers = [];
      for (const [method, path] of NOT_SERVED) {
        const res = await request(server, method, path, 'the-account-key');
        const body = await res.json();
        assert.equal(validateError(body), true, `${method} ${path}: ${JSON.stringify(validateError.errors)}`);
        assert.equal(body.statusCode, res.status);
        answers.push([method, path, res.status, res.headers.get('allow')]);
      }
      assert.deepEqual(answers, [
        ['GET', '/v2/calendars', 404, null],
        ['POST', '/v2/bots/scheduled/batch', 405, 'GET, DELETE, PATCH'],
        ['DELETE', `/v2/bots/${BOT}`, 405, 'GET'],
        ['GET', `/v2/bots/${BOT}/no-such-action`, 404, null],
        ['GET', '/v2/', 404, null],
      ]);
      const keyless = await fetch(`${defaultKeyServer.baseUrl}/v2/bots/${BOT}`, { headers: { 'x-meeting-baas-api-key': simulator.DEMO_API_KEY } });
      assert.equal(keyless.status, 200, 'the demo key opens a simulator started without one');
    });
  });
});
