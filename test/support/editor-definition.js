'use strict';
// What a node's built editor registers, read the way the Node-RED editor reads it: the first
// script of nodes/<type>/<type>.html is run with a stand-in RED that keeps the definition passed
// to RED.nodes.registerType. Enough for the parts that run without a page (defaults, validators,
// labels); the dialogs are tested in a browser (test/e2e).
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const NODES_DIR = path.join(__dirname, '../../nodes');

/** The built editor HTML of a node type. */
function editorHtml(type) {
  return fs.readFileSync(path.join(NODES_DIR, type, `${type}.html`), 'utf8');
}

/** The script the build bundled into the editor HTML. */
function editorScript(type) {
  const script = /<script type="text\/javascript">\n([\s\S]*?)<\/script>/.exec(editorHtml(type));
  if (!script) throw new Error(`nodes/${type}/${type}.html has no editor script: run npm run build`);
  return script[1];
}

/** Stands for jQuery and the rest of a page that is not there: every call and property gives itself back. */
const inert = new Proxy(function inert() {}, { get: (target, property) => (property === Symbol.toPrimitive ? () => '' : inert), apply: () => inert });

/**
 * The definitions the editor script of `type` registers, by type name. `settings` stands for
 * RED.settings (httpNodeRoot, context stores).
 */
function registeredDefinitions(type, settings = {}) {
  const registered = {};
  const RED = {
    settings,
    nodes: {
      registerType: (name, definition) => {
        registered[name] = definition;
      },
      getType: (name) => registered[name] && { _: (key) => key },
    },
    validators: {
      number: (blankAllowed) => (value) => (blankAllowed && (value === '' || value === undefined)) || (value !== '' && !isNaN(Number(value))),
    },
    // What the callback node's editor sets up besides its type: the deliveries sidebar.
    sidebar: { addTab: () => {}, show: () => {} },
    comms: { subscribe: () => {} },
    actions: { add: () => {} },
  };
  const page = { RED, $: inert, document: inert, window: { location: { origin: 'http://127.0.0.1:1880' } } };
  vm.runInNewContext(editorScript(type), page, { filename: `${type}.html` });
  return registered;
}

/** The definition the editor of `type` registers for it. */
function editorDefinition(type, settings) {
  const definition = registeredDefinitions(type, settings)[type];
  if (!definition) throw new Error(`the editor of ${type} registers no ${type}`);
  return definition;
}

/** The default value of each property of the editor's node, as a new node gets them. */
function editorDefaults(type) {
  const values = Object.fromEntries(Object.entries(editorDefinition(type).defaults).map(([name, property]) => [name, property.value]));
  // Out of the script's own realm (its arrays have another Array.prototype), as a flow would hold them.
  return JSON.parse(JSON.stringify(values));
}

/** `this` of a definition's functions: a node with these settings, translating keys to themselves. */
function editorNode(settings = {}) {
  return { id: 'n1', _: (key, vars) => (vars ? `${key} ${JSON.stringify(vars)}` : key), ...settings };
}

module.exports = { editorHtml, editorScript, registeredDefinitions, editorDefinition, editorDefaults, editorNode };
