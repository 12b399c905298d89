'use strict';
// The Node-RED editor in Debian's Chromium, driven by playwright-core, as every browser suite
// uses it. Kept off the network: only 127.0.0.1 is reached (host resolver rules and a request
// filter), no background or component traffic.
const assert = require('node:assert/strict');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** How long one step (a click, a wait for an element) may take: far more than a step of a working editor needs. */
const ACTION_TIMEOUT_MS = 15000;
/** Where Node-RED's palette manager reads the list of installable nodes (editorTheme.palette.catalogues). */
const NODE_RED_CATALOGUE = 'catalogue.nodered.org';

function launchBrowser() {
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

/**
 * Registers, in the calling describe, the hooks around an editor in the browser: after each test
 * the test fails if the page threw an error so far (an editor script that breaks is a bug even
 * when the assertions passed) or asked for anything off 127.0.0.1, and at the end the browser closes. Call it before the describe's
 * own `after`, so that the browser closes before the Node-RED it shows stops.
 *
 * `open(url)`, from the describe's `before` once Node-RED runs, launches Chromium and resolves
 * with the editor's `page` once the editor is ready; `offsite` lists the requests elsewhere than
 * 127.0.0.1, which were aborted (and fail the test).
 */
function useEditorInBrowser() {
  let browser = null;
  const pageErrors = [];
  const offsite = [];

  afterEach(function () {
    assert.deepEqual(pageErrors, [], 'the editor threw errors');
    // A help page or editor script that loads from the internet breaks offline installs and tells a
    // third party who opened it. The palette manager's catalogue is Node-RED's own request.
    const ours = offsite.filter((href) => new URL(href).hostname !== NODE_RED_CATALOGUE);
    assert.deepEqual(ours, [], 'the editor asked for something off this machine');
  });
  after(async function () {
    await browser?.close();
  });

  async function open(url) {
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1400, height: 850 }, deviceScaleFactor: 1 });
    await context.route('**/*', (route) => {
      const target = new URL(route.request().url());
      if (target.hostname === '127.0.0.1' || target.protocol === 'data:' || target.protocol === 'blob:') return route.continue();
      offsite.push(target.href);
      return route.abort();
    });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(url);
    // The editor is ready once it has the node types and has shown a flow (after loading the flows).
    await page.waitForFunction(
      () => window.RED && RED.nodes && RED.nodes.getType('meetingbaas-callback') && RED.workspaces.active() && !$('#red-ui-loading-progress').is(':visible'),
    );
    page.setDefaultTimeout(ACTION_TIMEOUT_MS);
    return { page, offsite };
  }

  return { open };
}

module.exports = { useEditorInBrowser };
