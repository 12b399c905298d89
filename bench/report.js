'use strict';
// Writes BENCHMARKS.md from bench/results/*.json (the latest run of each benchmark).
const fs = require('node:fs');
const path = require('node:path');
const { RESULTS } = require('../test/support/bench-results');

const ROOT = path.join(__dirname, '..');
const MiB = 2 ** 20;

function read(name) {
  const file = path.join(RESULTS, `${name}.json`);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null;
}

const x = (v, digits = 2) => `${v.toFixed(digits)}×`;
const n0 = (v) => Math.round(v).toLocaleString('en-US');
const mib = (bytes) => (bytes / MiB).toFixed(bytes < 10 * MiB ? 1 : 0);
const yes = (ok) => (ok ? '**met**' : '**not met**');
const day = (iso) => iso.slice(0, 10);

function table(header, rows) {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

const signed = (text) => (text.startsWith('-') ? text : `+${text}`);

// From CPU profiles of Node-RED starts (node --cpu-prof, 200 µs sampling) with the package and its two nodes.
const START_PROFILE = `**Where the start time goes** (\`node --cpu-prof\` on a Node-RED start with the package and the two nodes, 200 µs sampling, samples whose stack holds a frame of the package): ` +
  'before the change below, 75 ms of the 1.86 s the profiled start took ran in the package\'s code: loading its node files and what they require (39 ms under the config node\'s file, ' +
  '17 ms under the callback node\'s, 8 ms under the artifact node\'s), of which 16 ms in requiring the generated validator modules (about 1 MB of AJV standalone code in three files) ' +
  'and 5 ms in hashing the schemas to find each validator in them; most of the rest is compiling the package\'s own modules. Everything else in the start is Node-RED\'s. ' +
  'The change: a validator is now looked up in the generated modules when it is first called, not when the module that asks for it loads (lib/schemas/compiled.ts), so a start ' +
  'with no delivery and no API call parses none of that code; requiring the five node files in a fresh process went from a median of 60 ms to 50 ms in alternating runs. ' +
  'The run of this benchmark before that change (same day, same harness) measured +140 ms (1.17×) on both cores and -11 ms on one core. ' +
  'On a busy machine a single start varies by more than what is left (a run at a load average of about 4.5 the same day measured +123 ms on both cores, +20 ms of CPU time): ' +
  'the CPU time column, which others\' load moves far less, and more rounds, are what tell the package\'s share apart.';

function startSection(r) {
  if (!r) return '## 0. Start\n\nNot run yet: `npm run bench -- start`.\n';
  const out = ['## 0. Start: what the package adds to a Node-RED start', ''];
  out.push(`Run ${day(r.date)}; Node ${r.versions.node}, Node-RED ${r.versions.nodeRed}.`);
  out.push('');
  out.push(`Core Node-RED with an empty flow against Node-RED with this package installed from its npm tarball and a flow of one ` +
    `callback node wired to one artifact node, started alternately ${r.free.rounds} times each (after one unmeasured start of each), ` +
    'each measured from spawn until Node-RED has logged "Started flows" and its HTTP port answers, resident memory read from /proc then; medians. ' +
    'Node-RED loads every node file of the package at start, whether a flow uses it or not.');
  out.push('');
  const rows = [];
  const cpu = r.free.addedCpuMs !== undefined;
  for (const [label, m] of [['both cores', r.free], ['one core (`taskset -c 0`)', r.pinned]]) {
    if (!m) continue;
    rows.push([label, `${n0(m.core.ms)} ms, ${m.core.rssMiB.toFixed(0)} MiB`, `${n0(m.package.ms)} ms, ${m.package.rssMiB.toFixed(0)} MiB`,
      `${signed(n0(m.addedMs))} ms (${x(m.timeRatio)})`, `${signed(m.addedRssMiB.toFixed(1))} MiB`,
      ...(cpu ? [`${n0(m.core.cpuMs)} → ${n0(m.package.cpuMs)} ms (${signed(n0(m.addedCpuMs))} ms)`] : []), yes(m.addedMs <= 100 && m.addedRssMiB <= 10)]);
  }
  out.push(table(['Node-RED on', 'core, empty flow', 'with the package, 2 nodes', 'added time', 'added memory',
    ...(cpu ? ['CPU time of the process until then (added)'] : []), 'goal ≤ 100 ms, ≤ 10 MiB'], rows));
  if (r.loadAverage) {
    const l = (v) => v.map((n) => n.toFixed(2)).join(', ');
    out.push('');
    out.push(`Load average (1, 5, 15 min): ${l(r.loadAverage.before)} before these starts, ${l(r.loadAverage.after)} after; ` +
      'figures measured in one run on a shared 2-core machine. CPU time is read from `/proc/<pid>/stat` (user + system, all threads, in 10 ms ticks) when the start is complete: ' +
      'it counts what the process did, not what others running on the cores made it wait for.');
  }
  out.push('');
  const c = r.requireCost;
  out.push(`Requiring the five node files in a fresh Node process: ${c.ms.toFixed(0)} ms, +${c.rssMiB.toFixed(1)} MiB resident; ` +
    `${c.compilerOrUndiciModules} modules of undici or of the AJV compiler loaded (median of 5). ` +
    'Before, the validation module alone took about half a second and 25 MiB: AJV compiled every schema when it loaded. ' +
    'Now the validators are AJV standalone code generated by `npm run build` from the same schemas (lib/generated/validators-*.js; ' +
    '`test/lib/schemas/generated-validators.test.js` compares their verdicts and errors with the schemas compiled at run time), and undici, ' +
    'the simulator and Redis are loaded when first used (first download or API request, first test delivery, first shared store). ' +
    'The same harness run on the commit before these changes (2026-12-03, 5 rounds each) measured +635 ms (1.78×) and +32 MiB on both cores, ' +
    '+670 ms (1.68×) and +30 MiB on one core.');
  out.push('');
  const spread = (list) => `${n0(Math.min(...list.map((s) => s.ms)))}–${n0(Math.max(...list.map((s) => s.ms)))} ms`;
  // The middle half of the starts of each kind: how far one median may sit from another run's.
  const quartileRange = (list) => {
    const sorted = list.map((s) => s.ms).sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length * 3) / 4)] - sorted[Math.floor(sorted.length / 4)];
  };
  const middle = Math.max(quartileRange(r.free.samples.core), quartileRange(r.free.samples.package));
  out.push(`Single starts spread on this shared machine (core ${spread(r.free.samples.core)}, with the package ${spread(r.free.samples.package)} on both cores in this run; ` +
    `the middle half of either within ${n0(middle)} ms), so the added wall time is known to within about that from ${r.free.rounds} rounds: the memory and CPU figures are the stabler ones.`);
  out.push('');
  if (cpu) {
    const both = r.free;
    const one = r.pinned;
    out.push(`The CPU time the process had used when its start was complete, which others' load moves far less than the wall time, puts what the package adds at ` +
      `${signed(n0(both.addedCpuMs))} ms on both cores${one ? ` and ${signed(n0(one.addedCpuMs))} ms on one core` : ''} in this run (medians of ${both.rounds}, in 10 ms ticks): ` +
      'the wall-time differences above, of either sign, are mostly the machine\'s other users.');
    out.push('');
  }
  out.push(START_PROFILE);
  out.push('');
  return out.join('\n');
}

