'use strict';
// The local HTTP servers the tests stand up in place of Meeting BaaS, its storage or a stranger.
const http = require('node:http');

/**
 * Starts `server` on a free port of `host`. `close` also ends the connections still open (a
 * download held back on purpose, a keep-alive socket), which a plain `server.close` waits for.
 */
async function listenLocally(server, host = '127.0.0.1') {
  await new Promise((resolve) => server.listen(0, host, resolve));
  return {
    base: `http://${host}:${server.address().port}`,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A server that records every request (method, url, headers) in `seen` and answers with `answer(req, res)`. */
async function recordingServer(answer, host = '127.0.0.1') {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    answer(req, res);
  });
  const { base, close } = await listenLocally(server, host);
  return { seen, url: base, close };
}

/** Answers `status` with `body` as JSON. */
function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

module.exports = { listenLocally, recordingServer, sendJson };
