'use strict';
// The messages of "fetch artifacts", built from its input message and the outcomes, without a Node-RED.
const assert = require('node:assert/strict');
const { outputMessages, savedFiles } = require('../../../nodes/meetingbaas-artifacts/output-messages');

const BOT = 'c0ffee00-1234-4abc-8def-0123456789ab';
const DELIVERY = { event: 'bot.completed', data: { bot_id: BOT } };

function input() {
  return { _msgid: 'm1', topic: 'meeting', payload: DELIVERY, keep: { mine: true } };
}

function options(single, clones = []) {
  return {
    single,
    botId: BOT,
    clone: (msg) => {
      const copy = structuredClone(msg);
      clones.push(copy);
      return copy;
    },
    skipText: (artifact, reason) => `${artifact} skipped: ${reason}`,
  };
}

const VIDEO = { status: 'fetched', artifact: 'video', contentType: 'video/mp4', size: 42, payload: '/d/video.mp4', path: '/d/video.mp4', refreshed: false };
const TRANSCRIPT = {
  status: 'fetched',
  artifact: 'transcription',
  contentType: 'application/json',
  size: 7,
  payload: { result: [] },
  text: '[00:00:01] Ann: hello',
  subtitles: '1\n…',
  subtitlesPath: '/d/transcription.srt',
  subtitlesSize: 5,
  refreshed: true,
};
const SAVED = { status: 'fetched', artifact: 'audio', contentType: 'audio/flac', size: 9, payload: '/d/audio.flac', path: '/d/audio.flac', refreshed: false, alreadySaved: true };
const SKIPPED = { status: 'skipped', artifact: 'chat_messages', reason: 'missing' };
const FAILED = { status: 'failed', artifact: 'diarization', failure: { kind: 'not-found', needsApiKey: false, refreshed: false, detail: 'x' } };

describe('fetch artifacts output messages', function () {
  it('sends a fetched artifact on output 1, a copy of the input message with what was fetched', function () {
    const msg = input();
    const [first, second] = outputMessages(msg, [VIDEO], options(false));
    assert.deepEqual(second, []);
    assert.deepEqual(first, [
      {
        _msgid: 'm1',
        topic: 'video',
        payload: '/d/video.mp4',
        keep: { mine: true },
        botId: BOT,
        delivery: DELIVERY,
        artifact: 'video',
        contentType: 'video/mp4',
        size: 42,
        filename: '/d/video.mp4',
        refreshed: false,
      },
    ]);
    assert.deepEqual(msg, input(), 'the input message is not changed');
  });

  it('adds the transcript text and subtitles, and says when a file was saved before', function () {
    const [[transcript, saved]] = outputMessages(input(), [TRANSCRIPT, SAVED], options(false));
    assert.equal(transcript.text, TRANSCRIPT.text);
    assert.equal(transcript.subtitles, TRANSCRIPT.subtitles);
    assert.equal(transcript.subtitlesFile, '/d/transcription.srt');
    assert.equal(transcript.refreshed, true);
    assert.equal('filename' in transcript, false, 'in message mode there is no file');
    assert.equal('alreadySaved' in transcript, false);
    assert.equal(saved.alreadySaved, true);
  });

  it('sends a skipped artifact on output 2 with the reason in words, and nothing for a failure', function () {
    const [first, second] = outputMessages(input(), [SKIPPED, FAILED], options(false));
    assert.deepEqual(first, []);
    assert.equal(second.length, 1);
    assert.equal(second[0].topic, 'chat_messages');
    assert.equal(second[0].artifact, 'chat_messages');
    assert.deepEqual(second[0].skipped, { reason: 'missing', message: 'chat_messages skipped: missing' });
    assert.equal(second[0].payload, 'chat_messages skipped: missing');
    assert.equal(second[0].botId, BOT);
  });

  it('makes every message its own copy of the input message', function () {
    const clones = [];
    const [[a, b]] = outputMessages(input(), [VIDEO, SAVED], options(false, clones));
    assert.equal(clones.length, 2);
    assert.notEqual(a, b);
    a.keep.mine = false;
    assert.equal(b.keep.mine, true);
  });

  it('sends one message with every artifact on output 1 when single', function () {
    const [first, second] = outputMessages(input(), [SKIPPED, VIDEO, TRANSCRIPT, SAVED], options(true));
    assert.deepEqual(second, []);
    assert.equal(first.length, 1);
    const [out] = first;
    assert.equal(out.topic, 'meeting', 'the topic of the input message stays');
    assert.equal(out.botId, BOT);
    assert.deepEqual(out.delivery, DELIVERY);
    assert.deepEqual(out.payload, { video: '/d/video.mp4', transcription: { result: [] }, audio: '/d/audio.flac' });
    assert.deepEqual(out.artifacts, {
      video: { contentType: 'video/mp4', size: 42, filename: '/d/video.mp4', refreshed: false },
      transcription: { contentType: 'application/json', size: 7, filename: undefined, refreshed: true },
      audio: { contentType: 'audio/flac', size: 9, filename: '/d/audio.flac', refreshed: false, alreadySaved: true },
    });
    assert.equal(out.text, TRANSCRIPT.text);
    assert.equal(out.subtitles, TRANSCRIPT.subtitles);
    assert.equal(out.subtitlesFile, '/d/transcription.srt');
    assert.deepEqual(out.skipped, [{ artifact: 'chat_messages', reason: 'missing', message: 'chat_messages skipped: missing' }]);
  });

  it('sends the single message also when everything was skipped, and none when anything failed', function () {
    const [[allSkipped]] = outputMessages(input(), [SKIPPED], options(true));
    assert.deepEqual(allSkipped.payload, {});
    assert.deepEqual(allSkipped.artifacts, {});
    assert.deepEqual(outputMessages(input(), [VIDEO, FAILED], options(true)), [[], []]);
  });

  describe('saved files, as told to the callback node', function () {
    it('lists each fetched artifact with its size and file, and the subtitles written beside the transcript as their own line', function () {
      assert.deepEqual(savedFiles([SKIPPED, VIDEO, { ...TRANSCRIPT, path: '/d/transcription.json', payload: '/d/transcription.json' }, SAVED, FAILED]), [
        { artifact: 'video', bytes: 42, path: '/d/video.mp4' },
        { artifact: 'transcription', bytes: 7, path: '/d/transcription.json' },
        { artifact: 'subtitles', bytes: 5, path: '/d/transcription.srt' },
        { artifact: 'audio', bytes: 9, path: '/d/audio.flac' },
      ]);
    });

    it('lists what was kept in messages without a path, the subtitles apart from the transcript', function () {
      const inMessage = { ...TRANSCRIPT, subtitlesPath: undefined };
      delete inMessage.subtitlesPath;
      assert.deepEqual(savedFiles([inMessage]), [
        { artifact: 'transcription', bytes: 7, path: null },
        { artifact: 'subtitles', bytes: 5, path: null },
      ]);
    });

    it('lists no subtitles when none were made, and nothing for skipped or failed artifacts', function () {
      const plain = { ...TRANSCRIPT };
      for (const key of ['subtitles', 'subtitlesPath', 'subtitlesSize']) delete plain[key];
      assert.deepEqual(savedFiles([plain]), [{ artifact: 'transcription', bytes: 7, path: null }]);
      assert.deepEqual(savedFiles([SKIPPED, FAILED]), []);
    });
  });
});
