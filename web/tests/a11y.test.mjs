// Accessibility (WCAG 2.1 AA) of the pages crimemapd serves, in headless Chromium against the
// sample data: axe-core on the map page (before and after a search, with both choropleths), the
// widget, the league tables and a meeting pack, failing on any serious or critical violation; a
// keyboard-only walk (no mouse) from a postcode to its summary and on to the league table; and
// the text equivalent of the crime choropleth checked against the league API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startStack, getJson } from './harness.mjs';
import { launchBrowser, openPage, waitIdle, screenshot } from './chromium.mjs';

const HOME = 'HR1 1AA';
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let stack, browser;

before(async () => {
  stack = await startStack('a11y');
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (stack) await stack.stop();
});

const url = (path) => stack.baseUrl + path;

// The league page and the meeting pack forbid every script (CSP default-src 'none'); the test's
// context bypasses that to run axe, which changes nothing on the page.
async function withPage(opts, fn) {
  const p = await openPage(browser, { ...opts, bypassCSP: true });
  try {
    await fn(p);
    assert.deepEqual(p.problems, [], 'the page logged errors');
  } finally {
    await p.context.close();
  }
}

// Every axe rule tagged WCAG 2.0/2.1 A or AA or best practice, including the experimental ones
// (label-content-name-mismatch, WCAG 2.5.3, is one); returns the serious and critical violations as
// readable lines.
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
async function axeProblems(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }), AXE_TAGS);
  const lines = [];
  for (const v of result.violations) {
    if (v.impact !== 'serious' && v.impact !== 'critical') continue;
    for (const n of v.nodes) lines.push(`${v.impact} ${v.id} (${v.help}): ${n.target.join(' ')}`);
  }
  const minor = result.violations.filter((v) => v.impact !== 'serious' && v.impact !== 'critical').map((v) => `${v.impact} ${v.id}`);
  if (minor.length) console.log(`# axe, not failing: ${minor.join(', ')}`);
  return lines;
}

async function checkPage(path, prepare = async () => {}) {
  await withPage({ width: 1280, height: 800 }, async ({ page }) => {
    const res = await page.goto(url(path));
    assert.equal(res.status(), 200, path);
    await prepare(page);
    const problems = await axeProblems(page);
    assert.deepEqual(problems, [], `${path}: serious or critical accessibility violations`);
    console.log(`# axe ${path}: no serious or critical violation`);
  });
}

test('axe: the map page, as it opens', () => checkPage('/', waitIdle));

test('axe: the map page after a postcode search, with wards shaded', () =>
  checkPage(`/?postcode=${encodeURIComponent(HOME)}&layers=crimes,areas&kind=ward`, async (page) => {
    await waitIdle(page);
    await page.waitForSelector('#cm-compare:not([hidden]) #cm-meeting-pack');
    await page.waitForSelector('#cm-legend .cm-legend-list li');
    await page.click('#cm-areas-table summary');
  }));

test('axe: the map page with Local services shown and a district selected', async () => {
  const ind = (await getJson(stack, '/catalog')).indicators[0];
  await checkPage(`/?indicator=${ind.code}`, async (page) => {
    await waitIdle(page);
    await page.waitForSelector('#cm-services-legend .cm-legend-list li');
    await waitIdle(page);
    await page.click('#cm-services-text summary');
    await page.click('#cm-services-text tbody button');
    await page.waitForSelector('#cm-services-detail .cm-value');
  });
});

test('axe: the widget', () =>
  checkPage(`/embed?postcode=${encodeURIComponent(HOME)}&layers=crimes,areas&kind=ward`, async (page) => {
    await waitIdle(page);
    await page.waitForSelector('#cm-legend .cm-legend-list li');
  }));

test('axe: the league tables (crimes and an indicator)', async () => {
  const ind = (await getJson(stack, '/catalog')).indicators[0];
  await checkPage('/league?kind=ward');
  await checkPage(`/league?kind=lad&indicator=${ind.code}`);
});

test('axe: a meeting pack', async () => {
  const pc = (await getJson(stack, `/postcodes/${encodeURIComponent(HOME)}`)).result;
  const nb = pc.neighbourhood;
  await checkPage(`/v1/neighbourhoods/${encodeURIComponent(nb.force)}/${encodeURIComponent(nb.id)}/meeting-pack`);
});

// Presses Tab until `wanted` (run in the page) is true of the focused element; returns its
// description. Fails after `limit` presses.
async function tabTo(page, wanted, what, limit = 80) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const hit = await page.evaluate(wanted);
    if (hit) return hit;
  }
  assert.fail(`${what} was not reached with ${limit} presses of Tab`);
}

