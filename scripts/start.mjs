#!/usr/bin/env node
// `npm start`: the whole story offline. Builds the package if needed, installs it into a local
// Node-RED user directory (.node-red/, git-ignored) from the tarball `npm pack` makes, as the
// palette would, starts that Node-RED on 127.0.0.1 with the examples deployed and an account
// holding the simulator's secrets, starts the simulator's artifact server, and sends simulated
// deliveries. Ctrl-C stops everything.
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const userDir = join(root, '.node-red');
// The npm that ran `npm start`, not the older one node-red brings into node_modules/.bin
// (first on PATH under npm start), whose `pack` runs `prepare` despite --ignore-scripts.
const npmCli = process.env.npm_execpath;
function npm(args, options) {
  return npmCli && /\.[cm]?js$/.test(npmCli)
    ? execFileSync(process.execPath, [npmCli, ...args], options)
    : execFileSync('npm', args, options);
}
// Under `npm start` the environment carries the outer npm's settings (npm_config_local_prefix
// pointing at the repository, among others): nested npm commands must not inherit them, or
// they act on the repository instead of .node-red and run its lifecycle scripts.
const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));

const HELP = `Start a local Node-RED with this package, the example flows and the Meeting BaaS simulator.

Usage: npm start [-- options]

  --port N          Node-RED editor and callback port (default 1880)
  --artifact-port N simulator artifact server port (default 1881)
  --reset-flows     deploy the example flows again, replacing the flows you changed
  --node-red 4|5    the Node-RED major to run (default 4: the devDependency on this
                    Node.js; 5 fetches Node-RED 5 and Node.js 22 from the npm registry
                    once, into .node-red-runtimes/)
  --link            link the package into .node-red instead of installing its npm pack
                    tarball: later builds show up without reinstalling, but packaging
                    mistakes (a file missing from "files") go unnoticed
  -h, --help        this text

Keys while running: c = send bot.completed, f = bot.failed, s = bot.status_change,
e = bot.completed with expired URLs, i = an invalid delivery, b = send a bot (the simulator
creates it, and calls back when its short meeting ends), r = a recovery: Node-RED is killed, a
meeting ends while it is down and its callback is lost, and the catch-up of "Download every
artifact to disk" fetches it when Node-RED starts again, q or Ctrl-C = stop.`;

const { values: options } = parseArgs({
  options: {
    port: { type: 'string', default: '1880' },
    'artifact-port': { type: 'string', default: '1881' },
    'reset-flows': { type: 'boolean', default: false },
    'node-red': { type: 'string', default: '4' },
    link: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (options.help) {
  console.log(HELP);
  process.exit(0);
}
if (!['4', '5'].includes(options['node-red'])) {
  console.error('start: --node-red must be 4 or 5');
  process.exit(2);
}
const port = Number(options.port);
const artifactPort = Number(options['artifact-port']);
for (const [name, value] of [['--port', port], ['--artifact-port', artifactPort]]) {
  if (!Number.isInteger(value) || value <= 0 || value > 65535) {
    console.error(`start: ${name} must be a port number`);
    process.exit(2);
  }
}

function say(text) {
  console.log(`\x1b[36m[start]\x1b[0m ${text}`);
}

/** Newest modification time under a directory, to tell whether lib/ is older than its sources. */
function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), 0);
}

function buildIfNeeded() {
  const built = join(root, 'simulator', 'index.js');
  const stale =
    !existsSync(built) ||
    !existsSync(join(root, 'nodes')) ||
    Math.max(newestMtime(join(root, 'src')), newestMtime(join(root, 'schemas'))) > statSync(built).mtimeMs;
  if (!stale) return;
  say('building (npm run build)…');
  npm(['run', 'build'], { cwd: root, stdio: 'inherit', env: npmEnv });
}

/**
 * Installs the package the way the palette does: `npm install <tarball>` in the user directory.
 * The tarball is named after its content, because npm remembers the integrity of a file: spec
 * and refuses a changed tarball under the same name.
 */
