// undici costs about 80 ms and 19 MiB to load, and a flow may never download or call the API:
// it is loaded when the first request is made, not when Node-RED loads the nodes.
import type * as Undici from 'undici';

let loaded: typeof Undici | null = null;

export function undici(): typeof Undici {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, not with this module
  loaded ??= require('undici') as typeof Undici;
  return loaded;
}
