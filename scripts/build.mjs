#!/usr/bin/env node
// Builds what Node-RED loads from src/: the compiled CommonJS in lib/, nodes/ and simulator/, and
// each node's editor HTML (its typed editor bundled in) and locales beside its .js. The payload
// types it compiles are committed (scripts/payload-types.mjs writes them from schemas/).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
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
 * Each node's editor is a typed module, src/nodes/<type>/editor.ts, that imports the defaults and
 * helpers the runtime uses (src/nodes/shared/defaults.ts, urls.ts, the bot's actions table). A
 * browser loads the node's .html as it is, with no module loader, so the editor is bundled into one
 * script and put at the top of nodes/<type>/<type>.html, above the templates copied from src.
 *
 * Bundled with esbuild: tsc checks types but cannot bundle imports into a browser script (its
 * outFile takes only AMD or System modules, which need a loader the editor lacks). esbuild is one
 * dependency with no dependencies of its own besides its platform binary, is widely kept up, and
 * does exactly this in a few milliseconds: strip the types, resolve the imports, wrap each editor in
 * an IIFE. It does not check types, so tsc checks the editors first (tsconfig.editor.json: the DOM,
 * jQuery and the Node-RED editor API, no Node.js).
 */
async function bundleEditors() {
  try {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.editor.json'), '--noEmit'], { stdio: 'inherit' });
  } catch {
    console.error('build: TypeScript reported the errors above in the editors');
    process.exit(1);
  }
  const esbuild = require('esbuild');
  // esbuild takes a .ts file in a `"type": "commonjs"` package for CommonJS, as TypeScript's node16
  // mode does, and wraps every module in lazy-loading shims. The editors are ES modules: loading
  // their relative imports in a namespace of their own, where no package.json applies, keeps the
  // bundle plain. The paths it records (comments in the bundle) are relative to the package.
  const asEsModules = {
    name: 'editor-modules',
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        const base = join(args.resolveDir, args.path);
        const file = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
        if (!file) return { errors: [{ text: `no ${args.path}.ts next to ${args.importer}` }] };
        return { path: relative(root, file), namespace: 'editor' };
      });
      build.onLoad({ filter: /.*/, namespace: 'editor' }, (args) => ({
        contents: readFileSync(join(root, args.path), 'utf8'),
        loader: 'ts',
        resolveDir: dirname(join(root, args.path)),
      }));
    },
  };
  const types = readdirSync(join(root, 'src/nodes')).filter((type) => existsSync(join(root, 'src/nodes', type, 'editor.ts')));
  for (const type of types) {
    const { outputFiles } = await esbuild.build({
      entryPoints: [`./src/nodes/${type}/editor`],
      absWorkingDir: root,
      plugins: [asEsModules],
      bundle: true,
      format: 'iife',
      target: 'es2022',
      platform: 'browser',
      charset: 'utf8',
      write: false,
      logLevel: 'warning',
    });
    const script = outputFiles[0].text;
    // The Flow Library finds a package's node types by reading registerType with a literal name.
    if (!new RegExp(`RED\\.nodes\\.registerType\\(\\s*["']${type}["']\\s*,\\s*\\{`).test(script)) {
      throw new Error(`build: the editor of ${type} does not call RED.nodes.registerType('${type}', {...}) literally`);
    }
    if (/<\/script/i.test(script)) throw new Error(`build: the editor of ${type} contains "</script", which would end its script element`);
    const file = join(root, 'nodes', type, `${type}.html`);
    writeFileSync(file, `<script type="text/javascript">\n${script}</script>\n\n${readFileSync(file, 'utf8')}`);
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
await bundleEditors();
