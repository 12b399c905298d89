'use strict';
// How the failures of the parts under a download become one DownloadError: by class and code only.
const assert = require('node:assert/strict');
const { classify, codeOfKind, DownloadError, RedirectRefusedError, statusError } = require('../../../lib/artifacts/download-errors');
const { AddressRefusedError } = require('../../../lib/artifacts/address-policy');

const URL = 'https://bucket.example.com/a/video.mp4?X-Amz-Signature=secret';

function withCode(code, message = 'something failed') {
  return Object.assign(new Error(message), { code });
}

describe('download errors (lib)', function () {
  it('gives every kind a stable code', function () {
    assert.equal(codeOfKind('too-large'), 'ERR_MEETINGBAAS_DOWNLOAD_TOO_LARGE');
    assert.equal(new DownloadError('expired', { url: 'u' }).code, 'ERR_MEETINGBAAS_DOWNLOAD_EXPIRED');
    assert.equal(new DownloadError('invalid-url', { url: 'u' }).code, 'ERR_MEETINGBAAS_DOWNLOAD_INVALID_URL');
  });

  it('tells a refused redirect by its class, not by what its message says', function () {
    const refused = classify(new RedirectRefusedError(302, { cause: new Error('whatever undici says') }), URL, undefined);
    assert.equal(refused.kind, 'redirects');
    assert.equal(refused.details.statusCode, 302);
    assert.equal(classify(withCode('UND_ERR_INVALID_ARG', 'Redirect loop detected.'), URL, undefined).kind, 'network');
  });

  it('tells timeouts and aborts by their codes', function () {
    assert.equal(classify(withCode('UND_ERR_HEADERS_TIMEOUT'), URL, undefined).kind, 'timeout');
    assert.equal(classify(withCode('ETIMEDOUT'), URL, undefined).kind, 'timeout');
    assert.equal(classify(withCode('ABORT_ERR'), URL, undefined).kind, 'aborted');
    assert.equal(classify(new DOMException('This operation was aborted', 'AbortError'), URL, undefined).kind, 'aborted');
    assert.equal(classify(Object.assign(new Error('x'), { name: 'AbortError' }), URL, undefined).kind, 'network');
    const controller = new AbortController();
    controller.abort();
    assert.equal(classify(withCode('ECONNRESET'), URL, controller.signal).kind, 'aborted');
  });

  it('finds an address refusal among the causes', function () {
    const wrapped = new Error('connect failed', { cause: new AddressRefusedError('address', 'metadata.internal', '169.254.169.254') });
    assert.equal(classify(wrapped, URL, undefined).kind, 'refused');
  });

  it('reads a status error carried by an error, and keeps the network error code', function () {
    assert.equal(classify(Object.assign(new Error('retry failed'), { statusCode: 403 }), URL, undefined).kind, 'forbidden');
    const network = classify(withCode('ECONNREFUSED', 'connect ECONNREFUSED'), URL, undefined);
    assert.equal(network.kind, 'network');
    assert.equal(network.details.detail, 'ECONNREFUSED connect ECONNREFUSED');
    assert.doesNotMatch(network.message, /secret/);
  });

  it('classifies answers by status, and an expired signature by what storage says', function () {
    assert.equal(statusError(403, 'u', '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>').kind, 'expired');
    assert.equal(statusError(403, 'u', '<Error><Code>AccessDenied</Code></Error>').kind, 'forbidden');
    assert.equal(statusError(404, 'u', '').kind, 'not-found');
    assert.equal(statusError(301, 'u', '').kind, 'redirects');
    assert.equal(statusError(503, 'u', '').kind, 'status');
  });
});
