#!/usr/bin/env node
// `npm start`: the whole story offline. Builds the package if needed, installs it into a local
// Node-RED user directory (.node-red/, git-ignored) from the tarball `npm pack` makes, as the
// palette would, starts that Node-RED on 127.0.0.1 with the examples deployed and an account
// holding the simulator's secrets, starts the simulator's artifact server, and sends simulated
// deliveries. Ctrl-C stops everything. The parts are in start/: options, build-and-install,
// node-red (the process) and demo (the flows, the deliveries and the keys).
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildIfNeeded, installPackage } from './start/build-and-install.mjs';
import { say, userDir } from './start/common.mjs';
import { createDemo, demoFlow } from './start/demo.mjs';
import { LocalNodeRed, nodeRedRuntime } from './start/node-red.mjs';
import { readOptions } from './start/options.mjs';

const require = createRequire(import.meta.url);
const options = readOptions();

async function main() {
  const { port, artifactPort } = options;
  buildIfNeeded();
  const simulator = require('../simulator');
  installPackage({ link: options.link });
  const nodeRed = new LocalNodeRed({ runtime: nodeRedRuntime(options.nodeRedMajor), userDir, port });
  const freshFlows = options.resetFlows || !existsSync(join(userDir, 'flows.json'));

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

  say(`starting Node-RED ${options.nodeRedMajor}…`);
  let stopping = false;
  const stop = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    // Before anything else: Node-RED may exit any moment now, and must not be taken for a crash.
    const stopped = nodeRed.stop();
    say('stopping…');
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
    process.stdin.pause();
    await stopped;
    await artifactServer.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  nodeRed.on('unexpected-exit', (code) => {
    console.error(`start: Node-RED stopped (exit code ${code}).`);
    void stop(1);
  });

  let showOff = async () => {};
  nodeRed.once('editor-ready', () => {
    say('an editor connected: sending a simulated meeting so it shows in the debug sidebar');
    void showOff();
  });
  try {
    await nodeRed.start();
  } catch (error) {
    console.error(`start: ${error.message}. Is port ${port} in use? Try --port.`);
    await stop(1);
    return;
  }

  if (freshFlows) {
    say('deploying the example flows with the simulator account…');
    const deployed = nodeRed.flowsStarted();
    await nodeRed.admin('/flows', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'node-red-deployment-type': 'full' },
      body: JSON.stringify(demoFlow(simulator, artifactServer.baseUrl, port)),
    });
    // The answer comes once the old flows stopped; the new ones (and their routes) start after it.
    await deployed;
  } else {
    say('keeping the flows in .node-red/flows.json (npm start -- --reset-flows deploys the examples again)');
  }
  const flows = await (await nodeRed.admin('/flows', { headers: { 'node-red-api-version': 'v1' } })).json();
  const demo = createDemo({ simulator, artifactServer, nodeRed, flows, port });
  showOff = demo.showOff;
  demo.printBanner();

  // One delivery now, so the nodes' status and the downloaded files show the flow works
  // even before an editor is open.
  await demo.showOff();

  if (process.stdin.isTTY) {
    process.stdin.setRawMode(true);
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (key) => {
      if (key === '\u0003' || key === 'q') return void stop();
      demo.onKey(key);
    });
  }
}

main().catch((error) => {
  console.error(`start: ${error.stack ?? error.message}`);
  process.exit(1);
});
