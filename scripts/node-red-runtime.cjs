'use strict';
// Node-RED 5 needs Node.js 22, while this project runs on Node.js 20 (Node-RED 4 users still
// have it). Both come from the npm registry as packages (`node@22` ships a real binary), are
// installed once into a cache folder, and are used by `npm start -- --node-red 5` and by the
// tests that run on both majors.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const SPECS = {
  node22: process.env.MB_NODE_22 || 'node@22',
  nodeRed5: process.env.MB_NODE_RED_5 || 'node-red@5',
};

/** `npm install <spec>` into <cache>/<folder> once; returns the folder. */
function installed(cache, folder, spec) {
  const dir = path.join(cache, folder);
  const marker = path.join(dir, '.installed');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === spec) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `cache-${folder}`, private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-update-notifier', '--omit=dev', '--engine-strict=false', spec], {
    cwd: dir,
    stdio: 'pipe',
    // Settings of an outer npm (npm start, npm test) would make this act on the project instead.
    env: Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name))),
  });
  fs.writeFileSync(marker, spec);
  return dir;
}

/** The Node.js 22 binary and Node-RED 5's red.js, installed into `cache` on first use. */
function nodeRed5Runtime(cache) {
  const nodeBinary = path.join(installed(cache, 'node22', SPECS.node22), 'node_modules', '.bin', 'node');
  const version = execFileSync(nodeBinary, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith('v22.')) throw new Error(`${nodeBinary} is ${version}, not Node.js 22`);
  const nodeRedMain = path.join(installed(cache, 'node-red5', SPECS.nodeRed5), 'node_modules', 'node-red', 'red.js');
  return { nodeBinary, nodeRedMain };
}

module.exports = { nodeRed5Runtime };
