'use strict';
// A local stand-in for the storage that serves Meeting BaaS artifacts, and for GET /v2/bots/{id}.
// Content is generated from a byte pattern, so files of any size cost no memory here, and it
// injects the faults the artifact node must survive.
const http = require('node:http');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const PERIOD = 251;
const CHUNK = 64 * 1024;
const PATTERN = Buffer.alloc(CHUNK + PERIOD);
for (let i = 0; i < PATTERN.length; i += 1) PATTERN[i] = (i * 7 + 3) % PERIOD;

const HEADS = {
  mp4: Buffer.from('0000001866747970697336000000000069736f6d', 'hex'),
  flac: Buffer.from('fLaC\0\0\0\x22\x10\x00\x10\x00\0\0\0\0', 'latin1'),
};

/** Byte `i` of a generated resource: its head, then the pattern. */
function slice(resource, start, end) {
  const head = resource.head || Buffer.alloc(0);
  const parts = [];
  let at = start;
  while (at < end) {
    if (at < head.length) {
      const stop = Math.min(end, head.length);
      parts.push(head.subarray(at, stop));
      at = stop;
    } else {
      const stop = Math.min(end, at + CHUNK);
      const offset = at % PERIOD;
      parts.push(PATTERN.subarray(offset, offset + (stop - at)));
      at = stop;
    }
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

function contentOf(resource) {
  return resource.body !== undefined ? Buffer.from(resource.body) : slice(resource, 0, resource.size);
}

function sha256OfResource(resource) {
  const hash = crypto.createHash('sha256');
  if (resource.body !== undefined) return hash.update(Buffer.from(resource.body)).digest('hex');
  for (let at = 0; at < resource.size; at += CHUNK) hash.update(slice(resource, at, Math.min(resource.size, at + CHUNK)));
  return hash.digest('hex');
}

function sha256OfFile(file) {
  return new Promise((resolve, reject) => {
    const hash = crypto.createHash('sha256');
    fs.createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

const EXPIRED_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message>' +
  '<X-Amz-Expires>14400</X-Amz-Expires><Expires>2025-01-01T00:00:00Z</Expires></Error>';

async function writeRange(res, resource, start, end) {
  const began = Date.now();
  for (let at = start; at < end; at += CHUNK) {
    if (res.destroyed) return;
    if (resource.bytesPerSecond) {
      // Paced: never ahead of the rate since the answer began.
      const due = began + ((at - start) / resource.bytesPerSecond) * 1000;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      if (res.destroyed) return;
    }
    const ok = res.write(slice(resource, at, Math.min(end, at + CHUNK)));
    if (!ok) {
      await new Promise((resolve) => {
        const go = () => {
          res.off('drain', go);
          res.off('close', go);
          resolve();
        };
        res.on('drain', go);
        res.on('close', go);
      });
    }
  }
}

/**
 * Resource options: `body` (string|Buffer) or `size` (+ `head`), `type`, and faults:
 * `expired` (always 403), `expireAfter` (n good answers, then 403), `fail` ([status, …] answered
 * first, e.g. [500]), `retryAfter`, `resetAt` (first answer drops the connection after n bytes),
 * `stallAt` (first answer stops sending after n bytes; `stallAlways` for every answer),
 * `declare` (a Content-Length larger than the body), `redirect` (Location), `etag`, `ignoreRange` (answers
 * every Range request with the whole body and 200, as some servers do), `bytesPerSecond` (a generated
 * body sent no faster than this).
 */
async function startServer() {
  const resources = new Map();
  const log = [];
  const bots = new Map();
  const sockets = new Set();
  let apiCalls = 0;
  const load = { active: 0, max: 0 };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    log.push({ path: url.pathname, range: req.headers.range || null, headers: req.headers });
    const botMatch = /^\/v2\/bots\/([^/]+)$/.exec(url.pathname);
    if (botMatch) {
      apiCalls += 1;
      if (req.headers['x-meeting-baas-api-key'] !== 'test-key') {
        res.writeHead(401, { 'content-type': 'application/json' });
        return res.end('{"success":false,"error":"Unauthorized"}');
      }
      const bot = bots.get(botMatch[1]);
      if (!bot) {
        res.writeHead(404, { 'content-type': 'application/json' });
        return res.end('{"success":false}');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(bot()));
    }
    const resource = resources.get(url.pathname);
    load.active += 1;
    load.max = Math.max(load.max, load.active);
    res.on('close', () => {
      load.active -= 1;
    });
    if (resource && resource.delayMs) await new Promise((resolve) => setTimeout(resolve, resource.delayMs));
    if (!resource) {
      res.writeHead(404);
      return res.end();
    }
    resource.hits = (resource.hits || 0) + 1;
    const hit = resource.hits;
    if (resource.redirect) {
      res.writeHead(302, { location: resource.redirect });
      return res.end();
    }
    if (resource.expired || (resource.expireAfter !== undefined && hit > resource.expireAfter)) {
      res.writeHead(403, { 'content-type': 'application/xml' });
      return res.end(EXPIRED_XML);
    }
    if (resource.fail && hit <= resource.fail.length) {
      const headers = resource.retryAfter !== undefined ? { 'retry-after': String(resource.retryAfter) } : {};
      res.writeHead(resource.fail[hit - 1], headers);
      return res.end('try again');
    }
    const size = resource.body !== undefined ? Buffer.byteLength(resource.body) : resource.size;
    const headers = { 'content-type': resource.type || 'application/octet-stream' };
    if (resource.etag) headers.etag = resource.etag;
    let start = 0;
    let end = size;
    const range = resource.ignoreRange ? null : /^bytes=(\d+)-(\d*)$/.exec(req.headers.range || '');
    if (range) {
      start = Number(range[1]);
      end = range[2] ? Number(range[2]) + 1 : size;
      if (start >= size || resource.declare) {
        res.writeHead(416, { 'content-range': `bytes */${size}` });
        return res.end();
      }
      headers['content-range'] = `bytes ${start}-${end - 1}/${size}`;
      headers['content-length'] = String(end - start);
      res.writeHead(206, headers);
    } else {
      headers['content-length'] = String(resource.declare || size);
      res.writeHead(200, headers);
    }
    const content = resource.body !== undefined ? Buffer.from(resource.body) : null;
    const piece = (a, b) => (content ? content.subarray(a, b) : slice(resource, a, b));
    const cut = hit === 1 && resource.resetAt !== undefined ? resource.resetAt : null;
    const stall = (hit === 1 || resource.stallAlways) && resource.stallAt !== undefined ? resource.stallAt : null;
    if (cut !== null) {
      res.write(piece(start, Math.min(end, cut)));
      // Let the bytes leave before the connection drops, as a real mid-body reset does.
      return setTimeout(() => res.socket.destroy(), 50);
    }
    if (stall !== null) {
      res.write(piece(start, Math.min(end, start + stall)));
      return; // never ends; the client's stall timeout must notice
    }
    if (content) return res.end(content.subarray(start, end));
    await writeRange(res, resource, start, end);
    res.end();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base,
    log,
    get apiCalls() {
      return apiCalls;
    },
    /** Artifact responses in progress at once: now, and at most so far (`load.max = 0` resets). */
    load,
    /** Adds a resource and returns its URL, with a signed-looking query string. */
    add(pathname, resource) {
      resources.set(pathname, { ...resource });
      return `${base}${pathname}?X-Amz-Signature=secret-signature&X-Amz-Expires=14400`;
    },
    resource: (pathname) => resources.get(pathname),
    bot(botId, details) {
      bots.set(botId, details);
    },
    requests: (pathname) => log.filter((entry) => entry.path === pathname),
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A complete GetBotDetailsResponse, as the schema requires, with the given artifact URLs. */
function botDetails(botId, urls, overrides = {}) {
  return {
    success: true,
    data: {
      bot_id: botId,
      bot_name: 'Recorder',
      meeting_url: 'https://meet.google.com/abc-defg-hij',
      meeting_platform: 'meet',
      recording_mode: 'speaker_view',
      status: 'completed',
      created_at: '2025-01-01T10:00:00Z',
      joined_at: '2025-01-01T10:01:00Z',
      exited_at: '2025-01-01T11:00:00Z',
      duration_seconds: 3540,
      participants: [{ name: 'Alice', id: 1 }],
      speakers: [{ name: 'Alice', id: 1 }],
      artifacts_deleted: false,
      video: null,
      audio: null,
      diarization: null,
      raw_transcription: null,
      transcription: null,
      chat_messages: null,
      transcription_ids: null,
      transcription_provider: null,
      error_code: null,
      error_message: null,
      tokens: null,
      extra: null,
      zoom_config: null,
      ...urls,
      ...overrides,
    },
  };
}

/** A `bot.completed` delivery as the callback node sends it on. */
function completedDelivery(botId, urls, overrides = {}) {
  return {
    event: 'bot.completed',
    data: {
      bot_id: botId,
      event_id: null,
      participants: [{ name: 'Alice', id: 1 }, { name: 'Bob', id: 2 }],
      speakers: [{ name: 'Alice', id: 1 }, { name: 'Bob', id: 2 }],
      duration_seconds: 3540,
      joined_at: '2025-01-01T10:01:00Z',
      exited_at: '2025-01-01T11:00:00Z',
      data_deleted: false,
      video: null,
      audio: null,
      diarization: null,
      raw_transcription: null,
      transcription: null,
      transcription_provider: 'gladia',
      transcription_ids: null,
      sent_at: '2025-01-01T11:00:05Z',
      ...urls,
      ...overrides,
    },
    extra: { crm: 'deal-42' },
  };
}

const TRANSCRIPTION = {
  bot_id: 'placeholder',
  provider: 'gladia',
  result: {
    utterances: [
      {
        text: 'Hello everyone, thanks for joining.',
        language: 'en',
        start: 1.2,
        end: 3.5,
        confidence: 0.98,
        channel: 0,
        speaker: 'Alice',
        words: [
          { word: 'Hello', start: 1.2, end: 1.5, confidence: 0.99 },
          { word: 'everyone,', start: 1.5, end: 2.0, confidence: 0.99 },
          { word: 'thanks', start: 2.1, end: 2.5, confidence: 0.99 },
          { word: 'for', start: 2.5, end: 2.7, confidence: 0.99 },
          { word: 'joining.', start: 2.7, end: 3.5, confidence: 0.99 },
        ],
      },
      {
        text: 'Glad to be here.',
        language: 'en',
        start: 3661.25,
        end: 3662.75,
        confidence: 0.95,
        channel: 0,
        speaker: 'Bob',
        words: [],
      },
    ],
    languages: ['en'],
    total_utterances: 2,
    total_duration: 3662.75,
  },
  created_at: '2025-01-01T11:00:00Z',
};

const DIARIZATION =
  '{"speaker":"Alice","start_time":1.2,"end_time":3.5,"user_id":1}\n' +
  '{"speaker":"Bob","start_time":3661.25,"end_time":3662.75,"lang":"en"}\n';

const CHAT = [{ message_id: 'm1', sender_name: 'Alice', sender_id: 1, text: 'link: https://x.test', timestamp: 1735725600 }];

/** Files and directories under `dir`, relative, sorted, including dotfiles. */
function listFiles(dir) {
  const out = [];
  const walk = (at) => {
    if (!fs.existsSync(at)) return;
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}

function tempDir(prefix) {
  return fs.mkdtempSync(path.join(require('node:os').tmpdir(), prefix));
}

module.exports = {
  HEADS,
  EXPIRED_XML,
  TRANSCRIPTION,
  DIARIZATION,
  CHAT,
  startServer,
  botDetails,
  completedDelivery,
  contentOf,
  sha256OfResource,
  sha256OfFile,
  listFiles,
  tempDir,
};
