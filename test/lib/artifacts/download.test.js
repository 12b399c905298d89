'use strict';
// The download library against a real local HTTP server that injects faults.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { createHttpClient } = require('../../../lib/artifacts/http-client');
const { downloadToFile, downloadToBuffer } = require('../../../lib/artifacts/download');
const { DownloadError, redactUrl } = require('../../../lib/artifacts/download-errors');
const { partialPathFor } = require('../../../lib/artifacts/temporary-file');
const { artifactPath, extensionFor } = require('../../../lib/artifacts/file-names');
const fx = require('../../fixtures/artifacts');

const BOT = 'c0ffee00-1234-4abc-8def-0123456789ab';
const local = { allowLocal: true, hosts: [] };

describe('artifact downloads (lib)', function () {
  let server;
  let client;
  let dir;

  before(async function () {
    server = await fx.startServer();
    client = createHttpClient({ policy: local, retries: 3, retryDelayMs: 50, maxRetryDelayMs: 2000, stallTimeoutMs: 400 });
  });
  after(async function () {
    await client.close();
    await server.close();
  });
  beforeEach(function () {
    dir = fx.tempDir('mb-dl-');
  });
  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const toFile = (url, artifact = 'video', extra = {}) =>
    downloadToFile(
      url,
      (contentType, head) => artifactPath(dir, '<bot_id>/<artifact>.<ext>', { botId: BOT, artifact, ext: extensionFor(artifact, contentType, head) }),
      { client, policy: local, maxBytes: 1e9, ...extra },
      partialPathFor(path.join(dir, BOT, `${artifact}.part`)),
    );

  async function rejectsWith(promise, kind) {
    const error = await promise.then(
      () => assert.fail(`expected a ${kind} error`),
      (e) => e,
    );
    assert.ok(error instanceof DownloadError, `not a DownloadError: ${error && error.stack}`);
    assert.equal(error.kind, kind, error.message);
    return error;
  }

  it('streams a file to <bot_id>/<artifact>.<ext>, extension from the bytes, not the URL or Content-Type', async function () {
    const resource = { size: 3 * 1024 * 1024 + 17, head: fx.HEADS.mp4, type: 'application/octet-stream' };
    const url = server.add('/a/recording.bin', resource);
    const progress = [];
    const result = await toFile(url, 'video', { onProgress: (received, expected) => progress.push([received, expected]) });
    assert.equal(result.path, path.join(dir, BOT, 'video.mp4'));
    assert.equal(result.size, resource.size);
    assert.equal(await fx.sha256OfFile(result.path), fx.sha256OfResource(resource));
    assert.deepEqual(fx.listFiles(dir), [`${BOT}/video.mp4`]);
    assert.ok(progress.length > 1);
    assert.deepEqual(progress[progress.length - 1], [resource.size, resource.size]);
  });

  it('names audio by its bytes: FLAC served as audio/mpeg is .flac', async function () {
    const url = server.add('/a/audio.mp3', { size: 5000, head: fx.HEADS.flac, type: 'audio/mpeg' });
    const result = await toFile(url, 'audio');
    assert.equal(path.basename(result.path), 'audio.flac');
  });

  it('retries a 500 and succeeds', async function () {
    const url = server.add('/a/flaky', { size: 100000, fail: [500], type: 'video/mp4' });
    const result = await toFile(url);
    assert.equal(server.requests('/a/flaky').length, 2);
    assert.equal(result.size, 100000);
    assert.equal(await fx.sha256OfFile(result.path), fx.sha256OfResource(server.resource('/a/flaky')));
  });

  it('honours Retry-After on 429', async function () {
    const url = server.add('/a/busy', { size: 1000, fail: [429], retryAfter: 1, type: 'video/mp4' });
    const started = Date.now();
    await toFile(url);
    const waited = Date.now() - started;
    assert.ok(waited >= 950, `waited only ${waited} ms`);
  });

  it('gives up after the retries with a status error and no file', async function () {
    const url = server.add('/a/down', { size: 1000, fail: [503, 503, 503, 503, 503, 503, 503], type: 'video/mp4' });
    const error = await rejectsWith(toFile(url), 'status');
    assert.equal(error.details.statusCode, 503);
    assert.equal(server.requests('/a/down').length, 4);
    assert.deepEqual(fx.listFiles(dir), []);
  });

  it('resumes with Range after the connection drops mid-body', async function () {
    const resource = { size: 2 * 1024 * 1024, head: fx.HEADS.mp4, resetAt: 700 * 1024, type: 'video/mp4' };
    const url = server.add('/a/reset', resource);
    const result = await toFile(url);
    const requests = server.requests('/a/reset');
    assert.equal(requests.length, 2);
    assert.equal(requests[0].range, null);
    assert.match(requests[1].range, /^bytes=\d+-2097151$/);
    const resumedAt = Number(/bytes=(\d+)-/.exec(requests[1].range)[1]);
    assert.ok(resumedAt > 0, 'resume must start after the bytes already received');
    assert.equal(await fx.sha256OfFile(result.path), fx.sha256OfResource(resource));
    assert.deepEqual(fx.listFiles(dir), [`${BOT}/video.mp4`]);
  });

  it('resumes after a stalled body once the stall timeout fires', async function () {
    const resource = { size: 300 * 1024, stallAt: 100 * 1024, type: 'video/mp4', head: fx.HEADS.mp4 };
    const url = server.add('/a/stall', resource);
    const result = await toFile(url);
    const requests = server.requests('/a/stall');
    assert.equal(requests.length, 2);
    assert.match(requests[1].range, /^bytes=\d+-/);
    assert.equal(await fx.sha256OfFile(result.path), fx.sha256OfResource(resource));
  });

  it('fails with a timeout when the body stalls every time, leaving no partial file', async function () {
    const url = server.add('/a/dead', { size: 300 * 1024, stallAt: 1000, stallAlways: true, type: 'video/mp4', head: fx.HEADS.mp4 });
    await rejectsWith(toFile(url), 'timeout');
    assert.deepEqual(fx.listFiles(dir), []);
  });

  it('refuses a body shorter than its Content-Length and leaves no partial file', async function () {
    const url = server.add('/a/short', { size: 50000, declare: 80000, type: 'video/mp4', head: fx.HEADS.mp4 });
    const error = await toFile(url).then(
      () => assert.fail('must fail'),
      (e) => e,
    );
    assert.ok(error instanceof DownloadError);
    assert.ok(['network', 'status', 'length-mismatch'].includes(error.kind), error.message);
    assert.deepEqual(fx.listFiles(dir), []);
  });

  it('reports an expired URL (403 "Request has expired") as expired, and never puts the signature in the message', async function () {
    const url = server.add('/a/expired', { size: 10, expired: true });
    const error = await rejectsWith(toFile(url), 'expired');
    assert.equal(error.details.statusCode, 403);
    assert.doesNotMatch(error.message, /secret-signature/);
    assert.match(error.message, /\/a\/expired\?…/);
    assert.deepEqual(fx.listFiles(dir), []);
  });

  it('refuses a body over the size limit before reading it', async function () {
    const url = server.add('/a/big', { size: 5 * 1024 * 1024, type: 'video/mp4' });
    const error = await rejectsWith(toFile(url, 'video', { maxBytes: 1024 * 1024 }), 'too-large');
    assert.equal(error.details.size, 5 * 1024 * 1024);
    assert.deepEqual(fx.listFiles(dir), []);
  });

  it('aborts on signal and keeps the partial file, hidden, for the next attempt', async function () {
    const url = server.add('/a/abort', { size: 400 * 1024, stallAt: 64 * 1024, stallAlways: true, type: 'video/mp4', head: fx.HEADS.mp4, etag: '"a1"' });
    const controller = new AbortController();
    const promise = toFile(url, 'video', { signal: controller.signal });
    while (!fs.existsSync(path.join(dir, BOT, '.video.part'))) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(fx.listFiles(dir), [`${BOT}/.video.part`, `${BOT}/.video.part.json`]);
    controller.abort();
    await rejectsWith(promise, 'aborted');
    assert.deepEqual(fx.listFiles(dir), [`${BOT}/.video.part`, `${BOT}/.video.part.json`]);
  });

  it('aborts on signal and removes the partial file when storage sent no ETag or Last-Modified to resume it by', async function () {
    const url = server.add('/a/abort-plain', { size: 400 * 1024, stallAt: 64 * 1024, stallAlways: true, type: 'video/mp4', head: fx.HEADS.mp4 });
    const controller = new AbortController();
    const promise = toFile(url, 'video', { signal: controller.signal });
    while (!fs.existsSync(path.join(dir, BOT, '.video.part'))) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(fx.listFiles(dir), [`${BOT}/.video.part`]);
    controller.abort();
    await rejectsWith(promise, 'aborted');
    assert.deepEqual(fx.listFiles(dir), []);
  });

  it('passes on what the name choice throws, unchanged', async function () {
    const url = server.add('/a/badname', { size: 1024, type: 'video/mp4', head: fx.HEADS.mp4 });
    class NoName extends Error {}
    const refusal = new NoName('no name for this');
    const choose = () => {
      throw refusal;
    };
    const failure = await downloadToFile(url, choose, { client, policy: local, maxBytes: 1e9 }, partialPathFor(path.join(dir, BOT, 'video.part'))).then(
      () => assert.fail('must fail'),
      (e) => e,
    );
    assert.equal(failure, refusal);
  });

  it('reports a disk that cannot take the file as a file error, with the reason', async function () {
    const url = server.add('/a/nodisk', { size: 1024, type: 'video/mp4', head: fx.HEADS.mp4 });
    // A file where the final file's folder should be: its creation fails as a full or read-only disk would.
    fs.writeFileSync(path.join(dir, 'blocked'), '');
    const choose = () => path.join(dir, 'blocked', 'video.mp4');
    const error = await rejectsWith(downloadToFile(url, choose, { client, policy: local, maxBytes: 1e9 }, partialPathFor(path.join(dir, 'video.part'))), 'file');
    assert.match(error.details.detail, /EEXIST|ENOTDIR/);
    assert.equal(error.code, 'ERR_MEETINGBAAS_DOWNLOAD_FILE');
  });

  it('follows a redirect within the allowed hosts, and refuses one that leaves them', async function () {
    const target = server.add('/a/target', { body: '{"ok":true}', type: 'application/json' });
    const hop = server.add('/a/hop', { redirect: target });
    const strict = createHttpClient({ policy: { allowLocal: true, hosts: ['127.0.0.1'] }, retries: 0 });
    try {
      const policy = { allowLocal: true, hosts: ['127.0.0.1'] };
      const ok = await downloadToBuffer(hop, { client: strict, policy, maxBytes: 1e6 });
      assert.deepEqual(JSON.parse(ok.body), { ok: true });
      const away = server.add('/a/away', { redirect: target.replace('127.0.0.1', 'localhost') });
      const error = await rejectsWith(downloadToBuffer(away, { client: strict, policy, maxBytes: 1e6 }), 'refused');
      assert.deepEqual(error.details.problem, { code: 'host', params: { host: 'localhost' } });
      assert.equal(server.requests('/a/target').length, 1, 'the forbidden hop must not reach the server');
    } finally {
      await strict.close();
    }
  });

  it('stops after the maximum number of redirects', async function () {
    const end = server.add('/a/r4', { body: 'end', type: 'text/plain' });
    const r3 = server.add('/a/r3', { redirect: end });
    const r2 = server.add('/a/r2', { redirect: r3 });
    const r1 = server.add('/a/r1', { redirect: r2 });
    const few = createHttpClient({ policy: local, maxRedirects: 2, retries: 0 });
    try {
      await rejectsWith(downloadToBuffer(r1, { client: few, policy: local, maxBytes: 1e6 }), 'redirects');
      assert.equal(server.requests('/a/r4').length, 0);
      const loop = server.add('/a/loop', {});
      server.resource('/a/loop').redirect = loop;
      await rejectsWith(downloadToBuffer(loop, { client: few, policy: local, maxBytes: 1e6 }), 'redirects');
    } finally {
      await few.close();
    }
  });

  it('reads a JSON artifact into memory', async function () {
    const url = server.add('/a/t.json', { body: JSON.stringify(fx.TRANSCRIPTION), type: 'application/json' });
    const result = await downloadToBuffer(url, { client, policy: local, maxBytes: 1e6 });
    assert.deepEqual(JSON.parse(result.body.toString('utf8')), fx.TRANSCRIPTION);
    assert.equal(result.contentType, 'application/json');
  });

  it('redacts signed query strings', function () {
    assert.equal(redactUrl('https://b.s3.amazonaws.com/x/v.mp4?X-Amz-Signature=abc'), 'https://b.s3.amazonaws.com/x/v.mp4?…');
    assert.equal(redactUrl('https://b.s3.amazonaws.com/x/v.mp4'), 'https://b.s3.amazonaws.com/x/v.mp4');
  });
});
