#!/usr/bin/env node
// Copies the JSON Schemas this package validates against out of the Meeting BaaS v2 OpenAPI
// file into schemas/meetingbaas-v2.json, and applies the documented relaxations once, here,
// so that the runtime validator and the generated TypeScript types read the same data.
//
// The operations the package calls come from its table (src/lib/api/operations.ts): each line is
// checked against the document (operationId, method, path, schema names) and its request, query
// and answer schemas are copied too. A line that disagrees with the document stops the script.
//
// Usage: node scripts/extract-schemas.mjs <path/to/meetingbaas-openapi-v2.json>
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { writePayloadTypes } from './payload-types.mjs';

const source = process.argv[2];
if (!source) {
  console.error('usage: node scripts/extract-schemas.mjs <meetingbaas-openapi-v2.json>');
  process.exit(2);
}
const openapi = JSON.parse(readFileSync(source, 'utf8'));
const all = openapi.components.schemas;

// Deliveries (callbacks and account webhooks) by event, plus the API's error answers; the answers
// of the operations are added from the table. All of these are relaxed (see allowUnknownFields):
// they describe what others send to us.
const NAMES = [
  'CallbackCompleted',
  'CallbackFailed',
  'BotWebhookStatusChange',
  'BotWebhookChatMessage',
  'CalendarWebhookConnectionCreated',
  'CalendarWebhookConnectionUpdated',
  'CalendarWebhookConnectionDeleted',
  'CalendarWebhookEventsSynced',
  'CalendarWebhookEventCreated',
  'CalendarWebhookEventUpdated',
  'CalendarWebhookEventCancelled',
  'ErrorResponse',
  'ValidationErrorResponse',
];

// Request bodies and query parameters this package sends (from the table) are made stricter
// instead (see rejectUnknownFields): the OpenAPI file leaves their objects open, so a misspelt
// option (`transcription_enable`) would pass validation and be silently ignored by the API.
// Checked before sending, a typo becomes an error the user sees, and no bot is sent with settings
// other than the ones meant.

// Answers documented inline under `paths` rather than in components.schemas: [name, path, method, status].
const INLINE_RESPONSES = [['RateLimitedResponse', '/v2/bots', 'post', '429']];

/** The table of operations, read from its TypeScript source (it imports nothing, so it runs alone once transpiled). */
function readOperations() {
  const ts = createRequire(import.meta.url)('typescript');
  const file = fileURLToPath(new URL('../src/lib/api/operations.ts', import.meta.url));
  const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  const module = { exports: {} };
  runInNewContext(outputText, { module, exports: module.exports });
  return module.exports.OPERATIONS;
}

const pascal = (operationId) => operationId[0].toUpperCase() + operationId.slice(1);
const COMPONENT_REF = /^#\/components\/schemas\/([A-Za-z0-9_]+)$/;

/**
 * The name the document gives a schema (its component), or, for one written inline, the name coined
 * for it by rule; `expected` is the table's, and the two must agree.
 */
function schemaName(schema, coined, expected, where) {
  const ref = typeof schema?.$ref === 'string' ? COMPONENT_REF.exec(schema.$ref)?.[1] : undefined;
  const name = ref ?? coined;
  if (name !== expected) throw new Error(`${where}: the document's schema is ${name}, the table says ${expected}`);
  return { name, schema: ref ? all[ref] : schema, inline: !ref };
}

/** Each operation of the table, checked against the document, with the schemas it names. */
function operationSchemas(operations) {
  const requests = new Map();
  const answers = new Map();
  const queries = new Map();
  for (const [action, op] of Object.entries(operations)) {
    const where = `${action} (${op.method} ${op.path})`;
    const documented = openapi.paths[op.path]?.[op.method.toLowerCase()];
    if (!documented) throw new Error(`${where} is not in ${source}`);
    if (documented.operationId !== op.operationId) throw new Error(`${where} is ${documented.operationId} in the document, not ${op.operationId}`);
    const body = documented.requestBody?.content?.['application/json']?.schema;
    if (body === undefined) {
      if (op.body !== null) throw new Error(`${where} takes no body in the document, the table names ${op.body}`);
    } else {
      const found = schemaName(body, `${pascal(op.operationId)}RequestBody`, op.body, `${where} request body`);
      requests.set(found.name, found.schema);
    }
    const success = Object.keys(documented.responses).find((status) => /^2\d\d$/.test(status));
    const answer = success && documented.responses[success].content?.['application/json']?.schema;
    if (!answer) throw new Error(`${where} documents no JSON success answer`);
    const found = schemaName(answer, `${pascal(op.operationId)}Response`, op.answer, `${where} answer`);
    answers.set(found.name, found.schema);
    const parameters = (documented.parameters ?? []).filter((p) => p.in === 'query');
    const queryName = parameters.length === 0 ? null : `${pascal(op.operationId)}QueryParameters`;
    if (queryName !== op.query) throw new Error(`${where}: the document's query parameters make ${queryName}, the table says ${op.query}`);
    if (queryName !== null) queries.set(queryName, queryParameters(parameters));
    const paged = parameters.some((p) => p.name === 'cursor');
    if (paged !== op.paged) throw new Error(`${where}: the table says paged ${op.paged}, the document ${paged ? 'has' : 'has no'} cursor parameter`);
  }
  return { requests, answers, queries };
}

