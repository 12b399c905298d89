'use strict';
// A real redis-server (Debian's package; .ci/run installs it) on a free loopback port, started and
// stopped by the test itself: no system service. Its data directory stays across a stop and a
// start, so that a restart with `appendonly` keeps the claims, as a production Redis would.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('./node-red');

function redisServerPath() {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

/** Resolves once something accepts connections on the port, or rejects after `timeoutMs`. */
async function waitForPort(port, timeoutMs = 10000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * `appendonly`: every write in an append-only file, so that a restart keeps what was claimed.
 * `password`: requirepass. Returns {port, url, start(), stop(), kill(), pause(), resume(), remove()}.
 */
async function startRedis({ appendonly = false, password = null } = {}) {
  const binary = redisServerPath();
  if (binary === null) throw new Error('redis-server is not installed (apt-get install redis-server; .ci/run does it)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', appendonly ? 'yes' : 'no', '--appendfsync', 'always', '--protected-mode', 'no', '--loglevel', 'warning'];
  if (password) args.push('--requirepass', password);
  let child = null;
  let exited = Promise.resolve();
  let log = '';

  const redis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    get log() {
      return log;
    },
    get running() {
      return child !== null;
    },
    async start() {
      if (child) return;
      child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const started = child;
      started.stdout.on('data', (c) => (log += c));
      started.stderr.on('data', (c) => (log += c));
      exited = new Promise((resolve) => started.once('exit', () => {
        if (child === started) child = null;
        resolve();
      }));
      await waitForPort(port);
    },
    /** As an operator's `systemctl stop` would: SIGTERM, waited for. */
    async stop() {
      if (!child) return;
      child.kill('SIGTERM');
      await exited;
    },
    /** As a crash would. */
    async kill() {
      if (!child) return;
      child.kill('SIGKILL');
      await exited;
    },
    /** Connected but silent: every call waits until `resume`, as with an overloaded Redis. */
    pause() {
      if (child) child.kill('SIGSTOP');
    },
    resume() {
      if (child) child.kill('SIGCONT');
    },
    async remove() {
      if (child) child.kill('SIGCONT');
      await redis.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await redis.start();
  return redis;
}

module.exports = { startRedis, redisServerPath, waitForPort };
