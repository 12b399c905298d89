#!/usr/bin/env node
// The payload TypeScript types (src/lib/generated/meetingbaas-v2.ts), generated from
// schemas/meetingbaas-v2.json. They are committed, so that a fresh clone type-checks before any
// build; scripts/extract-schemas.mjs rewrites them with the schemas, and a test checks they match.
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

export const PAYLOAD_TYPES_FILE = join(root, 'src/lib/generated/meetingbaas-v2.ts');

/** The text of the types file for the schemas now in schemas/meetingbaas-v2.json. */
export async function payloadTypes() {
  const { compile } = require('json-schema-to-typescript');
  const { schemas, origin } = JSON.parse(await readFile(join(root, 'schemas/meetingbaas-v2.json'), 'utf8'));
  const parts = [`// Generated from schemas/meetingbaas-v2.json (${origin}) by scripts/payload-types.mjs. Do not edit.\n`];
  for (const [name, schema] of Object.entries(schemas)) {
    parts.push(
      await compile(schema, name, {
        bannerComment: '',
        additionalProperties: true,
        strictIndexSignatures: true,
        format: true,
      }),
    );
  }
  return parts.join('\n');
}

export async function writePayloadTypes() {
  writeFileSync(PAYLOAD_TYPES_FILE, await payloadTypes());
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writePayloadTypes();
  console.log('wrote src/lib/generated/meetingbaas-v2.ts');
}
