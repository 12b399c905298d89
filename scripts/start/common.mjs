// What every part of `npm start` shares: where the clone and the demo's user directory are,
// and how the script speaks in the terminal.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
/** The local Node-RED user directory (git-ignored). */
export const userDir = join(root, '.node-red');

export function say(text) {
  console.log(`\x1b[36m[start]\x1b[0m ${text}`);
}
