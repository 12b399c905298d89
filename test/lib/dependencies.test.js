'use strict';
// The direction of the dependencies between the parts, read from the compiled JavaScript (what
// runs), not from the TypeScript: an import of types only leaves no require behind, so it binds
// nothing at run time and is not counted.
const assert = require('node:assert/strict');
const { readdirSync, readFileSync, statSync } = require('node:fs');
const { dirname, join, relative, resolve, sep } = require('node:path');

const root = resolve(__dirname, '..', '..');
const TOP = ['lib', 'nodes', 'simulator'];

/** Small modules any part may use: they import only one another. */
const LEAVES = new Set(['lib/problem.js', 'lib/records.js', 'lib/bot-id.js', 'lib/undici.js']);

/** The part a compiled file belongs to, or null when it is not one of ours. */
function partOf(path) {
  if (LEAVES.has(path)) return 'leaf';
  const [top, second] = path.split('/');
  if (top === 'nodes' || top === 'simulator') return top;
  if (top === 'lib' && path.split('/').length > 2) return `lib/${second}`;
  if (top === 'lib') return 'lib (top level)';
  return null;
}

/** For each part, the parts it may require besides itself. */
const ALLOWED = {
  nodes: ['lib/api', 'lib/delivery', 'lib/artifacts', 'lib/schemas', 'lib/generated', 'leaf'],
  'lib/delivery': ['lib/api', 'lib/schemas', 'lib/generated', 'leaf', 'lib/artifacts/names.js'],
  'lib/api': ['lib/schemas', 'lib/generated', 'leaf'],
  'lib/artifacts': ['leaf'],
  'lib/schemas': ['lib/generated', 'leaf'],
  // The validators generated at build time use the schemas' format table.
  'lib/generated': ['lib/schemas/formats.js'],
  leaf: [],
  simulator: [],
};

/** Single files allowed one edge more than their part. */
const EXCEPTIONS = {
  // Callback in's editor button sends a test delivery signed as the simulator signs them.
  'nodes/meetingbaas-callback/test-delivery.js': ['simulator/index.js'],
};

function allowed(file, from, to, target) {
  if (from === to) return true;
  if (EXCEPTIONS[file]?.includes(target)) return true;
  const rules = ALLOWED[from];
  if (!rules) return false;
  return rules.includes(to) || rules.includes(target);
}

function jsFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...jsFiles(path));
    else if (name.endsWith('.js')) out.push(path);
  }
  return out;
}

function resolveModule(fromFile, specifier) {
  const base = resolve(dirname(fromFile), specifier);
  for (const candidate of [base, `${base}.js`, join(base, 'index.js')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

/** Every relative require of the compiled tree, as repository-relative paths. */
function edges() {
  const found = [];
  for (const top of TOP) {
    for (const file of jsFiles(join(root, top))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/\brequire\(\s*["'](\.{1,2}(?:\/[^"']*)?)["']\s*\)/g)) {
        const target = resolveModule(file, match[1]);
        const from = relative(root, file).split(sep).join('/');
        found.push({ from, specifier: match[1], to: target === null ? null : relative(root, target).split(sep).join('/') });
      }
    }
  }
  return found;
}

/** The edges that break the rules, as "file → module (part → part)". */
function violations(list) {
  const out = [];
  for (const { from, specifier, to } of list) {
    if (to === null) {
      out.push(`${from} requires ${specifier}, which is not a compiled file`);
      continue;
    }
    const fromPart = partOf(from);
    const toPart = partOf(to);
    if (toPart === null) {
      out.push(`${from} → ${to} (outside lib/, nodes/ and simulator/)`);
    } else if (!allowed(from, fromPart, toPart, to)) {
      out.push(`${from} → ${to} (${fromPart} may not depend on ${toPart})`);
    }
  }
  return out;
}

describe('dependencies between the parts', function () {
  const list = edges();

  it('finds the requires of the compiled tree', function () {
    // A build that compiled nothing, or a pattern that matches nothing, must not pass as "no bad edge".
    assert.ok(list.some((e) => e.from.startsWith('nodes/') && e.to?.startsWith('lib/api/')), 'no nodes → lib/api edge found');
    assert.ok(list.some((e) => e.from.startsWith('lib/delivery/') && e.to?.startsWith('lib/schemas/')), 'no lib/delivery → lib/schemas edge found');
    assert.ok(list.some((e) => e.from.startsWith('simulator/')), 'no require found in simulator/');
  });

  it('point one way: nodes → lib; delivery → api, schemas; api → schemas; artifacts and simulator → nothing of ours', function () {
    const bad = violations(list);
    assert.deepEqual(bad, [], `edges against the direction:\n  ${bad.join('\n  ')}`);
  });

  it('reports an edge against the rules with its file', function () {
    assert.deepEqual(violations([{ from: 'lib/api/client.js', specifier: '../delivery/validation', to: 'lib/delivery/validation.js' }]), [
      'lib/api/client.js → lib/delivery/validation.js (lib/api may not depend on lib/delivery)',
    ]);
    assert.deepEqual(violations([{ from: 'lib/records.js', specifier: '../nodes/shared/account', to: 'nodes/shared/account.js' }]), [
      'lib/records.js → nodes/shared/account.js (leaf may not depend on nodes)',
    ]);
  });
});