/**
 * The query parameters as one object schema. A parameter the document marks required but gives a
 * default (`limit`, `delete_from_provider`) is optional here: the API fills in the default.
 */
function queryParameters(parameters) {
  const properties = {};
  const required = [];
  for (const parameter of parameters) {
    properties[parameter.name] = { ...(parameter.description ? { description: parameter.description } : {}), ...parameter.schema };
    if (parameter.required && !('default' in parameter.schema)) required.push(parameter.name);
  }
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
}

/**
 * `allOf` of plain object schemas (a `$ref` to CreateBotRequestBodyInput and `join_at`) as one
 * object: closed apart, each part would refuse the other's fields.
 */
function mergeObjectParts(schema) {
  if (!Array.isArray(schema.allOf)) return schema;
  const parts = schema.allOf.map((part) => {
    const ref = typeof part.$ref === 'string' ? COMPONENT_REF.exec(part.$ref)?.[1] : undefined;
    return ref ? all[ref] : part;
  });
  const merged = { type: 'object', properties: {}, required: [] };
  for (const part of parts) {
    const extra = Object.keys(part).filter((key) => !['$schema', '$id', 'type', 'properties', 'required', 'description'].includes(key));
    if (part.type !== 'object' || extra.length > 0) throw new Error(`cannot merge an allOf part with ${extra.join(', ') || `type ${part.type}`}`);
    Object.assign(merged.properties, part.properties);
    merged.required.push(...(part.required ?? []));
  }
  const { allOf: _parts, ...rest } = schema;
  return { ...rest, ...merged };
}

/** Whatever `$ref` is left: the schema file holds each schema on its own, so a reference would not resolve. */
function assertNoRefs(node, where) {
  if (Array.isArray(node)) return node.forEach((item) => assertNoRefs(item, where));
  if (node === null || typeof node !== 'object') return;
  if ('$ref' in node) throw new Error(`${where} still refers to ${node.$ref}`);
  for (const value of Object.values(node)) assertNoRefs(value, where);
}

/** Senders add fields over time: an unknown field must never make an authentic delivery invalid. */
function allowUnknownFields(node) {
  if (Array.isArray(node)) return node.map(allowUnknownFields);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'additionalProperties' && value === false) continue;
    if (key === '$schema' || key === '$id') continue;
    out[key] = allowUnknownFields(value);
  }
  return out;
}

/**
 * Closes every object that lists its `properties` and says nothing about others. Objects meant
 * to be open (`extra`, `custom_params`: `additionalProperties: {}`) say so and stay open.
 */
function rejectUnknownFields(node) {
  if (Array.isArray(node)) return node.map(rejectUnknownFields);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema' || key === '$id') continue;
    // `properties` maps field names to schemas: recurse into each schema, not the map itself.
    out[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, rejectUnknownFields(sub)]))
        : rejectUnknownFields(value);
  }
  if (out.properties && !('additionalProperties' in out)) out.additionalProperties = false;
  return out;
}

/**
 * `propertyNames: {type: "string"}` holds for every JSON object, yet AJV still loops over each key
 * to check it: 60,000 keys in an `extra` cost 12 ms for nothing.
 */
function dropTautologies(node) {
  if (Array.isArray(node)) return node.map(dropTautologies);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    const anyString = value !== null && typeof value === 'object' && Object.keys(value).length === 1 && value.type === 'string';
    if (key === 'propertyNames' && anyString) continue;
    out[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, dropTautologies(sub)]))
        : dropTautologies(value);
  }
  return out;
}

/** OpenAPI's singular `example` annotation is no JSON Schema keyword, and AJV in strict mode refuses unknown keywords. */
function dropExampleAnnotations(node) {
  if (Array.isArray(node)) return node.map(dropExampleAnnotations);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example') continue;
    out[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, dropExampleAnnotations(sub)]))
        : dropExampleAnnotations(value);
  }
  return out;
}

/** Variants the Meeting BaaS guides show for bot.completed: `mp4` for `video`, `chat_messages`, `extra` in `data`. */
function acceptDocumentedVariants(schema) {
  const data = schema.properties.data;
  const urlOrNull = data.properties.video;
  data.properties.mp4 = { ...urlOrNull, description: 'Older name of `video` used in some guides' };
  data.properties.chat_messages = {
    ...urlOrNull,
    description: 'Signed URL of the chat messages (JSON), shown in some guides',
  };
  data.required = data.required.filter((name) => name !== 'video');
  data.anyOf = [{ required: ['video'] }, { required: ['mp4'] }];
  return schema;
}

