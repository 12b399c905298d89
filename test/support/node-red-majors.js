'use strict';
// The two current Node-RED majors a user may run: 4.1 on this Node 20 (the devDependency) and
// 5 on Node 22, both from the npm registry. Node-RED 5 and Node 22 are installed once into a
// cache folder outside the project (the project itself runs on Node 20).
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const NODE_RED_5 = process.env.MB_NODE_RED_5 || 'node-red@5';
const NODE_22 = process.env.MB_NODE_22 || 'node@22';
/** Kept between runs on one machine; delete it to start from the registry again. */
const CACHE = process.env.MB_INSTALL_CACHE || path.join(os.tmpdir(), 'meetingbaas-install-cache');

/** `npm install <spec>` into CACHE/<folder> once; returns the folder. */
function installed(folder, spec) {
  const dir = path.join(CACHE, folder);
  const marker = path.join(dir, '.installed');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === spec) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `cache-${folder}`, private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-update-notifier', '--omit=dev', '--engine-strict=false', spec], {
    cwd: dir,
    stdio: 'pipe',
    env: Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name))),
  });
  fs.writeFileSync(marker, spec);
  return dir;
}

function node22Binary() {
  const dir = installed('node22', NODE_22);
  const binary = path.join(dir, 'node_modules', '.bin', 'node');
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  assert.match(version, /^v22\./, `${binary} is ${version}`);
  return binary;
}

function nodeRed5Main() {
  const dir = installed('node-red5', NODE_RED_5);
  return path.join(dir, 'node_modules', 'node-red', 'red.js');
}

/** `runtime()` gives the options of startNodeRed for that major (installing it on first use). */
const MAJORS = [
  { title: 'Node-RED 4.1 on Node 20', key: 'node-red-4', version: /^v4\.1\./, node: /^v20\./, runtime: () => ({}) },
  { title: 'Node-RED 5 on Node 22', key: 'node-red-5', version: /^v5\./, node: /^v22\./, runtime: () => ({ nodeBinary: node22Binary(), nodeRedMain: nodeRed5Main() }) },
];

module.exports = { MAJORS, node22Binary, nodeRed5Main };
