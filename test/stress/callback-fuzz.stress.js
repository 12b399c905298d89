'use strict';
// Generated bad input against the callback route of a real Node-RED (the package installed from
// its tarball): every request gets the status the help text documents, nothing unauthenticated
// reaches an output, every authentic delivery reaches exactly one output (none for repeats), the
// runtime's prototypes stay clean and the process keeps running.
const assert = require('node:assert/strict');
const http = require('node:http');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const fc = require('fast-check');
const { startNodeRed, request } = require('../support/node-red');
const { startCollector } = require('../support/collector');
const deliveries = require('../fixtures/deliveries');
const { readDelivery } = require('../../lib/delivery/routing');
const { checkDelivery } = require('../../lib/delivery/validation');
const { fuzzFlow, sha256Id } = require('./support');

const CALLBACK_SECRET = 'fuzz-callback-secret';
const WEBHOOK_SECRET = deliveries.newWebhookSecret();
const OTHER_WEBHOOK_SECRET = deliveries.newWebhookSecret();
const svixSign = (secret, body, options) => deliveries.svixHeaders(body, { secret, ...options });
const LIMIT = 1024 * 1024;
const RUNS = Number(process.env.FUZZ_RUNS || 3000);

const NON_JSON_TYPES = [
  'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz', 'application/xml',
  'text/json', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'application/jsonx', 'image/png',
];
const JSON_TYPES = [undefined, 'application/json', 'application/json; charset=utf-8', 'Application/JSON; Charset="UTF-8"', 'application/cloudevents+json'];

/** Where an authentic delivery must go, by the documented rules: output index, or 'repeat'. */
function outputFor(bytes, contentType) {
  const parsed = readDelivery(bytes, contentType);
  if (parsed.kind !== 'json') return 3;
  const check = checkDelivery(parsed.value);
  // Deviations from the documented schema go to the event's output; only unusable ones to 4.
  if (!check.valid && !check.usable) return 3;
  return check.event === 'bot.completed' ? 0 : check.event === 'bot.failed' ? 1 : 2;
}

// ---- generators: each yields a case {label, method, headers, body(Buffer), auth: 'secret'|'svix'|'none'|'bad', svixId?, cls}

const nonce = () => randomUUID();
const validDelivery = fc.constantFrom('completed', 'failed', 'status').map((kind) =>
  kind === 'completed' ? deliveries.completed() : kind === 'failed' ? deliveries.failed() : deliveries.statusChange());

