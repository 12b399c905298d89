'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;
const { usedPart, SchemaSubsetError } = require('../../../lib/schemas/schema-subset');
const { completed } = require('../../fixtures/deliveries');

const { schemas } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'schemas', 'meetingbaas-v2.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
addFormats(ajv, ['uuid', 'date-time', 'uri']);

const used = { event: 'required', data: { fields: { bot_id: 'required', video: 'optional' } } };

describe('schema subset: the part of a documented schema a node uses', () => {
  const validate = ajv.compile(usedPart(schemas.CallbackCompleted, used));

  it('accepts a value missing every field the node does not use', () => {
    const minimal = { event: 'bot.completed', data: { bot_id: completed().data.bot_id } };
    assert.equal(ajv.validate(schemas.CallbackCompleted, minimal), false, 'the full schema refuses it');
    assert.equal(validate(minimal), true, JSON.stringify(validate.errors));
  });

  it('accepts unused fields of any type, and keeps used ones as documented', () => {
    const delivery = completed();
    delivery.data.transcription_ids = 'not a list';
    delivery.data.sent_at = 12;
    assert.equal(validate(delivery), true, JSON.stringify(validate.errors));
    assert.equal(validate({ ...delivery, event: 'bot.failed' }), false, 'the documented const holds');
    assert.equal(validate({ ...delivery, data: { ...delivery.data, bot_id: 'examplebot_id' } }), false, 'the uuid format holds');
    assert.equal(validate({ ...delivery, data: { ...delivery.data, video: 'not a url' } }), false, 'an optional field is checked when present');
    assert.equal(validate({ ...delivery, data: { ...delivery.data, video: null } }), true, 'documented nullability holds');
  });

  it('keeps the type of a used enum field but accepts values added after the document was written', () => {
    const status = ajv.compile(usedPart(schemas.GetBotDetailsResponse, { data: { fields: { bot_id: 'required', status: 'required' } } }));
    const bot = { success: true, data: { bot_id: completed().data.bot_id, status: 'retrying' } };
    assert.equal(ajv.validate(schemas.GetBotDetailsResponse.properties.data.properties.status, 'retrying'), false, 'the document does not know it');
    assert.equal(status(bot), true, JSON.stringify(status.errors));
    assert.equal(status({ ...bot, data: { ...bot.data, status: 7 } }), false, 'the type holds');
  });

  it('requires what is listed as required, at every level', () => {
    assert.equal(validate({ event: 'bot.completed', data: {} }), false);
    assert.deepEqual(validate.errors.map((e) => e.params.missingProperty), ['bot_id']);
    assert.equal(validate({ event: 'bot.completed' }), false);
    const optionalData = ajv.compile(usedPart(schemas.CallbackCompleted, { event: 'required', data: { required: false, fields: { bot_id: 'required' } } }));
    assert.equal(optionalData({ event: 'bot.completed' }), true);
  });

  it('keeps the used fields of every item of a documented array, and leaves the rest of each item open', () => {
    const list = ajv.compile(usedPart(schemas.ListBotsResponse, { data: { items: { bot_id: 'required', ended_at: 'optional' } } }));
    const botId = completed().data.bot_id;
    assert.equal(list({ data: [] }), true, JSON.stringify(list.errors));
    assert.equal(list({ data: [{ bot_id: botId }, { bot_id: botId, ended_at: null, status: 'retrying', tokens: 'n/a' }] }), true, JSON.stringify(list.errors));
    assert.equal(list({ data: [{ bot_id: botId }, { ended_at: null }] }), false, 'every item needs bot_id');
    assert.deepEqual(list.errors.map((e) => [e.instancePath, e.params.missingProperty]), [['/data/1', 'bot_id']]);
    assert.equal(list({ data: [{ bot_id: 'examplebot_id' }] }), false, 'the documented format holds in items');
    assert.equal(list({ data: [{ bot_id: botId, ended_at: 'yesterday' }] }), false, 'an optional item field is checked when present');
    assert.equal(list({ data: { bot_id: botId } }), false, 'an array, as documented');
    const optionalList = ajv.compile(usedPart(schemas.ListBotsResponse, { data: { required: false, items: { bot_id: 'required' } } }));
    assert.equal(optionalList({}), true);
  });

  it('refuses at load items of a property the schema does not document as an array of objects', () => {
    assert.throws(() => usedPart(schemas.CallbackCompleted, { data: { items: { bot_id: 'required' } } }), (error) => error instanceof SchemaSubsetError && error.path === 'data');
    assert.throws(() => usedPart(schemas.ListBotsResponse, { data: { items: { botId: 'required' } } }), (error) => error instanceof SchemaSubsetError && error.path === 'data[].botId');
  });

  it('refuses at load a field the schema does not document, naming it', () => {
    assert.throws(() => usedPart(schemas.CallbackCompleted, { data: { fields: { botId: 'required' } } }), (error) => {
      assert.ok(error instanceof SchemaSubsetError);
      assert.equal(error.path, 'data.botId');
      return true;
    });
    assert.throws(() => usedPart(schemas.CallbackCompleted, { event: { fields: { x: 'required' } } }), /"event"/);
  });
});
