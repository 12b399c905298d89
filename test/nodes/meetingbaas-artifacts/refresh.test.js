'use strict';
// The link refresh of "fetch artifacts" (GET /v2/bots/{id}) goes through the bot API client: the
// API key reaches only the account's API URL, over https or to this machine, never through a
// redirect; and an answer is read for the fields the refresh uses, not for the whole schema.
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const os = require('node:os');
const helper = require('node-red-node-test-helper');
const configNode = require('../../../nodes/meetingbaas-config/meetingbaas-config.js');
const catchNode = require('@node-red/nodes/core/common/25-catch.js');
const { translatedNode } = require('../../support/translated-node');
const { useHelperRuntime, nextMessage } = require('../../support/helper-runtime');
const { recordingServer } = require('../../support/local-server');
const simulator = require('../../../simulator');
const fx = require('../../fixtures/artifacts');
const deliveries = require('../../fixtures/deliveries');

helper.init(require.resolve('node-red'));

const artifactsNode = translatedNode('meetingbaas-artifacts');
const API_KEY = 'refresh-test-api-key';

/** The first IPv4 address of this machine that is not loopback, or null. */
function externalAddress() {
  for (const entries of Object.values(os.networkInterfaces())) {
    for (const entry of entries ?? []) if (entry.family === 'IPv4' && !entry.internal) return entry.address;
  }
  return null;
}

/** The node's error, or a failure naming what it sent instead. */
async function nodeError() {
  const first = await Promise.race([nextMessage('caught').then((msg) => ({ msg })), nextMessage('out').then((sent) => ({ sent }))]);
  if (first.sent) assert.fail(`the node fetched ${first.sent.artifact} instead of failing`);
  return first.msg.error;
}

describe('fetch artifacts: refreshing expired links through the API client', function () {
  this.timeout(20000);
  let storage;

  before(async function () {
    await artifactsNode.ready();
    storage = await fx.startServer();
  });
  after(async function () {
    await storage.close();
  });
  useHelperRuntime({ userDir: 'mb-refresh-' });

  function flow(baseUrl, apiKey = API_KEY) {
    return helper.load(
      [configNode, artifactsNode, catchNode],
      [
        { id: 'acc', type: 'meetingbaas-config', baseUrl },
        { id: 'n1', type: 'meetingbaas-artifacts', account: 'acc', mode: 'message', artifacts: ['transcription'], allowLocal: true, retries: 0, wires: [['out'], []] },
        { id: 'c1', type: 'catch', scope: null, wires: [['caught']] },
        { id: 'out', type: 'helper' },
        { id: 'caught', type: 'helper' },
      ],
      { acc: { apiKey } },
    );
  }

  /** A delivery whose transcription link has expired, and a fresh link the API would give. */
  function expiredMeeting() {
    const botId = crypto.randomUUID();
    const fresh = storage.add(`/${botId}/fresh-t`, { body: JSON.stringify({ ...fx.TRANSCRIPTION, bot_id: botId }), type: 'application/json' });
    const delivery = deliveries.completed({ botId, urls: { transcription: storage.add(`/${botId}/old-t`, { expired: true }) } });
    return { botId, fresh, delivery };
  }

  for (const status of [301, 302, 307]) {
    it(`does not follow a ${status} from the API: the redirect target never sees the key`, async function () {
      const { botId, fresh, delivery } = expiredMeeting();
      // The target answers what a real API would, so that following the redirect would "work".
      const target = await recordingServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(fx.botDetails(botId, { transcription: fresh })));
      });
      const redirector = await recordingServer((req, res) => {
        res.writeHead(status, { location: `${target.url}${req.url}` });
        res.end();
      });
      try {
        await flow(redirector.url);
        const failed = nodeError();
        helper.getNode('n1').receive({ payload: delivery });
        const error = await failed.catch((e) => e);
        assert.deepEqual(target.seen.map((r) => r.headers['x-meeting-baas-api-key']), [], 'the key never reached the redirect target');
        assert.deepEqual(target.seen, [], 'nothing reached the redirect target');
        assert.equal(redirector.seen.length, 1, 'one request to the API URL');
        assert.equal(redirector.seen[0].headers['x-meeting-baas-api-key'], API_KEY);
        assert.match(error.message, new RegExp(`redirect \\(HTTP ${status}\\)`));
        assert.ok(!error.message.includes(API_KEY));
      } finally {
        await redirector.close();
        await target.close();
      }
    });
  }

  it('refuses plain http to an API URL off this machine, even with "allow http and local addresses" on', async function () {
    const address = externalAddress();
    if (!address) this.skip(); // needs a non-loopback address of this machine to listen on
    const { delivery } = expiredMeeting();
    const api = await recordingServer((req, res) => res.end('{}'), address);
    try {
      await flow(api.url);
      const failed = nodeError();
      helper.getNode('n1').receive({ payload: delivery });
      const error = await failed.catch((e) => e);
      assert.deepEqual(api.seen, [], 'the key was not sent over plain http to another address');
      assert.match(error.message, /only sent over https/);
    } finally {
      await api.close();
    }
  });

  it('gets fresh links from a stand-in whose answers carry only what the refresh uses', async function () {
    const server = await simulator.ArtifactServer.start({ apiKey: API_KEY, bots: { answers: 'minimal' } });
    try {
      const botId = crypto.randomUUID();
      const expired = server.artifactUrls(botId, { signedAt: new Date(Date.now() - 5 * 3600 * 1000) });
      const delivery = deliveries.completed({ botId, urls: expired });
      const details = await fetch(`${server.baseUrl}/v2/bots/${botId}`, { headers: { 'x-meeting-baas-api-key': API_KEY } }).then((r) => r.json());
      assert.equal(details.data.transcription_ids, undefined, 'the stand-in answers minimally');
      await flow(server.baseUrl);
      const out = nextMessage('out');
      const failed = nextMessage('caught').then((caught) => assert.fail(`the refresh failed: ${caught.error.message}`));
      helper.getNode('n1').receive({ payload: delivery });
      const msg = await Promise.race([out, failed]);
      assert.equal(msg.refreshed, true);
      assert.equal(msg.payload.bot_id, botId);
      assert.ok(msg.payload.result.utterances.length > 0);
    } finally {
      await server.close();
    }
  });
});
