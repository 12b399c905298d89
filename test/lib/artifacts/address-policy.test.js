'use strict';
// Where the artifact node may connect, and where it may write.
const assert = require('node:assert/strict');
const path = require('node:path');
const { isPublicAddress, checkUrl, parseHostList, hostAllowed } = require('../../../lib/artifacts/address-policy');
const { createHttpClient } = require('../../../lib/artifacts/http-client');
const { downloadToBuffer } = require('../../../lib/artifacts/download');
const { DownloadError } = require('../../../lib/artifacts/download-errors');
const { artifactPath, templateProblem, extensionFor, isBotId } = require('../../../lib/artifacts/file-names');
const fx = require('../../fixtures/artifacts');

describe('artifact address policy', function () {
  it('tells public from private and reserved addresses', function () {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254',
      '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fd00::1', 'fc00::1',
      '::ffff:127.0.0.1', '::ffff:10.0.0.1', '64:ff9b::10.0.0.1', 'ff02::1', '2001:db8::1']) {
      assert.equal(isPublicAddress(address), false, address);
    }
    for (const address of ['8.8.8.8', '52.216.0.1', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8']) {
      assert.equal(isPublicAddress(address), true, address);
    }
  });

  it('refuses http, and literal private addresses, unless local addresses are allowed', function () {
    const strict = { allowLocal: false, hosts: [] };
    assert.equal(checkUrl(new URL('https://bucket.s3.amazonaws.com/x'), strict), null);
    assert.equal(checkUrl(new URL('http://bucket.s3.amazonaws.com/x'), strict).reason, 'scheme');
    assert.equal(checkUrl(new URL('https://169.254.169.254/latest/meta-data'), strict).reason, 'address');
    assert.equal(checkUrl(new URL('https://[::1]:8443/x'), strict).reason, 'address');
    assert.equal(checkUrl(new URL('file:///etc/passwd'), { allowLocal: true, hosts: [] }).reason, 'scheme');
    assert.equal(checkUrl(new URL('http://127.0.0.1:1880/x'), { allowLocal: true, hosts: [] }), null);
  });

  it('matches the host allowlist exactly or by subdomain', function () {
    const hosts = parseHostList('meeting-baas.s3.amazonaws.com, *.cloudfront.net .example.org');
    assert.deepEqual(hosts, ['meeting-baas.s3.amazonaws.com', '.cloudfront.net', '.example.org']);
    assert.ok(hostAllowed('MEETING-BAAS.s3.amazonaws.com', hosts));
    assert.ok(hostAllowed('d1.cloudfront.net', hosts));
    assert.ok(!hostAllowed('cloudfront.net.evil.com', hosts));
    assert.ok(!hostAllowed('other.s3.amazonaws.com', hosts));
    assert.ok(hostAllowed('anything.test', []));
  });

  describe('after DNS, on each connection', function () {
    let server;
    before(async function () {
      server = await fx.startServer();
    });
    after(async function () {
      await server.close();
    });

    async function refused(url, policy) {
      const client = createHttpClient({ policy, retries: 0 });
      try {
        const error = await downloadToBuffer(url, { client, policy, maxBytes: 1e6 }).then(
          () => assert.fail('must be refused'),
          (e) => e,
        );
        assert.ok(error instanceof DownloadError);
        assert.equal(error.kind, 'refused', error.message);
        return error;
      } finally {
        await client.close();
      }
    }

    it('refuses a name that resolves to loopback (real resolver, "localhost")', async function () {
      const url = server.add('/p/one', { body: 'x' }).replace('http://127.0.0.1', 'https://localhost');
      const error = await refused(url, { allowLocal: false, hosts: [] });
      assert.equal(error.details.problem.code, 'address');
      assert.equal(error.details.problem.params.host, 'localhost');
      assert.match(error.details.problem.params.address, /^(127\.0\.0\.1|::1)$/);
    });

    it('refuses a name when any of its addresses is private, whatever order they come in', async function () {
      const policy = {
        allowLocal: false,
        hosts: [],
        resolve: async () => [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.7', family: 4 }],
      };
      const error = await refused('https://storage.example.test/x.mp4?sig=1', policy);
      assert.deepEqual(error.details.problem, { code: 'address', params: { host: 'storage.example.test', address: '10.0.0.7' } });
    });

    it('re-checks every redirect hop when it connects (shown with the allowlist: the test server is local)', async function () {
      const target = server.add('/p/target', { body: 'secret' });
      const hop = server.add('/p/hop', { redirect: target.replace('127.0.0.1', 'localhost') });
      await refused(hop, { allowLocal: true, hosts: ['127.0.0.1'] });
      assert.equal(server.requests('/p/target').length, 0);
    });
  });
});

