'use strict';
// The validators are generated at build time (AJV standalone code) from the schemas the modules ask
// for. These checks keep the two from drifting apart: every validator asked for was generated, none
// is compiled at run time, and each gives the same verdicts and errors as AJV compiling its schema now.
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const path = require('node:path');

describe('generated validators', function () {
  this.timeout(60000);

  it('give the verdicts and errors of the same schemas compiled at run time', function () {
    const out = execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'support', 'validator-drift.js')], { encoding: 'utf8' });
    const { validators, values, problems } = JSON.parse(out);
    assert.ok(validators > 50, `only ${validators} validators were recorded`);
    assert.ok(values > 1000, `only ${values} values were tried`);
    assert.deepEqual(problems, []);
  });

  it('are all there: loading the nodes compiles nothing and does not load the AJV compiler', function () {
    const script = `
      const compiled = require('./lib/schemas/compiled');
      for (const type of ['config', 'callback', 'artifacts', 'bot', 'done']) require('./nodes/meetingbaas-' + type + '/meetingbaas-' + type + '.js');
      require('./lib/delivery/validation'); require('./lib/api');
      compiled.resolveAll(); // validators are looked up when first called
      const ajvCore = Object.keys(require.cache).filter((file) => /ajv[\\\\/]dist[\\\\/](core|2020|compile)/.test(file));
      process.stdout.write(JSON.stringify({ atRunTime: compiled.runTimeCompilations(), ajvCore }));`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: path.join(__dirname, '..', '..', '..'), encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), { atRunTime: 0, ajvCore: [] });
  });
});