function ingestSection(r) {
  if (!r) return '## 1. Ingest\n\nNot run yet: `npm run bench -- ingest`.\n';
  const out = [];
  const j = r.journal;
  out.push('## 1. Ingest: callback node, journal on and off, against the hand-built core flow');
  out.push('');
  out.push(`Run ${day(r.date)}; Node ${r.versions.node}, Node-RED ${r.versions.nodeRed}, autocannon ${r.versions.autocannon}` +
    (r.loadAverage === undefined ? '.' : `; load average ${r.loadAverage.toFixed(1)} on this machine at the end of the runs.`));
  out.push('');
  out.push(`One real Node-RED process (the package installed from its npm tarball, as the palette does) holds the three routes. ` +
    `autocannon runs in a separate process: ${r.connections} connections, a ${r.bodyBytes}-byte \`bot.completed\` body with a ` +
    `fresh \`bot_id\` in every request (so neither the repeat filter nor the meeting filter answers from memory), ${r.seconds} s per run, ` +
    `${r.rounds} round${r.rounds === 1 ? '' : 's'} of the three routes after a 3 s warm-up of each, each round starting one route further on; figures are medians over the rounds.`);
  out.push('');
  out.push('- **callback in, journal on** (the default): account with callback secret and webhook secret, `x-mb-secret` checked, repeat filter on ' +
    '(6 h, memory context), AJV validation, each delivery appended to its journal (`<userDir>/meetingbaas/journals/<node id>.journal`) and flushed ' +
    'with fdatasync before the 2xx; the four outputs wired to one inactive debug node, so that each delivery is also marked finished in the journal when it is handed over.');
  out.push('- **callback in, journal off**: the same node with `journal: false`, as it was before the journal.');
  out.push('- **core flow**: `http in` (POST) → `switch` on `payload.event` (3 rules) → `http response`, no verification.');
  out.push('- **journal on, Svix**: the journaled node, each request signed (Standard Webhooks library) with its own `svix-id` and the current timestamp, verified over the raw bytes.');
  out.push('');
  const measuredInside = r.journalOn.cpuMsPer1000 !== undefined;
  const inside = (s) => (measuredInside ? [s.eventLoopP99Ms.toFixed(1), s.eventLoopMaxMs.toFixed(0), n0(s.cpuMsPer1000), s.cpuCores.toFixed(2)] : []);
  out.push(table(['route', 'requests/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'answered as repeats',
    ...(measuredInside ? ['Node-RED event-loop delay p99 ms', 'max ms', 'Node-RED CPU ms per 1,000 deliveries', 'cores busy'] : [])], [
    ['callback in, journal on (x-mb-secret)', r.journalOn],
    ['callback in, journal off (x-mb-secret)', r.journalOff],
    ['core flow (no verification)', r.core],
    ['callback in, journal on (Svix signature)', r.svix],
  ].map(([name, s]) => [name, n0(s.rps), s.p50, s.p99, s.non2xx, s.errors, s.repeats, ...inside(s)])));
  if (measuredInside) {
    out.push('');
    out.push('Event-loop delay and CPU time are read inside Node-RED by the benchmark-only probe node (test/support/probe, loaded through `nodesDir`): ' +
      'a `perf_hooks.monitorEventLoopDelay` histogram (10 ms resolution: its figures include the 10 ms timer interval, so an idle loop reads about 10 ms) ' +
      'and `process.cpuUsage()` (user + system, every thread of the process: JIT and garbage collection included), both started afresh just before each run ' +
      'and read just after it; CPU per 1,000 deliveries is that CPU time over the requests answered 2xx in the run (median over the rounds). ' +
      'autocannon and the load worker run in their own process and are not counted. At full rate the loop is never idle, so its delay is the time ' +
      'one turn of the loop takes with 50 connections\' requests queued on it.');
  }
  out.push('');
  out.push(table(['ratio', 'measured', 'goal', ''], [
    ['throughput journal on / core', x(r.ratios.onToCore), '≥ 1.0×', yes(r.ratios.onToCore >= 1)],
    ['p99 latency journal on / core', x(r.ratios.p99OnToCore), '≤ 1.0×', yes(r.ratios.p99OnToCore <= 1)],
    ['throughput journal on / journal off', x(r.ratios.onToOff), 'reported', ''],
    ['p99 latency journal on / journal off', x(r.ratios.p99OnToOff), 'reported', ''],
    ['throughput journal off / core', x(r.ratios.offToCore), 'reported', ''],
    ['throughput Svix / x-mb-secret (journal on)', x(r.ratios.svixToSecret), 'reported', ''],
    ['throughput Svix / core', x(r.ratios.svixToCore), 'reported', ''],
    ...(measuredInside ? [
      ['event-loop delay p99, journal on / core', `${x(r.ratios.loopP99OnToCore)} (${r.journalOn.eventLoopP99Ms.toFixed(1)} / ${r.core.eventLoopP99Ms.toFixed(1)} ms)`, 'reported beside core', ''],
      ['CPU per 1,000 deliveries, journal on / core', `${x(r.ratios.cpuPer1000OnToCore)} (${n0(r.journalOn.cpuMsPer1000)} / ${n0(r.core.cpuMsPer1000)} ms)`, 'reported beside core', ''],
      ['CPU per 1,000 deliveries, journal off / core', `${x(r.ratios.cpuPer1000OffToCore)} (${n0(r.journalOff.cpuMsPer1000)} / ${n0(r.core.cpuMsPer1000)} ms)`, 'reported beside core', ''],
    ] : []),
  ]));
  out.push('');
  out.push('**What the journal costs.** Each delivery adds a record holding its raw body (as a JSON string, with a CRC) and, once the flow ' +
    `has it, a short record marking it finished: ${n0(j.bytesPerDelivery)} bytes a delivery in this run. The answer waits until the first ` +
    'is on disk. Records are written in batches: those that arrive while a write and its fdatasync are on their way wait and go together ' +
    `in the next write, followed by one fdatasync (group commit). In the journaled runs ${n0(j.deliveries)} deliveries took ${n0(j.datasyncs)} ` +
    `fdatasync calls, **${j.deliveriesPerDatasync.toFixed(1)} deliveries per fdatasync**; an fdatasync took ${j.datasyncMeanMs.toFixed(2)} ms on average ` +
    `and one was on its way ${(j.datasyncBusy * 100).toFixed(0)} % of the time. Against the same node without the journal that is ` +
    `${x(r.ratios.onToOff)} the throughput and ${x(r.ratios.p99OnToOff)} the p99 latency at ${r.connections} connections.`);
  out.push('');
  out.push(`The journal is checked, not assumed: over the journaled runs its file grew by ${mib(j.grewBytes)} MiB and gained ${n0(j.deliveries)} ` +
    `accepted-delivery records for ${n0(j.answered2xx)} requests answered 2xx (the difference: requests still on their way when a run stopped, ` +
    `saved but not counted by autocannon); ${r.journalOn.repeats + r.journalOff.repeats + r.svix.repeats} requests on the callback routes were answered as repeats; ` +
    `the node with \`journal: false\` wrote no journal and the process made ${j.offDatasyncs} fdatasync calls during its runs. ` +
    'fdatasync calls are counted and timed inside Node-RED by a benchmark-only probe node (test/support/probe, loaded through `nodesDir`, not part of the package).');
  out.push('');
  out.push('Per run:');
  out.push('');
  const label = { journalOn: 'journal on', journalOff: 'journal off', core: 'core flow' };
  out.push(table(['round', 'route', 'requests/s', 'p99 ms', 'journal grew MiB', 'deliveries journaled', 'fdatasync calls',
    ...(measuredInside ? ['event-loop p99 ms', 'CPU ms per 1,000'] : [])], r.runs.map((run) => [
    run.round === null ? '—' : run.round + 1,
    `${label[run.route]}${run.mode === 'svix' ? ' (Svix)' : ''}`,
    n0(run.rps),
    run.p99,
    run.route === 'journalOn' ? mib(run.journalBytes) : '—',
    run.route === 'journalOn' ? n0(run.journaled) : '—',
    n0(run.datasyncs),
    ...(measuredInside ? [run.eventLoop.p99Ms.toFixed(1), n0(run.cpuMsPer1000)] : []),
  ])));
  out.push('');
  out.push('![requests per second over each run](bench/plots/ingest-throughput.svg)');
  out.push('');
  const m = r.micro;
  out.push(`**Validation alone**, in-process, 1,000 distinct bodies, median of 5 × 100,000 calls: \`checkDelivery\` (AJV, formats) ` +
    `${(m.checkNs / 1000).toFixed(2)} µs per delivery against \`JSON.parse\` of the same body ${(m.parseNs / 1000).toFixed(2)} µs: ` +
    `**${x(m.ratio)}** the cost of parsing. For scale: \`parseJsonBody\` (strict UTF-8 decode + parse) ${(m.parseJsonBodyNs / 1000).toFixed(2)} µs, ` +
    `the constant-time secret check ${(m.secretCheckNs / 1000).toFixed(2)} µs. At ${n0(r.journalOn.rps)} requests/s the validation ` +
    `costs ${((m.checkNs * r.journalOn.rps) / 1e7).toFixed(1)} % of one core.`);
  out.push('');
  if (r.ratios.offToCore > 1) {
    if (r.journalOn.cpuMsPer1000 !== undefined) {
      const on = r.journalOn;
      const co = r.core;
      out.push(`**Event loop and CPU at full rate (goal 3: reported beside the core flow's).** While the callback node (journal on) takes deliveries as fast as 50 connections send them, ` +
        `Node-RED's event-loop delay p99 is ${on.eventLoopP99Ms.toFixed(1)} ms against ${co.eventLoopP99Ms.toFixed(1)} ms for the core flow (${x(r.ratios.loopP99OnToCore)}; ` +
        `journal off ${r.journalOff.eventLoopP99Ms.toFixed(1)} ms), and its CPU time is ${n0(on.cpuMsPer1000)} ms per 1,000 deliveries against the core flow's ${n0(co.cpuMsPer1000)} ms ` +
        `(${x(r.ratios.cpuPer1000OnToCore)}; journal off ${n0(r.journalOff.cpuMsPer1000)} ms, ${x(r.ratios.cpuPer1000OffToCore)}). ` +
        'At full rate the loop is never idle: its delay is the length of one turn, which grows with the requests served per turn and with what else runs on the cores. ' +
        'The figures are medians over the rounds of one run on a shared 2-core machine (autocannon, the load worker and other users\' processes on the same cores); ' +
        'the per-run table above shows their spread.');
      out.push('');
    }
    out.push('Why the node without its journal is faster than the core flow although it does more: its route receives the bytes from a root-level middleware ' +
      'and skips the admin app\'s body parsers, answers from the node itself (no `http response` hop, no `req`/`res` ' +
      'carried on the message), and the message makes one hop instead of two. ' +
      `With the journal on it makes ${x(r.ratios.onToCore)} the core flow's throughput in this run: the wait for the fdatasync takes back ` +
      `${r.ratios.onToCore >= 1 ? 'part' : 'all'} of that lead.`);
    out.push('');
  }
  return out.join('\n');
}

