'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const RESULTS = path.join(__dirname, '..', '..', 'bench', 'results');
const PLOTS = path.join(__dirname, '..', '..', 'bench', 'plots');

/** `--name value` from the command line, or an environment variable BENCH_NAME, or the default. */
function arg(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at >= 0 && process.argv[at + 1] !== undefined) return process.argv[at + 1];
  const env = process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
  return env !== undefined ? env : fallback;
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0] ? cpus[0].model : 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
  };
}

function writeResult(name, result) {
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ machine: machine(), ...result }, null, 2) + '\n');
  console.log(`results: ${path.relative(process.cwd(), file)}`);
}

module.exports = { arg, machine, writeResult, RESULTS, PLOTS };
