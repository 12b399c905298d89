'use strict';
// npm as the tests run it. Under `npm test`, the first npm on PATH is the older one that node-red
// brings into node_modules/.bin, which runs `prepare` (a whole build, cleaning lib/ and nodes/
// first) despite --ignore-scripts, in the middle of a suite whose Node-REDs load those files. The
// npm that started the tests (npm_execpath) is used instead when there is one.
const { execFileSync } = require('node:child_process');

/** Runs `npm <args>` synchronously and returns its standard output. */
function npm(args, options = {}) {
  const npmCli = process.env.npm_execpath;
  return npmCli && /npm-cli\.js$/.test(npmCli)
    ? execFileSync(process.execPath, [npmCli, ...args], { encoding: 'utf8', ...options })
    : execFileSync('npm', args, { encoding: 'utf8', ...options });
}

module.exports = { npm };
