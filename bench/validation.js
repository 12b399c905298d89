'use strict';
// Validation cost per delivery, in-process: a typical delivery and the worst shapes of the
// allowed size (1 MiB by default) that this benchmark knows, each timed over many samples.
//   node bench/validation.js [--samples 40]
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');
const { arg, writeResult } = require('../test/support/bench-results');
const { completedBody } = require('./lib/bodies');

const SAMPLES = Number(arg('samples', 40));
const LIMIT = 1024 * 1024;
const BEFORE_SAMPLES = 3;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

const ms = (ns) => ns / 1e6;
function quantile(values, q) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** A bot.completed whose `data[key]` is filled with copies of `item` up to just under the limit. */
function filled(key, item, edit = () => {}) {
  const delivery = JSON.parse(completedBody(1));
  delivery.data[key] = [];
  const base = Buffer.byteLength(JSON.stringify(delivery));
  const each = Buffer.byteLength(JSON.stringify(item)) + 1;
  const count = Math.floor((LIMIT - base - 64) / each);
  delivery.data[key] = Array.from({ length: count }, () => structuredClone(item));
  edit(delivery.data[key]);
  return { delivery, note: `${count.toLocaleString('en-US')} items` };
}

function cases() {
  const list = [];
  const add = (name, make) => list.push({ name, ...make() });
  add('typical bot.completed', () => ({ delivery: JSON.parse(completedBody(1)), note: 'the ingest benchmark body' }));
  add('minimal bot.completed (event and bot_id only)', () => ({ delivery: { event: 'bot.completed', data: { bot_id: JSON.parse(completedBody(1)).data.bot_id } }, note: 'usable, ~15 deviations' }));
  add('valid participants', () => filled('participants', { name: 'Ada Lovelace', id: 1 }));
  add('malformed participants (the issue)', () => filled('participants', { name: 5, id: 'x', profile_picture: 3 }));
  add('valid participants, the last one broken', () => filled('participants', { name: 'Ada Lovelace', id: 1 }, (l) => { l[l.length - 1].id = 'x'; }));
  add('transcription_ids, the last one broken', () => filled('transcription_ids', 'a', (l) => { l[l.length - 1] = 1; }));
  add('transcription_ids, every 5,000th broken', () => filled('transcription_ids', 'a', (l) => { for (let i = 0; i < l.length; i += 5000) l[i] = 1; }));
  add('one 1 MiB link', () => {
    const delivery = JSON.parse(completedBody(1));
    delivery.data.video = `https://artifacts.example-storage.com/${'a'.repeat(LIMIT - 2000)}`;
    return { delivery, note: 'format uri on 1 MiB' };
  });
  add('extra with 60,000 keys', () => {
    const delivery = JSON.parse(completedBody(1));
    delivery.extra = Object.fromEntries(Array.from({ length: 60000 }, (_, i) => [`key${i}`, i]));
    return { delivery, note: 'open object' };
  });
  add('nested 64 levels, 1 MiB of brackets', () => {
    const delivery = JSON.parse(completedBody(1));
    let at = [];
    delivery.extra = { deep: at };
    for (let i = 0; i < 58; i += 1) { const next = []; at.push(next); at = next; }
    const count = Math.floor((LIMIT - 2000) / 3);
    for (let i = 0; i < count; i += 1) at.push([]);
    return { delivery, note: 'the depth scan\'s worst case that still parses' };
  });
  add('nested 100,000 deep', () => ({ text: `{"event":"bot.completed","data":{"bot_id":"x","extra":${'['.repeat(100000)}${']'.repeat(100000)}}}`, note: 'refused before parsing' }));
  return list;
}

/** The validator as it was before the bound: one AJV with allErrors on the whole documented schema. */
function validatorBefore() {
  const Ajv2020 = require('ajv/dist/2020').default;
  const addFormats = require('ajv-formats').default;
  const { readableErrors } = require('../lib/schemas/documented');
  const { schemas } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'schemas', 'meetingbaas-v2.json'), 'utf8'));
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
  addFormats(ajv, ['uuid', 'date-time', 'uri']);
  const validate = ajv.compile(schemas.CallbackCompleted);
  return (value) => (validate(value) ? [] : readableErrors(validate.errors || []));
}

