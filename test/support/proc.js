'use strict';
// Resident memory of a process, read from /proc (Linux).
const fs = require('node:fs');

const KiB = 1024;

/** {rss, hwm} in bytes from /proc/<pid>/status; null when the process is gone. */
function memoryOf(pid) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const field = (name) => Number((new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text) || [])[1]) * KiB;
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/**
 * CPU time (user + system, ms, every thread) a process has used, from /proc/<pid>/stat (in clock
 * ticks of 10 ms on Linux: USER_HZ is 100); null when the process is gone.
 */
function cpuMsOf(pid) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name, in parentheses, may hold spaces: fields are counted after its closing one.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resets the peak (VmHWM) to the current RSS: writing 5 to clear_refs does that since Linux 4.0. */
function resetPeak(pid) {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Samples RSS every `everyMs` until stopped; returns {peak, samples}. */
function sampleRss(pid, everyMs = 20) {
  const samples = [];
  const started = Date.now();
  let peak = 0;
  const tick = () => {
    const m = memoryOf(pid);
    if (!m) return;
    peak = Math.max(peak, m.rss);
    samples.push([Date.now() - started, m.rss]);
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return { peak, samples };
    },
  };
}

module.exports = { memoryOf, cpuMsOf, resetPeak, sampleRss };

/**
 * The id of the Node-RED process started by test/support/node-red.js: the process that holds the
 * socket listening on its port (Node-RED renames its own command line, so that cannot be used).
 */
function pidOfNodeRed(instance) {
  const hexPort = instance.port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is ADDR:PORT, st 0A is LISTEN, inode is column 10
      if (cols.length > 9 && cols[1].endsWith(`:${hexPort}`) && cols[3] === '0A') inodes.add(cols[9]);
    }
  }
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds;
    try {
      fds = fs.readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const link = fs.readlinkSync(`/proc/${entry}/fd/${fd}`);
        const m = /^socket:\[(\d+)\]$/.exec(link);
        if (m && inodes.has(m[1])) return Number(entry);
      } catch {
        // closed meanwhile
      }
    }
  }
  throw new Error(`no process listens on port ${instance.port}`);
}

module.exports.pidOfNodeRed = pidOfNodeRed;
