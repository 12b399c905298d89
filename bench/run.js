'use strict';
// npm run bench [-- start ingest validation artifacts churn scale] [--seconds 10] …: runs the benchmarks named (all by
// default) one after the other, then rewrites BENCHMARKS.md from bench/results/*.json.
const { writeReport } = require('./report');

const ALL = ['start', 'ingest', 'validation', 'artifacts', 'churn', 'scale'];

async function main() {
  const named = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !(all[i - 1] || '').startsWith('--'));
  const chosen = named.length ? named : ALL;
  for (const name of chosen) {
    if (!ALL.includes(name)) throw new Error(`unknown benchmark ${name}; choose from ${ALL.join(', ')}`);
    console.log(`\n=== ${name} ===`);
    await require(`./${name}`).main();
  }
  writeReport();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
