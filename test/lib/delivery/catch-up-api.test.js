'use strict';
// The catch-up's two calls through the API client, against a local server that records what it was asked.
const assert = require('node:assert/strict');
const { MeetingBaasApi } = require('../../../lib/api');
const { catchUpApiOf } = require('../../../lib/delivery/catch-up-api');
const { recordingServer, sendJson } = require('../../support/local-server');

describe('the catch-up through the API client', function () {
  const KEY = 'catch-up-test-api-key';
  const id = (n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  let server;
  let api;
  let answer;

  beforeEach(async function () {
    server = await recordingServer((req, res) => answer(req, res));
    api = new MeetingBaasApi({ baseUrl: server.url, apiKey: KEY, retries: 0 });
  });
  afterEach(async function () {
    await api.close();
    await server.close();
  });

  it('lists for the catch-up: completed and failed bots that ended after a moment, 250 a page, details by id', async function () {
    answer = (req, res) => {
      if (req.url.startsWith('/v2/bots?')) return sendJson(res, 200, { success: true, data: [{ bot_id: id(1), ended_at: '2026-12-02T11:30:00Z' }], next_cursor: 'c2' });
      sendJson(res, 200, { success: true, data: { bot_id: id(1), status: 'failed', error_code: 'X', extra: null } });
    };
    const catchUp = catchUpApiOf(api);
    const page = await catchUp.listEndedBots(new Date('2026-12-02T11:00:00Z'), 'c1');
    assert.deepEqual(page, { bots: [{ bot_id: id(1), ended_at: '2026-12-02T11:30:00Z' }], nextCursor: 'c2' });
    assert.deepEqual(await catchUp.botDetails(id(1)), { bot_id: id(1), status: 'failed', error_code: 'X', extra: null });
    assert.deepEqual(
      server.seen.map((r) => r.url),
      [`/v2/bots?status=completed%2Cfailed&ended_after=2026-12-02T11%3A00%3A00.000Z&limit=250&cursor=c1`, `/v2/bots/${id(1)}`],
    );
  });
});
