// The Node-RED Flow Library scorecard, checked offline. `node-red-dev validate` needs the
// internet (and exits 0 even when checks fail), so the rules it applies are restated here as
// small functions, run against this package, and each run once against a package broken on
// purpose so that no rule can silently pass whatever it is given.
//
// Where a rule needs the registry, the facts are recorded below with the date they were read.
// Set SCORECARD_ONLINE=1 to compare with the registry instead (npm view), e.g. before a release.
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, readFileSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');
const semver = require('semver'); // brought by node-red (a devDependency); no dependency of our own

const root = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/**
 * What the registry said on 2026-11-27. The catalogue's P06 tests the releases tagged latest
 * and maintenance; P07 the minimum Node of the latest Node-RED (5.x: >=22.9).
 */
const RECORDED = {
  nodeRedReleases: { latest: '5.0.7', maintenance: '4.1.15' },
  latestNodeRedNodeEngines: '>=22.9',
  latestVersions: { ajv: '8.20.0', 'ajv-formats': '3.0.1', parseurl: '1.3.3', standardwebhooks: '1.1.1', undici: '8.13.1', '@redis/client': '6.4.0' },
};

/**
 * Dependencies deliberately behind their latest major, with the reason. The catalogue's D03
 * will mark these; the test lets only these through and says so.
 */
const ACCEPTED_BEHIND_LATEST = {
  undici: 'undici 8 needs Node >= 22.19; 7 runs on Node 20.18.1+, which Node-RED 4.1 users run',
};

// ---- the rules: each returns a list of problems, empty when the rule holds ----

const SCOPED_NAME = /^@[a-z\d][\w.-]+\/[a-z\d][\w.-]*$/;

const rules = {
  P01_license: (p) => (typeof p.license === 'string' && p.license.trim() !== '' ? [] : ['no "license"']),

  P03_repositoryOrBugs: (p) => {
    const url = (v) => (typeof v === 'string' ? v : v && typeof v.url === 'string' ? v.url : '');
    return url(p.repository) || url(p.bugs) || (p.bugs && p.bugs.email) ? [] : ['neither "repository" nor "bugs"'];
  },

  P04_scopedName: (p) => (SCOPED_NAME.test(p.name ?? '') ? [] : [`"${p.name}" is not a scoped name (@scope/name)`]),

  P05_keyword: (p) => (Array.isArray(p.keywords) && p.keywords.includes('node-red') ? [] : ['"keywords" lacks "node-red"']),

  /** Every release of both current majors, not just the two tagged ones the catalogue tries. */
  P06_nodeRedVersion: (p, releases = RECORDED.nodeRedReleases) => {
    const range = p['node-red'] && p['node-red'].version;
    if (typeof range !== 'string' || !semver.validRange(range)) return ['"node-red.version" missing or not a range'];
    const problems = [];
    for (const [tag, version] of Object.entries(releases)) {
      if (!semver.satisfies(version, range)) problems.push(`Node-RED ${version} (${tag}) not in "${range}"`);
    }
    for (const line of ['4.1.x', '5.x']) {
      if (!semver.subset(line, range)) problems.push(`not every Node-RED ${line} is in "${range}"`);
    }
    return problems;
  },

  /**
   * As the catalogue checks it: the minimum Node of the latest Node-RED must be admitted. And
   * our own rule: no Node a production dependency refuses (engines of each installed dependency).
   */
  P07_nodeEngines: (p, latestNodeRedEngines = RECORDED.latestNodeRedNodeEngines, dependencyEngines = {}) => {
    const range = p.engines && p.engines.node;
    if (typeof range !== 'string' || !semver.validRange(range)) return ['"engines.node" missing or not a range'];
    const problems = [];
    const minimum = semver.minVersion(latestNodeRedEngines);
    if (!semver.satisfies(minimum, range)) problems.push(`Node ${minimum} (latest Node-RED's minimum) not in "${range}"`);
    for (const [dep, theirs] of Object.entries(dependencyEngines)) {
      if (!semver.subset(range, theirs)) problems.push(`"${range}" admits Node versions ${dep} refuses (${theirs})`);
    }
    return problems;
  },

  N01_uniqueTypes: (types, coreTypes) => {
    const problems = [];
    const seen = new Set();
    for (const { type } of types) {
      if (coreTypes.has(type)) problems.push(`"${type}" is a core node type`);
      if (seen.has(type)) problems.push(`"${type}" is registered twice`);
      seen.add(type);
      // A common prefix is what keeps the names unique in the catalogue, which cannot be read offline.
      if (!type.startsWith('meetingbaas-')) problems.push(`"${type}" does not start with "meetingbaas-"`);
    }
    return problems;
  },

  N02_examplesUseEveryNode: (types, examples) => {
    if (examples.length === 0) return ['no examples/**/*.json'];
    const used = new Set(examples.flatMap((e) => e.types));
    return types
      .filter((t) => t.category !== 'config' && !used.has(t.type))
      .map((t) => `no example uses "${t.type}"`);
  },

  D01_dependencyCount: (p) => {
    const count = Object.keys(p.dependencies ?? {}).length;
    return count <= 6 ? [] : [`${count} dependencies, more than 6`];
  },

  /** A dependency whose range does not admit its latest version is behind (the catalogue uses npm-check's easyUpgrade). */
  D03_latestMajor: (p, latestVersions, accepted = {}) => {
    const problems = [];
    for (const [dep, range] of Object.entries(p.dependencies ?? {})) {
      const latest = latestVersions[dep];
      if (!latest) problems.push(`no latest version known for "${dep}": record it in RECORDED.latestVersions`);
      else if (!semver.satisfies(latest, range) && !accepted[dep]) problems.push(`"${dep}": "${range}" does not admit the latest ${latest}`);
    }
    return problems;
  },

  README: (directory) => {
    const file = join(directory, 'README.md');
    if (!existsSync(file)) return ['no README.md'];
    return readFileSync(file, 'utf8').trim().length >= 200 ? [] : ['README.md is nearly empty'];
  },
};

