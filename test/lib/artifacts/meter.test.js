'use strict';
// The meter's check that what arrived is what was announced: the numbers, for the node to word.
const assert = require('node:assert/strict');
const { Readable, Writable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { Meter } = require('../../../lib/artifacts/meter');
const { DownloadError } = require('../../../lib/artifacts/download-errors');

describe('download meter (lib)', function () {
  it('reports a body shorter than announced with both lengths, as values, not as a sentence', async function () {
    const meter = new Meter('https://bucket.example.com/a/v.mp4?X-Amz-Signature=secret', { maxBytes: 1000 }, 10, 2);
    await pipeline(Readable.from([Buffer.from('abcd')]), meter, new Writable({ write: (_chunk, _encoding, done) => done() }));
    assert.throws(
      () => meter.checkComplete(),
      (error) =>
        error instanceof DownloadError &&
        error.kind === 'length-mismatch' &&
        error.details.size === 6 &&
        error.details.expected === 10 &&
        error.details.detail === undefined &&
        !error.message.includes('secret'),
    );
  });
});
