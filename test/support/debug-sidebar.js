'use strict';
// What the editor's debug sidebar receives: debug-node messages over a Node-RED's comms websocket.
const WebSocket = require('ws'); // brought by node-red (devDependency)

class DebugSidebar {
  constructor(url) {
    this.messages = [];
    this.waiters = new Set();
    this.socket = new WebSocket(url);
    this.socket.on('message', (data) => {
      for (const item of JSON.parse(data)) {
        if (item.topic !== 'debug') continue;
        this.messages.push(item.data);
        for (const waiter of [...this.waiters]) waiter();
      }
    });
  }

  /** Connects the sidebar to a Node-RED started by test/support/node-red.js. */
  static async of(nodeRed) {
    const sidebar = new DebugSidebar(`ws://127.0.0.1:${nodeRed.port}/comms`);
    await sidebar.opened();
    return sidebar;
  }

  opened() {
    return new Promise((resolve, reject) => {
      this.socket.once('open', resolve);
      this.socket.once('error', reject);
    });
  }

  /** The first message of the debug node named `name` arriving from now on. */
  next(name, timeoutMs = 20000) {
    return this.waitFor(name, this.messages.length, timeoutMs);
  }

  /** The first message of the debug node named `name`, already arrived or still to come. */
  first(name, timeoutMs = 20000) {
    return this.waitFor(name, 0, timeoutMs);
  }

  waitFor(name, from, timeoutMs) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.slice(from).find((m) => m.name === name);
        if (!found) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no debug message from "${name}"; got: ${JSON.stringify(this.messages.slice(from).map((m) => [m.name, m.msg]))}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  names() {
    return this.messages.map((m) => m.name);
  }

  close() {
    this.socket.close();
  }
}

module.exports = { DebugSidebar };
