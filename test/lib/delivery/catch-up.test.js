'use strict';
const assert = require('node:assert/strict');
const { missedMeetings, recoveredDelivery } = require('../../../lib/delivery/catch-up');
const { checkDelivery } = require('../../../lib/delivery/validation');
const { MeetingBaasApi } = require('../../../lib/api');
const { catchUpApiOf } = require('../../../lib/delivery/catch-up-api');
const simulator = require('../../../simulator');

const NOW = new Date('2026-12-02T12:00:00Z');
const minutes = (n) => new Date(NOW.getTime() + n * 60_000);
const id = (n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function completedDetails(n) {
  return {
    bot_id: id(n),
    bot_name: 'Notetaker',
    status: 'completed',
    event_id: null,
    participants: [{ name: 'Ada', id: 1 }],
    speakers: [{ name: 'Ada', id: 1 }],
    duration_seconds: 60,
    joined_at: minutes(-30).toISOString(),
    exited_at: minutes(-20).toISOString(),
    artifacts_deleted: false,
    video: null,
    audio: 'https://storage.example/a.flac?X-Amz-Signature=x',
    diarization: 'https://storage.example/d.jsonl',
    raw_transcription: 'https://storage.example/r.json',
    transcription: 'https://storage.example/t.json',
    chat_messages: 'https://storage.example/c.json',
    transcription_ids: ['t1'],
    transcription_provider: 'gladia',
    tokens: 2,
    extra: { customer: 'acme' },
  };
}

/** Pages of listed bots, and the details of each; records what was asked. */
function api(pages, details) {
  const asked = [];
  return {
    asked,
    listEndedBots: async (endedAfter, cursor) => {
      asked.push(`list ${endedAfter.toISOString()} ${cursor}`);
      const index = cursor === null ? 0 : Number(cursor);
      return { bots: pages[index], nextCursor: index + 1 < pages.length ? String(index + 1) : null };
    },
    botDetails: async (botId) => {
      asked.push(`details ${botId}`);
      return details[botId];
    },
  };
}

async function collect(generator) {
  const out = [];
  for await (const item of generator) out.push(item);
  return out;
}

/** What a look yields, and what it returns: how its reading of the list ended. */
async function drain(generator) {
  const results = [];
  for (let step = await generator.next(); ; step = await generator.next()) {
    if (step.done) return { results, end: step.value };
    results.push(step.value);
  }
}

describe('catch-up: meetings that ended while no callback arrived', () => {
  it('builds a bot.completed from the details, valid against the callback schema, with the fields given', () => {
    const delivery = recoveredDelivery(completedDetails(1), NOW);
    assert.equal(delivery.event, 'bot.completed');
    assert.deepEqual(delivery.extra, { customer: 'acme' });
    assert.equal(delivery.data.data_deleted, false);
    assert.equal(delivery.data.sent_at, NOW.toISOString());
    assert.equal('tokens' in delivery.data, false, 'fields a callback does not have stay out');
    const check = checkDelivery({ event: delivery.event, data: delivery.data, extra: delivery.extra });
    assert.equal(check.valid, true, JSON.stringify(check.errors));
  });

  it('builds a bot.failed, and nothing for a bot that has not ended', () => {
    const failed = recoveredDelivery({ bot_id: id(2), status: 'failed', error_code: 'CANNOT_JOIN_MEETING', error_message: 'no', extra: null }, NOW);
    assert.deepEqual(failed, { event: 'bot.failed', data: { bot_id: id(2), error_code: 'CANNOT_JOIN_MEETING', error_message: 'no', sent_at: NOW.toISOString() }, extra: null });
    assert.equal(recoveredDelivery({ bot_id: id(3), status: 'in_call_recording' }, NOW), null);
  });

  it('follows the cursor, skips delivered meetings and those that ended too late, and asks details only for the rest', async () => {
    const pages = [
      [{ bot_id: id(1), ended_at: minutes(-20).toISOString() }, { bot_id: id(2), ended_at: minutes(-19).toISOString() }],
      [{ bot_id: id(3), ended_at: minutes(-1).toISOString() }, { bot_id: id(4) }, { bot_id: id(1).toUpperCase(), ended_at: minutes(-20).toISOString() }],
    ];
    const details = { [id(1)]: completedDetails(1), [id(4)]: { ...completedDetails(4), status: 'failed', error_code: 'X', error_message: 'y' } };
    const stand = api(pages, details);
    const results = await collect(
      missedMeetings(stand, { endedAfter: minutes(-60), endedBefore: minutes(-2), alreadyDelivered: (botId) => botId === id(2), now: () => NOW }),
    );
    assert.deepEqual(results.map((r) => [r.botId, r.delivery.event]), [[id(1), 'bot.completed'], [id(4), 'bot.failed']]);
    assert.deepEqual(stand.asked, [`list ${minutes(-60).toISOString()} null`, `details ${id(1)}`, `list ${minutes(-60).toISOString()} 1`, `details ${id(4)}`]);
  });

  it('says whether it read the list to its end', async () => {
    const stand = api([[{ bot_id: id(1), ended_at: minutes(-20).toISOString() }], [{ bot_id: id(2), ended_at: minutes(-19).toISOString() }]], {
      [id(1)]: completedDetails(1),
      [id(2)]: completedDetails(2),
    });
    const { results, end } = await drain(missedMeetings(stand, { endedAfter: minutes(-60), endedBefore: minutes(-2), alreadyDelivered: () => false }));
    assert.equal(results.length, 2);
    assert.deepEqual(end, { kind: 'complete' });
  });

  it('stops at the page bound and says where the list goes on; a look from there reads the rest', async () => {
    // Seven pages of one bot each; the bound is three pages a look.
    const pages = [1, 2, 3, 4, 5, 6, 7].map((n) => [{ bot_id: id(n), ended_at: minutes(-20 - n).toISOString() }]);
    const details = Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((n) => [id(n), completedDetails(n)]));
    const stand = api(pages, details);
    const options = { endedAfter: minutes(-60), endedBefore: minutes(-2), alreadyDelivered: () => false, maxPages: 3 };
    const first = await drain(missedMeetings(stand, options));
    assert.deepEqual(first.results.map((r) => r.botId), [id(1), id(2), id(3)]);
    assert.deepEqual(first.end, { kind: 'page-limit', cursor: '3' });
    const second = await drain(missedMeetings(stand, { ...options, cursor: first.end.cursor }));
    assert.deepEqual(second.results.map((r) => r.botId), [id(4), id(5), id(6)]);
    assert.deepEqual(second.end, { kind: 'page-limit', cursor: '6' });
    const third = await drain(missedMeetings(stand, { ...options, cursor: second.end.cursor }));
    assert.deepEqual(third.results.map((r) => r.botId), [id(7)]);
    assert.deepEqual(third.end, { kind: 'complete' });
    assert.ok(stand.asked.filter((a) => a.startsWith('list')).every((a) => a.startsWith(`list ${minutes(-60).toISOString()} `)), 'the same window throughout');
  });

  it('stops on a cursor it was given before, and says so', async () => {
    let lists = 0;
    const stuck = { listEndedBots: async () => ((lists += 1), { bots: [], nextCursor: 'same' }), botDetails: async () => ({}) };
    const { end } = await drain(missedMeetings(stuck, { endedAfter: minutes(-60), endedBefore: NOW, alreadyDelivered: () => false }));
    assert.equal(lists, 2, 'the second page gave back the same cursor');
    assert.deepEqual(end, { kind: 'stuck-cursor' });
    // A cursor that comes back after others: a loop all the same.
    const cycle = ['a', 'b', 'c', 'a', 'b', 'c'];
    let page = 0;
    const circling = { listEndedBots: async () => ({ bots: [], nextCursor: cycle[page++] }), botDetails: async () => ({}) };
    const circled = await drain(missedMeetings(circling, { endedAfter: minutes(-60), endedBefore: NOW, alreadyDelivered: () => false }));
    assert.equal(page, 4);
    assert.deepEqual(circled.end, { kind: 'stuck-cursor' });
  });
});