function validationSection(r) {
  if (!r) return '## 1b. Validation cost per delivery\n\nNot run yet: `npm run bench -- validation`.\n';
  const out = [];
  const f = (v) => (v === null ? '—' : v < 10 ? v.toFixed(2) : v.toFixed(0));
  out.push('## 1b. Validation cost per delivery, typical and worst case of the allowed size');
  out.push('');
  out.push(`Run ${day(r.date)}; Node ${r.versions.node}, ajv ${r.versions.ajv}; load average ${r.loadAverage.toFixed(1)} on this machine during the run.`);
  out.push('');
  out.push(`In-process, each body ${r.samples} times after 5 warm-ups, a full garbage collection before each timing so that one sample does not ` +
    'pay for the garbage of the one before. *check* is `checkDelivery` on the parsed body: the event loop time validation takes, ' +
    'including collecting the listed problems. *read* is `readDelivery`: the nesting scan over the bytes, the strict UTF-8 decode and ' +
    '`JSON.parse`, which any JSON endpoint pays. *before* is the validator as it was (AJV with `allErrors` over the whole documented ' +
    `schema, every error made readable), median of ${3} runs. Bodies are just under ${mib(r.limit)} MiB, the default limit, except the first two and the last.`);
  out.push('');
  out.push(table(['body', 'KiB', 'output', 'problems listed / found', 'check median ms', 'check p95 ms', 'check max ms', 'read median ms', 'of which nesting scan', 'before ms (errors)'],
    r.cases.map((c) => [
      `${c.name} (${c.note})`,
      (c.bytes / 1024).toFixed(0),
      c.reason ? `4, ${c.reason}` : c.output,
      c.count ? `${c.listed} / ${c.countIsMinimum ? 'at least ' : ''}${c.count}` : '0',
      f(c.checkMedianMs), f(c.checkP95Ms), f(c.checkMaxMs), f(c.readMedianMs), f(c.scanMedianMs),
      c.beforeMs === null ? '—' : `${f(c.beforeMs)} (${n0(c.beforeErrors)})`,
    ])));
  out.push('');
  const worst = r.cases.reduce((a, b) => (b.checkMedianMs > a.checkMedianMs ? b : a));
  const typical = r.cases[0];
  const issue = r.cases.find((c) => c.name.startsWith('malformed participants'));
  out.push(`Typical delivery: ${f(typical.checkMedianMs)} ms. Worst median of these shapes: ${f(worst.checkMedianMs)} ms (${worst.name}). ` +
    `Goal: at most a few milliseconds (5 ms taken as the bound) for one delivery of the allowed size: **${worst.checkMedianMs <= 5 ? 'met' : 'not met'}** ` +
    'at the median on this run; the p95 and maxima include what else the machine was doing at that moment (see the load average). ' +
    (issue && issue.beforeMs ? `The shape from the issue, 24,000-odd malformed participants: ${f(issue.beforeMs)} ms and ${n0(issue.beforeErrors)} errors before, ` +
      `${f(issue.checkMedianMs)} ms and ${issue.listed} listed now. ` : '') +
    'How the cost is bounded: conformance is asked of a validator that stops at the first error; only a delivery that fails has its problems ' +
    'collected, from the schema without its arrays\' items (allErrors, bounded by the schema\'s size) and then each array a slice of 256 ' +
    'items per call, item by item only in a failing slice, stopping one past the 50 listed. Parsing (*read*) is the larger cost of a big body, ' +
    'validated or not.');
  out.push('');
  return out.join('\n');
}

