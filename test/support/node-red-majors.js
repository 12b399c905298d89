'use strict';
// The two current Node-RED majors a user may run: 4.1 on this Node 20 (the devDependency) and
// 5 on Node 22, both from the npm registry (scripts/node-red-runtime.cjs installs the latter).
const os = require('node:os');
const path = require('node:path');
const { nodeRed5Runtime } = require('../../scripts/node-red-runtime.cjs');

/** Kept between runs on one machine; delete it to start from the registry again. */
const CACHE = process.env.MB_INSTALL_CACHE || path.join(os.tmpdir(), 'meetingbaas-install-cache');

/** `runtime()` gives the options of startNodeRed for that major (installing it on first use). */
const MAJORS = [
  { title: 'Node-RED 4.1 on Node 20', key: 'node-red-4', version: /^v4\.1\./, node: /^v20\./, runtime: () => ({}) },
  { title: 'Node-RED 5 on Node 22', key: 'node-red-5', version: /^v5\./, node: /^v22\./, runtime: () => nodeRed5Runtime(CACHE) },
];

module.exports = { MAJORS };
