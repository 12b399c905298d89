'use strict';
// Benchmark-only node, loaded through the `nodesDir` setting (never shipped): on input it
// reports what the runtime holds, which no flow can otherwise see: the routes on RED.httpNode and
// the heap after a full garbage collection (when Node runs with --expose-gc).
module.exports = function (RED) {
  function BenchProbe(config) {
    RED.nodes.createNode(this, config);
    this.on('input', (msg, send, done) => {
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
      };
      send(msg);
      done();
    });
  }
  RED.nodes.registerType('bench-probe', BenchProbe);
};