// From separate runs of one 1 GiB download in Node-RED, 2026-12-03: `perf record -g -p <pid>` during the
// download (samples sorted by where they ran: kernel path, libc, V8 garbage collection, the innermost
// JavaScript frame), node --trace-gc, and V8's heap.cc for the collection rule.
const DOWNLOAD_PROFILE = {
  node: { kernelCopy: 42, socket: 18, file: 24, runtime: 15, nodeJs: 13, gc: 6, handOff: 9, libc: 4, undici: 2.6, packageCode: 1.4 },
  stream: { kernelCopy: 27, handOff: 22, nodeJs: 13, gc: 4 },
};

/** `low–high` of `value` over `sizes`, in MiB. */
function range(sizes, value) {
  const values = sizes.map(value);
  return `${mib(Math.min(...values))}–${mib(Math.max(...values))}`;
}

function downloadCosts(r) {
  const sizes = r.sizes.filter((s) => s.stream);
  const peaks = (key) => sizes.map((s) => mib(s[key].peakAboveIdle)).join(' / ');
  const labels = sizes.map((s) => s.label).join(' / ');
  const kept = sizes.map((s) => s.node.idle - s.stream.idle);
  const cpuToStream = sizes.map((s) => x(s.node.cpu.msPerGiB / s.stream.cpu.msPerGiB)).join(' / ');
  const p = DOWNLOAD_PROFILE;
  return [
    '**Where a download\'s cost goes, and what would reach the goals that are not met.**',
    '',
    '- *Memory.* The peak above idle is Buffers that socket reads filled and the file has already taken, waiting to be collected. V8 frees young ArrayBuffers\' memory ' +
    'when their total reaches twice its default maximum semi-space (16 MiB on 64-bit: 32 MiB; `Heap::AllocateExternalBackingStore` in V8\'s heap.cc), whatever ' +
    '`--max-semi-space-size` says (a 4 MiB semi-space left the same pile), and Node reads a socket into a fresh Buffer each time. Every streamed download in Node pays this: ' +
    (sizes.length ? `in the run above Node's own \`http.get\` piped into \`fs.createWriteStream\` peaked at ${peaks('stream')} MiB above idle and fetch artifacts at ${peaks('node')} MiB (${labels}). ` : '') +
    'The pile does not grow with the file. ' +
    (sizes.length ? `What "above idle" reads also depends on the idle level, which the allocator moves: after the warm-up download it was ${range(sizes, (s) => s.node.idle)} MiB ` +
      `in these processes (whether the memory the warm-up freed had been handed back), while the process's peak itself was ${range(sizes, (s) => s.node.peak)} MiB ` +
      `(Node's own streams: ${range(sizes, (s) => s.stream.peak)} MiB), and the later downloads in the same process rose at most ${mib(Math.max(...sizes.flatMap((s) => (s.node.later ?? []).map((l) => l.idle + l.peakAboveIdle - s.node.peak)), 0))} MiB above it. ` : '') +
    'Two runs on the same day and the same download path, both on a quiet machine, read 28 / 26 / 29 and 38 / 38 / 30 MiB above idle with the same peaks of 162–164 MiB: ' +
    'the figure sits on the 32 MiB of V8\'s rule, under it or over it by what the allocator kept. When the machine is loaded, writes lag, chunks waiting to be written ' +
    'outlive a collection, and the peak rises too (30–38 MiB in runs at a load average of about 5).',
    '- *Memory that stays.* The first download loads undici (about 16 MiB resident) and compiles its HTTP parser (about 7 MiB)' +
    (sizes.length ? `: idle after it, Node-RED with fetch artifacts held ${kept.map((v) => mib(v)).join(' / ')} MiB more than with Node's own streams. ` : '. ') +
    'A start pays none of it (section 0): a flow that never downloads nor calls the API never loads undici. Requiring only the parts of undici the package uses would ' +
    'save about 8 MiB of the 16, but through its internal file paths, which are not its public interface.',
    `- *CPU* (\`perf record\` on the Node-RED process during one 1 GiB download, samples by where they ran): ${p.node.kernelCopy} % the kernel copying the bytes ` +
    `(socket reads ${p.node.socket} %, file writes into the page cache ${p.node.file} %), which is nearly all \`curl -o\` does; ${p.node.runtime} % V8, Node and libuv ` +
    `native code outside garbage collection; ${p.node.nodeJs} % Node's streams, fs and net in JavaScript; ${p.node.handOff} % handing writes to the thread pool and ` +
    `waking the loop (futex, epoll, eventfd); ${p.node.gc} % garbage collection; ${p.node.libc} % libc copies and malloc; ${p.node.undici} % undici; ` +
    `${p.node.packageCode} % the package's own code. Node's own streams spent theirs alike (the kernel's copies ${p.stream.kernelCopy} %, hand-offs ${p.stream.handOff} %, ` +
    `JavaScript streams ${p.stream.nodeJs} %, garbage collection ${p.stream.gc} %)` +
    (sizes.length ? `, and per GiB fetch artifacts used ${cpuToStream} of their CPU time in the run above (${labels}). ` : '. ') +
    'With the copies under half of the process\'s CPU time, a streamed download in Node costs about twice `curl -o` at best, more when the machine is busy ' +
    '(in the two quiet runs of this day fetch artifacts took 1.7–3.2×, Node\'s own streams 2.9–5.5×): what is left above the copies is Node\'s per-chunk ' +
    'machinery (at most 64 KiB a socket read, a thread-pool round trip per write), not the package. Staying under 2× in every run would take fewer, larger chunks, ' +
    'which Node\'s socket reads do not offer, or the copy made outside JavaScript.',
    '- *Event loop.* The longest turns while a file downloads are garbage collections: the external memory above also starts V8\'s incremental marking, about ' +
    'thirteen full collections per GiB (`--trace-gc`), each a few milliseconds on a quiet machine and 25–50 ms on a loaded one. An idle second just before each download ' +
    'already reads a p99 of 10–11 ms here (the histogram includes its 10 ms interval).',
    '- *The flush.* One `fdatasync` before the rename (25–50 ms) is the price of never leaving a short file under the final name after a power cut, and stays.',
    '',
    'Tried and not kept: gathering the chunks into one `writev` per 1–2 MiB (the partial file written 100 ms after its first pending chunk at the latest, so that a stalled body still ' +
    'leaves what arrived on disk for a resume). Back to back against the current writer it cut CPU by about 30 % at 256 MiB in some runs (1.4–1.7× curl against 1.7–4.3×) but not at 1 GiB ' +
    '(1.8–3.9× against 2.0–2.1×), and it raised the peak above idle to 42–51 MiB, the batch adding to the pile: not a clear gain, so the writer was left as it is. ' +
    'Counting the bytes without the separate Transform (one stream hop fewer per chunk): five alternating runs of the download library alone on 1 GiB took a median ' +
    '1.60 s of CPU time either way. A write queue of 256 KiB instead of 1 MiB, four alternating runs with both cores kept busy by two other processes: the Buffers ' +
    'held at the peak about 2 MiB fewer, the CPU time a quarter more: not kept, CPU time being the goal further from reach.',
  ].join('\n');
}