function timeOnce(fn) {
  gc();
  const start = process.hrtime.bigint();
  const result = fn();
  return { ns: Number(process.hrtime.bigint() - start), result };
}

async function main() {
  const { readDelivery, routeDelivery, nestingExceeds, MAX_JSON_DEPTH } = require('../lib/delivery/routing');
  const { checkDelivery } = require('../lib/delivery/validation');
  const before = validatorBefore();
  const context = { deliveryId: 'sha256:bench', verifiedBy: 'secret', receivedAt: new Date() };
  // The old validator runs only a few times on the big bodies (a second each): warm its code up first.
  const typical = JSON.parse(completedBody(2));
  for (let i = 0; i < 20000; i += 1) before(typical);
  const results = [];
  for (const c of cases()) {
    const text = c.text || JSON.stringify(c.delivery);
    const bytes = Buffer.from(text);
    if (bytes.length > LIMIT) throw new Error(`${c.name}: ${bytes.length} bytes, over the limit`);
    const read = [];
    const scan = [];
    const check = [];
    let routed = null;
    for (let i = 0; i < SAMPLES + 5; i += 1) {
      const d = timeOnce(() => nestingExceeds(bytes, MAX_JSON_DEPTH));
      const r = timeOnce(() => readDelivery(bytes, 'application/json'));
      const body = r.result;
      const value = body.kind === 'json' ? body.value : null;
      const k = body.kind === 'json' ? timeOnce(() => checkDelivery(value)) : { ns: 0 };
      if (i >= 5) { read.push(r.ns); scan.push(d.ns); check.push(k.ns); }
      routed = routeDelivery(body, context);
    }
    const info = routed.message.meetingbaas;
    const listed = info.invalid ? info.invalid.errors : info.deviations || [];
    let beforeMs = null;
    let beforeErrors = null;
    if (c.delivery && c.delivery.event === 'bot.completed') {
      const samples = [];
      for (let i = 0; i < BEFORE_SAMPLES; i += 1) {
        const value = JSON.parse(text);
        const t = timeOnce(() => before(value));
        samples.push(t.ns);
        beforeErrors = t.result.length;
      }
      beforeMs = ms(quantile(samples, 0.5));
    }
    const row = {
      name: c.name,
      note: c.note,
      bytes: bytes.length,
      output: routed.output + 1,
      reason: info.invalid ? info.invalid.reason : null,
      listed: listed.length,
      count: info.invalid ? info.invalid.errorCount : info.deviationCount || 0,
      countIsMinimum: info.invalid ? info.invalid.errorCountIsMinimum : Boolean(info.deviationCountIsMinimum),
      readMedianMs: ms(quantile(read, 0.5)),
      scanMedianMs: ms(quantile(scan, 0.5)),
      checkMedianMs: ms(quantile(check, 0.5)),
      checkP95Ms: ms(quantile(check, 0.95)),
      checkMaxMs: ms(Math.max(...check)),
      beforeMs,
      beforeErrors,
    };
    results.push(row);
    console.log(`${c.name.padEnd(46)} ${(bytes.length / 1024).toFixed(0).padStart(5)} KiB  check median ${row.checkMedianMs.toFixed(2)} ms, max ${row.checkMaxMs.toFixed(2)} ms; read ${row.readMedianMs.toFixed(2)} ms; output ${row.output}${beforeMs !== null ? `; before ${beforeMs.toFixed(1)} ms, ${beforeErrors} errors` : ''}`);
  }
  writeResult('validation', {
    date: new Date().toISOString(),
    versions: { node: process.version, ajv: require('ajv/package.json').version },
    // Other work on the machine stretches every figure; the load says by how much to distrust them.
    loadAverage: os.loadavg()[0],
    samples: SAMPLES,
    limit: LIMIT,
    cases: results,
  });
}

module.exports = { main };
if (require.main === module) main().catch((error) => { console.error(error); process.exit(1); });
