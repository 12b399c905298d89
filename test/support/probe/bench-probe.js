'use strict';
// Benchmark-only node, loaded through the `nodesDir` setting (never shipped): on input it
// reports what the runtime holds, which no flow can otherwise see: the routes on RED.httpNode and
// the heap after a full garbage collection (when Node runs with --expose-gc), and how many times a
// file was flushed through FileHandle.datasync / sync (the journal's fdatasync), which only the
// process itself can count; and, for a run measured between two reads (the first with `reset`, e.g.
// GET ?reset=1 through an `http in` node), the process's CPU time and its event-loop delay.
const fsp = require('node:fs/promises');
const { monitorEventLoopDelay } = require('node:perf_hooks');

// Sampled every 10 ms from the time Node-RED loads this file; `reset` starts a fresh window.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
let windowStart = { cpu: process.cpuUsage(), at: process.hrtime.bigint() };

const flushes = { datasync: 0, sync: 0, datasyncMs: 0 };
// FileHandle is not exported: its prototype is reached through a handle. Node-RED loads this file
// before it starts any flow, so every flush a flow makes is counted, with the time fdatasync took.
const counting = fsp.open(__filename, 'r').then(async (handle) => {
  const proto = Object.getPrototypeOf(handle);
  const { datasync, sync } = proto;
  proto.datasync = async function (...args) {
    flushes.datasync += 1;
    const start = process.hrtime.bigint();
    try {
      return await datasync.apply(this, args);
    } finally {
      flushes.datasyncMs += Number(process.hrtime.bigint() - start) / 1e6;
    }
  };
  proto.sync = function (...args) {
    flushes.sync += 1;
    return sync.apply(this, args);
  };
  await handle.close();
});

module.exports = function (RED) {
  function BenchProbe(config) {
    RED.nodes.createNode(this, config);
    this.on('input', async (msg, send, done) => {
      await counting;
      const reset = Boolean(msg.payload && typeof msg.payload === 'object' && msg.payload.reset);
      const cpu = process.cpuUsage(windowStart.cpu);
      const ms = (ns) => ns / 1e6;
      const eventLoop = {
        samples: loopDelay.count,
        p50Ms: ms(loopDelay.percentile(50)),
        p99Ms: ms(loopDelay.percentile(99)),
        maxMs: ms(loopDelay.max),
        meanMs: ms(loopDelay.mean),
      };
      const window = { seconds: Number(process.hrtime.bigint() - windowStart.at) / 1e9, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, eventLoop };
      if (reset) {
        loopDelay.reset();
        windowStart = { cpu: process.cpuUsage(), at: process.hrtime.bigint() };
      }
      const router = RED.httpNode._router || RED.httpNode.router;
      const stack = router ? router.stack : [];
      const routes = stack.filter((layer) => layer.route);
      if (typeof global.gc === 'function') {
        global.gc();
        global.gc();
      }
      const memory = process.memoryUsage();
      msg.payload = {
        httpNodeLayers: stack.length,
        routes: routes.length,
        routePaths: routes.map((layer) => layer.route.path),
        gc: typeof global.gc === 'function',
        heapUsed: memory.heapUsed,
        rss: memory.rss,
        flushes: { ...flushes },
        // Since the last reset (or since load): what that read ended.
        window,
      };
      send(msg);
      done();
    });
  }
  RED.nodes.registerType('bench-probe', BenchProbe);
};