function artifactsSection(r) {
  if (!r) return '## 2. Artifacts\n\nNot run yet: `npm run bench -- artifacts`.\n';
  const out = [];
  out.push('## 2. Artifacts: the artifact node in `file` mode against `curl -o`, Node\'s own streams and the core `http request → file` flow');
  out.push('');
  out.push(`Run ${day(r.date)}; Node ${r.versions.node}, Node-RED ${r.versions.nodeRed}, ${r.versions.curl}.`);
  out.push('');
  out.push(r.method);
  out.push('');
  const inside = r.sizes[0] && r.sizes[0].node.cpu !== undefined;
  // Paired with the curl run just before each download when measured so, else against the curl row.
  const ratioOf = (s, m) => (m.cpu.ratioToCurl !== undefined ? m.cpu.ratioToCurl : m.cpu.msPerGiB / s.curl.cpu.msPerGiB);
  const rows = [];
  for (const s of r.sizes) {
    const cpuCell = (m) => {
      if (!m.cpu) return '—';
      return m === s.curl ? (m.cpu.msPerGiB / 1000).toFixed(2) : `${(m.cpu.msPerGiB / 1000).toFixed(2)} (${x(cpuRatio(m))})`;
    };
    const loopCell = (m) => {
      if (!m.eventLoop) return '—';
      const idle = m.eventLoop.idleP99MsRuns ? `; idle just before ${m.eventLoop.idleP99MsRuns[0].toFixed(1)}` : '';
      return `${m.eventLoop.p99Ms.toFixed(1)} (max ${n0(m.eventLoop.maxMs)}${idle})`;
    };
    const cpuRatio = (m) => (m.cpu.ratioToCurl !== undefined ? m.cpu.ratioToCurl : m.cpu.msPerGiB / s.curl.cpu.msPerGiB);
    const row = (name, m) => m.skipped
      ? [s.label, name, '—', '—', '—', ...(inside ? ['—', '—'] : []), m.skipped]
      : [s.label, name, m.seconds.toFixed(2), (m.mibps).toFixed(0), m.peakAboveIdle !== undefined ? mib(m.peakAboveIdle) : '—',
        ...(inside ? [cpuCell(m), loopCell(m)] : []), m.note || ''];
    rows.push(row('curl -o', s.curl));
    rows.push(row('fetch artifacts (file)', s.node));
    if (s.stream) rows.push(row('http.get → write stream', s.stream));
    rows.push(row('http request → file', s.core));
  }
  out.push(table(['file', 'downloader', 'seconds', 'MiB/s', 'Node-RED peak RSS above idle, MiB',
    ...(inside ? ['CPU s per GiB, user + system (× curl)', 'Node-RED event-loop delay p99 ms'] : []), 'note'], rows));
  out.push('');
  const goalRows = [];
  for (const s of r.sizes) {
    const ratio = s.node.mibps / s.curl.mibps;
    goalRows.push([s.label, 'node / curl throughput', x(ratio), '≥ 0.9×', yes(ratio >= 0.9)]);
    goalRows.push([s.label, 'node peak RSS above idle', `${mib(s.node.peakAboveIdle)} MiB`, '≤ 32 MiB', yes(s.node.peakAboveIdle <= 32 * MiB)]);
    if (inside) {
      const cpu = ratioOf(s, s.node);
      goalRows.push([s.label, 'node CPU per GiB / curl\'s', x(cpu), '≤ 2×', yes(cpu <= 2)]);
      const big = s.mib >= 1024;
      goalRows.push([s.label, 'node event-loop delay p99', `${s.node.eventLoop.p99Ms.toFixed(1)} ms`, big ? '≤ 20 ms' : 'reported', big ? yes(s.node.eventLoop.p99Ms <= 20) : '']);
      if (s.stream) {
        goalRows.push([s.label, 'Node\'s own streams: peak RSS above idle, CPU per GiB / curl\'s, event-loop p99',
          `${mib(s.stream.peakAboveIdle)} MiB, ${x(ratioOf(s, s.stream))}, ${s.stream.eventLoop.p99Ms.toFixed(1)} ms`, 'beside', '']);
      }
      if (!s.core.skipped) {
        goalRows.push([s.label, 'core flow: peak RSS above idle, CPU per GiB / curl\'s, event-loop p99',
          `${mib(s.core.peakAboveIdle)} MiB, ${x(ratioOf(s, s.core))}, ${s.core.eventLoop.p99Ms.toFixed(1)} ms`, 'beside', '']);
      }
    }
    if (!s.core.skipped) goalRows.push([s.label, 'node / core flow throughput', x(s.node.mibps / s.core.mibps), 'reported', '']);
  }
  out.push(table(['file', 'ratio', 'measured', 'goal', ''], goalRows));
  out.push('');
  if (r.loadAverage) {
    const l = (v) => v.map((n) => n.toFixed(2)).join(', ');
    out.push(`Load average (1, 5, 15 min) on this shared machine: ${l(r.loadAverage.before)} before the downloads, ${l(r.loadAverage.after)} after: ` +
      'figures are ratios measured in one run on a shared 2-core machine, whose other users took CPU time meanwhile.');
    out.push('');
  }
  out.push('![peak resident memory above idle against file size](bench/plots/artifacts-memory.svg)');
  out.push('');
  if (r.notes) for (const note of r.notes) out.push(`- ${note}`);
  if (inside) {
    out.push('');
    out.push(downloadCosts(r));
  }
  const short = r.sizes.filter((s) => s.node.mibps / s.curl.mibps < 0.9);
  if (short.length) {
    out.push('');
    out.push(`**Throughput goal not met** (${short.map((s) => `${s.label}: ${x(s.node.mibps / s.curl.mibps)}`).join(', ')} of curl). ` +
      'Where the time goes is the CPU profile above: curl copies from the socket to the file in C; the node passes every network chunk (about 64 KiB) through undici\'s ' +
      'body stream, a counting Transform and the temporary-file writer in JavaScript, and writes through libuv\'s thread pool, while on this 2-core machine the local ' +
      'server, Node-RED and the kernel share the cores. Against real storage over ' +
      'the internet the network, not this path, is the limit (a few hundred Mbit/s is 30–60 MiB/s).');
  }
  out.push('');
  out.push('**Throughput does not fall (goal 4).** The ratios to curl move with the machine\'s load from run to run (1 GiB: 0.48× in the run before the work on small ' +
    'machines, 0.26–0.50× in the runs after it). Compared directly on 2026-12-03, each in a fresh Node process, alternately four times, at a load average of about 4.5: the ' +
    'download library as it was before that work (commit 191ad6e) took a median 4.7 s and 2.55 s of CPU time for 1 GiB, the current one 4.0 s and 2.33 s.');
  out.push('');
  return out.join('\n');
}

