'use strict';
// node-red-node-test-helper's RED._ returns message keys; Node-RED itself translates with the
// node's en-US catalog. Loading a node through this translates the same way, so a key missing
// from a locale file shows up as a failing assertion.
const path = require('node:path');
const { i18n } = require('@node-red/util');

const NODES = path.join(__dirname, '..', '..', 'nodes');

/**
 * The node module of `type` (from the build output), wrapped to translate with its catalog.
 * `onRED` sees the wrapped RED (e.g. to reach RED.httpNode). Call `ready()` once before loading.
 */
function translatedNode(type, onRED = () => {}) {
  const catalog = `${type}-under-test`;
  const nodeModule = require(path.join(NODES, type, `${type}.js`));
  const translate = (key, vars) => i18n._(`${catalog}:${key}`, vars);
  const wrapped = (red) => {
    const RED = new Proxy(red, { get: (target, prop) => (prop === '_' ? translate : target[prop]) });
    onRED(RED);
    return nodeModule(RED);
  };
  wrapped.ready = async () => {
    await i18n.init({});
    await i18n.registerMessageCatalog(catalog, path.join(NODES, type, 'locales'), `${type}.json`);
  };
  return wrapped;
}

module.exports = { translatedNode };
