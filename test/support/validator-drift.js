'use strict';
// Run in a process of its own (test/generated-validators.test.js): loads the modules that ask for
// validators with recording on, then puts each generated validator and the same schema compiled by
// AJV now to the same values, and prints every disagreement as JSON.
const compiled = require('../../lib/schemas/compiled');
compiled.startRecording();
require('../../lib/delivery/validation');
require('../../lib/api/answers');
require('../../lib/api/requests');
const { completed, failed, statusChange, seedCompleted, seedCompletedMadeValid } = require('../fixtures/deliveries');

const url = 'https://artifacts.example.com/a.mp4';
const urls = { video: url, audio: url, transcription: url, raw_transcription: url, diarization: url };
const seeds = [
  completed(), failed(), statusChange(), statusChange('joining_call'), seedCompleted, seedCompletedMadeValid(),
  completed({ urls: { ...urls, chat_messages: url }, extra: { customer_meeting_id: 'weekly-planning-42' } }),
  failed({ extra: { customer_meeting_id: 'weekly-planning-42' }, data: { error_code: 'BOT_NOT_ACCEPTED' } }),
  statusChange('recording_failed', { status: { start_time: undefined, error_message: 'The recorder stopped.' } }),
  { success: true, data: { bot_id: '7f3c2a9e-8b1d-4c5e-9f0a-1b2c3d4e5f60', status: 'completed', video: url, artifacts_deleted: false } },
  { success: true, data: [{ bot_id: '7f3c2a9e-8b1d-4c5e-9f0a-1b2c3d4e5f60', ended_at: '2026-11-27T09:30:35Z', url }], next_cursor: null, cursor: 'abc' },
  { bot_name: 'Notetaker', meeting_url: 'https://meet.google.com/abc-defg-hij', recording_mode: 'speaker_view' },
  { limit: 10, cursor: 'x', status: 'completed' },
];

/**
 * Each seed and each of its parts, and each of those with one field (at any depth) changed to a
 * value of another type or left out.
 */
function values() {
  const out = [];
  const odd = [null, 7, -1.5, '', 'not a uuid or a date', true, [], {}, 'https://x', '2026-13-45T99:00:00Z', '2026-02-30T10:00:00Z', 'ftp://a b', 'http://a/%zz'];
  const changed = (value, path, replacement) => {
    if (path.length === 0) return replacement;
    const [key, ...rest] = path;
    const copy = Array.isArray(value) ? [...value] : { ...value };
    if (replacement === undefined && rest.length === 0 && !Array.isArray(value)) delete copy[key];
    else copy[key] = changed(value[key], rest, replacement);
    return copy;
  };
  const paths = (value, path, found) => {
    if (path.length > 0) found.push(path);
    if (path.length > 6 || value === null || typeof value !== 'object') return found;
    const entries = Array.isArray(value) ? value.slice(0, 3).map((v, i) => [i, v]) : Object.entries(value);
    for (const [key, sub] of entries) paths(sub, [...path, key], found);
    return found;
  };
  const parts = (value, found) => {
    found.push(value);
    if (value !== null && typeof value === 'object') for (const sub of Object.values(value)) parts(sub, found);
    return found;
  };
  for (const seed of seeds) {
    for (const part of parts(JSON.parse(JSON.stringify(seed)), [])) {
      out.push(part);
      for (const path of paths(part, [], [])) for (const replacement of [...odd, undefined]) out.push(changed(part, path, replacement));
    }
  }
  return out;
}

const all = values();
const recorded = compiled.recorded();
const problems = [];
let checks = 0;
for (const { flavour, key, schema } of recorded) {
  const generated = require(`../../lib/generated/validators-${flavour}.js`)[key];
  if (typeof generated !== 'function') {
    problems.push({ key, flavour, problem: 'not generated' });
    continue;
  }
  const atRunTime = compiled.ajvOf(flavour).compile(schema);
  for (const value of all) {
    checks += 1;
    const a = generated(value);
    const b = atRunTime(value);
    const ea = JSON.stringify(generated.errors ?? null);
    const eb = JSON.stringify(atRunTime.errors ?? null);
    if (a !== b || ea !== eb) {
      problems.push({ key, flavour, value: JSON.stringify(value).slice(0, 200), generated: [a, ea.slice(0, 300)], atRunTime: [b, eb.slice(0, 300)] });
      break;
    }
  }
}
process.stdout.write(JSON.stringify({ validators: recorded.length, values: all.length, checks, problems }));