function churnSection(r) {
  if (!r) return '## 3. Deploy churn\n\nNot run yet: `npm run bench -- churn`.\n';
  const out = [];
  out.push('## 3. Deploy churn');
  out.push('');
  out.push(`Run ${day(r.date)}; Node ${r.versions.node}, Node-RED ${r.versions.nodeRed}.`);
  out.push('');
  out.push(r.method);
  out.push('');
  out.push(table(['measure', 'before', 'after', 'goal', ''], [
    ['routes on RED.httpNode', r.routesBefore, r.routesAfter, 'same', yes(r.routesAfter === r.routesBefore)],
    ['callback routes (meetingbaas)', r.callbackRoutesBefore, r.callbackRoutesAfter, 'same', yes(r.callbackRoutesAfter === r.callbackRoutesBefore)],
    ['heap used after GC, MiB', mib(r.heapBefore), mib(r.heapAfter), `same within ${mib(r.heapTolerance)} MiB`, yes(r.heapAfter - r.heapBefore <= r.heapTolerance)],
    ['process RSS, MiB', mib(r.rssBefore), mib(r.rssAfter), 'reported', ''],
  ]));
  out.push('');
  out.push(table(['deliveries posted during the redeploys', 'answers', 'of which 404', 'goal', ''], [
    [n0(r.deliveries), Object.entries(r.statuses).map(([k, v]) => `${k}: ${n0(v)}`).join(', '), r.statuses['404'] || 0, '0 × 404', yes(!r.statuses['404'])],
  ]));
  out.push('');
  out.push(`What the heap difference holds: each of the ${n0(r.statuses['200'] || 0)} deliveries accepted during the run is remembered ` +
    'by the repeat filter (6 h, memory context) by design, a few hundred bytes each; the heap read every 20 deploys (plot) goes up and down ' +
    'with Node-RED\'s own state and does not grow with the number of deploys. The 503 answers are deliveries that arrived while the node ' +
    'was restarting (deploys here follow each other back to back); Meeting BaaS retries those, as the redeploy stress test shows.');
  out.push('');
  if (r.heapSeries) out.push('![heap used after GC every 20 redeploys](bench/plots/churn-heap.svg)\n');
  return out.join('\n');
}