/** `extra` may come inside `data` instead of at the top level (a guide shows it there). */
function acceptExtraInData(schema) {
  if (!schema.required?.includes('extra')) return schema;
  schema.required = schema.required.filter((name) => name !== 'extra');
  schema.anyOf = [...(schema.anyOf ?? []), { required: ['extra'] }, { properties: { data: { required: ['extra'] } } }];
  return schema;
}

/**
 * `GET /v2/bots` names its next-page cursor twice: the schema says `cursor`, the operation's own
 * description says "the response includes a `next_cursor`". Either is accepted, as `mp4` is for `video`.
 */
function acceptNextCursor(schema) {
  schema.properties.next_cursor = {
    ...schema.properties.cursor,
    description: 'Cursor for the next page (null if no more pages); the name the operation description uses',
  };
  schema.required = schema.required.filter((name) => name !== 'cursor');
  schema.anyOf = [{ required: ['cursor'] }, { required: ['next_cursor'] }];
  return schema;
}

const operations = operationSchemas(readOperations());

const schemas = {};
const received = new Map();
for (const name of NAMES) {
  if (!all[name]) throw new Error(`${name} is not in ${source}`);
  if (operations.answers.has(name)) throw new Error(`${name} is the answer of an operation: the table copies it`);
  received.set(name, all[name]);
}
for (const [name, documented] of operations.answers) received.set(name, documented);
for (const [name, documented] of received) {
  let schema = dropTautologies(dropExampleAnnotations(allowUnknownFields(structuredClone(documented))));
  if (name === 'CallbackCompleted') schema = acceptDocumentedVariants(schema);
  if (name === 'ListBotsResponse') schema = acceptNextCursor(schema);
  schema = acceptExtraInData(schema);
  schemas[name] = schema;
}
for (const [name, path, method, status] of INLINE_RESPONSES) {
  const schema = openapi.paths[path]?.[method]?.responses?.[status]?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method.toUpperCase()} ${path} ${status} has no JSON schema in ${source}`);
  schemas[name] = dropTautologies(dropExampleAnnotations(allowUnknownFields(structuredClone(schema))));
}
const requestNames = [...operations.requests.keys(), ...operations.queries.keys()];
for (const [name, documented] of [...operations.requests, ...operations.queries]) {
  schemas[name] = dropTautologies(dropExampleAnnotations(rejectUnknownFields(mergeObjectParts(structuredClone(documented)))));
}
for (const [name, schema] of Object.entries(schemas)) assertNoRefs(schema, name);

const out = {
  origin: `Meeting BaaS API v2 OpenAPI ${openapi.openapi} document (info.version ${openapi.info.version}), components.schemas, JSON Schema 2020-12`,
  changes: [
    'deliveries and responses: removed every "additionalProperties": false, "$schema" and "$id" (real senders add fields over time)',
    'CallbackCompleted: accepts "mp4" in place of "video", and an optional "chat_messages" URL',
    'deliveries whose top level requires "extra" also accept it inside "data"',
    'ListBotsResponse: accepts "next_cursor" (the name the operation description uses) in place of "cursor"',
    'removed OpenAPI "example" annotations (not JSON Schema; AJV strict mode refuses them)',
    'removed "propertyNames": {"type": "string"} (true of every JSON object, and a loop over every key to check it)',
    'RateLimitedResponse: the inline 429 answer of POST /v2/bots (paths, not components)',
    'the operations of src/lib/api/operations.ts: their request bodies and success answers, named as in components.schemas, ' +
      'or, when written inline under paths, <OperationId>RequestBody and <OperationId>Response',
    'query parameters of an operation: one object schema <OperationId>QueryParameters with a property per parameter; ' +
      'a parameter documented as required with a default is optional (the API fills in the default)',
    'CreateScheduledBotRequestBodyInput: its allOf (CreateBotRequestBodyInput and join_at) merged into one object, so that it can be closed',
    `request bodies and query parameters (${requestNames.join(', ')}): "$schema" and "$id" removed, and the opposite relaxation: ` +
      'every object with "properties" and no "additionalProperties" gets "additionalProperties": false, ' +
      'so a misspelt option is refused before it is sent',
  ],
  generatedBy: 'scripts/extract-schemas.mjs',
  schemas,
};
const target = fileURLToPath(new URL('../schemas/meetingbaas-v2.json', import.meta.url));
writeFileSync(target, JSON.stringify(out, null, 2) + '\n');
console.log(`wrote ${Object.keys(schemas).length} schemas to schemas/meetingbaas-v2.json`);
await writePayloadTypes();
console.log('wrote their types to src/lib/generated/meetingbaas-v2.ts');
