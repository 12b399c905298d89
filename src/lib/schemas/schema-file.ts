// The Meeting BaaS v2 JSON Schemas (schemas/meetingbaas-v2.json, copied from the OpenAPI document
// by scripts/extract-schemas.mjs), read once for every validator of the package.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonSchema } from './schema-subset';

interface SchemaFile {
  readonly schemas: Readonly<Record<string, JsonSchema>>;
}

let loaded: SchemaFile | null = null;

/** The documented schema called `name`; throws at load time when the file lacks it. */
export function documentedSchema(name: string): JsonSchema {
  // The schema file sits at the package root, beside lib/ once compiled.
  loaded ??= JSON.parse(readFileSync(join(__dirname, '..', '..', 'schemas', 'meetingbaas-v2.json'), 'utf8')) as SchemaFile;
  const schema = loaded.schemas[name];
  if (!schema) throw new Error(`schema ${name} is missing from schemas/meetingbaas-v2.json`);
  return schema;
}
