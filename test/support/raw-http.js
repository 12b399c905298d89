'use strict';
// HTTP/1.1 over a plain socket, for requests a client library would tidy up (fragments,
// absolute-form targets, bodies sent in parts or never) and answers that come before the body.
const net = require('node:net');

/**
 * A raw HTTP/1.1 exchange on its own socket. `send(text)` writes bytes as they are; `response`
 * resolves with {status, headers, body} as soon as one complete response has arrived (whatever
 * the client has sent by then), and rejects if none came within `timeoutMs`; `closed` resolves
 * when the server ends the connection.
 */
function rawExchange(port, { timeoutMs = 5000 } = {}) {
  const socket = net.connect(port, '127.0.0.1');
  let buffered = Buffer.alloc(0);
  let resolveResponse;
  let rejectResponse;
  const response = new Promise((resolve, reject) => {
    resolveResponse = resolve;
    rejectResponse = reject;
  });
  const timer = setTimeout(() => rejectResponse(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  const tryParse = () => {
    const end = buffered.indexOf('\r\n\r\n');
    if (end < 0) return;
    const [statusLine, ...lines] = buffered.subarray(0, end).toString('latin1').split('\r\n');
    const headers = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] || 0);
    if (buffered.length < end + 4 + length) return;
    clearTimeout(timer);
    resolveResponse({ status: Number(statusLine.split(' ')[1]), headers, body: buffered.subarray(end + 4, end + 4 + length).toString('utf8') });
  };
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    tryParse();
  });
  const closed = new Promise((resolve) => socket.once('close', resolve));
  socket.on('error', () => {}); // a reset after the answer is the server's right; `response` says what matters
  closed.then(() => rejectResponse(new Error(`connection closed without a complete answer: ${buffered.toString('latin1').slice(0, 200)}`)));
  return {
    send: (text) => new Promise((resolve) => socket.write(text, resolve)),
    response,
    closed,
    destroy: () => socket.destroy(),
  };
}

/** A request head: request line and headers, ending with the blank line. */
function head(method, target, headers) {
  return `${method} ${target} HTTP/1.1\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
}

module.exports = { rawExchange, head };
