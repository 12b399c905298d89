'use strict';
// Continuing a partial download from the record written beside it. A record file is read back
// from the disk, so it may hold anything (a crash, an older version, a hand edit): what does not
// describe an object is no record, and the download starts over.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { createHttpClient } = require('../../../lib/artifacts/http-client');
const { downloadToFile } = require('../../../lib/artifacts/download');
const { readResumePoint } = require('../../../lib/artifacts/resume');
const { partialPathFor } = require('../../../lib/artifacts/temporary-file');
const fx = require('../../fixtures/artifacts');

const local = { allowLocal: true, hosts: [] };
const ETAG = '"r1"';
const SIZE = 64 * 1024;
const KEPT = 1000;

/** What a record file may hold that describes no object. */
const UNUSABLE = {
  null: 'null',
  'a number': '42',
  'an array': '[]',
  'a string': '"record"',
  'an ETag that is not a string': '{"etag": 5}',
  'an ETag that is not a string, beside a usable length and Last-Modified': JSON.stringify({ length: SIZE, etag: 5, lastModified: 'Wed, 21 Oct 2015 07:28:00 GMT' }),
  'a Last-Modified that is not a string': JSON.stringify({ length: SIZE, etag: ETAG, lastModified: 1445412480 }),
  'a length that is not a number': JSON.stringify({ length: String(SIZE), etag: ETAG, lastModified: null }),
  'no length': JSON.stringify({ etag: ETAG, lastModified: null }),
  'JSON cut short': '{"length": 65536, "etag": "\\"r1',
};

describe('resuming a partial download from its record (lib)', function () {
  let server;
  let client;
  let dir;
  let partial;
  const resource = { size: SIZE, head: fx.HEADS.mp4, type: 'video/mp4', etag: ETAG };

  before(async function () {
    server = await fx.startServer();
    client = createHttpClient({ policy: local, retries: 0, stallTimeoutMs: 5000 });
  });
  after(async function () {
    await client.close();
    await server.close();
  });
  beforeEach(function () {
    dir = fx.tempDir('mb-resume-');
    partial = partialPathFor(path.join(dir, 'video.part'));
    fs.writeFileSync(partial, fx.contentOf(resource).subarray(0, KEPT));
  });
  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const writeRecordFile = (text) => fs.writeFileSync(`${partial}.json`, text);
  const download = (url) => downloadToFile(url, () => path.join(dir, 'video.mp4'), { client, policy: local, maxBytes: 1e9 }, partial);

  it('continues from the partial when its record describes the object', async function () {
    writeRecordFile(JSON.stringify({ length: SIZE, etag: ETAG, lastModified: null }));
    const point = await readResumePoint(partial);
    assert.deepEqual({ size: point.size, length: point.length, validators: point.validators }, { size: KEPT, length: SIZE, validators: { etag: ETAG, lastModified: null } });
    const url = server.add('/r/usable', resource);
    const saved = await download(url);
    assert.deepEqual(server.requests('/r/usable').map((r) => r.range), [`bytes=${KEPT}-`]);
    assert.equal(saved.resumedFrom, KEPT);
    assert.equal(await fx.sha256OfFile(saved.path), fx.sha256OfResource(resource));
  });

  for (const [what, text] of Object.entries(UNUSABLE)) {
    it(`takes a record holding ${what} for no record, and starts over`, async function () {
      writeRecordFile(text);
      assert.equal(await readResumePoint(partial), null);
      const pathname = `/r/${encodeURIComponent(what).replace(/%/g, '')}`;
      const saved = await download(server.add(pathname, resource));
      assert.deepEqual(server.requests(pathname).map((r) => r.range), [null], 'asked for the whole object');
      assert.equal(saved.resumedFrom, 0);
      assert.equal(await fx.sha256OfFile(saved.path), fx.sha256OfResource(resource));
      assert.deepEqual(fx.listFiles(dir), ['video.mp4']);
    });
  }
});
