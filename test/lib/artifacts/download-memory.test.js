'use strict';
// A recording of several hundred MB goes to disk with memory that stays small: measured.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { createHttpClient } = require('../../../lib/artifacts/http-client');
const { downloadToFile, downloadToBuffer } = require('../../../lib/artifacts/download');
const { partialPathFor } = require('../../../lib/artifacts/temporary-file');
const { artifactPath, extensionFor } = require('../../../lib/artifacts/file-names');
const fx = require('../../fixtures/artifacts');

const MiB = 1024 * 1024;
const SIZE = 400 * MiB;
/** What the download may add to the process, server included; buffering the file would add 400. */
const BUDGET = 96 * MiB;

describe('artifact download memory', function () {
  this.timeout(120000);
  let server;
  let client;
  let dir;
  const policy = { allowLocal: true, hosts: [] };

  before(async function () {
    server = await fx.startServer();
    client = createHttpClient({ policy, retries: 1 });
    dir = fx.tempDir('mb-mem-');
  });
  after(async function () {
    await client.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `task` while sampling RSS; returns the peak growth over the level before it started. */
  async function peakGrowth(task) {
    if (global.gc) global.gc();
    const base = process.memoryUsage().rss;
    let peak = base;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    try {
      const result = await task();
      peak = Math.max(peak, process.memoryUsage().rss);
      return { growth: peak - base, result };
    } finally {
      clearInterval(timer);
    }
  }

  it(`writes a ${SIZE / MiB} MiB file with less than ${BUDGET / MiB} MiB of extra memory`, async function () {
    const resource = { size: SIZE, head: fx.HEADS.mp4, type: 'video/mp4' };
    const url = server.add('/big/video', resource);
    const bot = 'c0ffee00-1234-4abc-8def-0123456789ab';
    const { growth, result } = await peakGrowth(() =>
      downloadToFile(
        url,
        (type, head) => artifactPath(dir, '<bot_id>/<artifact>.<ext>', { botId: bot, artifact: 'video', ext: extensionFor('video', type, head) }),
        { client, policy, maxBytes: Number.MAX_SAFE_INTEGER },
        partialPathFor(path.join(dir, bot, 'video.part')),
      ),
    );
    assert.equal(result.size, SIZE);
    assert.equal(fs.statSync(result.path).size, SIZE);
    assert.equal(path.basename(result.path), 'video.mp4');
    assert.ok(growth < BUDGET, `RSS grew by ${(growth / MiB).toFixed(0)} MiB`);
    this.test.title += ` (grew ${(growth / MiB).toFixed(0)} MiB)`;
  });

  it('the measurement catches buffering: reading 200 MiB into memory exceeds the budget', async function () {
    const url = server.add('/big/buffered', { size: 200 * MiB, type: 'video/mp4' });
    const { growth, result } = await peakGrowth(() => downloadToBuffer(url, { client, policy, maxBytes: Number.MAX_SAFE_INTEGER }));
    assert.equal(result.body.length, 200 * MiB);
    assert.ok(growth > BUDGET, `RSS grew by only ${(growth / MiB).toFixed(0)} MiB`);
  });
});