function installPackage() {
  mkdirSync(userDir, { recursive: true });
  const manifest = join(userDir, 'package.json');
  if (!existsSync(manifest)) {
    writeFileSync(manifest, `${JSON.stringify({ name: 'node-red-project', description: 'A Node-RED Project', version: '0.0.1', private: true }, null, 2)}\n`);
  }
  const { name } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const marker = join(userDir, '.installed-package');
  if (options.link) {
    // A tarball installed later must not be taken for the one installed before the link.
    rmSync(marker, { force: true });
    say(`linking ${name} into .node-red/node_modules`);
    npm(['install', '--no-audit', '--no-fund', '--install-links=false', root], { cwd: userDir, stdio: 'inherit', env: npmEnv });
    return;
  }
  const packDir = join(userDir, 'pack');
  rmSync(packDir, { recursive: true, force: true });
  mkdirSync(packDir);
  // Already built: the prepare script would only build a second time.
  const [packed] = JSON.parse(
    npm(['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], { cwd: root, encoding: 'utf8', env: npmEnv }),
  );
  const tarball = join(packDir, packed.filename);
  const digest = createHash('sha256').update(readFileSync(tarball)).digest('hex').slice(0, 12);
  if (existsSync(marker) && readFileSync(marker, 'utf8') === digest && existsSync(join(userDir, 'node_modules', name))) {
    say(`${name} is installed and unchanged`);
    rmSync(packDir, { recursive: true, force: true });
    return;
  }
  const kept = join(userDir, packed.filename.replace(/\.tgz$/, `-${digest}.tgz`));
  for (const old of readdirSync(userDir).filter((f) => f.endsWith('.tgz'))) rmSync(join(userDir, old));
  renameSync(tarball, kept);
  rmSync(packDir, { recursive: true, force: true });
  say(`installing ${packed.filename} (${packed.entryCount} files) into .node-red, as the palette would…`);
  // --ignore-scripts: npm would run `prepare` for a local tarball, which it never does for a
  // package from the registry (what the palette installs); the package has no install scripts.
  npm(
    ['install', '--no-audit', '--no-fund', '--no-update-notifier', '--prefer-offline', '--omit=dev', '--ignore-scripts', '--save', `./${relative(userDir, kept)}`],
    { cwd: userDir, stdio: 'inherit', env: npmEnv },
  );
  writeFileSync(marker, digest);
}

/**
 * settings.js of the demo. Besides the usual settings it tells this script (over the IPC
 * channel it is started with) when an editor connects and has loaded its flows: deliveries
 * sent before that never show in the debug sidebar.
 */
function writeSettings(settingsFile, nodeRedMain) {
  // The events of the Node-RED that runs, which may be another install than the devDependency.
  const nodeRedRequire = createRequire(nodeRedMain);
  const utilPath = nodeRedRequire.resolve('@node-red/util');
  writeFileSync(
    settingsFile,
    `// Written by scripts/start.mjs on every start; change that script, not this file.
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

/** The examples, in menu order, merged into one deployment that shares one account with the simulator's secrets. */
function demoFlow(simulator, artifactBaseUrl) {
  const examplesDir = join(root, 'examples');
  const accountId = 'mb-demo-account';
  const nodes = [
    {
      id: accountId,
      type: 'meetingbaas-config',
      name: 'Simulator account',
      baseUrl: artifactBaseUrl,
      // The simulated bots call back here, to the callback node a bot node names.
      publicUrl: `http://127.0.0.1:${port}`,
      credentials: {
        apiKey: simulator.DEMO_API_KEY,
        callbackSecret: simulator.DEMO_CALLBACK_SECRET,
        webhookSecret: simulator.DEMO_WEBHOOK_SECRET,
      },
    },
  ];
  for (const file of readdirSync(examplesDir).filter((f) => f.endsWith('.json')).sort()) {
    const example = JSON.parse(readFileSync(join(examplesDir, file), 'utf8'));
    for (const node of example) {
      if (node.type === 'meetingbaas-config') continue;
      nodes.push(typeof node.account === 'string' ? { ...node, account: accountId } : node);
    }
  }
  return nodes;
}

function callbackTargets(flows) {
  return flows
    .filter((n) => n.type === 'meetingbaas-callback' && typeof n.url === 'string')
    .map((n) => ({
      url: `http://127.0.0.1:${port}/${n.url.replace(/^\/+/, '')}`,
      tab: flows.find((t) => t.id === n.z)?.label ?? n.z,
      // An example that wires nothing to bot.completed is about failures: show it one.
      wantsCompleted: Array.isArray(n.wires?.[0]) && n.wires[0].length > 0,
      // A flow with a meeting bot node acts on the meeting through the API (deletes its data…).
      usesApi: flows.some((other) => other.z === n.z && other.type === 'meetingbaas-bot'),
    }));
}

/** Presses the button of every inject node wired to a meeting bot node, as a click in the editor would. */
async function sendBots(flows) {
  const bots = new Set(flows.filter((n) => n.type === 'meetingbaas-bot').map((n) => n.id));
  const injects = flows.filter((n) => n.type === 'inject' && (n.wires ?? []).flat().some((id) => bots.has(id)));
  if (injects.length === 0) say('no inject node is wired to a meeting bot node');
  for (const inject of injects) {
    try {
      await adminRequest(`/inject/${inject.id}`, { method: 'POST' });
      say(`pressed "${inject.name || inject.id}": a bot is sent to the simulator`);
    } catch (error) {
      say(`could not press "${inject.name || inject.id}": ${error.message}`);
    }
  }
}

async function adminRequest(path, init = {}) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, init);
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${response.status}: ${await response.text()}`);
  return response;
}

/** Node-RED 4 is the devDependency on this Node.js; Node-RED 5 and Node.js 22 come from the registry once. */
function nodeRedRuntime() {
  if (options['node-red'] === '4') return { nodeBinary: process.execPath, nodeRedMain: join(root, 'node_modules', 'node-red', 'red.js') };
  say('Node-RED 5 on Node.js 22, from .node-red-runtimes/ (fetched from the npm registry the first time)');
  return require('./node-red-runtime.cjs').nodeRed5Runtime(join(root, '.node-red-runtimes'));
}

async function main() {
  buildIfNeeded();
  const simulator = require('../simulator');
  installPackage();
  const runtime = nodeRedRuntime();
  const settingsFile = join(userDir, 'settings.js');
  writeSettings(settingsFile, runtime.nodeRedMain);
  const freshFlows = options['reset-flows'] || !existsSync(join(userDir, 'flows.json'));

  let artifactServer;
  try {
    // A simulated bot stays a few seconds in its meeting, then sends its callback.
    artifactServer = await simulator.ArtifactServer.start({ port: artifactPort, apiKey: simulator.DEMO_API_KEY, bots: { meetingMs: 3000 } });
  } catch (error) {
    console.error(`start: the simulator cannot listen on 127.0.0.1:${artifactPort} (${error.code ?? error.message}).`);
    console.error('  Is another "npm start" running? Stop it, or use --artifact-port.');
    process.exit(1);
  }
  artifactServer.api.on('callback', (c) =>
    say(`simulator: bot ${c.botId.slice(0, 8)}… called back ${c.result ? `→ ${c.result.status}` : `and failed: ${c.error}`}`),
  );
  artifactServer.on('request', (r) => say(`simulator: ${r.method} ${r.path.replace(/^\/recordings\/[^/]+\//, '…/')} → ${r.status}`));

  say(`starting Node-RED ${options['node-red']}…`);
  let nodeRed;
  let stopping = false;
  // True while the recovery demo has Node-RED down on purpose.
  let restarting = false;
  const stop = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
    process.stdin.pause();
    if (nodeRed.exitCode === null && nodeRed.signalCode === null) {
      nodeRed.kill('SIGINT');
      await once(nodeRed, 'exit');
    }
    await artifactServer.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  // Node-RED says in its log when flows have started, after boot and after each deploy.
  const lineWaiters = new Set();
  const spawnNodeRed = () => {
    nodeRed = spawn(runtime.nodeBinary, [runtime.nodeRedMain, '-u', userDir, '-s', settingsFile], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    createInterface({ input: nodeRed.stdout }).on('line', (line) => {
      console.log(line);
      for (const waiter of lineWaiters) waiter(line);
    });
    createInterface({ input: nodeRed.stderr }).on('line', (line) => console.error(line));
    nodeRed.on('exit', (code) => {
      if (!stopping && !restarting) {
        console.error(`start: Node-RED stopped (exit code ${code}).`);
        void stop(1);
      }
    });
    nodeRed.on('message', onEditorMessage);
  };
  const flowsStarted = () =>
    new Promise((resolve, reject) => {
      const onExit = (code) => reject(new Error(`Node-RED exited (code ${code}) before its flows started`));
      const waiter = (line) => {
        if (!line.includes('Started flows')) return;
        lineWaiters.delete(waiter);
        nodeRed.off('exit', onExit);
        resolve();
      };
      lineWaiters.add(waiter);
      nodeRed.once('exit', onExit);
    });
  let editorConnected = false;
  let flowsLoaded = false;
  let shown = false;
  let showOff = async () => {};
  function onEditorMessage(message) {
    if (message?.type === 'editor-connected') editorConnected = true;
    if (message?.type === 'flows-loaded') flowsLoaded = true;
    if (editorConnected && flowsLoaded && !shown) {
      shown = true;
      // The editor imports the flows a moment after its GET /flows returns, and its debug sidebar
      // drops messages from nodes it does not know yet; no event tells this script when it is ready.
      setTimeout(() => {
        say('an editor connected: sending a simulated meeting so it shows in the debug sidebar');
        void showOff();
      }, 3000).unref();
    }
  }
  spawnNodeRed();
  const started = flowsStarted();
  try {
    await started;
  } catch (error) {
    console.error(`start: ${error.message}. Is port ${port} in use? Try --port.`);
    await stop(1);
    return;
  }

  if (freshFlows) {
    say('deploying the example flows with the simulator account…');
    const deployed = flowsStarted();
    await adminRequest('/flows', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'node-red-deployment-type': 'full' },
      body: JSON.stringify(demoFlow(simulator, artifactServer.baseUrl)),
    });
    // The answer comes once the old flows stopped; the new ones (and their routes) start after it.
    await deployed;
  } else {
    say('keeping the flows in .node-red/flows.json (npm start -- --reset-flows deploys the examples again)');
  }
  const flows = await (await adminRequest('/flows', { headers: { 'node-red-api-version': 'v1' } })).json();
  const targets = callbackTargets(flows);
  const meeting = simulator.loadSampleMeeting();

  const send = async (kind, target) => {
    let delivery;
    let auth = { kind: 'secret', secret: simulator.DEMO_CALLBACK_SECRET };
    if (kind === 'completed' || kind === 'expired') {
      const botId = randomUUID();
      const urls =
        kind === 'expired'
          ? simulator.expiredArtifactUrls(artifactServer.baseUrl, botId)
          : artifactServer.artifactUrls(botId);
      delivery = simulator.completedDelivery(meeting.script, urls, { botId });
      // As with Meeting BaaS, a meeting that calls back is a bot the API knows, for the flows that
      // act on it through the API. Only for those: the catch-up of the download example would
      // otherwise bring back, after a restart, every demo meeting sent to the other examples.
      if (target.usesApi) artifactServer.api.addEndedBot({ botId, status: 'completed' });
    } else if (kind === 'invalid') {
      delivery = simulator.invalidDelivery(meeting.script, artifactServer.artifactUrls(randomUUID()));
    } else if (kind === 'failed') {
      delivery = simulator.failedDelivery();
    } else {
      delivery = simulator.statusChangeDelivery();
      // Status changes only reach account webhooks, which Svix signs.
      auth = { kind: 'webhook', secret: simulator.DEMO_WEBHOOK_SECRET };
    }
    try {
      const result = await simulator.sendDelivery(target.url, delivery, auth);
      say(`sent ${delivery.event} to ${target.url} (${target.tab}) → ${result.status}`);
    } catch (error) {
      say(`sending ${delivery.event} to ${target.url} failed: ${error.cause?.code ?? error.message}`);
    }
  };
  showOff = async () => {
    for (const target of targets) await send(target.wantsCompleted ? 'completed' : 'failed', target);
  };

  // A crash that outlasts Meeting BaaS's retries: only the catch-up can bring the meeting back.
  const recoveryTarget = flows.find((n) => n.type === 'meetingbaas-callback' && n.catchUp === true);
  const recover = async () => {
    if (restarting) return;
    if (!recoveryTarget) return say('no callback node has "Catch up" on: tick it in one, deploy, and press r again');
    const url = `http://127.0.0.1:${port}/${recoveryTarget.url.replace(/^\/+/, '')}`;
    restarting = true;
    try {
      say('recovery: killing Node-RED (SIGKILL, as a crash would)…');
      nodeRed.kill('SIGKILL');
      await once(nodeRed, 'exit');
      const bot = artifactServer.api.addEndedBot({ status: 'completed', extra: { demo: 'ended while Node-RED was down' } });
      say(`recovery: bot ${bot.botId.slice(0, 8)}… ended its meeting; Meeting BaaS calls back to ${url} as it does, 4 times within about 21 s`);
      const delivery = simulator.completedDelivery(meeting.script, artifactServer.artifactUrls(bot.botId), { botId: bot.botId });
      const begun = Date.now();
      for (const wait of [0, 1000, 5000, 15000]) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        const outcome = await simulator
          .sendDelivery(url, delivery, { kind: 'secret', secret: simulator.DEMO_CALLBACK_SECRET })
          .then((r) => `answered ${r.status}`, (error) => `failed: ${error.cause?.code ?? error.message}`);
        say(`recovery: callback attempt at ${Math.round((Date.now() - begun) / 1000)} s ${outcome}`);
      }
      say('recovery: Meeting BaaS has given up on this callback. Starting Node-RED again in 10 s…');
      await new Promise((resolve) => setTimeout(resolve, 10000));
      spawnNodeRed();
      await flowsStarted();
      say(`recovery: Node-RED is up. The catch-up of "${recoveryTarget.name || recoveryTarget.id}" asks the simulator which meetings ended, and sends bot ${bot.botId.slice(0, 8)}… on with msg.meetingbaas.recovered = true (reload the editor to see it in the debug sidebar)`);
    } finally {
      restarting = false;
    }
  };

  const editorUrl = `http://127.0.0.1:${port}/`;
  console.log(`
  Node-RED editor     ${editorUrl}
  Callback URLs       ${targets.map((t) => `${t.url}   (${t.tab})`).join('\n                      ')}
  Simulator           ${artifactServer.baseUrl}   (artifacts and the bot API: GET /v2/bots, GET /v2/bots/{id}, …, API key "${simulator.DEMO_API_KEY}")
  Account secrets     callback "${simulator.DEMO_CALLBACK_SECRET}", webhook "${simulator.DEMO_WEBHOOK_SECRET}"

  Open the editor: when it has loaded, a simulated meeting is sent to every example and
  shows in the debug sidebar (the bug icon, top right).
  Keys: c = bot.completed  f = bot.failed  s = bot.status_change  e = completed with expired URLs  i = invalid
        b = send a bot (the "Send a bot" example: the simulator creates it and calls back)
        r = recovery: Node-RED killed, a meeting ends while it is down, the catch-up brings it back  q = stop
  From another terminal: npm run simulate -- completed   (--help for more)
`);

  // One delivery now, so the nodes' status and the downloaded files show the flow works
  // even before an editor is open.
  await showOff();

  if (process.stdin.isTTY) {
    process.stdin.setRawMode(true);
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (key) => {
      if (key === '\u0003' || key === 'q') return void stop();
      if (key.toLowerCase() === 'b') return void sendBots(flows);
      if (key.toLowerCase() === 'r') return void recover();
      const kind = { c: 'completed', f: 'failed', s: 'status', e: 'expired', i: 'invalid' }[key.toLowerCase()];
      if (kind) for (const target of targets) void send(kind, target);
    });
  }
}

main().catch((error) => {
  console.error(`start: ${error.stack ?? error.message}`);
  process.exit(1);
});
