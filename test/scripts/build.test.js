'use strict';
// What the build leaves for the package: only the .js of sources that exist, and payload types
// (committed, so that a fresh clone type-checks) that match the schemas.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const root = path.join(__dirname, '..', '..');
const script = (name) => import(pathToFileURL(path.join(root, 'scripts', name)).href);

function filesUnder(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('build', function () {
  let tmp;
  afterEach(function () {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    tmp = undefined;
  });

  it('the clean step removes the compiled folders, with the .js of a deleted source, and nothing else', async function () {
    const { cleanOutput, OUTPUT_FOLDERS } = await script('clean.mjs');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-clean-'));
    const write = (file) => {
      fs.mkdirSync(path.dirname(path.join(tmp, file)), { recursive: true });
      fs.writeFileSync(path.join(tmp, file), '');
    };
    for (const folder of OUTPUT_FOLDERS) write(`src/${folder}/kept.ts`);
    for (const file of ['lib/deleted-source.js', 'nodes/some-node/deleted.js', 'simulator/cli/deleted.js']) write(file);
    for (const file of ['bin/kept.js', 'schemas/kept.json', 'icons/kept.svg']) write(file);

    cleanOutput(tmp);

    for (const folder of OUTPUT_FOLDERS) assert.equal(fs.existsSync(path.join(tmp, folder)), false, `${folder}/ is still there`);
    const left = filesUnder(tmp).map((file) => path.relative(tmp, file).split(path.sep).join('/')).sort();
    assert.deepEqual(left, ['bin/kept.js', 'icons/kept.svg', 'schemas/kept.json', ...OUTPUT_FOLDERS.map((f) => `src/${f}/kept.ts`)].sort());
  });

  it('the clean step refuses a src/ folder whose output it would not clean', async function () {
    const { cleanOutput } = await script('clean.mjs');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-clean-'));
    fs.mkdirSync(path.join(tmp, 'src', 'elsewhere'), { recursive: true });
    fs.mkdirSync(path.join(tmp, 'lib'));
    assert.throws(() => cleanOutput(tmp), /src\/elsewhere/);
    assert.ok(fs.existsSync(path.join(tmp, 'lib')), 'cleaned before refusing');
  });

  it('left no .js without a source in src/', async function () {
    const { OUTPUT_FOLDERS } = await script('clean.mjs');
    const orphans = OUTPUT_FOLDERS.flatMap((folder) => filesUnder(path.join(root, folder)))
      .map((file) => path.relative(root, file).split(path.sep).join('/'))
      .filter((file) => file.endsWith('.js') && !/^lib\/generated\/validators-[\w-]+\.js$/.test(file))
      .filter((file) => !fs.existsSync(path.join(root, 'src', file.replace(/\.js$/, '.ts'))) && !fs.existsSync(path.join(root, 'src', file)));
    assert.deepEqual(orphans, []);
  });

  it('the committed payload types are those the schemas give (node scripts/payload-types.mjs rewrites them)', async function () {
    this.timeout(60000);
    const { payloadTypes, PAYLOAD_TYPES_FILE } = await script('payload-types.mjs');
    assert.ok(fs.readFileSync(PAYLOAD_TYPES_FILE, 'utf8') === (await payloadTypes()), `${path.relative(root, PAYLOAD_TYPES_FILE)} is out of date with schemas/meetingbaas-v2.json: run node scripts/payload-types.mjs`);
  });
});
