'use strict';
// The simulator's stand-in for the Meeting BaaS API, for the suites of the nodes that call it.
const simulator = require('../../simulator');

/**
 * Registers, in the calling describe, the hooks that start the stand-in once (`options` as for
 * `ArtifactServer.start`) and close it at the end. The state's `server` is the stand-in and its
 * `served` the requests it answered since the current test began.
 */
function useApiStandIn(options) {
  const state = { server: null, served: [] };
  before(async function () {
    state.server = await simulator.ArtifactServer.start(options);
    state.server.on('request', (request) => state.served.push(request));
  });
  after(async function () {
    await state.server.close();
  });
  beforeEach(function () {
    state.served = [];
  });
  return state;
}

module.exports = { useApiStandIn };
