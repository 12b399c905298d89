'use strict';
// The validators are generated at build time (AJV standalone code) from the schemas the modules ask
// for. This check keeps the two from drifting apart: every validator asked for was generated and
// gives the same verdicts and errors as AJV compiling its schema now.
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const path = require('node:path');

describe('generated validators', function () {
  this.timeout(60000);

  it('give the verdicts and errors of the same schemas compiled at run time', function () {
    const out = execFileSync(process.execPath, [path.join(__dirname, 'support', 'validator-drift.js')], { encoding: 'utf8' });
    const { validators, values, problems } = JSON.parse(out);
    assert.ok(validators > 50, `only ${validators} validators were recorded`);
    assert.ok(values > 1000, `only ${values} values were tried`);
    assert.deepEqual(problems, []);
  });
});
