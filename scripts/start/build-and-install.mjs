// Builds the package when its sources changed, and installs it into the demo's user directory
// from the tarball `npm pack` makes, as the palette would (or links it, with --link).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { root, say, userDir } from './common.mjs';

// The npm that ran `npm start`, not the older one node-red brings into node_modules/.bin
// (first on PATH under npm start), whose `pack` runs `prepare` despite --ignore-scripts.
const npmCli = process.env.npm_execpath;
function npm(args, options) {
  return npmCli && /\.[cm]?js$/.test(npmCli)
    ? execFileSync(process.execPath, [npmCli, ...args], options)
    : execFileSync('npm', args, options);
}
// Under `npm start` the environment carries the outer npm's settings (npm_config_local_prefix
// pointing at the repository, among others): nested npm commands must not inherit them, or
// they act on the repository instead of .node-red and run its lifecycle scripts.
const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));

/** Newest modification time under a directory, to tell whether lib/ is older than its sources. */
function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), 0);
}

export function buildIfNeeded() {
  const built = join(root, 'simulator', 'index.js');
  const stale =
    !existsSync(built) ||
    !existsSync(join(root, 'nodes')) ||
    Math.max(newestMtime(join(root, 'src')), newestMtime(join(root, 'schemas'))) > statSync(built).mtimeMs;
  if (!stale) return;
  say('building (npm run build)…');
  npm(['run', 'build'], { cwd: root, stdio: 'inherit', env: npmEnv });
}

/**
 * Installs the package the way the palette does: `npm install <tarball>` in the user directory.
 * The tarball is named after its content, because npm remembers the integrity of a file: spec
 * and refuses a changed tarball under the same name. With `link`, links the clone instead.
 */
export function installPackage({ link }) {
  mkdirSync(userDir, { recursive: true });
  const manifest = join(userDir, 'package.json');
  if (!existsSync(manifest)) {
    writeFileSync(manifest, `${JSON.stringify({ name: 'node-red-project', description: 'A Node-RED Project', version: '0.0.1', private: true }, null, 2)}\n`);
  }
  const { name } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const marker = join(userDir, '.installed-package');
  if (link) {
    // A tarball installed later must not be taken for the one installed before the link.
    rmSync(marker, { force: true });
    say(`linking ${name} into .node-red/node_modules`);
    npm(['install', '--no-audit', '--no-fund', '--install-links=false', root], { cwd: userDir, stdio: 'inherit', env: npmEnv });
    return;
  }
  const packDir = join(userDir, 'pack');
  rmSync(packDir, { recursive: true, force: true });
  mkdirSync(packDir);
  // Already built: the prepare script would only build a second time.
  const [packed] = JSON.parse(
    npm(['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], { cwd: root, encoding: 'utf8', env: npmEnv }),
  );
  const tarball = join(packDir, packed.filename);
  const digest = createHash('sha256').update(readFileSync(tarball)).digest('hex').slice(0, 12);
  if (existsSync(marker) && readFileSync(marker, 'utf8') === digest && existsSync(join(userDir, 'node_modules', name))) {
    say(`${name} is installed and unchanged`);
    rmSync(packDir, { recursive: true, force: true });
    return;
  }
  const kept = join(userDir, packed.filename.replace(/\.tgz$/, `-${digest}.tgz`));
  for (const old of readdirSync(userDir).filter((f) => f.endsWith('.tgz'))) rmSync(join(userDir, old));
  renameSync(tarball, kept);
  rmSync(packDir, { recursive: true, force: true });
  say(`installing ${packed.filename} (${packed.entryCount} files) into .node-red, as the palette would…`);
  // --ignore-scripts: npm would run `prepare` for a local tarball, which it never does for a
  // package from the registry (what the palette installs); the package has no install scripts.
  npm(
    ['install', '--no-audit', '--no-fund', '--no-update-notifier', '--prefer-offline', '--omit=dev', '--ignore-scripts', '--save', `./${relative(userDir, kept)}`],
    { cwd: userDir, stdio: 'inherit', env: npmEnv },
  );
  writeFileSync(marker, digest);
}
