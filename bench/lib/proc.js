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

module.exports = { memoryOf, resetPeak, sampleRss };

/** The id of the Node-RED process started by test/support/node-red.js: the one whose command line names its user directory. */
function pidOfNodeRed(instance) {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes(instance.userDir) && args.some((a) => a.endsWith('red.js'))) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no Node-RED process found for ${instance.userDir}`);
}

module.exports.pidOfNodeRed = pidOfNodeRed;
