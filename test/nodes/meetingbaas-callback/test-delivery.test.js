'use strict';
// The loopback listener that hands a test delivery to the httpNode app past httpNodeAuth: only
// the request carrying its one-time pass gets through, and it is gone once that one is answered.
const assert = require('node:assert/strict');
const net = require('node:net');
const { request } = require('../../support/node-red');
const { sendInProcess } = require('../../../nodes/meetingbaas-callback/test-delivery');

function connects(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('test delivery past httpNodeAuth: the loopback listener', function () {
  it('lets only its own request through, without the pass, and closes after it', async function () {
    let port;
    let intruder;
    const seen = [];
    const httpNode = (req, res) => {
      seen.push({ method: req.method, url: req.url, headers: req.headers });
      port = req.socket.localPort;
      // Someone else on this machine who found the port while the test delivery is in flight.
      request(`http://127.0.0.1:${port}/mb/callback`, { method: 'POST', headers: { 'x-meetingbaas-test-pass': 'guess' }, body: '{}' })
        .then((answer) => {
          intruder = answer.status;
          res.statusCode = 200;
          res.end('{"received":true}');
        });
    };
    const status = await sendInProcess({ httpNode }, { path: '/mb/callback', method: 'PUT' }, '{"event":"x"}', { 'x-mb-secret': 's' });
    assert.equal(status, 200);
    assert.equal(intruder, 403);
    assert.equal(seen.length, 1, 'only the test delivery reached the httpNode app');
    assert.equal(seen[0].method, 'PUT');
    assert.equal(seen[0].url, '/mb/callback');
    assert.equal(seen[0].headers['x-mb-secret'], 's');
    assert.equal(seen[0].headers['x-meetingbaas-test-pass'], undefined, 'the pass goes no further');
    assert.equal(await connects(port), false, 'the listener is closed');
  });
});