/** A JSON value of any type, small. */
const anyJson = fc.oneof(
  fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.string({ maxLength: 20 }),
  fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

const FIELDS = {
  completed: ['event', 'data', 'extra', 'data.bot_id', 'data.event_id', 'data.participants', 'data.speakers', 'data.duration_seconds',
    'data.joined_at', 'data.exited_at', 'data.data_deleted', 'data.video', 'data.audio', 'data.diarization', 'data.raw_transcription',
    'data.transcription', 'data.transcription_provider', 'data.transcription_ids', 'data.sent_at', 'data.participants.0',
    'data.participants.0.name', 'data.participants.0.id', 'data.speakers.0.id'],
  failed: ['event', 'data', 'extra', 'data.bot_id', 'data.event_id', 'data.error_message', 'data.error_code', 'data.sent_at'],
};

function setPath(object, dotted, value) {
  const keys = dotted.split('.');
  let at = object;
  for (const key of keys.slice(0, -1)) at = at[key];
  at[keys[keys.length - 1]] = value;
}

const bodyCases = fc.oneof(
  // truncated JSON: a valid delivery cut short
  fc.tuple(validDelivery, fc.double({ min: 0, max: 0.999, noNaN: true })).map(([d, at]) => {
    // The nonce first, and always kept, so that each truncated body is a new delivery.
    const text = JSON.stringify({ nonce: nonce(), ...d });
    const keep = 48;
    return { cls: 'truncated', text: text.slice(0, keep + Math.floor((text.length - keep) * at)) };
  }),
  // malformed: random text, random bytes (not UTF-8 often), with a nonce so that each is new
  fc.string({ maxLength: 200 }).map((s) => ({ cls: 'random-text', text: `${s}\u0000${nonce()}` })),
  fc.uint8Array({ maxLength: 300 }).map((a) => ({ cls: 'random-bytes', bytes: Buffer.concat([Buffer.from(a), Buffer.from(nonce())]) })),
  // latin1 bytes declared (or not) as UTF-8
  validDelivery.map((d) => {
    d.data.error_message = `Réunion annulée ${nonce()}`;
    return { cls: 'latin1', bytes: Buffer.from(JSON.stringify(d), 'latin1') };
  }),
  // a BOM in front of valid JSON
  validDelivery.map((d) => ({ cls: 'bom', bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ ...d, nonce: nonce() }))]) })),
  // huge strings: around the 1 MiB limit
  fc.tuple(validDelivery, fc.integer({ min: 100 * 1024, max: 1400 * 1024 })).map(([d, size]) => {
    d.extra = { notes: 'x'.repeat(size), nonce: nonce() };
    return { cls: 'huge', text: JSON.stringify(d) };
  }),
  // deep nesting, in extra (free-form) or in a typed field
  fc.tuple(validDelivery, fc.integer({ min: 100, max: 20000 }), fc.constantFrom('extra', 'data.participants', 'data.bot_id')).map(([d, depth, where]) => {
    const marker = `"@@DEEP-${nonce()}@@"`;
    setPath(d, where, '@@DEEP@@');
    const deep = '['.repeat(depth) + marker + ']'.repeat(depth);
    return { cls: `deep-${where}`, text: JSON.stringify(d).replace('"@@DEEP@@"', deep) };
  }),
  // __proto__ / constructor keys at several places, as raw JSON text
  fc.tuple(validDelivery, fc.constantFrom('top', 'data', 'extra', 'participant'), fc.constantFrom('__proto__', 'constructor', 'prototype')).map(([d, where, key]) => {
    const evil = key === 'constructor' ? '{"prototype":{"polluted":"yes"}}' : '{"polluted":"yes","toString":"no"}';
    let text = JSON.stringify({ ...d, nonce: nonce() });
    if (where === 'top') text = `{"${key}":${evil},${text.slice(1)}`;
    if (where === 'data') text = text.replace('"data":{', `"data":{"${key}":${evil},`);
    if (where === 'extra') text = text.replace(/"extra":(null|\{[^}]*\})/, `"extra":{"${key}":${evil}}`);
    if (where === 'participant') text = text.replace('"participants":[', `"participants":[{"${key}":${evil}},`);
    return { cls: `proto-${where}`, text };
  }),
  // a wrong type in one field
  fc.tuple(fc.constantFrom('completed', 'failed'), fc.nat(), anyJson).map(([kind, pick, value]) => {
    const d = kind === 'completed' ? deliveries.completed() : deliveries.failed();
    const fields = FIELDS[kind];
    const field = fields[pick % fields.length];
    setPath(d, field, value);
    d.nonce = nonce();
    return { cls: `type-${field}`, text: JSON.stringify(d) };
  }),
  // unknown events
  fc.tuple(fc.string({ minLength: 1, maxLength: 30 }), fc.boolean()).map(([event, withData]) => ({
    cls: 'unknown-event',
    text: JSON.stringify({ event: `x.${event}`, data: withData ? { bot_id: nonce() } : nonce(), extra: null }),
  })),
  // a valid delivery, to mix authentic ones in
  validDelivery.map((d) => ({ cls: 'valid', text: JSON.stringify({ ...d, nonce: nonce() }) })),
);

const contentTypes = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...JSON_TYPES) }, { weight: 1, arbitrary: fc.constantFrom(...NON_JSON_TYPES) });

