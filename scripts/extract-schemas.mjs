#!/usr/bin/env node
// Copies the JSON Schemas this package validates against out of the Meeting BaaS v2 OpenAPI
// file into schemas/meetingbaas-v2.json, and applies the documented relaxations once, here,
// so that the runtime validator and the generated TypeScript types read the same data.
//
// Usage: node scripts/extract-schemas.mjs <path/to/meetingbaas-openapi-v2.json>
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = process.argv[2];
if (!source) {
  console.error('usage: node scripts/extract-schemas.mjs <meetingbaas-openapi-v2.json>');
  process.exit(2);
}
const openapi = JSON.parse(readFileSync(source, 'utf8'));
const all = openapi.components.schemas;

// Deliveries (callbacks and account webhooks) by event, plus the API responses the nodes read.
// All of these are relaxed (see allowUnknownFields): they describe what others send to us.
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
  'GetBotDetailsResponse',
  'ListBotsResponse',
  'CreateBotResponse',
  'GetBotStatusResponse',
  'LeaveBotResponse',
  'RetryCallbackResponse',
  'ErrorResponse',
  'ValidationErrorResponse',
];

// Request bodies this package sends. These are made stricter instead (see rejectUnknownFields):
// the OpenAPI file leaves their objects open, so a misspelt option (`transcription_enable`)
// would pass validation and be silently ignored by the API. Checked before sending, a typo
// becomes an error the user sees, and no bot is sent with settings other than the ones meant.
const REQUEST_NAMES = ['CreateBotRequestBodyInput', 'RetryCallbackRequestBodyInput'];

// Answers documented inline under `paths` rather than in components.schemas: [name, path, method, status].
const INLINE_RESPONSES = [['RateLimitedResponse', '/v2/bots', 'post', '429']];

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

const schemas = {};
for (const name of NAMES) {
  if (!all[name]) throw new Error(`${name} is not in ${source}`);
  let schema = dropTautologies(dropExampleAnnotations(allowUnknownFields(structuredClone(all[name]))));
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
for (const name of REQUEST_NAMES) {
  if (!all[name]) throw new Error(`${name} is not in ${source}`);
  schemas[name] = dropTautologies(dropExampleAnnotations(rejectUnknownFields(structuredClone(all[name]))));
}

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
    `request bodies (${REQUEST_NAMES.join(', ')}): "$schema" and "$id" removed, and the opposite relaxation: ` +
      'every object with "properties" and no "additionalProperties" gets "additionalProperties": false, ' +
      'so a misspelt option is refused before it is sent',
  ],
  generatedBy: 'scripts/extract-schemas.mjs',
  schemas,
};
const target = fileURLToPath(new URL('../schemas/meetingbaas-v2.json', import.meta.url));
writeFileSync(target, JSON.stringify(out, null, 2) + '\n');
console.log(`wrote ${Object.keys(schemas).length} schemas to schemas/meetingbaas-v2.json`);
