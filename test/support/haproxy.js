'use strict';
// A real HAProxy (Debian's package; .ci/run installs it) in front of several Node-RED instances,
// round robin, on a free loopback port, started in the foreground by the test: no system service.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('./node-red');
const { waitForPort } = require('./redis');

function haproxyPath() {
  const found = spawnSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

/** Round robin over `backendPorts` (127.0.0.1); resolves {port, url(path), stop()} once it listens. */
async function startHaproxy(backendPorts) {
  const binary = haproxyPath();
  if (binary === null) throw new Error('haproxy is not installed (apt-get install haproxy; .ci/run does it)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-haproxy-'));
  const port = await freePort();
  const config = [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    // Every request is balanced on its own, as requests from Meeting BaaS's many senders would be.
    '  option http-server-close',
    'frontend callbacks',
    `  bind 127.0.0.1:${port}`,
    '  default_backend node_red',
    'backend node_red',
    '  balance roundrobin',
    ...backendPorts.map((p, i) => `  server nr${i + 1} 127.0.0.1:${p}`),
    '',
  ].join('\n');
  const file = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(file, config);
  const checked = spawnSync(binary, ['-c', '-f', file], { encoding: 'utf8' });
  if (checked.status !== 0) throw new Error(`haproxy refused its configuration:\n${checked.stdout}${checked.stderr}`);
  const child = spawn(binary, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (c) => (log += c));
  child.stderr.on('data', (c) => (log += c));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await Promise.race([waitForPort(port), exited.then((code) => { throw new Error(`haproxy exited with ${code}:\n${log}`); })]);
  return {
    port,
    url: (p) => `http://127.0.0.1:${port}${p}`,
    get log() {
      return log;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { startHaproxy, haproxyPath };
