#!/usr/bin/env node
'use strict';
// The `meetingbaas-simulator` command (npx meetingbaas-simulator --help). The program is
// TypeScript in src/simulator/cli/, compiled by npm run build to simulator/cli/.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

// Only a clone can lack the build; an installed package always ships it.
if (!existsSync(join(__dirname, '..', 'simulator', 'cli', 'index.js'))) {
  console.error('meetingbaas-simulator: the compiled simulator is missing; run "npm run build" (or npm install) first.');
  process.exit(2);
}
require('../simulator/cli').main(process.argv.slice(2));