test('keyboard only: find a postcode, read its summary, open the league table', async () => {
  const summary = (await getJson(stack, `/v1/postcodes/${encodeURIComponent(HOME)}/summary?months=1`)).result;
  const lsoa = summary.areas.lsoa;
  await withPage({ width: 1280, height: 800 }, async ({ page }) => {
    await page.goto(url('/'));
    await waitIdle(page);
    const first = await tabTo(page, () => document.activeElement.className === 'cm-skip' && document.activeElement.textContent, 'the skip link', 1);
    assert.equal(first, 'Skip to the map controls', 'Tab first reaches the skip link');
    await tabTo(page, () => document.activeElement.id === 'cm-postcode', 'the postcode field', 5);
    await page.keyboard.type(HOME);
    await page.keyboard.press('Enter');
    // The result is announced in the status live region ...
    await page.waitForFunction((pc) => document.getElementById('cm-status').textContent.startsWith(pc), HOME);
    await page.waitForSelector('#cm-compare:not([hidden]) .cm-compare-areas');
    // ... and the summary is the next thing in the tab order after the filters.
    const reached = await tabTo(page, () => document.activeElement.closest('#cm-compare') && document.activeElement.outerHTML.slice(0, 120),
      'the "Compare your area" summary');
    console.log(`# keyboard: the summary is reached at ${reached}`);
    const row = await page.$eval('#cm-compare tr[data-area="lsoa"]', (tr) => [...tr.children].map((c) => c.textContent.trim()));
    assert.match(row[0], new RegExp(lsoa.name), 'the summary names the LSOA');
    assert.match(row[1], new RegExp(`^${lsoa.crimes.toLocaleString('en-GB')}`), 'with its crimes');
    const href = await tabTo(page, () => document.activeElement.closest('#cm-compare') && document.activeElement.getAttribute('href')?.startsWith('/league')
      && document.activeElement.getAttribute('href'), 'the league table link in the summary');
    assert.equal(href, summary.compare.league);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.equal(new URL(page.url()).pathname, '/league');
    const leagueRow = await page.$$eval('tbody tr', (trs, code) => trs.map((tr) => tr.textContent).find((t) => t.includes(code)), lsoa.code);
    assert.ok(leagueRow && leagueRow.includes(String(lsoa.crimes)), `the league table lists ${lsoa.code} with ${lsoa.crimes} crimes`);
    await screenshot(page, 'keyboard-league');
  });
});

test('keyboard only: Local services, a district\'s figures from the table, the indicator\'s league table', async () => {
  const catalog = await getJson(stack, '/catalog');
  const ind = catalog.indicators[0];  // the first after "None" in the list
  const period = ind.periods.at(-1);
  await withPage({ width: 1280, height: 800 }, async ({ page }) => {
    await page.goto(url('/'));
    await waitIdle(page);
    await tabTo(page, () => document.activeElement.id === 'cm-indicator', 'the indicator list');
    await page.keyboard.press('ArrowDown');
    await page.waitForSelector('#cm-services-legend .cm-legend-list li');
    await waitIdle(page);
    assert.equal(await page.inputValue('#cm-indicator'), ind.code);
    await tabTo(page, () => document.activeElement.matches('#cm-services-text summary'), 'the table of districts', 5);
    await page.keyboard.press('Enter');
    const name = await tabTo(page, () => document.activeElement.matches('#cm-services-text button[data-district]') && document.activeElement.textContent,
      'a district in the table', 3);
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.querySelector('#cm-services-detail h3')?.textContent === n, name);
    const code = await page.evaluate(() => document.activeElement.dataset.district);
    const props = await page.evaluate((c) => window.crimemap.services.state.districts.get(c), code);
    const perf = (await getJson(stack, `/v1/areas/${props.area_code}/performance?indicator=${ind.code}`)).result.indicators[0].series;
    const value = perf.find((p) => p.period === period).value;
    assert.equal(await page.textContent('#cm-services-detail .cm-value'), value.toLocaleString('en-GB', { maximumFractionDigits: 2 }));
    const href = await tabTo(page, () => document.activeElement.id === 'cm-services-league' && document.activeElement.getAttribute('href'),
      'the league table link', 40);
    assert.equal(href, `/league?kind=lad&indicator=${ind.code}&period=${period}`);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.equal(await page.inputValue('select[name=indicator]'), ind.code);
  });
});

test('the crime choropleth has a text equivalent with the figures of the league API', async () => {
  const catalog = await getJson(stack, '/catalog');
  const to = catalog.last_month;
  await withPage({ width: 1280, height: 800 }, async ({ page }) => {
    await page.goto(url(`/?center=-2.716,52.056&zoom=12&layers=crimes,areas&kind=ward&from=${to}&to=${to}`));
    await waitIdle(page);
    await page.waitForSelector('#cm-legend .cm-legend-list li');
    await page.waitForSelector('#cm-areas-table');
    const legendAreas = Number((await page.textContent('#cm-legend .cm-legend-note')).match(/fifths of the (\d+) areas/)[1]);
    const rows = await page.$$eval('#cm-areas-table tbody tr', (trs) => trs.map((tr) => ({
      code: tr.querySelector('th .cm-sub').textContent, value: tr.children[1].textContent, cls: tr.children[2].textContent,
    })));
    assert.equal(rows.length, legendAreas, 'one row per area the legend classes were computed over');
    const perK = (await page.textContent('#cm-legend .cm-legend-title')).startsWith('Crimes per 1,000');
    const league = (await getJson(stack, `/v1/league?kind=ward&from=${to}&to=${to}`)).result;
    const byCode = new Map(league.rows.map((r) => [r.code, r]));
    let compared = 0;
    for (const r of rows) {
      const l = byCode.get(r.code);
      assert.ok(l, `ward ${r.code} is in the league`);
      if (r.value === 'no data' || (perK && l.per_1000 === null)) continue;
      const shown = Number(r.value.replace(/,/g, ''));
      if (perK) assert.ok(Math.abs(shown - l.per_1000) <= 0.051, `${r.code}: ${r.value} per 1,000 (league ${l.per_1000})`);
      else assert.equal(shown, l.count, `${r.code}: crimes`);
      compared++;
    }
    assert.ok(compared > 0, 'rates compared');
    // Highest first, and the classes never rise down the table.
    const cls = rows.filter((r) => r.value !== 'no data').map((r) => Number(r.cls.split(' ')[0]));
    assert.deepEqual(cls, [...cls].sort((a, b) => b - a));
    console.log(`# text equivalent: ${rows.length} wards, ${compared} ${perK ? 'rates' : 'counts'} match the league`);
  });
});
