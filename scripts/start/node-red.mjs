// The demo's Node-RED process: its runtime (the devDependency, or Node-RED 5 on Node.js 22),
// its settings, starting it, stopping or killing it, its admin API, and word of when an editor
// has loaded the flows.
import { spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { root, say } from './common.mjs';

const require = createRequire(import.meta.url);

/** Node-RED 4 is the devDependency on this Node.js; Node-RED 5 and Node.js 22 come from the registry once. */
export function nodeRedRuntime(major) {
  if (major === '4') return { nodeBinary: process.execPath, nodeRedMain: join(root, 'node_modules', 'node-red', 'red.js') };
  say('Node-RED 5 on Node.js 22, from .node-red-runtimes/ (fetched from the npm registry the first time)');
  return require('../node-red-runtime.cjs').nodeRed5Runtime(join(root, '.node-red-runtimes'));
}

/**
 * settings.js of the demo. Besides the usual settings it tells this script (over the IPC
 * channel it is started with) when an editor connects and has loaded its flows: deliveries
 * sent before that never show in the debug sidebar.
 */
function writeSettings(settingsFile, nodeRedMain, port) {
  // The events of the Node-RED that runs, which may be another install than the devDependency.
  const nodeRedRequire = createRequire(nodeRedMain);
  const utilPath = nodeRedRequire.resolve('@node-red/util');
  writeFileSync(
    settingsFile,
    `// Written by scripts/start/node-red.mjs on every start; change that script, not this file.
const { events } = require(${JSON.stringify(utilPath)});
const tellStarter = (type) => { if (process.send && process.connected) process.send({ type }); };
events.on('comms:connection-added', () => tellStarter('editor-connected'));
module.exports = {
  uiHost: '127.0.0.1',
  uiPort: ${port},
  flowFile: 'flows.json',
  // Fixed, so the demo account's credentials decrypt on every start. Local demo only.
  credentialSecret: 'meeting-baas-local-demo',
  editorTheme: { tours: false, projects: { enabled: false } },
  telemetry: { enabled: false },
  diagnostics: { enabled: false },
  logging: { console: { level: 'info', metrics: false, audit: false } },
  httpAdminMiddleware(req, res, next) {
    if (req.method === 'GET' && req.path === '/flows') tellStarter('flows-loaded');
    next();
  },
};
`,
  );
}

/**
 * One Node-RED on 127.0.0.1:`port`, its output passed through to this terminal. Emits
 * 'unexpected-exit' (code) when it stops without being told to, and 'editor-ready' once, when
 * an editor has first loaded its flows.
 */
export class LocalNodeRed extends EventEmitter {
  #process = null;
  /** True while this script has Node-RED down on purpose (stopping, or the recovery's kill). */
  #downOnPurpose = false;
  #lineWaiters = new Set();
  #editorConnected = false;
  #flowsLoaded = false;
  #editorReady = false;

  constructor({ runtime, userDir, port }) {
    super();
    this.runtime = runtime;
    this.userDir = userDir;
    this.port = port;
    this.settingsFile = join(userDir, 'settings.js');
    writeSettings(this.settingsFile, runtime.nodeRedMain, port);
  }

  /** Starts the process; resolves when its flows have started. */
  start() {
    this.#downOnPurpose = false;
    const child = spawn(this.runtime.nodeBinary, [this.runtime.nodeRedMain, '-u', this.userDir, '-s', this.settingsFile], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.#process = child;
    createInterface({ input: child.stdout }).on('line', (line) => {
      console.log(line);
      for (const waiter of this.#lineWaiters) waiter(line);
    });
    createInterface({ input: child.stderr }).on('line', (line) => console.error(line));
    child.on('exit', (code) => {
      if (!this.#downOnPurpose) this.emit('unexpected-exit', code);
    });
    child.on('message', (message) => this.#onEditorMessage(message));
    return this.flowsStarted();
  }

  /** Resolves when Node-RED next says in its log that flows have started: after boot, and after each deploy. */
  flowsStarted() {
    const child = this.#process;
    return new Promise((resolve, reject) => {
      const onExit = (code) => {
        this.#lineWaiters.delete(waiter);
        reject(new Error(`Node-RED exited (code ${code}) before its flows started`));
      };
      const waiter = (line) => {
        if (!line.includes('Started flows')) return;
        this.#lineWaiters.delete(waiter);
        child.off('exit', onExit);
        resolve();
      };
      this.#lineWaiters.add(waiter);
      child.once('exit', onExit);
    });
  }

  get running() {
    return this.#process !== null && this.#process.exitCode === null && this.#process.signalCode === null;
  }

  /** Stops it as Ctrl-C would (SIGINT), or as a crash does (SIGKILL); resolves once it has exited. */
  async stop(signal = 'SIGINT') {
    this.#downOnPurpose = true;
    if (!this.running) return;
    const exited = once(this.#process, 'exit');
    this.#process.kill(signal);
    await exited;
  }

  /** A request to the admin API; rejects unless it answers 2xx. */
  async admin(path, init = {}) {
    const response = await fetch(`http://127.0.0.1:${this.port}${path}`, init);
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${response.status}: ${await response.text()}`);
    return response;
  }

  #onEditorMessage(message) {
    if (message?.type === 'editor-connected') this.#editorConnected = true;
    if (message?.type === 'flows-loaded') this.#flowsLoaded = true;
    if (this.#editorConnected && this.#flowsLoaded && !this.#editorReady) {
      this.#editorReady = true;
      // The editor imports the flows a moment after its GET /flows returns, and its debug sidebar
      // drops messages from nodes it does not know yet; no event tells this script when it is ready.
      setTimeout(() => this.emit('editor-ready'), 3000).unref();
    }
  }
}