describe('artifact file names', function () {
  const dir = path.resolve('/data/meetings');
  const bot = 'c0ffee00-1234-4abc-8def-0123456789ab';

  it('builds <bot_id>/<artifact>.<ext> inside the directory', function () {
    assert.equal(artifactPath(dir, '<bot_id>/<artifact>.<ext>', { botId: bot, artifact: 'audio', ext: 'flac' }), path.join(dir, bot, 'audio.flac'));
  });

  it('refuses bot ids that are not UUIDs, so a payload cannot steer the path', function () {
    for (const botId of ['../../etc', '/etc/passwd', 'abc', `${bot}/..`, '..', '']) {
      assert.throws(() => artifactPath(dir, '<bot_id>/<artifact>.<ext>', { botId, artifact: 'video', ext: 'mp4' }), (e) => e.problem.code === 'bad-bot-id');
    }
    assert.ok(isBotId(bot));
    assert.ok(!isBotId('c0ffee00-1234-0abc-8def-0123456789ab'), 'version digit 0 is not a UUID the schema accepts');
  });

  it('refuses templates that are absolute, climb out, or cannot tell artifacts apart', function () {
    assert.equal(templateProblem('<bot_id>/<artifact>.<ext>'), null);
    assert.equal(templateProblem('meetings/<bot_id>-<artifact>.<ext>'), null);
    assert.deepEqual(templateProblem('/tmp/<artifact>.<ext>'), { code: 'absolute', params: {} });
    assert.deepEqual(templateProblem('../<artifact>.<ext>'), { code: 'bad-segment', params: {} });
    assert.deepEqual(templateProblem('a/../../<artifact>'), { code: 'bad-segment', params: {} });
    assert.deepEqual(templateProblem('<bot_id>.<ext>'), { code: 'no-artifact-placeholder', params: {} });
    assert.deepEqual(templateProblem('<date>/<artifact>'), { code: 'unknown-placeholder', params: { placeholder: 'date' } });
    assert.deepEqual(templateProblem('a\\..\\<artifact>'), { code: 'bad-characters', params: {} });
    assert.deepEqual(templateProblem(' '), { code: 'empty-template', params: {} });
  });

  it('takes the extension from the bytes, then Content-Type, never the URL', function () {
    assert.equal(extensionFor('audio', 'audio/mpeg', fx.HEADS.flac), 'flac');
    assert.equal(extensionFor('video', 'application/octet-stream', fx.HEADS.mp4), 'mp4');
    assert.equal(extensionFor('audio', 'audio/mpeg', Buffer.from('ID3\x04\0\0\0\0\0\0\0\0', 'latin1')), 'mp3');
    assert.equal(extensionFor('transcription', 'binary/octet-stream', Buffer.from('{"bot_id":"x"}')), 'json');
    assert.equal(extensionFor('diarization', 'application/json', Buffer.from('{"speaker":"A"}\n')), 'jsonl');
    assert.equal(extensionFor('video', 'application/octet-stream', Buffer.from('0123456789abcdef')), 'bin');
  });
});
