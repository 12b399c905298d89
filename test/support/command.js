'use strict';
// A command run as a user would run it, its output watched while it runs (for one that keeps
// serving until it is stopped).
const { spawn } = require('node:child_process');

/**
 * Starts `file` with `args`. `done` resolves {code, stdout, stderr} when it has exited;
 * `output(pattern)` resolves the output so far once stdout matches `pattern`.
 */
function startCommand(file, args, { env = process.env, cwd } = {}) {
  const child = spawn(file, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const watchers = new Set();
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    for (const watcher of [...watchers]) watcher();
  });
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const done = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  const output = (pattern, timeoutMs = 15000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        watchers.delete(watcher);
        reject(new Error(`no ${pattern} in the output of ${file}:\n${stdout}\n${stderr}`));
      }, timeoutMs);
      const watcher = () => {
        if (!pattern.test(stdout)) return;
        watchers.delete(watcher);
        clearTimeout(timer);
        resolve(stdout);
      };
      watchers.add(watcher);
      watcher();
    });
  return { child, done, output };
}

/** The environment of a command a user starts: no settings of the npm running the tests, none of the simulator's secrets. */
function userEnv(extra = {}) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && !/^MEETINGBAAS_/.test(name)),
  );
  return { ...env, ...extra };
}

module.exports = { startCommand, userEnv };