const authCases = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ auth: 'secret' }) },
  { weight: 2, arbitrary: fc.constant({ auth: 'svix' }) },
  { weight: 1, arbitrary: fc.integer({ min: -240, max: 240 }).map((skew) => ({ auth: 'svix', skew })) },
  { weight: 1, arbitrary: fc.constant({ auth: 'svix-rotation' }) },
  { weight: 1, arbitrary: fc.constant({ auth: 'none' }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((s) => ({ auth: 'wrong-secret', value: s.replace(/[^\x21-\x7e]/g, 'a') || 'a' })) },
  { weight: 1, arbitrary: fc.constant({ auth: 'duplicate-secret' }) },
  { weight: 1, arbitrary: fc.constant({ auth: 'svix-wrong-key' }) },
  { weight: 1, arbitrary: fc.constant({ auth: 'svix-other-body' }) },
  { weight: 1, arbitrary: fc.constant({ auth: 'svix-duplicate-id' }) },
  { weight: 1, arbitrary: fc.constant({ auth: 'svix-partial' }) },
  { weight: 1, arbitrary: fc.integer({ min: 301, max: 30 * 24 * 3600 }).map((s) => ({ auth: 'svix-stale', skew: -s })) },
  { weight: 1, arbitrary: fc.integer({ min: 301, max: 30 * 24 * 3600 }).map((s) => ({ auth: 'svix-future', skew: s })) },
  // Header mixes: the Standard Webhooks names, one set beside a part of the other, a signature beside a secret.
  { weight: 1, arbitrary: fc.constant({ auth: 'webhook-names' }) },
  { weight: 1, arbitrary: fc.constantFrom('svix-id', 'svix-id+timestamp', 'svix-signature').map((extra) => ({ auth: 'webhook-names-plus-svix', extra })) },
  { weight: 1, arbitrary: fc.constant({ auth: 'svix-and-wrong-secret' }) },
  { weight: 1, arbitrary: fc.constant({ auth: 'secret-and-partial-svix' }) },
  { weight: 1, arbitrary: fc.constant({ auth: 'svix-forged-beside-genuine-webhook' }) },
);

// The forms a request target can take that reach the route: express reads them all as its path.
const targets = fc.oneof(
  { weight: 6, arbitrary: fc.constant('plain') },
  { weight: 1, arbitrary: fc.constantFrom('fragment', 'absolute', 'absolute-fragment', 'upper-case', 'trailing-slash', 'query') },
);

function targetPath(form, port) {
  switch (form) {
    case 'plain': return '/mb/fuzz';
    case 'fragment': return `/mb/fuzz#${nonce()}`;
    case 'absolute': return `http://127.0.0.1:${port}/mb/fuzz`;
    case 'absolute-fragment': return `http://127.0.0.1:${port}/mb/fuzz?x=1#y`;
    case 'upper-case': return '/MB/Fuzz';
    case 'trailing-slash': return '/mb/fuzz/';
    case 'query': return `/mb/fuzz?n=${nonce()}`;
    default: throw new Error(form);
  }
}

/** A request whose target is sent exactly as given (a URL given to a client would be normalised). */
function requestTarget(port, target, { method, headers, body }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: target, method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    // A request the node never answers fails here rather than at the suite's timeout.
    req.setTimeout(30000, () => req.destroy(new Error(`no answer within 30 s to ${method} ${target}`)));
    req.on('error', reject);
    req.end(body);
  });
}

