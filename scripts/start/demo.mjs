// The interactive demo: the example flows deployed with an account holding the simulator's
// secrets, simulated deliveries sent to every example, the keys that send more, and the
// recovery played with `r`.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, say } from './common.mjs';

const ACCOUNT_ID = 'mb-demo-account';

/** The examples, in menu order, merged into one deployment that shares one account with the simulator's secrets. */
export function demoFlow(simulator, artifactBaseUrl, port) {
  const examplesDir = join(root, 'examples');
  const nodes = [
    {
      id: ACCOUNT_ID,
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
      nodes.push(typeof node.account === 'string' ? { ...node, account: ACCOUNT_ID } : node);
    }
  }
  return nodes;
}

function callbackUrl(port, node) {
  return `http://127.0.0.1:${port}/${node.url.replace(/^\/+/, '')}`;
}

function callbackTargets(flows, port) {
  return flows
    .filter((n) => n.type === 'meetingbaas-callback' && typeof n.url === 'string')
    .map((n) => ({
      url: callbackUrl(port, n),
      tab: flows.find((t) => t.id === n.z)?.label ?? n.z,
      // An example that wires nothing to bot.completed is about failures: show it one.
      wantsCompleted: Array.isArray(n.wires?.[0]) && n.wires[0].length > 0,
      // A flow with a meeting bot node acts on the meeting through the API (deletes its data…).
      usesApi: flows.some((other) => other.z === n.z && other.type === 'meetingbaas-bot'),
    }));
}

const KEYS = { c: 'completed', f: 'failed', s: 'status', e: 'expired', i: 'invalid' };

/** The demo against the deployed `flows` of `nodeRed` (a LocalNodeRed) and the simulator's `artifactServer`. */
export function createDemo({ simulator, artifactServer, nodeRed, flows, port }) {
  const targets = callbackTargets(flows, port);
  const meeting = simulator.loadSampleMeeting();
  // True while the recovery plays: a second r waits for it to end.
  let restarting = false;

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

  /** One meeting to every example: completed, or failed to the examples about failures. */
  const showOff = async () => {
    for (const target of targets) await send(target.wantsCompleted ? 'completed' : 'failed', target);
  };

  /** Presses the button of every inject node wired to a meeting bot node, as a click in the editor would. */
  const sendBots = async () => {
    const bots = new Set(flows.filter((n) => n.type === 'meetingbaas-bot').map((n) => n.id));
    const injects = flows.filter((n) => n.type === 'inject' && (n.wires ?? []).flat().some((id) => bots.has(id)));
    if (injects.length === 0) say('no inject node is wired to a meeting bot node');
    for (const inject of injects) {
      try {
        await nodeRed.admin(`/inject/${inject.id}`, { method: 'POST' });
        say(`pressed "${inject.name || inject.id}": a bot is sent to the simulator`);
      } catch (error) {
        say(`could not press "${inject.name || inject.id}": ${error.message}`);
      }
    }
  };

  // A crash that outlasts Meeting BaaS's retries: only the catch-up can bring the meeting back.
  const recoveryTarget = flows.find((n) => n.type === 'meetingbaas-callback' && n.catchUp === true);
  const recover = async () => {
    if (restarting) return;
    if (!recoveryTarget) return say('no callback node has "Catch up" on: tick it in one, deploy, and press r again');
    const url = callbackUrl(port, recoveryTarget);
    restarting = true;
    try {
      say('recovery: killing Node-RED (SIGKILL, as a crash would)…');
      await nodeRed.stop('SIGKILL');
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
      await nodeRed.start();
      say(`recovery: Node-RED is up. The catch-up of "${recoveryTarget.name || recoveryTarget.id}" asks the simulator which meetings ended, and sends bot ${bot.botId.slice(0, 8)}… on with msg.meetingbaas.recovered = true (reload the editor to see it in the debug sidebar)`);
    } finally {
      restarting = false;
    }
  };

  const printBanner = () => {
    console.log(`
  Node-RED editor     http://127.0.0.1:${port}/
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
  };

  /** What a key pressed in the terminal does (q and Ctrl-C are the caller's). */
  const onKey = (key) => {
    if (key.toLowerCase() === 'b') return void sendBots();
    if (key.toLowerCase() === 'r') return void recover();
    const kind = KEYS[key.toLowerCase()];
    if (kind) for (const target of targets) void send(kind, target);
  };

  return { showOff, printBanner, onKey };
}
