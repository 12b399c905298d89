// meetingbaas-simulator: the offline Meeting BaaS for a Node-RED that has the package from the
// palette (no clone, no npm start). Sends one delivery to each --url and, with --serve, keeps the
// artifact server and API stand-in running for the flow to download from.
import { COMMAND, HELP } from './help';
import { parseCommandLine, UsageError, type Command } from './options';

/** Runs the command and sets process.exitCode; with --serve it returns only after Ctrl-C (or SIGTERM). */
export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<void> {
  let command: Command;
  try {
    command = parseCommandLine(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${COMMAND}: ${error.message}\nRun "${COMMAND} --help" for the options.`);
    process.exitCode = 2;
    return;
  }
  if (command.help) {
    console.log(HELP);
    process.exitCode = 0;
    return;
  }
  // Loaded only now: the API stand-in compiles the schema validators, half a second that
  // --help and a usage error should not wait for.
  const { run } = await import('./run.js');
  process.exitCode = await run(command.run);
}
