'use strict';
// node-red-node-test-helper's RED._ returns message keys; Node-RED itself translates with the
// node's en-US catalog, and a key with a namespace (`<package>/meetingbaas-config:…`) with that
// catalog. Loading a node through this translates the same way, so a key missing from a locale
// file shows up as a failing assertion.
const path = require('node:path');
const { i18n } = require('@node-red/util');

const NODES = path.join(__dirname, '..', '..', 'nodes');
const PACKAGE = require('../../package.json').name;
/** The account node's catalog, registered as Node-RED does: under its node set's id, which the other nodes name. */
const ACCOUNT = 'meetingbaas-config';

/**
 * The node module of `type` (from the build output), wrapped to translate with its catalog.
 * `onRED` sees the wrapped RED (e.g. to reach RED.httpNode). Call `ready()` once before loading.
 */
function translatedNode(type, onRED = () => {}) {
  const catalog = `${type}-under-test`;
  const nodeModule = require(path.join(NODES, type, `${type}.js`));
  // As Node-RED's RED._: a key with a namespace is looked up as it is.
  const translate = (key, vars) => i18n._(key.includes(':') ? key : `${catalog}:${key}`, vars);
  const wrapped = (red) => {
    const RED = new Proxy(red, { get: (target, prop) => (prop === '_' ? translate : target[prop]) });
    onRED(RED);
    return nodeModule(RED);
  };
  wrapped.ready = async () => {
    await i18n.init({});
    await i18n.registerMessageCatalog(catalog, path.join(NODES, type, 'locales'), `${type}.json`);
    await i18n.registerMessageCatalog(`${PACKAGE}/${ACCOUNT}`, path.join(NODES, ACCOUNT, 'locales'), `${ACCOUNT}.json`);
  };
  return wrapped;
}

module.exports = { translatedNode };