function scaleSection(r) {
  if (!r) return '## 4. Scale-out\n\nNot run yet: `npm run bench -- scale`.\n';
  const out = [];
  out.push('## 4. Scale-out: two instances behind HAProxy, Redis claims against the memory store');
  out.push('');
  out.push(`Run ${day(r.date)}; Node ${r.versions.node}, Node-RED ${r.versions.nodeRed}, @redis/client ${r.versions.redisClient}, ${r.redisServer}, autocannon ${r.versions.autocannon}; load average ${r.loadAverage.toFixed(1)} on this machine at the end of the run.`);
  out.push('');
  out.push('Two real Node-RED processes (the package installed from its tarball), HAProxy in front (round robin, a new backend ' +
    'connection per request), a Redis without persistence, and autocannon in a separate process: all on this machine. Each ' +
    'instance holds two **callback in** nodes: one whose account names the shared Redis (each delivery and its meeting ' +
    'claimed there: `SET NX PX`, then made to last its window), one deciding in its own memory as a single instance does ' +
    `(which, behind a balancer, does not recognise a copy that lands on the other instance). ${r.connections} connections, ` +
    `a ${r.bodyBytes}-byte \`bot.completed\` with a fresh bot id per request, ${r.seconds} s per run, ${r.rounds} round(s) ` +
    'alternating the two routes after a 3 s warm-up of each; figures are medians over the rounds.');
  out.push('');
  out.push(table(['route', 'requests/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'], [
    ['Redis claims (shared)', n0(r.redis.rps), r.redis.p50, r.redis.p99, r.redis.non2xx, r.redis.errors],
    ['memory store (each instance alone)', n0(r.memory.rps), r.memory.p50, r.memory.p99, r.memory.non2xx, r.memory.errors],
  ]));
  out.push('');
  out.push(table(['ratio', 'measured'], [
    ['throughput Redis / memory', x(r.ratios.throughput)],
    ['p99 latency Redis / memory', x(r.ratios.p99)],
  ]));
  out.push('');
  out.push('Per run:');
  out.push('');
  out.push(table(['round', 'route', 'requests/s', 'p99 ms'], r.runs.map((run) => [run.round + 1, run.route, n0(run.rps), run.p99])));
  out.push('');
  out.push('The cost is four Redis round trips per new delivery (claim and settle, for the delivery and for its meeting), on ' +
    'cores that Redis, HAProxy, both Node-RED processes and the load generator share here.');
  out.push('');
  return out.join('\n');
}

function chaosSection(r) {
  if (!r) return '## 5. Chaos\n\nNot run yet: `npm run build && npx mocha --no-config --exit --timeout 600000 test/stress/chaos.stress.js` (also part of `npm run test:stress`).\n';
  const out = [];
  const ms = (v) => (v === null || v === undefined ? '—' : `${n0(v)} ms`);
  const files = (r.phase1 ? r.phase1.files : 0) + (r.phase2 && r.phase2.ran ? r.phase2.files : 0);
  out.push('## 5. Chaos: SIGKILL, restarts and redeploys while meetings end');
  out.push('');
  out.push(`Run ${day(r.date)}; Node ${r.versions.node}, Node-RED ${r.versions.nodeRed}; seed ${r.seed} (\`CHAOS_SEED=${r.seed}\` plays the same schedule). ` +
    'Written by `test/stress/chaos.stress.js` when it passes.');
  out.push('');
  out.push('A real Node-RED with the package installed from its tarball: callback in (journal on, catch-up on, account on the ' +
    'simulator\'s API stand-in) → fetch artifacts (every artifact to files) → a report to a collector of the test; ' +
    'bot.failed → report → meeting done (the work, then meeting done, as its help says); what leaves callback in is reported too (the first hop). A sender retries each ' +
    'callback as Meeting BaaS does (1 s, 5 s, 15 s; network errors and 5xx only; 30 s per attempt). Meanwhile Node-RED is ' +
    'killed with SIGKILL and restarted on the same user directory, and fetch artifacts is redeployed (a "modified nodes" ' +
    'deploy). No kill comes while a sender waits to retry, so in phase 1 every callback gets through and what is recovered ' +
    'is the journal\'s doing; phase 2 stays down longer than the sender retries, which only the catch-up can recover. ' +
    'Everything is on loopback. Delivery is at least once: a kill between a meeting\'s work (its report) and the ' +
    'journal counting it finished (fetch artifacts done, meeting done reached) sends it again, and the work is done ' +
    'again; such copies are counted, any other copy at the final hop fails the test. The report of a completed meeting ' +
    'comes from fetch artifacts just before it counts the meeting finished, so a kill between the two can lose that ' +
    'report (never the files, which are checked). A run that fails writes no figures.');
  out.push('');
  const phase2 = r.phase2 && r.phase2.ran
    ? `${r.longDowntimeSeconds} s; ${r.phase2.meetings} meetings in phase 2`
    : `not run${r.phase2 && r.phase2.reason ? `: ${r.phase2.reason}` : ''}`;
  out.push(table(['measure', 'value'], [
    ['meetings', `${r.meetings}: ${r.completed} completed (${r.large} of them with a ${r.largeMiB} MiB recording served at ${r.largeMiBps} MiB/s), ${r.failed} failed`],
    ['SIGKILLs', `${r.kills} (${r.killsMidDownload} during a large download)`],
    ['downtime longer than the sender\'s retries', phase2],
    ['redeploys of fetch artifacts', `${r.redeploys} (${r.redeploysMidDownload} during a large download)`],
    ['downloads resumed with a Range request', r.resumedDownloads],
    ['files saved, each byte-identical to what storage served', files],
    ['meetings recovered by the journal (`redelivered` seen)', `${r.recoveredByJournal} (${r.redeliveredMessages} messages)`],
    ['meetings recovered by the catch-up (`recovered` seen)', r.phase2 && r.phase2.ran ? r.recoveredByCatchUp : '— (phase 2 not run)'],
    ['copies at the final hop after a kill between the work and the finish', r.finalHopCopiesAfterKill ?? 0],
    ['copies at the first hop', `${r.firstHopCopies} (${r.firstHopCopiesAfter.kill} after a kill, ${r.firstHopCopiesAfter.redeploy} after a redeploy)`],
    ['completed meetings saved but never reported at the final hop', r.finalReportsMissing],
    ['restart to the first message sent again or recovered', `median ${ms(r.restartToFirstRecoveryMs.median)}, max ${ms(r.restartToFirstRecoveryMs.max)} (${r.restartToFirstRecoveryMs.samples} restarts that had something to send)`],
    ['restart to Node-RED ready', `median ${ms(r.restartToReadyMs.median)}, max ${ms(r.restartToReadyMs.max)}`],
    ['sender: answers to all attempts', `${Object.entries(r.sender.answers).map(([k, v]) => `${k}: ${v}`).join(', ')}; gave up on ${r.sender.gaveUp}`],
    ['journal at the end', `${r.journal.entries} entries, ${r.journal.unfinished} unfinished, ${r.journal.parked} parked`],
    ['duration', `${r.durationSeconds} s`],
  ]));
  out.push('');
  const lost = r.meetings - (r.phase1 ? r.phase1.meetings : 0) - (r.phase2 && r.phase2.ran ? r.phase2.meetings : 0);
  out.push(table(['goal', 'measured', ''], [
    ['every meeting finished (files complete, failures reported)', `${r.meetings - lost} of ${r.meetings}`, yes(lost === 0)],
    ['no meeting finished twice at the final hop (copies after a kill between the work and the finish excepted)', r.finalHopDoubles - (r.finalHopCopiesAfterKill ?? 0), yes(r.finalHopDoubles - (r.finalHopCopiesAfterKill ?? 0) === 0)],
    ['nothing left unfinished or parked in the journal', `${r.journal.unfinished} / ${r.journal.parked}`, yes(r.journal.unfinished === 0 && r.journal.parked === 0)],
  ]));
  out.push('');
  return out.join('\n');
}

