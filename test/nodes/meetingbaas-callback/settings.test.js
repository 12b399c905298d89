'use strict';
// What a callback in node makes of its flow definition and of Node-RED's settings: the defaults of
// the one defaults module where the flow leaves a setting out, each setting read as the editor or a
// hand-written flow writes it, and bad values or a node that cannot listen handled as they always were.
const assert = require('node:assert/strict');
const { homedir } = require('node:os');
const { join } = require('node:path');
const { readCallbackSettings } = require('../../../nodes/meetingbaas-callback/settings');
const { CALLBACK_DEFAULTS } = require('../../../nodes/shared/defaults');
const MESSAGES = require('../../../nodes/meetingbaas-callback/locales/en-US/meetingbaas-callback.json')['meetingbaas-callback'];

const USER_DIR = join('/', 'srv', 'node-red-user');
const RUNTIME = { userDir: USER_DIR, httpNodeRoot: '/' };
const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;

/** A flow's node as the smallest flow holds it, with `extra` settings. */
const def = (extra = {}) => ({ id: 'cb1', type: 'meetingbaas-callback', z: 'tab', url: '/mb/cb', wires: [[], [], [], []], ...extra });

function settingsOf(extra, runtime = RUNTIME) {
  const read = readCallbackSettings(def(extra), runtime);
  assert.equal(read.ok, true, JSON.stringify(read));
  return read.settings;
}

function problemOf(extra, runtime = RUNTIME) {
  const read = readCallbackSettings(def(extra), runtime);
  assert.equal(read.ok, false, JSON.stringify(read));
  return read.problem;
}

/** A key of the node's catalog with its `__name__` parameters filled in, as Node-RED's i18n does. */
function word(key, params = {}) {
  const text = key.split('.').reduce((group, part) => group?.[part], MESSAGES);
  assert.equal(typeof text, 'string', `${key} is in the catalog`);
  return text.replace(/__(\w+)__/g, (_, name) => String(params[name]));
}

