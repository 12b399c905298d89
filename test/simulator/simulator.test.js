// The offline simulator must produce what Meeting BaaS produces: deliveries valid against the
// schemas, signatures the callback node accepts, and artifacts that are real files.
const assert = require('node:assert/strict');
const { once } = require('node:events');
const { createServer } = require('node:http');
const { randomUUID } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const simulator = require('../../simulator');
const { checkDelivery } = require('../../lib/delivery/validation');
const { validateBotDetails } = require('../../lib/schemas/documented');
const { DeliveryAuthenticator } = require('../../lib/delivery/authentication');

const assets = join(__dirname, '..', '..', 'simulator-assets');
const script = JSON.parse(readFileSync(join(assets, 'meeting-script.json'), 'utf8'));
const openapi = JSON.parse(readFileSync(join(assets, 'meetingbaas-openapi.json'), 'utf8'));
/** The fields of GET /v2/bots/{id} that the simulator's OpenAPI extract describes as signed URLs, in its order. */
const DOCUMENTED_LINKS = Object.entries(openapi.components.schemas.GetBotDetailsResponse.properties.data.properties)
  .filter(([, schema]) => /^Signed URL/.test(schema.description ?? ''))
  .map(([name]) => name);

/** Node's own header object, lower-cased, as the callback node sees it. */
function asIncoming(headers) {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

describe('simulator deliveries', function () {
  const meeting = simulator.loadSampleMeeting();
  const urls = simulator.signedArtifactUrls('http://127.0.0.1:1881', randomUUID());

  it('makes a bot.completed that is valid and documented, with signed URLs and audio_only video', function () {
    const botId = randomUUID();
    const delivery = simulator.completedDelivery(meeting.script, urls, { botId });
    assert.deepEqual(checkDelivery(delivery), { valid: true, event: 'bot.completed', documented: true });
    assert.equal(delivery.data.bot_id, botId);
    assert.equal(delivery.data.video, null);
    for (const name of ['audio', 'transcription', 'raw_transcription', 'diarization', 'chat_messages']) {
      const url = new URL(delivery.data[name]);
      assert.equal(url.origin, 'http://127.0.0.1:1881', name);
      assert.equal(url.searchParams.get('X-Amz-Expires'), '14400', name);
      assert.match(url.searchParams.get('X-Amz-Signature'), /^[0-9a-f]{64}$/, name);
    }
    assert.deepEqual(
      delivery.data.speakers.map((s) => s.name),
      script.speakers.map((s) => s.name),
    );
    assert.equal(delivery.data.duration_seconds, Math.ceil(script.duration));
    assert.ok(new Date(delivery.data.joined_at) < new Date(delivery.data.exited_at));
  });

  it('names the artifact links of a bot as its OpenAPI extract documents them, in its order', function () {
    assert.equal(DOCUMENTED_LINKS.length, 6, DOCUMENTED_LINKS.join());
    assert.deepEqual(simulator.ARTIFACT_NAMES, DOCUMENTED_LINKS);
  });

  it('puts the same artifact links, in the documented order, in a bot.completed and in the bot details', function () {
    const botId = randomUUID();
    const linksIn = (data) => Object.entries(data).filter(([name]) => DOCUMENTED_LINKS.includes(name));
    const expected = DOCUMENTED_LINKS.map((name) => [name, urls[name]]);
    assert.deepEqual(linksIn(simulator.completedDelivery(meeting.script, urls, { botId }).data), expected);
    assert.deepEqual(linksIn(simulator.botDetailsResponse(meeting.script, botId, urls).data), expected);
  });

  it('makes a bot.failed for every documented error code, with a message', function () {
    for (const [code, message] of Object.entries(simulator.FAILURES)) {
      const delivery = simulator.failedDelivery({ errorCode: code });
      assert.deepEqual(checkDelivery(delivery), { valid: true, event: 'bot.failed', documented: true }, code);
      assert.equal(delivery.data.error_code, code);
      assert.equal(delivery.data.error_message, message);
    }
    assert.equal(simulator.failedDelivery().data.error_code, simulator.DEFAULT_FAILURE);
  });

  it('makes bot.status_change deliveries with the fields each status documents', function () {
    const recording = simulator.statusChangeDelivery();
    assert.deepEqual(checkDelivery(recording), { valid: true, event: 'bot.status_change', documented: true });
    assert.equal(typeof recording.data.status.start_time, 'number');
    const failed = simulator.statusChangeDelivery({ code: 'recording_failed' });
    assert.equal(checkDelivery(failed).valid, true);
    assert.equal(typeof failed.data.status.error_message, 'string');
  });

  it('makes an invalid delivery, as the documentation example is, that the validator refuses field by field', function () {
    const check = checkDelivery(simulator.invalidDelivery(meeting.script, urls));
    assert.equal(check.valid, false);
    assert.deepEqual([...new Set(check.errors.map((e) => e.field))].sort(), ['data.bot_id', 'data.sent_at']);
  });

  it('is checked by a validator that does reject a broken delivery', function () {
    const delivery = simulator.completedDelivery(meeting.script, urls);
    delivery.data.bot_id = 'examplebot_id';
    delete delivery.data.sent_at;
    const check = checkDelivery(delivery);
    assert.equal(check.valid, false);
    const fields = check.errors.map((e) => e.field);
    assert.ok(fields.includes('data.bot_id') && fields.includes('data.sent_at'), JSON.stringify(check.errors));
  });
});

describe('simulator signing', function () {
  const body = JSON.stringify(simulator.failedDelivery());

  it('sends the callback secret as x-mb-secret, which the callback node accepts', function () {
    const headers = asIncoming(simulator.deliveryHeaders(body, { kind: 'secret', secret: 's3cret' }));
    assert.equal(headers['x-mb-secret'], 's3cret');
    assert.equal(headers['content-type'], 'application/json');
    const ok = new DeliveryAuthenticator({ callbackSecret: 's3cret' }).authenticate(headers, Buffer.from(body));
    assert.deepEqual(ok, { ok: true, verifiedBy: 'secret' });
    const wrong = new DeliveryAuthenticator({ callbackSecret: 'other' }).authenticate(headers, Buffer.from(body));
    assert.deepEqual(wrong, { ok: false, reason: 'bad-secret' });
  });

  it('signs Svix headers that verify with the account secret, and only for these bytes and that secret', function () {
    const secret = simulator.newWebhookSecret();
    assert.match(secret, /^whsec_[A-Za-z0-9+/]+=*$/);
    const headers = asIncoming(simulator.deliveryHeaders(body, { kind: 'webhook', secret }));
    assert.match(headers['svix-id'], /^msg_[A-Za-z0-9_-]{27}$/);
    assert.match(headers['svix-signature'], /^v1,[A-Za-z0-9+/]+=*$/);
    assert.equal(headers['x-mb-secret'], undefined);
    const authenticator = new DeliveryAuthenticator({ webhookSecret: secret });
    assert.deepEqual(authenticator.authenticate(headers, Buffer.from(body)), { ok: true, verifiedBy: 'svix', messageId: headers['svix-id'] });
    assert.deepEqual(authenticator.authenticate(headers, Buffer.from(`${body} `)), { ok: false, reason: 'bad-signature' });
    const stranger = new DeliveryAuthenticator({ webhookSecret: simulator.newWebhookSecret() });
    assert.deepEqual(stranger.authenticate(headers, Buffer.from(body)), { ok: false, reason: 'bad-signature' });
  });

  it('can sign with an old timestamp, which the 5 minute tolerance refuses', function () {
    const secret = simulator.DEMO_WEBHOOK_SECRET;
    const timestamp = new Date(Date.now() - 10 * 60 * 1000);
    const headers = asIncoming(simulator.deliveryHeaders(body, { kind: 'webhook', secret }, { timestamp }));
    const result = new DeliveryAuthenticator({ webhookSecret: secret }).authenticate(headers, Buffer.from(body));
    assert.deepEqual(result, { ok: false, reason: 'bad-signature' });
  });

  it('sends one delivery over HTTP with the bytes it signed', async function () {
    const received = [];
    const receiver = createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(204).end();
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    try {
      const url = `http://127.0.0.1:${receiver.address().port}/hook`;
      const secret = simulator.DEMO_WEBHOOK_SECRET;
      const delivery = simulator.statusChangeDelivery();
      const result = await simulator.sendDelivery(url, delivery, { kind: 'webhook', secret }, { method: 'PUT' });
      assert.equal(result.status, 204);
      assert.equal(received.length, 1);
      const [request] = received;
      assert.equal(request.method, 'PUT');
      assert.equal(request.body.toString(), result.body);
      assert.deepEqual(JSON.parse(request.body.toString()), delivery);
      const auth = new DeliveryAuthenticator({ webhookSecret: secret }).authenticate(request.headers, request.body);
      assert.deepEqual(auth, { ok: true, verifiedBy: 'svix', messageId: request.headers['svix-id'] });
    } finally {
      receiver.close();
    }
  });

  it('never prints the callback secret in full', function () {
    const shown = simulator.printableHeaders({ 'x-mb-secret': 'very-secret-value', 'content-type': 'application/json' });
    assert.ok(!JSON.stringify(shown).includes('very-secret-value'));
    assert.equal(shown['content-type'], 'application/json');
  });

  it('sends the user and password of a URL as basic authentication, and never prints the password', async function () {
    const received = [];
    const receiver = createServer((req, res) => {
      received.push({ url: req.url, headers: req.headers });
      req.resume().on('end', () => res.writeHead(200).end());
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    try {
      const url = `http://alice:p%40ss@127.0.0.1:${receiver.address().port}/hook`;
      const result = await simulator.sendDelivery(url, simulator.failedDelivery(), { kind: 'none' });
      assert.equal(result.status, 200);
      assert.equal(received[0].url, '/hook');
      assert.equal(received[0].headers.authorization, `Basic ${Buffer.from('alice:p@ss').toString('base64')}`);
      assert.ok(!JSON.stringify(simulator.printableHeaders(result.requestHeaders)).includes(received[0].headers.authorization.slice(6)));
      assert.equal(simulator.printableUrl(url), `http://alice:***@127.0.0.1:${receiver.address().port}/hook`);
      assert.equal(simulator.printableUrl('http://127.0.0.1/x'), 'http://127.0.0.1/x');
    } finally {
      receiver.close();
    }
  });
});

describe('simulator artifact server', function () {
  let server;
  const botId = randomUUID();
  const apiKey = 'test-api-key';

  before(async function () {
    server = await simulator.ArtifactServer.start({ apiKey });
    assert.match(server.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  });
  after(async function () {
    await server.close();
  });

  it('serves the committed FLAC file, whose length is the length of the transcript', async function () {
    const response = await fetch(server.artifactUrls(botId).audio);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'audio/flac');
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.ok(bytes.equals(readFileSync(join(assets, 'meeting.flac'))));
    assert.ok(bytes.length <= 200 * 1024, `${bytes.length} bytes`);
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'fLaC');
    // STREAMINFO: 20 bits sample rate, then channels and bits per sample, then 36 bits of sample count.
    const info = bytes.subarray(18, 26);
    const sampleRate = (info[0] << 12) | (info[1] << 4) | (info[2] >> 4);
    const samples = (info[3] & 0x0f) * 2 ** 32 + info.readUInt32BE(4);
    assert.ok(Math.abs(samples / sampleRate - script.duration) < 0.05, `${samples / sampleRate} s`);
    assert.ok(script.utterances.at(-1).end <= script.duration);
  });

  it('serves a transcript in the documented format whose utterances are the words spoken', async function () {
    const response = await fetch(server.artifactUrls(botId).transcription);
    assert.equal(response.headers.get('content-type'), 'application/json');
    const doc = await response.json();
    assert.equal(doc.bot_id, botId);
    assert.equal(doc.provider, 'gladia');
    assert.equal(doc.result.total_utterances, script.utterances.length);
    assert.deepEqual(doc.result.languages, ['en']);
    doc.result.utterances.forEach((u, i) => {
      const line = script.utterances[i];
      assert.equal(u.text, line.text);
      assert.equal(u.speaker, line.speaker);
      assert.deepEqual([u.start, u.end], [line.start, line.end]);
      assert.equal(u.words.map((w) => w.word).join(' '), line.text);
      for (const w of u.words) assert.ok(w.start >= u.start && w.end <= u.end && w.start < w.end, JSON.stringify(w));
      for (const key of ['language', 'confidence', 'channel']) assert.ok(key in u, key);
    });
    assert.ok(!Number.isNaN(Date.parse(doc.created_at)));
  });

  it('serves diarization as JSON Lines, chat messages and the raw provider result', async function () {
    const urls = server.artifactUrls(botId);
    const diarization = await fetch(urls.diarization);
    assert.equal(diarization.headers.get('content-type'), 'application/x-ndjson');
    const lines = (await diarization.text()).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => [l.speaker, l.start_time, l.end_time]),
      script.utterances.map((u) => [u.speaker, u.start, u.end]),
    );
    const chat = await fetch(urls.chat_messages);
    assert.equal(chat.headers.get('content-type'), 'application/json');
    const messages = await chat.json();
    assert.ok(messages.length > 0);
    for (const m of messages) {
      assert.deepEqual(Object.keys(m).sort(), ['message_id', 'sender_id', 'sender_name', 'text', 'timestamp']);
    }
    const raw = await (await fetch(urls.raw_transcription)).json();
    assert.equal(raw.bot_id, botId);
    assert.equal(raw.transcriptions[0].result.transcription.utterances.length, script.utterances.length);
  });

  it('answers a byte range, as a resumed download asks', async function () {
    const response = await fetch(server.artifactUrls(botId).audio, { headers: { range: 'bytes=1000-' } });
    assert.equal(response.status, 206);
    const whole = readFileSync(join(assets, 'meeting.flac'));
    assert.equal(response.headers.get('content-range'), `bytes 1000-${whole.length - 1}/${whole.length}`);
    assert.ok(Buffer.from(await response.arrayBuffer()).equals(whole.subarray(1000)));
  });

  it('answers 403 "Request has expired" XML for URLs signed more than 4 hours ago', async function () {
    const urls = simulator.expiredArtifactUrls(server.baseUrl, botId);
    const response = await fetch(urls.audio);
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('content-type'), 'application/xml');
    const text = await response.text();
    assert.match(text, /<Code>AccessDenied<\/Code>/);
    assert.match(text, /Request has expired/);
  });

  it('refuses a URL whose query was altered, so an expiry cannot be extended by hand', async function () {
    const url = new URL(simulator.expiredArtifactUrls(server.baseUrl, botId).audio);
    url.searchParams.set('X-Amz-Date', url.searchParams.get('X-Amz-Date').replace(/^\d{4}/, '2999'));
    const response = await fetch(url);
    assert.equal(response.status, 403);
    assert.match(await response.text(), /SignatureDoesNotMatch/);
  });

  it('answers GET /v2/bots/{id} in the documented shape with fresh URLs that work', async function () {
    const served = once(server, 'request');
    const response = await fetch(`${server.baseUrl}/v2/bots/${botId}`, { headers: { 'x-meeting-baas-api-key': apiKey } });
    assert.equal(response.status, 200);
    const details = await response.json();
    assert.ok(validateBotDetails(details), JSON.stringify(validateBotDetails.errors));
    assert.equal(details.data.bot_id, botId);
    assert.equal(details.data.status, 'completed');
    const [record] = await served;
    assert.deepEqual(record, { method: 'GET', path: `/v2/bots/${botId}`, status: 200, botId });
    const audio = await fetch(details.data.audio);
    assert.equal(audio.status, 200);
    assert.equal(audio.headers.get('content-type'), 'audio/flac');
  });

  it('refuses GET /v2/bots/{id} without the right API key', async function () {
    const url = `${server.baseUrl}/v2/bots/${botId}`;
    assert.equal((await fetch(url)).status, 401);
    assert.equal((await fetch(url, { headers: { 'x-meeting-baas-api-key': 'wrong' } })).status, 401);
    // With the key, an id that is no UUID is refused by the documented path parameter, as Fastify does.
    const malformed = await fetch(`${server.baseUrl}/v2/bots/not-a-bot`, { headers: { 'x-meeting-baas-api-key': apiKey } });
    assert.equal(malformed.status, 400);
    assert.match((await malformed.json()).message, /^params\/bot_id /);
  });

  it('is a validator that rejects a details answer missing its URLs', function () {
    const details = simulator.botDetailsResponse(simulator.loadSampleMeeting().script, botId, server.artifactUrls(botId));
    assert.ok(validateBotDetails(details));
    delete details.data.audio;
    assert.equal(validateBotDetails(details), false);
  });
});
