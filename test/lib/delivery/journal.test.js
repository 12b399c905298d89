'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { crc32 } = require('node:zlib');
const { DeliveryJournal, MAX_SAVED_PER_ENTRY } = require('../../../lib/delivery/journal');

const HOUR = 3600 * 1000;

function tempFile() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-journal-'));
  return path.join(dir, 'journal', 'node.log');
}

function delivery(n) {
  return {
    deliveryId: `sha256:${n}`,
    receivedAt: 1_700_000_000_000 + n,
    verifiedBy: 'secret',
    body: JSON.stringify({ event: 'bot.completed', data: { bot_id: `bot-${n}`, text: 'ünïcödé \n "quoted"' } }),
    meta: { event: 'bot.completed', botId: `bot-${n}`, output: 0 },
  };
}

describe('delivery journal', () => {
  it('reads back after reopening every delivery whose append resolved, with its body', async () => {
    const file = tempFile();
    const { journal } = await DeliveryJournal.open(file, { retentionMs: HOUR });
    const appends = [1, 2, 3].map((n) => journal.append(delivery(n)));
    const seqs = appends.map((a) => a.seq);
    await Promise.all(appends.map((a) => a.written));
    assert.deepEqual(seqs, [1, 2, 3]);
    // No close: what a crash right after the answer leaves behind.
    const { journal: again, skippedRecords } = await DeliveryJournal.open(file, { retentionMs: HOUR });
    assert.equal(skippedRecords, 0);
    const unfinished = again.unfinished();
    assert.deepEqual(unfinished.map((e) => e.deliveryId), ['sha256:1', 'sha256:2', 'sha256:3']);
    const { body, ...second } = delivery(2);
    assert.deepEqual(unfinished[1], { seq: 2, ...second, attempts: 0, sentAgain: 0, failedInFlow: false, lastProblem: null, parked: null, finishedAt: null, saved: [] });
    assert.equal(await again.body(2), body);
    await journal.close();
    await again.close();
  });

  it('keeps attempts, parking and finishing across a reopen', async () => {
    const file = tempFile();
    const { journal } = await DeliveryJournal.open(file, { retentionMs: HOUR });
    for (const n of [1, 2, 3]) await journal.append(delivery(n)).written;
    await journal.attempt(1, 'redeployed');
    await journal.attempt(1, 'download failed');
    await journal.park(1, 'too many attempts');
    await journal.finish(2);
    await journal.close();
    const { journal: again } = await DeliveryJournal.open(file, { retentionMs: HOUR });
    const [first, third] = again.unfinished();
    assert.equal(first.seq, 1);
    assert.equal(first.attempts, 2);
    assert.equal(first.lastProblem, 'download failed');
    assert.equal(first.parked, 'too many attempts');
    assert.equal(third.seq, 3);
    assert.equal(again.get(2).finishedAt === null, false);
    assert.equal(again.append(delivery(4)).seq, 4, 'sequence numbers go on');
    await again.close();
  });

  it('tells failures the flow reported from sendings, across a reopen and a compaction', async () => {
    const file = tempFile();
    let now = 1_700_000_000_000;
    const { journal } = await DeliveryJournal.open(file, { retentionMs: HOUR, now: () => now });
    for (const n of [1, 2, 3]) await journal.append(delivery(n)).written;
    await journal.attempt(1, 'download failed', true);
    await journal.attempt(2, null);
    await journal.attempt(2, 'download failed', true);
    await journal.attempt(2, 'download failed');
    await journal.finish(3);
    const facts = (j) => [1, 2].map((seq) => { const { attempts, sentAgain, failedInFlow } = j.get(seq); return { attempts, sentAgain, failedInFlow }; });
    const expected = [{ attempts: 1, sentAgain: 0, failedInFlow: true }, { attempts: 3, sentAgain: 2, failedInFlow: false }];
    assert.deepEqual(facts(journal), expected);
    await journal.close();
    now += 2 * HOUR;
    const { journal: again } = await DeliveryJournal.open(file, { retentionMs: HOUR, now: () => now });
    assert.deepEqual(facts(again), expected);
    await again.compact();
    assert.equal(again.get(3), undefined);
    await again.close();
    const { journal: compacted } = await DeliveryJournal.open(file, { retentionMs: HOUR });
    assert.deepEqual(facts(compacted), expected);
    await compacted.close();
  });

  it('keeps the artifacts saved of an entry across a reopen and a compaction, a repeated save replacing its line', async () => {
    const file = tempFile();
    let now = 1_700_000_000_000;
    const { journal } = await DeliveryJournal.open(file, { retentionMs: HOUR, now: () => now });
    for (const n of [1, 2]) await journal.append(delivery(n)).written;
    await journal.saved(1, [{ artifact: 'video', bytes: 1000, path: '/rec/bot-1/video.mp4' }, { artifact: 'transcription', bytes: 20, path: null }]);
    // Sent again: the video saved again to the same file, the transcript now to a file too.
    await journal.saved(1, [{ artifact: 'video', bytes: 1001, path: '/rec/bot-1/video.mp4' }, { artifact: 'transcription', bytes: 21, path: '/rec/bot-1/transcript.json' }]);
    await journal.saved(1, [{ artifact: '', bytes: -1, path: 3 }, { artifact: 'chat', bytes: Number.NaN, path: null }]);
    await journal.finish(2);
    const expected = [
      { artifact: 'transcription', bytes: 20, path: null },
      { artifact: 'video', bytes: 1001, path: '/rec/bot-1/video.mp4' },
      { artifact: 'transcription', bytes: 21, path: '/rec/bot-1/transcript.json' },
    ];
    assert.deepEqual(journal.get(1).saved, expected);
    assert.deepEqual(journal.get(2).saved, []);
    await journal.close();
    now += 2 * HOUR;
    const { journal: again, skippedRecords } = await DeliveryJournal.open(file, { retentionMs: HOUR, now: () => now });
    assert.equal(skippedRecords, 0);
    assert.deepEqual(again.get(1).saved, expected);
    await again.compact();
    assert.equal(again.get(2), undefined, 'compacted away');
    await again.close();
    const { journal: compacted } = await DeliveryJournal.open(file, { retentionMs: HOUR });
    assert.deepEqual(compacted.get(1).saved, expected);
    await compacted.close();
  });

  it('keeps subtitles beside their transcript as their own saved files, across a reopen and a compaction', async () => {
    const file = tempFile();
    let now = 1_700_000_000_000;
    const { journal } = await DeliveryJournal.open(file, { retentionMs: HOUR, now: () => now });
    for (const n of [1, 2]) await journal.append(delivery(n)).written;
    await journal.finish(2);
    now += 2 * HOUR;
    // One node saving files with SRT subtitles, one keeping the transcript and WebVTT subtitles in messages.
    const files = [
      { artifact: 'transcription', bytes: 2048, path: '/rec/bot-1/transcription.json' },
      { artifact: 'subtitles', bytes: 913, path: '/rec/bot-1/transcription.srt' },
    ];
    const inMessages = [
      { artifact: 'transcription', bytes: 2048, path: null },
      { artifact: 'subtitles', bytes: 987, path: null },
    ];
    await journal.saved(1, files);
    await journal.saved(1, inMessages);
    // Sent again after a restart: the subtitles are written again, and replace their line.
    await journal.saved(1, [{ artifact: 'subtitles', bytes: 914, path: '/rec/bot-1/transcription.srt' }]);
    await journal.finish(1);
    const expected = [files[0], ...inMessages, { ...files[1], bytes: 914 }];
    assert.deepEqual(journal.get(1).saved, expected);
    await journal.close();
    // The record keeps its shape, [artifact, bytes, path], which every version reads.
    assert.match(fs.readFileSync(file, 'utf8'), /\{"k":"s","s":1,"f":\[\["subtitles",914,"\/rec\/bot-1\/transcription\.srt"\]\]\}/);
    const { journal: again, skippedRecords } = await DeliveryJournal.open(file, { retentionMs: HOUR, now: () => now });
    assert.equal(skippedRecords, 0);
    assert.deepEqual(again.get(1).saved, expected);
    await again.compact();
    assert.equal(again.get(2), undefined, 'compacted away');
    assert.deepEqual(again.get(1).saved, expected);
    await again.close();
    const { journal: compacted, skippedRecords: skippedAfter } = await DeliveryJournal.open(file, { retentionMs: HOUR, now: () => now });
    assert.equal(skippedAfter, 0);
    assert.deepEqual(compacted.get(1).saved, expected);
    await compacted.close();
  });

  it('keeps at most a bounded number of saved artifacts per entry, the newest', async () => {
    const file = tempFile();
    const { journal } = await DeliveryJournal.open(file, { retentionMs: HOUR });
    await journal.append(delivery(1)).written;
    const many = Array.from({ length: MAX_SAVED_PER_ENTRY + 5 }, (_, i) => ({ artifact: 'audio', bytes: i, path: `/rec/${i}.flac` }));
    await journal.saved(1, many.slice(0, 10));
    await journal.saved(1, many.slice(10));
    await journal.saved(1, [{ artifact: 'video', bytes: 1, path: 'x'.repeat(5000) }]);
    const saved = journal.get(1).saved;
    assert.equal(saved.length, MAX_SAVED_PER_ENTRY);
    assert.equal(saved.at(-1).path.length, 1024);
    assert.equal(saved[0].bytes, 6);
    await assert.rejects(journal.saved(99, many), { code: 'unknown-entry' });
    await journal.close();
  });

  it('reads a journal written before saved artifacts were kept', async () => {
    const file = tempFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const line = (record) => {
      const json = JSON.stringify(record);
      return `${crc32(Buffer.from(json)).toString(16).padStart(8, '0')} ${json}\n`;
    };
    fs.writeFileSync(file, [
      line({ k: 'a', s: 1, id: 'sha256:1', at: 1_700_000_000_001, by: 'secret', m: { event: 'bot.completed', botId: 'bot-1' }, b: '{}' }),
      line({ k: 't', s: 1, e: 'redeployed' }),
      line({ k: 'f', s: 1, at: 1_700_000_000_100 }),
    ].join(''));
    const { journal, skippedRecords } = await DeliveryJournal.open(file, { retentionMs: HOUR });
    assert.equal(skippedRecords, 0);
    assert.deepEqual(journal.get(1), { seq: 1, deliveryId: 'sha256:1', receivedAt: 1_700_000_000_001, verifiedBy: 'secret', meta: { event: 'bot.completed', botId: 'bot-1' }, attempts: 1, sentAgain: 1, failedInFlow: false, lastProblem: 'redeployed', parked: null, finishedAt: 1_700_000_000_100, saved: [] });
    await journal.close();
  });

  it('forgets a dropped entry for good: not unfinished, not listed, not there after a reopen', async () => {
    const file = tempFile();
    const { journal } = await DeliveryJournal.open(file, { retentionMs: HOUR });
    for (const n of [1, 2]) await journal.append(delivery(n)).written;
    await journal.drop(1);
    assert.deepEqual(journal.list(10).map((e) => e.seq), [2]);
    await journal.close();
    const { journal: again } = await DeliveryJournal.open(file, { retentionMs: HOUR });
    assert.deepEqual(again.list(10).map((e) => e.seq), [2]);
    assert.deepEqual(again.unfinished().map((e) => e.seq), [2]);
    await again.close();
  });

  it('opens whatever a power cut left: a file cut at any byte gives the records before the cut', async () => {
    const file = tempFile();
    const { journal } = await DeliveryJournal.open(file, { retentionMs: HOUR });
    for (const n of [1, 2, 3]) await journal.append(delivery(n)).written;
    await journal.finish(2);
    await journal.close();
    const whole = fs.readFileSync(file);
    const lineEnds = [...whole.entries()].filter(([, byte]) => byte === 0x0a).map(([i]) => i + 1);
    for (let cut = 0; cut <= whole.length; cut++) {
      fs.writeFileSync(file, whole.subarray(0, cut));
      const { journal: opened, skippedRecords } = await DeliveryJournal.open(file, { retentionMs: HOUR });
      const complete = lineEnds.filter((end) => end <= cut).length;
      assert.equal(skippedRecords, lineEnds.includes(cut) || cut === 0 ? 0 : 1, `cut at ${cut}`);
      const seen = opened.list(10).map((e) => e.seq).sort();
      assert.deepEqual(seen, [1, 2, 3].slice(0, Math.min(complete, 3)), `cut at ${cut}`);
      assert.equal(fs.statSync(file).size, complete === 0 ? 0 : lineEnds[complete - 1], 'the torn record is cut off');
      await opened.append(delivery(9)).written;
      await opened.close();
      const { journal: reread, skippedRecords: after } = await DeliveryJournal.open(file, { retentionMs: HOUR });
      assert.equal(after, 0, 'an append after a torn record stays readable');
      assert.ok(reread.list(10).some((e) => e.deliveryId === 'sha256:9'));
      await reread.close();
    }
  });

  it('skips a damaged record in the middle and keeps the rest', async () => {
    const file = tempFile();
    const { journal } = await DeliveryJournal.open(file, { retentionMs: HOUR });
    for (const n of [1, 2, 3]) await journal.append(delivery(n)).written;
    await journal.close();
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines[1] = lines[1].replace('bot-2', 'bot-X');
    fs.writeFileSync(file, lines.join('\n'));
    const { journal: opened, skippedRecords } = await DeliveryJournal.open(file, { retentionMs: HOUR });
    assert.equal(skippedRecords, 1);
    assert.deepEqual(opened.unfinished().map((e) => e.seq), [1, 3]);
    await opened.close();
  });

  it('compacts finished entries past the retention away, and sequence numbers go on', async () => {
    let now = 1_000_000;
    const file = tempFile();
    const { journal } = await DeliveryJournal.open(file, { retentionMs: HOUR, now: () => now });
    for (let n = 1; n <= 20; n++) await journal.append(delivery(n)).written;
    for (let n = 1; n <= 18; n++) await journal.finish(n);
    now += HOUR / 2;
    await journal.finish(19);
    const before = fs.statSync(file).size;
    now += HOUR / 2 + 1;
    await journal.compact();
    assert.ok(fs.statSync(file).size < before / 5, `${fs.statSync(file).size} of ${before} bytes`);
    assert.deepEqual(journal.list(100).map((e) => e.seq), [20, 19]);
    assert.equal(await journal.body(20), delivery(20).body, 'bodies are read from the new file');
    const appended = journal.append(delivery(21));
    assert.equal(appended.seq, 21);
    await appended.written;
    await journal.close();
    const { journal: again } = await DeliveryJournal.open(file, { retentionMs: HOUR, now: () => now });
    assert.deepEqual(again.list(100).map((e) => e.seq), [21, 20, 19]);
    assert.equal(again.append(delivery(22)).seq, 22, 'the counter survives a compaction that dropped the newest entries');
    await again.compact();
    await again.close();
  });

  it('compacts by itself once the file is large and mostly finished, without losing appends made meanwhile', async () => {
    let now = 1_000_000;
    const file = tempFile();
    const { journal } = await DeliveryJournal.open(file, { retentionMs: 1000, now: () => now, compactAtBytes: 4096 });
    let last = 0;
    for (let round = 0; round < 30; round++) {
      const appends = [1, 2, 3].map((n) => journal.append(delivery(round * 3 + n)));
      await Promise.all(appends.map((a) => a.written));
      const seqs = appends.map((a) => a.seq);
      await Promise.all(seqs.slice(0, 2).map((seq) => journal.finish(seq)));
      last = seqs[2];
      now += 2000;
    }
    assert.ok(fs.statSync(file).size < 3 * 4096, `the file stays small: ${fs.statSync(file).size} bytes`);
    const unfinished = journal.unfinished();
    assert.equal(unfinished.length, 30, 'every unfinished entry is kept');
    assert.equal(unfinished.at(-1).seq, last);
    await journal.close();
    const { journal: again } = await DeliveryJournal.open(file, { retentionMs: 1000, now: () => now });
    assert.equal(again.unfinished().length, 30);
    await again.close();
  });

  it('writes the appends made while a flush is on its way together, with one write and one fdatasync', async () => {
    const file = tempFile();
    const { journal } = await DeliveryJournal.open(file, { retentionMs: HOUR });
    // FileHandle is not exported: its prototype is reached through a handle.
    const probe = await fs.promises.open(file, 'r');
    const proto = Object.getPrototypeOf(probe);
    await probe.close();
    const original = { write: proto.write, datasync: proto.datasync };
    const writes = [];
    const syncs = [];
    let release;
    const held = new Promise((resolve) => (release = resolve));
    proto.write = function (...args) {
      writes.push(args[0].length);
      return original.write.apply(this, args);
    };
    // The first fdatasync is held until released: the disk is slow, and appends keep arriving.
    proto.datasync = async function (...args) {
      syncs.push(fs.statSync(file).size);
      if (syncs.length === 1) await held;
      return original.datasync.apply(this, args);
    };
    try {
      const first = journal.append(delivery(1));
      while (syncs.length === 0) await new Promise((resolve) => setImmediate(resolve));
      const waiting = [2, 3, 4, 5].map((n) => journal.append(delivery(n)));
      const done = new Set();
      for (const append of [first, ...waiting]) append.written.then(() => done.add(append.seq));
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(done.size, 0, 'no append is reported written before its fdatasync');
      assert.equal(syncs.length, 1, 'nothing else is flushed while a sync is on its way');
      release();
      await Promise.all([first, ...waiting].map((a) => a.written));
      assert.equal(writes.length, 2, `one write for the first append, one for the four that waited: ${writes}`);
      assert.equal(syncs.length, 2, 'the four that waited shared the next fdatasync');
      assert.equal(syncs[1], fs.statSync(file).size, 'all four were in the file when it ran');
    } finally {
      Object.assign(proto, original);
      release();
    }
    await journal.close();
    const { journal: again } = await DeliveryJournal.open(file, { retentionMs: HOUR });
    assert.deepEqual(again.unfinished().map((e) => e.seq), [1, 2, 3, 4, 5]);
    await again.close();
  });

  it('past the size for compacting, looks at every entry only each time the file has grown by an eighth, not after every write', async () => {
    // That look goes over every entry kept; after every write it would make each write cost as
    // much as the whole window of entries. Only that look reads the clock while deliveries are appended.
    let looks = 0;
    const file = tempFile();
    const { journal } = await DeliveryJournal.open(file, { retentionMs: HOUR, compactAtBytes: 4096, now: () => (looks += 1, 1_000_000) });
    for (let n = 1; n <= 400; n++) await journal.append(delivery(n)).written;
    const size = fs.statSync(file).size;
    const eighths = Math.ceil(Math.log(size / 4096) / Math.log(9 / 8));
    assert.ok(size > 20 * 4096, `the file grew well past the size for compacting: ${size} bytes`);
    assert.ok(looks <= eighths + 1, `${looks} looks for ${size} bytes; at most ${eighths + 1} expected`);
    await journal.close();
  });
});
