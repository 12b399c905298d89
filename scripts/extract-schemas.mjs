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
];

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

const schemas = {};
for (const name of NAMES) {
  if (!all[name]) throw new Error(`${name} is not in ${source}`);
  let schema = allowUnknownFields(structuredClone(all[name]));
  if (name === 'CallbackCompleted') schema = acceptDocumentedVariants(schema);
  schema = acceptExtraInData(schema);
  schemas[name] = schema;
}

const out = {
  origin: `Meeting BaaS API v2 OpenAPI ${openapi.openapi} document (info.version ${openapi.info.version}), components.schemas, JSON Schema 2020-12`,
  changes: [
    'removed every "additionalProperties": false, "$schema" and "$id" (real senders add fields over time)',
    'CallbackCompleted: accepts "mp4" in place of "video", and an optional "chat_messages" URL',
    'deliveries whose top level requires "extra" also accept it inside "data"',
  ],
  generatedBy: 'scripts/extract-schemas.mjs',
  schemas,
};
const target = fileURLToPath(new URL('../schemas/meetingbaas-v2.json', import.meta.url));
writeFileSync(target, JSON.stringify(out, null, 2) + '\n');
console.log(`wrote ${Object.keys(schemas).length} schemas to schemas/meetingbaas-v2.json`);
