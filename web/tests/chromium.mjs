// Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, with every console
// error and uncaught page error recorded so a test can fail on them.
import { chromium } from 'playwright-core';
import { join } from 'node:path';
import { outputDir } from './harness.mjs';

// DESIGN.md: MapLibre's WebGL runs on SwiftShader. Playwright adds --headless and a fresh
// temporary --user-data-dir itself (launch() refuses a --user-data-dir argument).
const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CRIMEMAP_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
  });
}

// A page whose console errors, page errors and failed requests are collected in `problems`.
// bypassCSP: for tests that inject a script (axe-core) into pages whose CSP forbids scripts.
export async function openPage(browser, { width = 1280, height = 800, bypassCSP = false } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1, locale: 'en-GB', bypassCSP });
  const page = await context.newPage();
  const problems = [];
  const tileRequests = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()} (${msg.location().url || 'page'})`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    const why = req.failure()?.errorText || 'failed';
    // MapLibre cancels tile requests that are no longer needed when the view moves.
    if (why.includes('ERR_ABORTED') && req.url().includes('/tiles/')) return;
    problems.push(`request failed: ${req.url()} (${why})`);
  });
  page.on('request', (req) => {
    if (req.url().includes('/tiles/')) tileRequests.push(req.url());
  });
  return { page, context, problems, tileRequests };
}

// Waits for window.crimemap (set by the page once its map is made), then for the map's next
// `idle`: nothing moving, every tile of the view loaded and drawn.
export async function waitIdle(page, { timeout = 60_000 } = {}) {
  await page.waitForFunction(() => window.crimemap && window.crimemap.map, null, { timeout });
  await page.evaluate(
    (ms) => new Promise((resolve, reject) => {
      const map = window.crimemap.map;
      const timer = setTimeout(() => reject(new Error('map did not become idle')), ms);
      map.once('idle', () => { clearTimeout(timer); resolve(); });
      map.triggerRepaint();
    }),
    timeout,
  );
}

export async function screenshot(page, name) {
  const file = join(outputDir('web'), `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
