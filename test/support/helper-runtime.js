'use strict';
// What every node-red-node-test-helper suite sets up: a runtime started before each test, with a
// user directory of its own where nodes write files (journals, downloads), and stopped after; and
// waiting for the messages a helper node receives.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const helper = require('node-red-node-test-helper');

/**
 * Registers, in the calling describe, the hooks that start the helper's runtime before each test
 * and stop it after. `userDir`: prefix of a fresh temporary user directory per test (removed
 * after), or none. Returns the state, whose `userDir` is the current test's.
 */
function useHelperRuntime({ settings = {}, userDir: prefix = null } = {}) {
  const state = { userDir: null };
  beforeEach(async function () {
    state.userDir = prefix ? fs.mkdtempSync(path.join(os.tmpdir(), prefix)) : null;
    helper.settings(state.userDir ? { ...settings, userDir: state.userDir } : settings);
    await helper.startServer();
  });
  afterEach(async function () {
    await helper.unload();
    await helper.stopServer();
    helper.settings({});
    if (state.userDir) fs.rmSync(state.userDir, { recursive: true, force: true });
  });
  return state;
}

/** The next message the node `id` receives. */
function nextMessage(id) {
  return new Promise((resolve) => helper.getNode(id).once('input', resolve));
}

/** The next `count` messages the node `id` receives. */
function nextMessages(id, count) {
  const node = helper.getNode(id);
  return new Promise((resolve) => {
    const got = [];
    if (count === 0) return resolve(got);
    const onInput = (msg) => {
      got.push(msg);
      if (got.length === count) {
        node.removeListener('input', onInput);
        resolve(got);
      }
    };
    node.on('input', onInput);
  });
}

module.exports = { useHelperRuntime, nextMessage, nextMessages };