// ---- reading this package ----

/** Types registered in an editor .html, as the catalogue reads them: registerType with a literal name. */
function registeredTypes(htmlFile) {
  const html = readFileSync(htmlFile, 'utf8');
  const found = [];
  const register = /registerType\(\s*(['"])([^'"]+)\1\s*,\s*\{/g;
  let match;
  while ((match = register.exec(html)) !== null) {
    const rest = html.slice(register.lastIndex, register.lastIndex + 400);
    const category = /category\s*:\s*(['"])([^'"]+)\1/.exec(rest);
    found.push({ type: match[2], category: category ? category[2] : null, file: relative(root, htmlFile) });
  }
  return found;
}

function packageTypes(p) {
  return Object.values(p['node-red'].nodes).flatMap((js) => {
    const html = join(root, js.replace(/\.js$/, '.html'));
    if (!existsSync(html)) throw new Error(`${relative(root, html)} (declared in package.json) is missing: run npm run build`);
    return registeredTypes(html);
  });
}

function coreNodeTypes() {
  const core = join(root, 'node_modules', '@node-red', 'nodes', 'core');
  return new Set(
    readdirSync(core)
      .flatMap((dir) => readdirSync(join(core, dir)).filter((f) => f.endsWith('.html')).map((f) => join(core, dir, f)))
      .flatMap((file) => registeredTypes(file).map((t) => t.type)),
  );
}

function exampleFiles(directory) {
  if (!existsSync(directory)) return [];
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return exampleFiles(path);
    return name.endsWith('.json') ? [path] : [];
  });
}

function examples() {
  return exampleFiles(join(root, 'examples')).map((file) => {
    const flow = JSON.parse(readFileSync(file, 'utf8'));
    assert.ok(Array.isArray(flow), `${relative(root, file)} is not a flow (an array of nodes)`);
    return { file: relative(root, file), types: flow.map((n) => n.type) };
  });
}

function installedEngines(deps) {
  const engines = {};
  for (const dep of Object.keys(deps ?? {})) {
    const manifest = JSON.parse(readFileSync(join(root, 'node_modules', dep, 'package.json'), 'utf8'));
    if (manifest.engines && typeof manifest.engines.node === 'string') engines[dep] = manifest.engines.node;
  }
  return engines;
}

// ---- this package ----

describe('Flow Library scorecard (offline)', function () {
  let types;
  before(function () {
    // In a hook, so that a missing build fails these tests instead of the whole test run.
    types = packageTypes(pkg);
  });

  it('P01 declares a license', function () {
    assert.deepEqual(rules.P01_license(pkg), []);
  });
  it('P03 links a repository or issue tracker', function () {
    assert.deepEqual(rules.P03_repositoryOrBugs(pkg), []);
  });
  it('P04 uses a scoped name', function () {
    assert.deepEqual(rules.P04_scopedName(pkg), []);
  });
  it('P05 has the node-red keyword', function () {
    assert.deepEqual(rules.P05_keyword(pkg), []);
  });
  it('P06 node-red.version admits every Node-RED 4.1.x and 5.x', function () {
    assert.deepEqual(rules.P06_nodeRedVersion(pkg), []);
  });
  it("P07 engines.node admits the latest Node-RED's minimum Node, and nothing a dependency refuses", function () {
    assert.deepEqual(rules.P07_nodeEngines(pkg, RECORDED.latestNodeRedNodeEngines, installedEngines(pkg.dependencies)), []);
    // Node-RED 4.1 itself runs on Node >= 18.5; we need >= 20.18.1 (undici 7), so Node-RED 4.1
    // users on Node 18 cannot install this package. Node 20, the oldest maintained line, must work.
    assert.ok(semver.intersects(pkg.engines.node, '20.x'), `"${pkg.engines.node}" excludes Node 20`);
  });
  it('N01 registers node types of its own, none a core type', function () {
    assert.ok(types.length >= 3, JSON.stringify(types));
    assert.deepEqual(rules.N01_uniqueTypes(types, coreNodeTypes()), []);
  });
  it('N02 uses every node that is not a config node in an example', function () {
    assert.deepEqual(rules.N02_examplesUseEveryNode(types, examples()), []);
  });
  it('D01 has at most 6 dependencies', function () {
    assert.deepEqual(rules.D01_dependencyCount(pkg), []);
  });
  it('D03 keeps production dependencies on their latest major (recorded versions)', function () {
    assert.deepEqual(rules.D03_latestMajor(pkg, RECORDED.latestVersions, ACCEPTED_BEHIND_LATEST), []);
    for (const [dep, reason] of Object.entries(ACCEPTED_BEHIND_LATEST)) {
      const latest = RECORDED.latestVersions[dep];
      if (pkg.dependencies[dep] && !semver.satisfies(latest, pkg.dependencies[dep])) {
        console.log(`      note: D03 will flag ${dep} ${pkg.dependencies[dep]} (latest ${latest}): ${reason}`);
      }
    }
  });
  it('D03 against the registry (SCORECARD_ONLINE=1)', function () {
    if (process.env.SCORECARD_ONLINE !== '1') {
      this.skip(); // offline by default: npm test must not depend on the network
    }
    this.timeout(60000);
    const latest = {};
    for (const dep of Object.keys(pkg.dependencies)) {
      latest[dep] = execFileSync('npm', ['view', dep, 'version'], { encoding: 'utf8', timeout: 20000 }).trim();
    }
    assert.deepEqual(rules.D03_latestMajor(pkg, latest, ACCEPTED_BEHIND_LATEST), []);
  });
  it('has a README', function () {
    assert.deepEqual(rules.README(root), []);
  });
});

// ---- a package broken on purpose: every rule must notice ----

describe('Flow Library scorecard rules catch a broken package', function () {
  const broken = {
    name: 'node-red-contrib-meetings',
    keywords: ['meetings'],
    'node-red': { version: '>=3.0.0 <5.0.0', nodes: {} },
    engines: { node: '>=16' },
    dependencies: { a: '^1.0.0', b: '^1.0.0', c: '^1.0.0', d: '^1.0.0', e: '^1.0.0', f: '^1.0.0', undici: '^6.0.0' },
  };

  it('P01 without a license', function () {
    assert.deepEqual(rules.P01_license(broken), ['no "license"']);
    assert.deepEqual(rules.P01_license({ license: '  ' }), ['no "license"']);
  });
  it('P03 without repository or bugs', function () {
    assert.equal(rules.P03_repositoryOrBugs(broken).length, 1);
    assert.deepEqual(rules.P03_repositoryOrBugs({ bugs: { email: 'a@b.c' } }), []);
  });
  it('P04 with an unscoped name', function () {
    assert.equal(rules.P04_scopedName(broken).length, 1);
  });
  it('P05 without the node-red keyword', function () {
    assert.equal(rules.P05_keyword(broken).length, 1);
    assert.equal(rules.P05_keyword({}).length, 1);
  });
  it('P06 with a range that stops before 5.x, or is missing', function () {
    const problems = rules.P06_nodeRedVersion(broken);
    assert.ok(problems.some((p) => p.includes('5.0.7')), problems.join('; '));
    assert.ok(problems.some((p) => p.includes('5.x')), problems.join('; '));
    assert.ok(rules.P06_nodeRedVersion({ 'node-red': { version: '>=4.1.3 <6' } }).some((p) => p.includes('4.1.x')));
    assert.equal(rules.P06_nodeRedVersion({ 'node-red': {} }).length, 1);
  });
  it('P07 with engines that exclude the latest Node-RED, or admit Node a dependency refuses', function () {
    assert.equal(rules.P07_nodeEngines({ engines: { node: '^20.18.1' } }).length, 1);
    const problems = rules.P07_nodeEngines(broken, RECORDED.latestNodeRedNodeEngines, { undici: '>=20.18.1' });
    assert.deepEqual(problems, ['">=16" admits Node versions undici refuses (>=20.18.1)']);
    assert.equal(rules.P07_nodeEngines({}).length, 1);
  });
  it('N01 with a core type, a duplicate and a foreign prefix', function () {
    const types = [{ type: 'http in' }, { type: 'meetingbaas-x' }, { type: 'meetingbaas-x' }];
    const problems = rules.N01_uniqueTypes(types, coreNodeTypes());
    assert.ok(problems.includes('"http in" is a core node type'), problems.join('; '));
    assert.ok(problems.includes('"meetingbaas-x" is registered twice'), problems.join('; '));
    assert.ok(problems.includes('"http in" does not start with "meetingbaas-"'), problems.join('; '));
    assert.ok(coreNodeTypes().has('debug') && coreNodeTypes().size > 30);
  });
  it('N02 with a node no example uses, and with no examples at all', function () {
    const types = [
      { type: 'meetingbaas-config', category: 'config' },
      { type: 'meetingbaas-callback', category: 'Meeting BaaS' },
      { type: 'meetingbaas-artifacts', category: 'Meeting BaaS' },
    ];
    const examplesWithout = [{ file: 'x.json', types: ['meetingbaas-callback', 'debug'] }];
    assert.deepEqual(rules.N02_examplesUseEveryNode(types, examplesWithout), ['no example uses "meetingbaas-artifacts"']);
    assert.deepEqual(rules.N02_examplesUseEveryNode(types, []), ['no examples/**/*.json']);
  });
  it('D01 with 7 dependencies', function () {
    assert.deepEqual(rules.D01_dependencyCount(broken), ['7 dependencies, more than 6']);
  });
  it('D03 with a dependency behind its latest major, or with no recorded latest version', function () {
    const problems = rules.D03_latestMajor(broken, { ...RECORDED.latestVersions, a: '1.2.0', b: '2.0.0', c: '1.0.0', d: '1.0.0', e: '1.0.0' });
    assert.ok(problems.includes('"b": "^1.0.0" does not admit the latest 2.0.0'), problems.join('; '));
    assert.ok(problems.includes('"undici": "^6.0.0" does not admit the latest 8.13.1'), problems.join('; '));
    assert.ok(problems.some((p) => p.startsWith('no latest version known for "f"')), problems.join('; '));
    // An accepted exception lets only that dependency through.
    const accepted = rules.D03_latestMajor({ dependencies: { undici: '^7.0.0', b: '^1.0.0' } }, { undici: '8.13.1', b: '2.0.0' }, ACCEPTED_BEHIND_LATEST);
    assert.deepEqual(accepted, ['"b": "^1.0.0" does not admit the latest 2.0.0']);
  });
  it('README missing', function () {
    assert.deepEqual(rules.README(join(root, 'test')), ['no README.md']);
  });
});