describe('callback in settings', function () {
  it('uses the shared defaults for every setting a flow leaves out', function () {
    assert.deepEqual(settingsOf({}), {
      path: '/mb/cb',
      method: 'post',
      allowedMethods: ['POST'],
      label: '[post] /mb/cb',
      bodyLimit: CALLBACK_DEFAULTS.maxBodyKB * 1024,
      bodyTimeoutMs: CALLBACK_DEFAULTS.bodyTimeoutSeconds * 1000,
      dedupeMs: CALLBACK_DEFAULTS.dedupeHours * HOUR,
      dedupeMax: CALLBACK_DEFAULTS.dedupeMax,
      dedupeMeetingMs: CALLBACK_DEFAULTS.dedupeMeetingMinutes * MINUTE,
      store: CALLBACK_DEFAULTS.store,
      strict: CALLBACK_DEFAULTS.strict,
      journal: CALLBACK_DEFAULTS.journal,
      maxRedeliveries: CALLBACK_DEFAULTS.maxRedeliveries,
      catchUp: CALLBACK_DEFAULTS.catchUp,
      catchUpMs: CALLBACK_DEFAULTS.catchUpMinutes * MINUTE,
      journalFile: join(USER_DIR, 'meetingbaas', 'journals', 'cb1.journal'),
      catchUpFile: join(USER_DIR, 'meetingbaas', 'catch-up', 'cb1.json'),
    });
  });

  it('reads each setting, as the editor writes it (text) and as a hand-written flow may (numbers, booleans)', function () {
    const asText = settingsOf({
      name: 'meetings',
      url: '  /hooks/meetingbaas  ',
      method: 'any',
      maxBodyKB: '2048',
      bodyTimeoutSeconds: '30',
      dedupeHours: '1.5',
      dedupeMax: '500',
      dedupeMeetingMinutes: '45',
      store: ' file ',
      strict: 'true',
      journal: 'false',
      maxRedeliveries: '5',
      catchUp: 'true',
      catchUpMinutes: '2',
    });
    assert.deepEqual(
      { ...asText, journalFile: undefined, catchUpFile: undefined },
      {
        path: '/hooks/meetingbaas',
        method: 'any',
        allowedMethods: ['POST', 'PUT'],
        label: 'meetings',
        bodyLimit: 2048 * 1024,
        bodyTimeoutMs: 30_000,
        dedupeMs: 1.5 * HOUR,
        dedupeMax: 500,
        dedupeMeetingMs: 45 * MINUTE,
        store: 'file',
        strict: true,
        journal: false,
        maxRedeliveries: 5,
        catchUp: true,
        catchUpMs: 2 * MINUTE,
        journalFile: undefined,
        catchUpFile: undefined,
      },
    );
    const asValues = settingsOf({ method: 'PUT', maxBodyKB: 1.5, dedupeMax: 20.9, strict: true, journal: false, catchUp: true, maxRedeliveries: 0 });
    assert.deepEqual(
      [asValues.method, asValues.allowedMethods, asValues.label, asValues.bodyLimit, asValues.dedupeMax, asValues.strict, asValues.journal, asValues.catchUp, asValues.maxRedeliveries],
      ['put', ['PUT'], '[put] /mb/cb', 1536, 20, true, false, true, 0],
    );
    assert.equal(settingsOf({ method: 'any' }).label, '[post|put] /mb/cb');
  });

  it('keeps its files in the user directory, Node-RED\'s default one when the settings name none, under a name made of the node id', function () {
    const inDefault = readCallbackSettings(def(), { httpNodeRoot: '/api' });
    assert.equal(inDefault.ok, true);
    assert.equal(inDefault.settings.journalFile, join(homedir(), '.node-red', 'meetingbaas', 'journals', 'cb1.journal'));
    // Older Node-RED ids hold a dot (8f2b1c3e.4d5a6b), a hand-written flow anything: the file stays in its folder.
    const odd = readCallbackSettings({ ...def(), id: '../a1b2 c3.d4' }, RUNTIME);
    assert.equal(odd.ok, true);
    assert.equal(odd.settings.journalFile, join(USER_DIR, 'meetingbaas', 'journals', '___a1b2_c3_d4.journal'));
    assert.equal(odd.settings.catchUpFile, join(USER_DIR, 'meetingbaas', 'catch-up', '___a1b2_c3_d4.json'));
  });

  it('takes the default for a value it cannot use, and keeps a zero where zero means something', function () {
    for (const bad of ['abc', '-1', -5, '', '  ', null, {}, Number.NaN, Number.POSITIVE_INFINITY]) {
      const read = settingsOf({
        maxBodyKB: bad,
        bodyTimeoutSeconds: bad,
        dedupeHours: bad,
        dedupeMax: bad,
        dedupeMeetingMinutes: bad,
        maxRedeliveries: bad,
        catchUpMinutes: bad,
      });
      const defaults = settingsOf({});
      for (const key of ['bodyLimit', 'bodyTimeoutMs', 'dedupeMs', 'dedupeMax', 'dedupeMeetingMs', 'maxRedeliveries', 'catchUpMs']) {
        assert.equal(read[key], defaults[key], `${key} from ${JSON.stringify(bad)}`);
      }
    }
    // A body limit, body timeout or catch-up interval of 0 would stop the node working: the default.
    const zeros = settingsOf({ maxBodyKB: '0', bodyTimeoutSeconds: 0, catchUpMinutes: '0', dedupeHours: '0', dedupeMax: 0, dedupeMeetingMinutes: 0 });
    assert.deepEqual(
      [zeros.bodyLimit, zeros.bodyTimeoutMs, zeros.catchUpMs],
      [CALLBACK_DEFAULTS.maxBodyKB * 1024, CALLBACK_DEFAULTS.bodyTimeoutSeconds * 1000, CALLBACK_DEFAULTS.catchUpMinutes * MINUTE],
    );
    // No repeat window: every delivery is new.
    assert.deepEqual([zeros.dedupeMs, zeros.dedupeMax, zeros.dedupeMeetingMs], [0, 0, 0]);
    const odd = settingsOf({ method: 'PATCH', store: '   ', strict: 'yes', journal: 'no', catchUp: 1 });
    assert.deepEqual([odd.method, odd.allowedMethods, odd.store, odd.strict, odd.journal, odd.catchUp], ['post', ['POST'], 'memory', false, false, false]);
    // Checkboxes that older flows leave out, or blank, are their defaults.
    const blank = settingsOf({ strict: '', journal: '', catchUp: '' });
    assert.deepEqual([blank.strict, blank.journal, blank.catchUp], [CALLBACK_DEFAULTS.strict, CALLBACK_DEFAULTS.journal, CALLBACK_DEFAULTS.catchUp]);
  });

  it('says why the node cannot listen, in the keys of its catalog: a missing or bad path, HTTP endpoints off', function () {
    const missing = problemOf({ url: '   ' });
    assert.deepEqual(missing, { status: 'status.badPath', error: 'errors.missingPath', params: { path: '' } });
    assert.equal(word(missing.status), 'invalid URL');
    assert.match(word(missing.error, missing.params), /^Set the URL path/);
    const noUrl = readCallbackSettings({ id: 'cb1', type: 'meetingbaas-callback', z: 'tab' }, RUNTIME);
    assert.deepEqual(noUrl, { ok: false, problem: missing });

    const bad = problemOf({ url: '/bots/:id' });
    assert.deepEqual(bad, { status: 'status.badPath', error: 'errors.badPath', params: { path: '/bots/:id' } });
    assert.match(word(bad.error, bad.params), /^The URL "\/bots\/:id" may only contain/);
    assert.equal(problemOf({ url: '/a/../b' }).error, 'errors.badPath');

    // Endpoints off is said first: no path would help.
    const off = problemOf({ url: '/bots/:id' }, { userDir: USER_DIR, httpNodeRoot: false });
    assert.deepEqual(off, { status: 'status.httpDisabled', error: 'errors.httpDisabled', params: {} });
    assert.equal(word(off.status), 'HTTP endpoints off');
    assert.match(word(off.error), /httpNodeRoot is false/);
    // An httpNodeRoot that is a path, or none, leaves the endpoints on.
    assert.equal(readCallbackSettings(def(), { userDir: USER_DIR }).ok, true);
  });
});
