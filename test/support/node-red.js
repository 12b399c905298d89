'use strict';
// A real Node-RED process with this package installed as the palette installs it (npm pack +
// npm install of the tarball into a fresh user directory). The test helper's bare express app
// hides how a real install parses bodies, so every HTTP behaviour is also checked here.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const { npm } = require('./npm');

const ROOT = path.resolve(__dirname, '..', '..');

let packedTarball = null;
/** npm pack once per test run; `prepare` already built the package. */
function packTarball() {
  if (packedTarball) return packedTarball;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-pack-'));
  const out = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT });
  packedTarball = path.join(dir, JSON.parse(out)[0].filename);
  return packedTarball;
}

let installedUserDir = null;
/** A user directory with the package installed from its tarball, made once and copied per instance. */
function installedTemplate() {
  if (installedUserDir) return installedUserDir;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-userdir-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
  // The flags of Node-RED's palette manager (@node-red/registry installer.js), and a preference for the cache.
  npm(['install', '--no-audit', '--no-update-notifier', '--no-fund', '--save', '--save-prefix=~', '--omit=dev', '--engine-strict', '--prefer-offline', packTarball()], { cwd: dir, stdio: 'pipe' });
  installedUserDir = dir;
  return dir;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * Starts Node-RED (the devDependency) on a free port. `settings` are merged into settings.js
 * (functions are not supported: the file is JSON inside module.exports). `contextStoreModules`:
 * {store name: file of a context store plugin}, added to `contextStorage` after a `memory` store (the default).
 * `userDir`: the user directory of an earlier instance (killed, or stopped with `keep`), or an empty
 * one the caller made: Node-RED starts on its flows, credentials and files, as a restart would; the
 * package is installed into it the first time. `port`: listen there instead of on a free port (a
 * restart keeps the address senders were given).
 */
async function startNodeRed(settings = {}, { nodeBinary = process.execPath, nodeRedMain, contextStoreModules = {}, userDir: given, port: fixedPort } = {}) {
  const userDir = given ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mb-nr-'));
  // Links as npm made them (relative): node_modules/.bin of the copy must run the copy's package.
  if (!fs.existsSync(path.join(userDir, 'node_modules'))) fs.cpSync(installedTemplate(), userDir, { recursive: true, verbatimSymlinks: true });
  const port = fixedPort || (await freePort());
  const full = {
    uiHost: '127.0.0.1',
    uiPort: port,
    userDir,
    flowFile: 'flows.json',
    credentialSecret: 'test-credential-secret',
    editorTheme: { tours: false },
    telemetry: { enabled: false },
    logging: { console: { level: 'info', metrics: false, audit: false } },
    ...settings,
  };
  const settingsFile = path.join(userDir, 'settings.js');
  const stores = Object.entries(contextStoreModules).map(([name, file]) => `settings.contextStorage[${JSON.stringify(name)}] = { module: require(${JSON.stringify(file)}) };\n`);
  if (stores.length > 0) stores.unshift('settings.contextStorage = settings.contextStorage || { memory: { module: \'memory\' } };\n');
  fs.writeFileSync(settingsFile, `const settings = ${JSON.stringify(full, null, 2)};\n${stores.join('')}module.exports = settings;\n`);
  const main = nodeRedMain || require.resolve('node-red/red.js', { paths: [ROOT] });
  const child = spawn(nodeBinary, [main, '-u', userDir, '-s', settingsFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false' },
  });
  let log = '';
  const logWaiters = [];
  const onOutput = (chunk) => {
    log += chunk.toString();
    for (const waiter of [...logWaiters]) {
      if (waiter.pattern.test(log.slice(waiter.from))) {
        logWaiters.splice(logWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const exited = new Promise((resolve) => child.once('exit', resolve));

  const instance = {
    port,
    userDir,
    settings: full,
    get log() {
      return log;
    },
    /** Resolves when `pattern` appears in the output written after `from` (a log offset). */
    waitForLog(pattern, from = 0, timeoutMs = 30000) {
      if (pattern.test(log.slice(from))) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern} in Node-RED output:\n${log.slice(-3000)}`)), timeoutMs);
        logWaiters.push({ pattern, from, resolve: () => { clearTimeout(timer); resolve(); } });
      });
    },
    adminUrl(p) {
      const root = (full.httpAdminRoot || '/').replace(/\/$/, '');
      return `http://127.0.0.1:${port}${root}${p}`;
    },
    nodeUrl(p) {
      const root = typeof full.httpNodeRoot === 'string' ? full.httpNodeRoot.replace(/\/$/, '') : '';
      return `http://127.0.0.1:${port}${root}${p}`;
    },
    /** Deploys and resolves once Node-RED logs that the flows started (its HTTP answer comes earlier). */
    async deploy(flows, type = 'full', headers = {}) {
      const from = log.length;
      const res = await request(instance.adminUrl('/flows'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'node-red-deployment-type': type, 'node-red-api-version': 'v2', ...headers },
        body: JSON.stringify({ flows }),
      }).catch((error) => {
        // A refused deploy says little by itself: what Node-RED printed says why it is not listening.
        throw new Error(`deploy to port ${port} failed: ${error.message}\nNode-RED output:\n${log.slice(-3000)}`);
      });
      if (res.status !== 200) throw new Error(`deploy answered ${res.status}: ${res.text}`);
      await instance.waitForLog(/\[info\] Started (modified )?(flows|nodes)/, from);
      return JSON.parse(res.text).rev;
    },
    /** Ends the process at once with `signal` (SIGKILL: as a crash would), keeping its user directory. */
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        await exited;
      }
    },
    /** Stops Node-RED as Ctrl-C would; `keep`: leave the user directory for a later start. */
    async stop({ keep = false } = {}) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        await exited;
      }
      if (!keep) fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
  // Node-RED starts the flows before its HTTP server listens: a request between the two is refused.
  const started = Promise.all([instance.waitForLog(/\[info\] Started flows/, 0, 60000), instance.waitForLog(/Server now running at/, 0, 60000)]);
  const failed = exited.then((code) => { throw new Error(`Node-RED exited with ${code}:\n${log}`); });
  await Promise.race([started, failed]);
  return instance;
}

/** A plain HTTP request with a Buffer or string body; resolves {status, headers, text}. */
function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

module.exports = { startNodeRed, request, packTarball, installedTemplate, freePort, ROOT };
