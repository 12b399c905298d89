'use strict';
// The refresh that fetch artifacts is given, built from the API client: what it answers for each
// outcome of the API call, against a local server that records what it was asked.
const assert = require('node:assert/strict');
const { linkRefresher } = require('../../../nodes/meetingbaas-artifacts/link-refresh');
const { recordingServer, sendJson } = require('../../support/local-server');

const KEY = 'refresh-test-api-key';
const BOT = '6f1c2f61-1c1b-4b5e-9d3a-3c1f5a0e2b11';
const LINK = 'https://storage.example.com/t.json?X-Amz-Signature=x';

describe('fetch artifacts: the link refresh given to the downloads', function () {
  let server;
  let answer;
  let refresher;

  beforeEach(async function () {
    server = await recordingServer((req, res) => answer(req, res));
  });
  afterEach(async function () {
    await refresher?.close();
    await server.close();
  });

  it('is none without an API key', async function () {
    refresher = linkRefresher(server.url, undefined);
    assert.equal(refresher.refresh, null);
  });

  it('brings the fresh links of the bot, asked with the key', async function () {
    answer = (req, res) => sendJson(res, 200, { success: true, data: { bot_id: BOT, status: 'completed', transcription: LINK, artifacts_deleted: false } });
    refresher = linkRefresher(server.url, KEY);
    const result = await refresher.refresh(BOT, new AbortController().signal);
    assert.equal(result.ok, true);
    assert.equal(result.links.transcription, LINK);
    assert.equal(result.links.artifacts_deleted, false);
    assert.deepEqual(server.seen.map((r) => [r.url, r.headers['x-meeting-baas-api-key']]), [[`/v2/bots/${BOT}`, KEY]]);
  });

  it("says an API error as the answer's message, its code and status", async function () {
    answer = (req, res) => sendJson(res, 404, { success: false, error: 'Not Found', message: 'Bot not found', code: 'FST_ERR_BOT_NOT_FOUND', statusCode: 404 });
    refresher = linkRefresher(server.url, KEY);
    const result = await refresher.refresh(BOT, new AbortController().signal);
    assert.equal(result.ok, false);
    assert.equal(result.failure.detail, 'Bot not found');
    assert.equal(result.failure.statusCode, 404);
    assert.equal(typeof result.failure.apiError, 'string');
    assert.equal('problems' in result.failure, false, 'the API said what went wrong');
  });

  it('says an API URL the key may not go to as codes, when a refresh is needed, without a request', async function () {
    refresher = linkRefresher('https://user:pass@api.example.com', KEY);
    assert.notEqual(refresher.refresh, null);
    const result = await refresher.refresh(BOT, new AbortController().signal);
    assert.equal(result.ok, false);
    assert.equal(result.failure.apiError, 'refused');
    assert.deepEqual(result.failure.problems.map((p) => p.code), ['credentials-in-url']);
    assert.deepEqual(server.seen, []);
  });
});
