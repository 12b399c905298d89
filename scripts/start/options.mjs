// The command line of `npm start`: its help, and the options checked before anything starts.
import { parseArgs } from 'node:util';

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

/** The options, or the process ends: with the help, or with code 2 on a bad option. */
export function readOptions(args = process.argv.slice(2)) {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '1880' },
      'artifact-port': { type: 'string', default: '1881' },
      'reset-flows': { type: 'boolean', default: false },
      'node-red': { type: 'string', default: '4' },
      link: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  if (!['4', '5'].includes(values['node-red'])) {
    console.error('start: --node-red must be 4 or 5');
    process.exit(2);
  }
  const port = Number(values.port);
  const artifactPort = Number(values['artifact-port']);
  for (const [name, value] of [['--port', port], ['--artifact-port', artifactPort]]) {
    if (!Number.isInteger(value) || value <= 0 || value > 65535) {
      console.error(`start: ${name} must be a port number`);
      process.exit(2);
    }
  }
  return { port, artifactPort, resetFlows: values['reset-flows'], nodeRedMajor: values['node-red'], link: values.link };
}
