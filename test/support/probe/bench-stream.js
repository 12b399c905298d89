'use strict';
// Benchmark-only node, loaded through the `nodesDir` setting (never shipped): downloads msg.url
// to msg.filename with Node's own streams, `http.get` piped into `fs.createWriteStream`, and
// nothing else (no temporary file, no resume, no checks). It is the floor any streamed
// download pays inside Node-RED: the same V8, the same socket reads, a fresh Buffer for each.
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { pipeline } = require('node:stream/promises');

function get(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`storage answered ${res.statusCode}`));
        return;
      }
      resolve(res);
    }).on('error', reject);
  });
}

module.exports = function (RED) {
  function BenchStream(config) {
    RED.nodes.createNode(this, config);
    this.on('input', (msg, send, done) => {
      fs.promises
        .mkdir(path.dirname(msg.filename), { recursive: true })
        .then(() => get(msg.url))
        .then((res) => pipeline(res, fs.createWriteStream(msg.filename)))
        .then(() => {
          send(msg);
          done();
        }, done);
    });
  }
  RED.nodes.registerType('bench-stream', BenchStream);
};