const methods = fc.oneof({ weight: 12, arbitrary: fc.constant('POST') }, { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH') });

/** Builds the request and what must happen. */
function build(bodyCase, contentType, authCase, method) {
  const bytes = bodyCase.bytes || Buffer.from(bodyCase.text, 'utf8');
  // With a Content-Length, as Meeting BaaS sends (Node's own parser answers 400 to a chunked GET before any app runs).
  const headers = { 'content-length': String(bytes.length) };
  if (contentType !== undefined) headers['content-type'] = contentType;
  let authentic = false;
  let svixId = null;
  const svixNow = (secret, signedBody = bytes, skew = 0) => {
    svixId = `msg_${nonce()}`;
    return svixSign(secret, signedBody.toString('utf8') === bytes.toString('utf8') ? bytes.toString('utf8') : signedBody.toString('utf8'), { id: svixId, at: new Date(Date.now() + skew * 1000) });
  };
  const utf8Exact = Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
  switch (authCase.auth) {
    case 'secret':
      headers['x-mb-secret'] = CALLBACK_SECRET;
      authentic = true;
      break;
    case 'svix':
      // The Standard Webhooks library signs a string: only bodies that are valid UTF-8 can be signed byte-exact.
      if (!utf8Exact) {
        headers['x-mb-secret'] = CALLBACK_SECRET;
        authentic = true;
        break;
      }
      Object.assign(headers, svixNow(WEBHOOK_SECRET, bytes, authCase.skew || 0));
      authentic = true;
      break;
    case 'svix-rotation': {
      if (!utf8Exact) {
        headers['x-mb-secret'] = CALLBACK_SECRET;
        authentic = true;
        break;
      }
      const good = svixNow(WEBHOOK_SECRET);
      const old = svixSign(OTHER_WEBHOOK_SECRET, bytes.toString('utf8'), { id: svixId, at: new Date(Number(good['svix-timestamp']) * 1000) });
      Object.assign(headers, good, { 'svix-signature': `${old['svix-signature']} ${good['svix-signature']}` });
      authentic = true;
      break;
    }
    case 'none':
      break;
    case 'wrong-secret':
      headers['x-mb-secret'] = authCase.value === CALLBACK_SECRET ? `${authCase.value}x` : authCase.value;
      break;
    case 'duplicate-secret':
      headers['x-mb-secret'] = [CALLBACK_SECRET, CALLBACK_SECRET];
      break;
    case 'svix-wrong-key':
      Object.assign(headers, svixNow(OTHER_WEBHOOK_SECRET));
      break;
    case 'svix-other-body':
      Object.assign(headers, svixNow(WEBHOOK_SECRET, Buffer.concat([bytes, Buffer.from(' ')])));
      break;
    case 'svix-duplicate-id': {
      const signed = svixNow(WEBHOOK_SECRET);
      Object.assign(headers, signed, { 'svix-id': [signed['svix-id'], `msg_${nonce()}`] });
      break;
    }
    case 'svix-partial': {
      const signed = svixNow(WEBHOOK_SECRET);
      delete signed['svix-timestamp'];
      Object.assign(headers, signed);
      break;
    }
    case 'svix-stale':
    case 'svix-future':
      Object.assign(headers, svixNow(WEBHOOK_SECRET, bytes, authCase.skew));
      break;
    case 'webhook-names':
    case 'webhook-names-plus-svix': {
      if (!utf8Exact) {
        headers['x-mb-secret'] = CALLBACK_SECRET;
        authentic = true;
        break;
      }
      const signed = svixNow(WEBHOOK_SECRET);
      Object.assign(headers, { 'webhook-id': signed['svix-id'], 'webhook-timestamp': signed['svix-timestamp'], 'webhook-signature': signed['svix-signature'] });
      // An incomplete svix-* set beside it is not what is verified, so its id must not be the delivery's.
      if (authCase.extra === 'svix-id') headers['svix-id'] = `msg_${nonce()}`;
      if (authCase.extra === 'svix-id+timestamp') Object.assign(headers, { 'svix-id': `msg_${nonce()}`, 'svix-timestamp': signed['svix-timestamp'] });
      if (authCase.extra === 'svix-signature') headers['svix-signature'] = signed['svix-signature'];
      authentic = true;
      break;
    }
    case 'svix-and-wrong-secret':
      if (!utf8Exact) break; // only the wrong secret remains: refused
      Object.assign(headers, svixNow(WEBHOOK_SECRET), { 'x-mb-secret': 'not-the-secret' });
      authentic = true;
      break;
    case 'secret-and-partial-svix': {
      const signed = svixNow(WEBHOOK_SECRET);
      delete signed['svix-signature'];
      Object.assign(headers, signed, { 'x-mb-secret': CALLBACK_SECRET });
      svixId = null; // verified by the secret: the body identifies it
      authentic = true;
      break;
    }
    case 'svix-forged-beside-genuine-webhook': {
      const signed = svixNow(WEBHOOK_SECRET);
      Object.assign(headers, { 'webhook-id': signed['svix-id'], 'webhook-timestamp': signed['svix-timestamp'], 'webhook-signature': signed['svix-signature'] });
      Object.assign(headers, svixNow(OTHER_WEBHOOK_SECRET));
      break;
    }
    default:
      throw new Error(authCase.auth);
  }
  if (!authentic) svixId = null;
  // Refused from the headers alone, before the body: no credentials the account can check, or a wrong secret.
  const refusedBeforeBody = ['none', 'wrong-secret', 'duplicate-secret', 'svix-partial'].includes(authCase.auth)
    || (authCase.auth === 'svix-and-wrong-secret' && !authentic);
  // The documented order: 405 wrong method, 401 decided by the headers, 413 over the limit, 401 not authentic, then 415 / 200.
  let status;
  let output = null;
  let deliveryId = null;
  if (method !== 'POST') status = 405;
  else if (refusedBeforeBody) status = 401;
  else if (bytes.length > LIMIT) status = 413;
  else if (!authentic) status = 401;
  else {
    deliveryId = svixId ? `svix:${svixId}` : sha256Id(bytes);
    output = outputFor(bytes, contentType);
    status = contentType !== undefined && NON_JSON_TYPES.includes(contentType) ? 415 : 200;
  }
  return { label: `${bodyCase.cls} / ${authCase.auth} / ${contentType} / ${method}`, cls: bodyCase.cls, method, headers, bytes, status, output, deliveryId };
}

describe('callback in under generated bad input, in a real Node-RED', function () {
  this.timeout(600000);
  let nodeRed;
  let collector;
  let baseline;

  const pollution = async () => JSON.parse((await request(nodeRed.nodeUrl('/probe/pollution'))).text);
  const heapUsed = async () => {
    const probe = JSON.parse((await request(nodeRed.nodeUrl('/probe/heap'))).text);
    assert.ok(probe.gc, 'the probe could run the garbage collector (--expose-gc)');
    return probe.heapUsed;
  };

  before(async () => {
    collector = await startCollector();
    // --expose-gc for the Node-RED process only, so the probe can measure the heap after a full GC.
    const previous = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = `${previous || ''} --expose-gc`.trim();
    try {
      nodeRed = await startNodeRed({ nodesDir: path.join(__dirname, '..', 'support', 'probe') });
    } finally {
      if (previous === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = previous;
    }
    await nodeRed.deploy(fuzzFlow({ collectorUrl: collector.url, account: { callbackSecret: CALLBACK_SECRET, webhookSecret: WEBHOOK_SECRET } }));
    baseline = await pollution();
  });

  after(async () => {
    if (nodeRed) await nodeRed.stop();
    if (collector) await collector.close();
  });

  it('the probe would see prototype pollution (checked against a deliberate one)', async () => {
    // A function node that pollutes the runtime's Object.prototype through a message's prototype chain,
    // then cleans up: the probe must report it while it is there.
    const flows = fuzzFlow({ collectorUrl: collector.url, account: { callbackSecret: CALLBACK_SECRET, webhookSecret: WEBHOOK_SECRET } });
    flows.push(
      { id: 'evil-in', type: 'http in', z: 'tab1', url: '/probe/evil', method: 'get', wires: [['evil-fn']] },
      { id: 'evil-fn', type: 'function', z: 'tab1', outputs: 1, wires: [['probe-out']],
        func: 'const p = Object.getPrototypeOf(msg); if (msg.req.query.undo) delete p.polluted; else p.polluted = "yes"; msg.payload = "ok"; return msg;' },
    );
    await nodeRed.deploy(flows);
    await request(nodeRed.nodeUrl('/probe/evil'));
    const dirty = await pollution();
    assert.ok(dirty.object.includes('polluted'), 'the probe sees a polluted Object.prototype');
    await request(nodeRed.nodeUrl('/probe/evil?undo=1'));
    assert.deepEqual(await pollution(), baseline);
    await nodeRed.deploy(fuzzFlow({ collectorUrl: collector.url, account: { callbackSecret: CALLBACK_SECRET, webhookSecret: WEBHOOK_SECRET } }));
  });

  it(`answers ${RUNS} generated requests as documented, routes authentic ones exactly once, leaks nothing`, async () => {
    collector.clear();
    const heapBefore = await heapUsed();
    const expected = new Map(); // deliveryId → case
    const counts = {};
    const replays = [];
    await fc.assert(
      fc.asyncProperty(bodyCases, contentTypes, authCases, methods, targets, fc.boolean(), async (bodyCase, contentType, authCase, method, form, replay) => {
        const c = build(bodyCase, contentType, authCase, method);
        c.label += ` / ${form}`;
        // The same authentic bytes generated twice (it happens with short random bodies) is a repeat.
        const repeat = c.deliveryId !== null && expected.has(c.deliveryId);
        if (repeat) c.status = 200;
        const res = await requestTarget(nodeRed.port, targetPath(form, nodeRed.port), { method: c.method, headers: c.headers, body: c.bytes });
        counts[`${c.status}`] = (counts[`${c.status}`] || 0) + 1;
        assert.equal(res.status, c.status, `${c.label}: ${res.text.slice(0, 200)}`);
        assert.ok(!res.text.includes(CALLBACK_SECRET), 'the secret is never echoed');
        if (c.status === 405) assert.equal(res.headers.allow, 'POST');
        if (repeat) assert.deepEqual(JSON.parse(res.text), { received: true, duplicate: true });
        else if (c.deliveryId) {
          expected.set(c.deliveryId, c);
          if (replay) replays.push(c);
        }
      }),
      { numRuns: RUNS, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined, verbose: 1 },
    );
    // Repeats: the same request again is acknowledged 2xx as a duplicate and goes nowhere.
    for (const c of replays) {
      const res = await request(nodeRed.nodeUrl('/mb/fuzz'), { method: c.method, headers: c.headers, body: c.bytes });
      assert.equal(res.status, 200, `repeat of ${c.label}`);
      assert.deepEqual(JSON.parse(res.text), { received: true, duplicate: true });
    }

    // Every authentic delivery arrives at exactly its output; then a sentinel, after which nothing else may have come.
    const ids = [...expected.keys()];
    await collector.waitFor((r) => expected.has(r.deliveryId), ids.length, 60000);
    const sentinel = deliveries.failed();
    assert.equal((await request(nodeRed.nodeUrl('/mb/fuzz'), { method: 'POST', headers: { 'content-type': 'application/json', 'x-mb-secret': CALLBACK_SECRET }, body: JSON.stringify(sentinel) })).status, 200);
    const sentinelId = sha256Id(Buffer.from(JSON.stringify(sentinel)));
    await collector.waitFor((r) => r.deliveryId === sentinelId);
    const byId = new Map();
    for (const report of collector.received) {
      if (report.deliveryId === sentinelId) continue;
      assert.ok(expected.has(report.deliveryId), `an output carried a delivery that was not authentic or unknown: ${JSON.stringify(report)}`);
      assert.ok(!byId.has(report.deliveryId), `sent twice: ${expected.get(report.deliveryId).label}`);
      byId.set(report.deliveryId, report);
    }
    for (const [id, c] of expected) {
      const report = byId.get(id);
      assert.equal(report.output, c.output, `${c.label} went to output ${report.output + 1}`);
      assert.equal(report.verifiedBy, id.startsWith('svix:') ? 'svix' : 'secret');
      assert.deepEqual(report.keys.sort(), ['_msgid', 'meetingbaas', 'payload', 'topic']);
    }

    // Memory: what stays is the repeat filter's entry per authentic delivery (a few hundred bytes
    // each, by design); bodies of up to 1 MiB, deep nesting and rejected requests must leave nothing.
    const heapGrowth = (await heapUsed()) - heapBefore;
    const allowed = 8 * 1024 * 1024 + expected.size * 2048;
    assert.ok(heapGrowth < allowed, `heap grew by ${(heapGrowth / 1048576).toFixed(1)} MiB over ${RUNS} requests (allowed ${(allowed / 1048576).toFixed(1)} MiB)`);

    // No pollution, and the runtime still answers and logged no crash.
    assert.deepEqual(await pollution(), baseline);
    assert.doesNotMatch(nodeRed.log, /uncaught|unhandled|RangeError|Maximum call stack/i);
    const classes = [...new Set([...expected.values()].map((c) => c.cls.replace(/^type-.*/, 'type')))].sort();
    console.log(`      statuses ${JSON.stringify(counts)}, ${expected.size} authentic, ${replays.length} repeats, heap ${(heapGrowth / 1048576).toFixed(1)} MiB, classes: ${classes.join(' ')}`);
    for (const status of ['200', '401', '405', '413', '415']) assert.ok(counts[status] > 0, `no request was answered ${status}: the generators lost a case`);
  });
});
