#!/usr/bin/env node
// Copies out of the Meeting BaaS v2 OpenAPI document the part the simulator serves, into
// simulator-assets/meetingbaas-openapi.json: the operations of ROUTES below, the security scheme
// (which header carries the API key) and every component schema they refer to, nothing else.
//
// This is on purpose a second extraction, apart from scripts/extract-schemas.mjs (which feeds the
// package's own validators and types and relaxes or tightens them): the simulator stands for the
// remote service, so it must judge requests by the document as published, not by the package's
// reading of it. Were both fed by one extraction, a mistake in it would be made on both sides of
// every test and never be seen.
//
// Usage: node scripts/extract-simulator-openapi.mjs <path/to/meetingbaas-openapi-v2.json>
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** [method, path] of every operation the simulator's bot API serves; any other answers 404 or 405. */
const ROUTES = [
  ['post', '/v2/bots'],
  ['get', '/v2/bots'],
  ['get', '/v2/bots/{bot_id}'],
  ['get', '/v2/bots/{bot_id}/status'],
  ['get', '/v2/bots/{bot_id}/screenshots'],
  ['post', '/v2/bots/{bot_id}/leave'],
  ['post', '/v2/bots/{bot_id}/send-chat-message'],
  ['post', '/v2/bots/{bot_id}/pause-recording'],
  ['post', '/v2/bots/{bot_id}/resume-recording'],
  ['delete', '/v2/bots/{bot_id}/delete-data'],
  ['post', '/v2/bots/{bot_id}/resend-webhook'],
  ['post', '/v2/bots/{bot_id}/retry-callback'],
  ['patch', '/v2/bots/{bot_id}/update-config'],
  ['post', '/v2/bots/scheduled'],
  ['get', '/v2/bots/scheduled'],
  ['get', '/v2/bots/scheduled/{bot_id}'],
  ['patch', '/v2/bots/scheduled/{bot_id}'],
  ['delete', '/v2/bots/scheduled/{bot_id}'],
];

/** The documented error answers, named here because the simulator answers them on paths it does not serve too. */
const ERROR_SCHEMAS = ['ErrorResponse', 'ValidationErrorResponse'];

const source = process.argv[2];
if (!source) {
  console.error('usage: node scripts/extract-simulator-openapi.mjs <meetingbaas-openapi-v2.json>');
  process.exit(2);
}
const document = JSON.parse(readFileSync(source, 'utf8'));
const COMPONENT_REF = /^#\/components\/schemas\/([A-Za-z0-9_.-]+)$/;

/** Every component a part of the document refers to, directly or through other components. */
function referencedComponents(node, found = new Set()) {
  if (Array.isArray(node)) {
    for (const item of node) referencedComponents(item, found);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        const name = COMPONENT_REF.exec(value)?.[1];
        if (!name) throw new Error(`a reference the simulator cannot follow: ${value}`);
        if (!document.components.schemas[name]) throw new Error(`${value} is not in ${source}`);
        if (!found.has(name)) {
          found.add(name);
          referencedComponents(document.components.schemas[name], found);
        }
      } else {
        referencedComponents(value, found);
      }
    }
  }
  return found;
}

/**
 * Each component carries `$id: "#/components/schemas/<name>"` and a `$schema`: as ids they would make
 * every component a resource of its own inside the document, and `#/components/…` references would
 * then be read against the wrong base. The document's own place already names each component.
 */
function withoutIds(schema) {
  const { $id: _id, $schema: _schema, ...rest } = schema;
  return rest;
}

const paths = {};
for (const [method, path] of ROUTES) {
  const operation = document.paths[path]?.[method];
  if (!operation) throw new Error(`${method.toUpperCase()} ${path} is not in ${source}`);
  paths[path] = { ...paths[path], [method]: operation };
}
const names = referencedComponents(paths);
for (const name of ERROR_SCHEMAS) {
  if (!document.components.schemas[name]) throw new Error(`${name} is not in ${source}`);
  names.add(name);
  referencedComponents(document.components.schemas[name], names);
}
const schemas = {};
for (const name of [...names].sort()) schemas[name] = withoutIds(document.components.schemas[name]);

const subset = {
  openapi: document.openapi,
  info: {
    ...document.info,
    'x-extracted': {
      by: 'scripts/extract-simulator-openapi.mjs',
      from: `Meeting BaaS API v2 OpenAPI ${document.openapi} document (info.version ${document.info.version})`,
      changes: ['only the operations the simulator serves and the component schemas they refer to', 'components: "$id" and "$schema" removed'],
    },
  },
  servers: document.servers,
  security: document.security,
  components: { securitySchemes: document.components.securitySchemes, schemas },
  paths,
};
const target = fileURLToPath(new URL('../simulator-assets/meetingbaas-openapi.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(subset)}\n`);
console.log(`wrote ${ROUTES.length} operations and ${names.size} component schemas to simulator-assets/meetingbaas-openapi.json`);