const HARDENING = `## Hardening (tests, not benchmarks)

\`npm run test:stress\` (about 6 minutes; each file against a real Node-RED with the package installed from its tarball,
except the download faults, which use the test helper):

| file | what must hold |
|---|---|
| \`test/stress/callback-fuzz.stress.js\` | 3,000 generated requests (fast-check; \`FUZZ_RUNS\`, \`FUZZ_SEED\`): truncated and malformed JSON, random bytes, wrong content types and charsets, bodies around the 1 MiB limit, nesting up to 20,000 deep, \`__proto__\`/\`constructor\`/\`prototype\` keys, a wrong type in each field, unknown events, wrong methods, absent/wrong/duplicated secrets, Svix signatures with a wrong key, over another body, with duplicated ids or missing headers, stale and future timestamps, key rotation. Each answer is the documented status; every authentic delivery reaches exactly its output once; nothing else reaches any output; repeats are answered as such; the runtime's \`Object.prototype\`/\`Array.prototype\` are unchanged (the probe is first shown to detect a deliberate pollution); no crash in the log; the heap after a full GC (probe node, \`--expose-gc\`) grows by less than 8 MiB plus 2 KiB per authentic delivery (the repeat filter's entries). |
| \`test/stress/callback-load.stress.js\` | 60 s of autocannon at full speed (50 connections, 10 % byte-exact repeats): every delivery answered 2xx counted exactly once at the outputs, each on the right output; of the copies of one delivery exactly one accepted as new. |
| \`test/stress/callback-redeploy.stress.js\` | 60 s of full, flow and node deploys (the callback node, the node it is wired to, an unrelated node) while a sender retries as Meeting BaaS does: no 404, every delivery accepted, none delivered twice. |
| \`test/scale/scale-out.scale.js\` (\`npm run test:scale\`) | Redis, two Node-RED instances and HAProxy: 240 meetings, each sent four times at once through the balancer (callback, its retry with a changed \`sent_at\`, the signed webhook and its retry), reach a flow exactly once across both; Redis stopped mid-run and started again: no meeting lost, no 5xx but 503, the outage logged once per instance, duplicates counted and reported. |
| \`test/stress/chaos.stress.js\` | 50 meetings end over about two minutes while Node-RED is killed with SIGKILL 5 times and restarted on the same user directory, and fetch artifacts is redeployed 3 times (\`CHAOS_SEED\` and the other \`CHAOS_*\` variables): every artifact byte-identical to what storage served, no partial file, every failure reported, nothing finished twice at the last hop, nothing unfinished in the journal; a second phase, down longer than the sender retries, for the catch-up (section 5). |
| \`test/stress/artifacts-faults.stress.js\` | resets on every attempt, 5xx storms, stalls, a slow sender, a chunked body over the limit, an unwritable directory, a full tmpfs, closing during a Retry-After (reported as stopped): the right error or recovery, no partial file, a final status, no unhandled rejection. |

In \`npm test\`, \`test/regression-guard.test.js\` guards against gross slow-downs only, each a ratio measured in the same run: validation against \`JSON.parse\` of the same body (at most 10×), the download library against \`http.get\` piped to a file (at least 0.33×, with memory growth under 96 MiB while writing 128 MiB), a 128 MiB file downloaded through fetch artifacts in a real Node-RED (peak resident memory above idle under three quarters of the file's size, where a buffered body takes several times its size; then, warm, CPU time of the Node-RED process under 5× that of a plain Node stream copy of the same file in a process of its own), and a Node-RED start with the package and two of its nodes against core Node-RED (3 alternating starts each, medians: at most 1.25× the CPU time the process has used when its start is complete, which the machine's other users move far less than the wall time, at most 2× the wall time, and under 20 MiB added).

The benchmark helpers that tests also use (the probe node, the /proc readers, the start harness, the download harness, the results writer) live in \`test/support/\`; \`bench/\` requires them from there, and no test requires anything from \`bench/\`.

\`npm audit --omit=dev\` could not be run where these figures were made: the npm registry reachable there answers npm's advisory request (\`POST /-/npm/v1/security/advisories/bulk\`) with 405. Run it where the advisory service answers; the production dependencies are ajv 8, ajv-formats 3, standardwebhooks 1, undici 7 (7.30) and @redis/client 6 (no dependencies of its own).
`;

function writeReport() {
  const ingest = read('ingest');
  const artifacts = read('artifacts');
  const churn = read('churn');
  const validation = read('validation');
  const scale = read('scale');
  const chaos = read('chaos');
  const start = read('start');
  const any = start || ingest || artifacts || churn || validation || scale || chaos;
  const m = any ? any.machine : null;
  const text = [
    '# Benchmarks',
    '',
    'What this package costs and gains against what a user would otherwise build from core nodes, measured on the same',
    'machine in the same run. Absolute figures drift on a shared machine; the ratios are the point. Regenerate with',
    '`npm run bench` (all; about 8 minutes) or `npm run bench -- start` / `ingest` / `validation` / `artifacts` / `churn` / `scale`; options',
    '`--seconds`, `--rounds`, `--connections`, `--cpu-prof DIR` (ingest: a CPU profile of Node-RED), `--sizes 256,1024` (MiB), `--runs` (downloads per Node-RED process), `--samples`. The scripts are in `bench/`, the raw results in',
    '`bench/results/`, the plots in `bench/plots/`; this file is written by `bench/report.js` from those results.',
    '',
    m ? `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.kernel}. Load generator and servers share the same ${m.cores} cores with Node-RED.` : '',
    '',
    'The machine is shared: other people ran their tests on the same 2 cores while these figures were measured (each section gives the load average ' +
    'of its run). Every figure is a ratio, or a pair, measured in one run of each benchmark, side by side, on that shared 2-core machine: it says how the ' +
    'package compares with its baseline under the same conditions, and single values move from run to run by the amounts the sections show.',
    '',
    startSection(start),
    ingestSection(ingest),
    validationSection(validation),
    artifactsSection(artifacts),
    churnSection(churn),
    scaleSection(scale),
    chaosSection(chaos),
    HARDENING,
  ].join('\n');
  fs.writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), text.replace(/\n{3,}/g, '\n\n'));
  console.log('wrote BENCHMARKS.md');
}

module.exports = { writeReport };
if (require.main === module) writeReport();
