// What tsc writes from src/ (rootDir src, outDir the package root): one folder at the root per folder
// of src/. The build removes them before compiling, so that the .js of a deleted or moved source
// cannot stay behind and be published.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const OUTPUT_FOLDERS = ['lib', 'nodes', 'simulator'];

export function cleanOutput(root) {
  const unknown = readdirSync(join(root, 'src')).filter((name) => !OUTPUT_FOLDERS.includes(name));
  if (unknown.length > 0) {
    // Its output would be neither cleaned nor ignored by git: list it in OUTPUT_FOLDERS and .gitignore.
    throw new Error(`build: src/${unknown.join(', src/')} compiles outside the folders the build cleans`);
  }
  for (const folder of OUTPUT_FOLDERS) rmSync(join(root, folder), { recursive: true, force: true });
}
