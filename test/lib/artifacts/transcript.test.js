'use strict';
const assert = require('node:assert/strict');
const { utterancesOf, transcriptText, toSrt, toWebVtt, parseJsonLines, parseDiarization, ArtifactParseError } = require('../../../lib/artifacts/transcript');
const fx = require('../../fixtures/artifacts');

describe('transcripts', function () {
  const utterances = utterancesOf(fx.TRANSCRIPTION);

  it('reads the utterances of a transcription artifact in time order', function () {
    assert.deepEqual(
      utterances.map((u) => [u.speaker, u.start, u.end, u.text]),
      [
        ['Alice', 1.2, 3.5, 'Hello everyone, thanks for joining.'],
        ['Bob', 3661.25, 3662.75, 'Glad to be here.'],
      ],
    );
    assert.deepEqual(utterancesOf({ nothing: true }), []);
    assert.deepEqual(utterancesOf(null), []);
  });

  it('writes plain text, one "[hh:mm:ss] Speaker: text" line per utterance', function () {
    assert.equal(transcriptText(utterances), '[00:00:01] Alice: Hello everyone, thanks for joining.\n[01:01:01] Bob: Glad to be here.\n');
    assert.equal(transcriptText([]), '');
  });

  it('names speakers that are numbers or missing', function () {
    const text = transcriptText(utterancesOf({ result: { utterances: [{ text: 'a', start: 0, end: 1, speaker: 2 }, { text: 'b', start: 1, end: 2 }] } }));
    assert.equal(text, '[00:00:00] Speaker 2: a\n[00:00:01] Unknown speaker: b\n');
  });

  it('writes SRT cues with comma milliseconds', function () {
    assert.equal(
      toSrt(utterances),
      '1\n00:00:01,200 --> 00:00:03,500\nAlice: Hello everyone, thanks for joining.\n\n2\n01:01:01,250 --> 01:01:02,750\nBob: Glad to be here.\n',
    );
  });

  it('writes WebVTT with voice spans and escapes markup', function () {
    const vtt = toWebVtt(utterancesOf({ result: { utterances: [{ text: 'a <b> & c', start: 0.5, end: 1, speaker: 'Ann <x>' }] } }));
    assert.equal(vtt, 'WEBVTT\n\n00:00:00.500 --> 00:00:01.000\n<v Ann &lt;x&gt;>a &lt;b&gt; &amp; c\n');
  });

  it('splits long utterances into cues at word boundaries using word timings', function () {
    const words = Array.from({ length: 40 }, (_, i) => ({ word: `word${i}`, start: i, end: i + 0.5 }));
    const srt = toSrt(utterancesOf({ result: { utterances: [{ text: words.map((w) => w.word).join(' '), start: 0, end: 40, speaker: 'A', words }] } }));
    const cues = srt.trim().split('\n\n');
    assert.ok(cues.length >= 3, srt);
    for (const cue of cues) assert.ok(cue.split('\n')[2].length <= 84 + 3, cue);
    assert.match(cues[1], /^2\n00:00:1\d,000 --> /);
  });

  it('parses diarization JSON Lines, skipping blank lines and reporting a bad one by number', function () {
    assert.deepEqual(parseDiarization(fx.DIARIZATION), [
      { speaker: 'Alice', start_time: 1.2, end_time: 3.5, user_id: 1 },
      { speaker: 'Bob', start_time: 3661.25, end_time: 3662.75, lang: 'en' },
    ]);
    assert.deepEqual(parseJsonLines('\n{"a":1}\r\n\n{"b":2}\n'), [{ a: 1 }, { b: 2 }]);
    assert.throws(
      () => parseJsonLines('{"a":1}\n{oops\n'),
      (error) => error instanceof ArtifactParseError && error.problem.code === 'line-not-json' && error.problem.params.line === 2 && typeof error.problem.params.detail === 'string',
    );
  });
});
