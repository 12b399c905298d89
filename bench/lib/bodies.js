'use strict';
// The benchmarks' deliveries are the tests' ones (test/fixtures/deliveries.js).
const { completedBody, numberedBotId, COMPLETED_BODY_BYTES } = require('../../test/fixtures/deliveries');

module.exports = { completedBody, botId: numberedBotId, TEMPLATE_BYTES: COMPLETED_BODY_BYTES };
