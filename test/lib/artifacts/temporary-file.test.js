'use strict';
// Temporary files: one naming for the downloads' partials and the small files written whole.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { partialPathFor, writeFileAtomically } = require('../../../lib/artifacts/temporary-file');
const fx = require('../../fixtures/artifacts');

describe('temporary files (lib)', function () {
  let dir;
  beforeEach(function () {
    dir = fx.tempDir('mb-temp-');
  });
  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('hides a partial beside its final file, with one .part', function () {
    assert.equal(partialPathFor(path.join(dir, 'bot', 'video.mp4')), path.join(dir, 'bot', '.video.mp4.part'));
    assert.equal(partialPathFor(path.join(dir, 'bot', 'video.part')), path.join(dir, 'bot', '.video.part'));
  });

  it('writes a small file whole, leaving no temporary file', async function () {
    const target = path.join(dir, 'transcription.srt');
    await writeFileAtomically(target, '1\nhello\n');
    assert.equal(fs.readFileSync(target, 'utf8'), '1\nhello\n');
    assert.deepEqual(fs.readdirSync(dir), ['transcription.srt']);
  });

  it('says how many bytes it wrote: the size of the file, multi-byte characters counted as bytes', async function () {
    const target = path.join(dir, 'transcription.vtt');
    const content = 'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nAnaïs: ça va, 你好 👋\n';
    const bytes = await writeFileAtomically(target, content);
    assert.equal(bytes, fs.statSync(target).size);
    assert.ok(bytes > content.length, 'bytes, not characters');
  });

  it('flushes a small file to disk before it takes its final name, as the downloads do (a power cut leaves no short file under that name)', async function () {
    const target = path.join(dir, 'transcription.srt');
    // FileHandle is not exported: its prototype is reached through a handle.
    const probe = await fs.promises.open(__filename, 'r');
    const proto = Object.getPrototypeOf(probe);
    await probe.close();
    const { datasync } = proto;
    const flushed = [];
    proto.datasync = function () {
      flushed.push(fs.existsSync(target));
      return datasync.call(this);
    };
    try {
      await writeFileAtomically(target, '1\nhello\n');
    } finally {
      proto.datasync = datasync;
    }
    assert.deepEqual(flushed, [false], 'one flush, before the final name exists');
    assert.equal(fs.readFileSync(target, 'utf8'), '1\nhello\n');
  });

  it('removes its temporary file when the rename fails, and says why', async function () {
    // A folder where the file should go: the rename onto it fails.
    fs.mkdirSync(path.join(dir, 'taken.srt'));
    const error = await writeFileAtomically(path.join(dir, 'taken.srt'), 'x').then(
      () => assert.fail('must fail'),
      (e) => e,
    );
    assert.equal(typeof error.code, 'string');
    assert.deepEqual(fs.readdirSync(dir), ['taken.srt']);
  });
});
