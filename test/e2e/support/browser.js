'use strict';
// Debian's Chromium driven by playwright-core, kept off the network: only 127.0.0.1 is reached
// (host resolver rules and a request filter), no background or component traffic.
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-default-apps',
      '--disable-extensions',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
}

/** A page whose requests anywhere but 127.0.0.1 are aborted and recorded in `offsite`. */
async function openEditor(browser, url, { width = 1400, height = 850 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  const offsite = [];
  await context.route('**/*', (route) => {
    const target = new URL(route.request().url());
    if (target.hostname === '127.0.0.1' || target.protocol === 'data:' || target.protocol === 'blob:') return route.continue();
    offsite.push(target.href);
    return route.abort();
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  // The editor is ready once it has the node types and has shown a flow (after loading the flows).
  await page.waitForFunction(
    () => window.RED && RED.nodes && RED.nodes.getType('meetingbaas-callback') && RED.workspaces.active() && !$('#red-ui-loading-progress').is(':visible'),
  );
  return { context, page, offsite, errors };
}

module.exports = { launchBrowser, openEditor, CHROMIUM };
