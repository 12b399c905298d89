// Every message key a node uses is in its locale, and every key its locale defines is used. Read
// from what Node-RED loads: the locale JSON beside each compiled node, and the compiled JavaScript
// and editor HTML of nodes/ and lib/. A key is used literally ('errors.noAccount', with or without
// the node's namespace in front) or as a prefix completed at run time (`status.done.${action}`,
// 'meetingbaas-bot.action.' + name); for the prefixes that take the codes of the library, every
// code the library can give must have its sentence. A file outside a node's folder that names the
// node's namespace (`<package>/<type>`, the node set's id under which Node-RED registers its
// catalog) uses that node's keys: the account's catalog holds the API sentences every node says.
const assert = require('node:assert/strict');
const { existsSync, readdirSync, readFileSync, statSync } = require('node:fs');
const { join, sep } = require('node:path');

const root = join(__dirname, '..', '..');
const nodesDir = join(root, 'nodes');

const { ACCOUNT_SETTINGS, API_PROBLEM_CODES } = require('../../lib/api/errors');
const { PARSE_PROBLEMS } = require('../../lib/artifacts/transcript');
const { ACCOUNT_NAMESPACE } = require('../../nodes/shared/problems');
const packageName = require('../../package.json').name;
const { ACTIONS } = require('../../lib/api/operations');
const { FILE_NAME_PROBLEMS } = require('../../lib/artifacts/file-names');
const { REFUSAL_REASONS } = require('../../lib/artifacts/address-policy');
const { BODY_REFUSALS } = require('../../lib/delivery/routing');

/** Prefixes completed with a code of the library: each code needs its key wherever the prefix is used. */
const FAMILIES = {
  'apiProblems.': API_PROBLEM_CODES,
  'apiOperations.': ACCOUNT_SETTINGS,
  'parseProblems.': PARSE_PROBLEMS,
  'fileNames.': FILE_NAME_PROBLEMS,
  'refusals.': REFUSAL_REASONS,
  'bodyProblems.': BODY_REFUSALS,
  'action.': ACTIONS,
  'status.working.': ACTIONS,
  'status.done.': ACTIONS,
  'api.conflict-': ACTIONS,
};

function flatten(object, prefix = '') {
  return Object.entries(object).flatMap(([key, value]) =>
    value !== null && typeof value === 'object' ? flatten(value, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

function filesOf(dir, extensions) {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return name === 'locales' || name === 'icons' ? [] : filesOf(full, extensions);
    return extensions.some((ext) => name.endsWith(ext)) ? [full] : [];
  });
}

/**
 * The pieces of text a key can be written as: string literals, the parts of template literals
 * between their `${…}`, and attribute values. Each with whether code completes it right after it
 * (a template's `${` or a `' +`).
 */
function literals(source) {
  const found = [];
  const pattern = /(['"`])((?:\\.|(?!\1)[^\\\n])*?)(?:\1|(\$\{))/g;
  for (const match of source.matchAll(pattern)) {
    const [whole, quote, text, interpolation] = match;
    const after = source.slice(match.index + whole.length, match.index + whole.length + 4);
    const completed = interpolation !== undefined || /^\s*\+/.test(after);
    found.push({ text: quote === '`' && interpolation === undefined ? text.split('}').pop() : text, completed });
    // A template goes on after `${…}`: read its later parts as literals of their own.
    if (interpolation !== undefined) pattern.lastIndex = match.index + whole.length;
  }
  return found;
}

function readNode(type) {
  const localeFile = join(nodesDir, type, 'locales', 'en-US', `${type}.json`);
  const catalog = JSON.parse(readFileSync(localeFile, 'utf8'))[type];
  const keys = flatten(catalog);
  const groups = new Set(Object.keys(catalog));
  const own = filesOf(join(nodesDir, type), ['.js', '.html']).map((file) => ({ file, text: readFileSync(file, 'utf8') }));
  const namespace = `${packageName}/${type}`;
  const naming = filesOf(nodesDir, ['.js'])
    .filter((file) => !file.startsWith(join(nodesDir, type) + sep))
    .map((file) => ({ file, text: readFileSync(file, 'utf8') }))
    .filter(({ text }) => text.includes(`'${namespace}'`));
  const sources = [...own, ...naming];
  const exact = new Map();
  const prefixes = new Map();
  for (const { file, text } of sources) {
    for (const { text: literal, completed } of literals(text)) {
      // `[placeholder]ns.key` in data-i18n, and the namespace the node's t() helper adds.
      const bare = literal.replace(/^\[[a-z]+\]/, '').replace(new RegExp(`^${type}\\.`), '');
      if (bare === literal && !groups.has(literal.split('.')[0])) continue;
      if (!/^[\w-]+(\.[\w-]+)*[.-]?$/.test(bare) || bare === '') continue;
      const [first] = bare.split('.');
      if (!groups.has(first) && !groups.has(bare)) continue;
      if (completed || /[.-]$/.test(bare)) {
        if (bare.includes('.') || bare.endsWith('-')) prefixes.set(bare, file);
      } else if (bare.includes('.') || !(catalog[bare] !== null && typeof catalog[bare] === 'object')) {
        exact.set(bare, file);
      }
    }
  }
  return { keys, exact, prefixes };
}

const types = readdirSync(nodesDir).filter((type) => existsSync(join(nodesDir, type, 'locales', 'en-US', `${type}.json`)));

describe('locales of the nodes', function () {
  it('covers every node of the package', function () {
    const declared = Object.keys(require('../../package.json')['node-red'].nodes);
    assert.deepEqual([...types].sort(), [...declared].sort());
  });

  it('names the account catalog by the namespace Node-RED registers it under', function () {
    // @node-red/registry: a node set's id is `<module>/<name>`, and its catalog is registered under that id.
    assert.equal(ACCOUNT_NAMESPACE, `${packageName}/meetingbaas-config`);
  });

  for (const type of types) {
    describe(type, function () {
      const { keys, exact, prefixes } = readNode(type);
      const defined = new Set(keys);

      it('defines every key its code uses', function () {
        const missing = [];
        for (const [key, file] of exact) {
          // A literal naming a whole group (t('test.auth') in a lookup) counts when keys are under it.
          if (!defined.has(key) && !keys.some((k) => k.startsWith(`${key}.`))) missing.push(`${key} (${file.slice(root.length + 1)})`);
        }
        for (const [prefix, file] of prefixes) {
          if (!keys.some((k) => k.startsWith(prefix))) missing.push(`${prefix}… (${file.slice(root.length + 1)})`);
          for (const code of FAMILIES[prefix] ?? []) if (!defined.has(`${prefix}${code}`)) missing.push(`${prefix}${code}`);
        }
        assert.deepEqual(missing, []);
      });

      it('uses every key it defines', function () {
        const unused = keys.filter((key) => !exact.has(key) && ![...prefixes.keys()].some((prefix) => key.startsWith(prefix)));
        assert.deepEqual(unused, []);
      });
    });
  }
});