describe('catch-up through the API client, against the simulator', () => {
  const KEY = 'catch-up-test-key';
  let server;
  let api;
  beforeEach(async () => {
    server = await simulator.ArtifactServer.start({ apiKey: KEY, bots: { meetingMs: 60_000 } });
    api = new MeetingBaasApi({ baseUrl: server.baseUrl, apiKey: KEY, retries: 0 });
  });
  afterEach(async () => {
    await api.close();
    await server.close();
  });

  it('recovers the meetings that ended in the window, as deliveries the callback node can use', async () => {
    const now = new Date();
    const ago = (m) => new Date(now.getTime() - m * 60_000);
    const before = server.api.addEndedBot({ status: 'completed', endedAt: ago(90) });
    const completed = server.api.addEndedBot({ status: 'completed', endedAt: ago(30), extra: { order: 1 } });
    const failed = server.api.addEndedBot({ status: 'failed', endedAt: ago(20), extra: null, errorCode: 'CANNOT_JOIN_MEETING' });
    const delivered = server.api.addEndedBot({ status: 'completed', endedAt: ago(10) });
    const tooRecent = server.api.addEndedBot({ status: 'completed', endedAt: ago(1) });
    const results = await collect(
      missedMeetings(catchUpApiOf(api), {
        endedAfter: ago(60),
        endedBefore: ago(2),
        alreadyDelivered: (botId) => botId === delivered.botId,
        now: () => now,
      }),
    );
    assert.deepEqual(results.map((r) => [r.botId, r.delivery.event]), [[failed.botId, 'bot.failed'], [completed.botId, 'bot.completed']]);
    for (const { delivery } of results) {
      const check = checkDelivery({ event: delivery.event, data: delivery.data, extra: delivery.extra });
      // The documented details have no event_id, which both callback schemas require: the one
      // deviation allowed here, and it must not make the delivery unusable.
      if (!check.valid) {
        assert.equal(check.usable, true, JSON.stringify(check.errors));
        assert.deepEqual(check.errors.map((e) => e.field), ['data.event_id']);
      }
    }
    assert.deepEqual(results[0].delivery.extra, null);
    assert.equal(results[0].delivery.data.error_code, 'CANNOT_JOIN_MEETING');
    assert.deepEqual(results[1].delivery.extra, { order: 1 });
    assert.match(results[1].delivery.data.audio, /\/recordings\//);
    for (const skipped of [before, tooRecent, delivered]) assert.ok(!results.some((r) => r.botId === skipped.botId));
  });

  it('reads a list longer than one look from the cursor where the last look stopped, in the same window', async () => {
    const now = new Date();
    const ago = (m) => new Date(now.getTime() - m * 60_000);
    // The API lists the newest created first: a bot created before the 10,000 others, which ended
    // last, is on page 41, past what one look reads.
    const createdFirst = server.api.addEndedBot({ status: 'completed', createdAt: ago(300), endedAt: ago(3) });
    const others = new Set();
    for (let i = 0; i < 10_000; i++) others.add(server.api.addEndedBot({ status: 'completed', endedAt: new Date(ago(50).getTime() + i * 100) }).botId);
    const options = { endedAfter: ago(60), endedBefore: ago(2), alreadyDelivered: (botId) => others.has(botId), now: () => now };
    const first = await drain(missedMeetings(catchUpApiOf(api), options));
    assert.deepEqual(first.results, []);
    assert.equal(first.end.kind, 'page-limit');
    const second = await drain(missedMeetings(catchUpApiOf(api), { ...options, cursor: first.end.cursor }));
    assert.deepEqual(second.results.map((r) => r.botId), [createdFirst.botId]);
    assert.deepEqual(second.end, { kind: 'complete' });
  });
});
