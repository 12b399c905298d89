#!/usr/bin/env node
// Builds what Node-RED loads from src/: the compiled CommonJS in lib/, nodes/ and simulator/, and
// each node's editor HTML and locales beside its .js. The payload types it compiles are committed
// (scripts/payload-types.mjs writes them from schemas/).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanOutput } from './clean.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

function compileTypeScript() {
  try {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', root], { stdio: 'inherit' });
  } catch {
    console.error('build: TypeScript reported the errors above');
    process.exit(1);
  }
}

/**
 * Everything in src/nodes that is not TypeScript (editor .html, locales/) goes beside the compiled
 * .js, and so does the node's icon: an installed module's icons are looked up only in an `icons/`
 * folder next to each node file, not at the package root.
 */
function copyEditorFiles() {
  const from = join(root, 'src/nodes');
  for (const type of readdirSync(from)) {
    cpSync(join(from, type), join(root, 'nodes', type), {
      recursive: true,
      filter: (path) => !path.endsWith('.ts'),
    });
    const icon = join(root, 'icons', `${type}.svg`);
    if (existsSync(icon)) cpSync(icon, join(root, 'nodes', type, 'icons', `${type}.svg`));
  }
}

/**
 * An editor may show data its node's runtime also reads (the bot node's actions), so that one
 * table feeds both: in a node's .html, a block comment `@editor-data: ./module.js NAME` followed by
 * `null` becomes the JSON of the export NAME of that compiled module, which sits beside the .html.
 */
function inlineEditorData() {
  const marker = /\/\* @editor-data: (\.\/[\w.-]+\.js) (\w+) \*\/ null/g;
  for (const type of readdirSync(join(root, 'nodes'))) {
    const file = join(root, 'nodes', type, `${type}.html`);
    if (!existsSync(file)) continue;
    const html = readFileSync(file, 'utf8');
    if (!html.includes('@editor-data: ')) continue;
    const inlined = html.replace(marker, (_, module, name) => {
      const value = require(join(root, 'nodes', type, module))[name];
      if (value === undefined) throw new Error(`build: ${type}.html asks for ${name} of ${module}, which does not export it`);
      return JSON.stringify(value);
    });
    if (inlined.includes('@editor-data: ')) throw new Error(`build: a malformed @editor-data comment in ${type}.html`);
    writeFileSync(file, inlined);
  }
}

/**
 * Every validator the nodes ask for, as AJV standalone code (lib/generated/validators-*.js), so that
 * a Node-RED start does not compile schemas. The modules that ask for validators are loaded with
 * recording on: what they ask for, from the schemas in schemas/, is what gets generated.
 */
function generateValidators() {
  const compiledModule = require(join(root, 'lib/schemas/compiled.js'));
  compiledModule.startRecording();
  for (const module of ['lib/delivery/validation.js', 'lib/api/answers.js', 'lib/api/requests.js']) require(join(root, module));
  const standaloneCode = require('ajv/dist/standalone').default;
  const dir = join(root, 'lib/generated');
  mkdirSync(dir, { recursive: true });
  for (const flavour of compiledModule.FLAVOURS) {
    const ajv = compiledModule.ajvOf(flavour);
    const refs = {};
    for (const { key, schema } of compiledModule.recorded().filter((entry) => entry.flavour === flavour)) {
      ajv.addSchema(schema, key);
      refs[key] = key;
    }
    const code = standaloneCode(ajv, refs);
    writeFileSync(join(dir, `validators-${flavour}.js`), `// Generated from schemas/ by scripts/build.mjs. Do not edit.\n${code}`);
  }
}

cleanOutput(root);
compileTypeScript();
generateValidators();
copyEditorFiles();
inlineEditorData();
