// Browser tests of the map page and the widget against a real crimemapd on the sample data:
// headless Chromium, failing on any console error. Screenshots go to $CRIMEMAP_TEST_OUTPUT/web/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { startStack, getJson, outputDir, repoDir } from './harness.mjs';
import { launchBrowser, openPage, waitIdle, screenshot } from './chromium.mjs';

const HOME = 'HR1 1AA';   // Hereford city centre
const OTHER = 'TF1 1AA';  // Wellington, Telford

let stack, browser;

before(async () => {
  // The sample has no stop and search: the police.uk-layout fixture file (2019-01, West Mercia).
  stack = await startStack('browser', {
    prepare: async (run) => {
      await run(['import', 'stops', join(repoDir, 'tests', 'fixtures', 'stops')]);
      return [];
    },
  });
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (stack) await stack.stop();
});

// Opens a page, runs fn, then fails if the page logged any error.
async function withPage(opts, fn) {
  const p = await openPage(browser, opts);
  try {
    await fn(p);
    assert.deepEqual(p.problems, [], 'the page logged errors');
  } finally {
    await p.context.close();
  }
}

const url = (path) => stack.baseUrl + path;

function monthsOf(from, to) {
  const out = [];
  let [y, m] = from.split('-').map(Number);
  const [ty, tm] = to.split('-').map(Number);
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    if (++m > 12) { m = 1; y++; }
  }
  return out;
}

// The crimes of the data.police.uk-compatible API inside the map's current viewport, for the
// widget's months: police.uk answers one month per call, so one call per month.
async function apiCrimesInView(page) {
  const view = await page.evaluate(() => {
    const { map, state } = window.crimemap;
    const b = map.getBounds();
    return { west: b.getWest(), south: b.getSouth(), east: b.getEast(), north: b.getNorth(), from: state.from, to: state.to, categories: state.categories };
  });
  const poly = [[view.south, view.west], [view.north, view.west], [view.north, view.east], [view.south, view.east]]
    .map(([lat, lng]) => `${lat.toFixed(6)},${lng.toFixed(6)}`).join(':');
  const category = view.categories.length === 1 ? view.categories[0] : 'all-crime';
  const crimes = [];
  for (const month of monthsOf(view.from, view.to)) {
    crimes.push(...await getJson(stack, `/api/crimes-street/${category}?poly=${poly}&date=${month}`));
  }
  return { view, crimes };
}

// Compares the snap points drawn in the viewport with the API's crimes in the same rectangle.
// Only locations at least `inset` pixels inside the viewport take part on either side, so
// neither a circle that pokes in from outside nor coordinate rounding at the edge counts.
async function compareWithApi(page, label) {
  const rendered = await page.evaluate(() => {
    const { map, ctl } = window.crimemap;
    const v = ctl.crimesInView();
    return {
      points: v.points,
      total: v.total,
      width: map.getCanvas().clientWidth,
      height: map.getCanvas().clientHeight,
      features: v.features.map((f) => ({ ...f, px: map.project([f.lon, f.lat]) })),
    };
  });
  assert.ok(rendered.points, `${label}: the view shows snap points (zoom >= 14)`);
  assert.ok(rendered.features.length > 0, `${label}: crime features are rendered`);
  const { crimes } = await apiCrimesInView(page);
  const projected = await page.evaluate((list) => list.map(([lon, lat]) => window.crimemap.map.project([lon, lat])),
    crimes.map((c) => [Number(c.location.longitude), Number(c.location.latitude)]));

  const inset = 6;
  const inside = (px) => px.x >= inset && px.y >= inset && px.x <= rendered.width - inset && px.y <= rendered.height - inset;
  const drawn = new Map();  // location id -> {count, categories}
  for (const f of rendered.features) {
    if (!inside(f.px)) continue;
    drawn.set(String(f.location_id), f);
  }
  const fromApi = new Map();  // location id -> {count, categories}
  crimes.forEach((c, i) => {
    if (!inside(projected[i])) return;
    const id = String(c.location.street.id);
    const e = fromApi.get(id) || { count: 0, categories: {}, name: c.location.street.name };
    e.count++;
    e.categories[c.category] = (e.categories[c.category] || 0) + 1;
    fromApi.set(id, e);
  });
  const drawnTotal = [...drawn.values()].reduce((a, f) => a + f.count, 0);
  const apiTotal = [...fromApi.values()].reduce((a, e) => a + e.count, 0);
  assert.ok(drawnTotal > 0, `${label}: counts are drawn`);
  assert.deepEqual([...drawn.keys()].sort(), [...fromApi.keys()].sort(), `${label}: the same locations on the map and in the API`);
  for (const [id, f] of drawn) {
    const e = fromApi.get(id);
    assert.equal(f.count, e.count, `${label}: count at location ${id} (${f.location})`);
    assert.equal(f.location, e.name, `${label}: name of location ${id}`);
    for (const [slug, n] of Object.entries(e.categories)) assert.equal(Number(f.properties[slug]), n, `${label}: ${slug} at ${id}`);
  }
  assert.equal(drawnTotal, apiTotal, `${label}: crimes drawn in view = crimes the API returns for the view`);
  return { drawnTotal, locations: drawn.size, renderedTotal: rendered.total };
}

test('the widget at /embed?postcode=HR1 1AA draws crimes whose counts match the API for the same area and months', async () => {
  await withPage({ width: 900, height: 650 }, async ({ page }) => {
    const res = await page.goto(url(`/embed?postcode=${encodeURIComponent(HOME)}`));
    assert.equal(res.status(), 200);
    assert.equal(new URL(page.url()).searchParams.get('postcode'), HOME,
      `the widget's query string must survive the trip to ${page.url()} (crimemapd's /embed -> /embed/ redirect)`);
    await waitIdle(page);
    const info = await page.evaluate(() => ({
      postcode: window.crimemap.postcode?.postcode, zoom: window.crimemap.map.getZoom(),
      center: window.crimemap.map.getCenter().toArray(), chrome: !!document.querySelector('.cm-header, .cm-panel'),
    }));
    const pc = await getJson(stack, `/postcodes/${encodeURIComponent(HOME)}`);
    assert.equal(info.postcode, pc.result.postcode);
    assert.ok(Math.abs(info.center[0] - pc.result.longitude) < 1e-4 && Math.abs(info.center[1] - pc.result.latitude) < 1e-4, 'centred on the postcode');
    assert.equal(info.chrome, false, 'no page chrome in the widget');
    const r = await compareWithApi(page, 'widget, latest month');
    console.log(`# widget ${HOME}: ${r.drawnTotal} crimes at ${r.locations} locations inside the view match the API`);
    await screenshot(page, 'embed-HR1-1AA');
  });
});

test('the map takes the cluster/point zoom and the tile fields from /catalog, not constants of its own', async () => {
  const catalog = await getJson(stack, '/catalog');
  const crimes = catalog.layers.find((l) => l.name === 'crimes');
  assert.ok(Number.isInteger(crimes.point_minzoom), '/catalog gives the crimes layer\'s point_minzoom');
  assert.equal(crimes.point_minzoom, crimes.cluster_maxzoom + 1);
  for (const name of ['count', 'location', 'location_id']) assert.ok(crimes.fields.some((f) => f.name === name), `crimes.${name} is published`);
  // A centre without a zoom opens where snap points start.
  await withPage({ width: 800, height: 600 }, async ({ page }) => {
    const res = await page.goto(url('/embed?center=-2.716,52.056'));
    assert.equal(res.status(), 200);
    await waitIdle(page);
    const got = await page.evaluate(() => {
      const { map, ctl } = window.crimemap;
      return {
        zoom: map.getZoom(),
        pointZoom: ctl.pointZoom,
        pointsMin: map.getLayer('crime-points').minzoom,
        clustersMax: map.getLayer('crime-clusters').maxzoom,
        sourceMax: map.getSource('crimes').maxzoom,
      };
    });
    assert.equal(got.pointZoom, crimes.point_minzoom);
    assert.equal(got.pointsMin, crimes.point_minzoom, 'snap points are drawn from the catalog\'s point_minzoom');
    assert.equal(got.clustersMax, crimes.point_minzoom, 'clusters are drawn below it');
    assert.equal(got.sourceMax, Math.min(crimes.maxzoom, crimes.point_minzoom), 'tiles are fetched up to it, then over-zoomed');
    assert.equal(got.zoom, crimes.point_minzoom);
  });
});

test('the widget honours from, to and category: tile requests carry them and the counts match the API', async () => {
  const catalog = await getJson(stack, '/catalog');
  const months = catalog.months;
  const from = months[months.length - 3], to = months[months.length - 1];
  await withPage({ width: 900, height: 650 }, async ({ page, tileRequests }) => {
    await page.goto(url(`/embed?postcode=${encodeURIComponent(HOME)}&from=${from}&to=${to}&category=shoplifting`));
    await waitIdle(page);
    const crimeTiles = tileRequests.filter((u) => u.includes('/tiles/crimes/'));
    assert.ok(crimeTiles.length > 0, 'crime tiles requested');
    for (const u of crimeTiles) {
      const q = new URL(u).searchParams;
      assert.equal(q.get('category'), 'shoplifting', u);
      assert.equal(q.get('from'), from, u);
      assert.equal(q.get('to'), to, u);
    }
    const r = await compareWithApi(page, `widget, shoplifting ${from}..${to}`);
    console.log(`# widget shoplifting ${from}..${to}: ${r.drawnTotal} crimes match the API`);
    await screenshot(page, 'embed-shoplifting-3-months');
  });
});

test('the map page: search, category filter, cluster click, another postcode, meeting pack, snippet', async () => {
  await withPage({ width: 1280, height: 800 }, async ({ page, tileRequests }) => {
    await page.goto(url('/'));
    await waitIdle(page);
    await screenshot(page, 'map-start');

    // Postcode search through the form, with the keyboard.
    await page.getByLabel('Postcode', { exact: true }).fill(HOME);
    await page.keyboard.press('Enter');
    await page.waitForFunction((pc) => window.crimemap.postcode?.postcode === pc, HOME);
    await waitIdle(page);
    const home = (await getJson(stack, `/postcodes/${encodeURIComponent(HOME)}`)).result;
    let center = await page.evaluate(() => window.crimemap.map.getCenter().toArray());
    assert.ok(Math.abs(center[0] - home.longitude) < 1e-3 && Math.abs(center[1] - home.latitude) < 1e-3, 'moved to HR1 1AA');
    await page.waitForSelector('#cm-compare:not([hidden]) #cm-meeting-pack');
    const allTotal = await page.evaluate(() => window.crimemap.ctl.crimesInView().total);
    assert.ok(allTotal > 0, 'crimes in view');
    const panelTotal = await page.textContent('#cm-inview-total');
    assert.equal(Number(panelTotal.replace(/,/g, '')), allTotal, 'the "In view" panel shows the drawn total');
    await compareWithApi(page, 'page at HR1 1AA');
    await screenshot(page, 'map-HR1-1AA');

    // Category filter: only violence and sexual offences.
    const before = tileRequests.length;
    await page.click('#cm-cat-none');
    await page.getByLabel('Violence and sexual offences', { exact: true }).check();
    await page.waitForFunction(() => window.crimemap.state.categories.join() === 'violent-crime');
    await waitIdle(page);
    const filtered = tileRequests.slice(before).filter((u) => u.includes('/tiles/crimes/'));
    assert.ok(filtered.length > 0, 'new crime tiles were requested');
    for (const u of filtered) assert.equal(new URL(u).searchParams.get('category'), 'violent-crime', u);
    const violence = await page.evaluate(() => window.crimemap.ctl.crimesInView());
    assert.ok(violence.total > 0 && violence.total < allTotal, `violence (${violence.total}) is fewer than all crimes (${allTotal})`);
    assert.deepEqual(Object.keys(violence.byCategory), ['violent-crime']);
    const panel = Number((await page.textContent('#cm-inview-total')).replace(/,/g, ''));
    assert.equal(panel, violence.total, 'the "In view" panel follows the filter');
    await compareWithApi(page, 'page, violent-crime');
    await screenshot(page, 'map-violent-crime');
    await page.click('#cm-cat-all');
    await page.waitForFunction(() => window.crimemap.state.categories.length === 0);
    await waitIdle(page);

    // Area shading by ward, with its legend.
    await page.getByLabel('Ward', { exact: true }).check();
    await waitIdle(page);
    await page.waitForSelector('#cm-legend .cm-legend-list li');
    assert.ok(tileRequests.some((u) => u.includes('/tiles/areas/') && new URL(u).searchParams.get('kind') === 'ward'));

    // Zoom out to clusters; clicking the biggest cluster zooms in on it.
    await page.evaluate(() => window.crimemap.map.jumpTo({ zoom: 11 }));
    await waitIdle(page);
    await screenshot(page, 'map-clusters-wards');
    const cluster = await page.evaluate(() => {
      const { map, ctl } = window.crimemap;
      const w = map.getCanvas().clientWidth, h = map.getCanvas().clientHeight;
      const list = ctl.crimesInView().features
        .map((f) => ({ ...f, px: map.project([f.lon, f.lat]) }))
        .filter((f) => f.px.x > 40 && f.px.y > 40 && f.px.x < w - 60 && f.px.y < h - 40);
      list.sort((a, b) => b.count - a.count);
      return list[0] && { ...list[0], zoom: map.getZoom() };
    });
    assert.ok(cluster && !cluster.points, 'a cluster is drawn at zoom 11');
    const box = await page.locator('#cm-map canvas').boundingBox();
    await page.mouse.click(box.x + cluster.px.x, box.y + cluster.px.y);
    await page.waitForFunction((z) => window.crimemap.map.getZoom() > z + 0.5, cluster.zoom);
    await waitIdle(page);
    const after = await page.evaluate(() => ({ zoom: window.crimemap.map.getZoom(), center: window.crimemap.map.getCenter().toArray() }));
    assert.ok(after.zoom >= cluster.zoom + 1.9, `zoomed in from ${cluster.zoom} to ${after.zoom}`);
    assert.ok(Math.abs(after.center[0] - cluster.lon) < 1e-3 && Math.abs(after.center[1] - cluster.lat) < 1e-3, 'centred on the cluster');
    await page.getByLabel('None', { exact: true }).check();
    await waitIdle(page);

    // Another postcode: the map moves there.
    await page.getByLabel('Postcode', { exact: true }).fill(OTHER);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.waitForFunction((pc) => window.crimemap.postcode?.postcode === pc, OTHER);
    await waitIdle(page);
    const other = (await getJson(stack, `/postcodes/${encodeURIComponent(OTHER)}`)).result;
    center = await page.evaluate(() => window.crimemap.map.getCenter().toArray());
    assert.ok(Math.abs(center[0] - other.longitude) < 1e-3 && Math.abs(center[1] - other.latitude) < 1e-3, `moved to ${OTHER}`);
    await page.waitForSelector('#cm-compare:not([hidden]) #cm-meeting-pack');
    await screenshot(page, 'map-TF1-1AA');

    // Details at a snap point.
    const point = await page.evaluate(() => {
      const { map, ctl } = window.crimemap;
      const list = ctl.crimesInView().features.filter((f) => f.points).map((f) => ({ ...f, px: map.project([f.lon, f.lat]) }));
      list.sort((a, b) => b.count - a.count);
      return list[0];
    });
    await page.mouse.click(box.x + point.px.x, box.y + point.px.y);
    const popup = page.locator('.maplibregl-popup .cm-popup');
    await popup.waitFor();
    assert.equal(await popup.locator('h3').textContent(), point.location);
    await screenshot(page, 'map-details');

    // The embed snippet for this view.
    const snippetHref = await page.getAttribute('#cm-embed-link', 'href');
    const snippet = await browser.newPage();
    try {
      await snippet.goto(url(snippetHref));
      const code = await snippet.inputValue('#cm-code');
      assert.match(code, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/embed\?[^"]*center=[^"]*" /);
      assert.match(code, /zoom=/);
      await snippet.frameLocator('#cm-preview iframe').locator('canvas').waitFor();
      await snippet.screenshot({ path: join(outputDir('web'), 'snippet.png') });
    } finally {
      await snippet.close();
    }

    // The meeting pack of the postcode's neighbourhood.
    const packHref = await page.getAttribute('#cm-meeting-pack', 'href');
    assert.match(packHref, /^\/v1\/neighbourhoods\/[^/]+\/[^/]+\/meeting-pack/);
    const [response] = await Promise.all([page.waitForNavigation(), page.click('#cm-meeting-pack')]);
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-type'], /^text\/html/);
    assert.ok(await page.locator('svg').count() > 0, 'the meeting pack has its charts');
    await screenshot(page, 'meeting-pack');
  });
});

test('a configured basemap style goes under our layers', async () => {
  // An outside style server, as in production: crimemapd serves only public web assets, never
  // web/tests/, so the fixture comes from a little server of the test's own (CORS open).
  const style = readFileSync(new URL('fixtures/basemap.json', import.meta.url));
  const styleServer = createServer((req, res) => {
    res.writeHead(req.url === '/basemap.json' ? 200 : 404,
      { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
    res.end(req.url === '/basemap.json' ? style : '{}');
  });
  await new Promise((res) => styleServer.listen(0, '127.0.0.1', res));
  const basemap = `http://127.0.0.1:${styleServer.address().port}/basemap.json`;
  try {
    await withPage({ width: 800, height: 600 }, async ({ page }) => {
      await page.goto(url(`/embed?center=-2.7160,52.0560&zoom=12&layers=crimes,areas&kind=neighbourhood&basemap=${encodeURIComponent(basemap)}`));
      await waitIdle(page);
      const layers = await page.evaluate(() => window.crimemap.map.getStyle().layers.map((l) => l.id));
      assert.equal(layers[0], 'basemap-background', 'the basemap is at the bottom');
      assert.ok(layers.indexOf('basemap-river') < layers.indexOf('areas-fill'), 'our areas above the basemap');
      assert.ok(layers.indexOf('areas-fill') < layers.indexOf('crime-clusters'), 'crimes above the areas');
      const total = await page.evaluate(() => window.crimemap.ctl.crimesInView().total);
      assert.ok(total > 0, 'crimes drawn over the basemap');
      await page.waitForSelector('#cm-legend .cm-legend-list li');
      await screenshot(page, 'embed-basemap-neighbourhoods');
    });
  } finally {
    styleServer.close();
  }
});

test('keyboard: every control has a label and is reachable with Tab', async () => {
  await withPage({ width: 1280, height: 800 }, async ({ page }) => {
    await page.goto(url('/'));
    await waitIdle(page);
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')]
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim() && !el.title)
      .map((el) => el.outerHTML.slice(0, 80)));
    assert.deepEqual(unlabelled, []);
    const reached = new Set();
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      reached.add(await page.evaluate(() => document.activeElement?.id || document.activeElement?.getAttribute('aria-label') || document.activeElement?.tagName));
    }
    for (const id of ['cm-postcode', 'cm-from', 'cm-to', 'cm-cat-all']) assert.ok(reached.has(id), `${id} reachable with Tab`);
    assert.ok([...reached].some((r) => /map/i.test(String(r))), 'the map canvas is focusable');
  });
});

// The national ranking of an indicator, recomputed here from the league's raw values (not its
// ranks): 1 = best by the polarity (neutral: highest), ties share the first rank, quintile
// min(5, 1 + floor((rank - 1) * 5 / of)); then each quintile's value range and the median.
function expectedQuintiles(values, polarity) {
  const sorted = [...values].sort((a, b) => (polarity === 'lower_is_better' ? a - b : b - a));
  const of = sorted.length;
  const ranges = new Map();
  sorted.forEach((v, i) => {
    const rank = sorted.indexOf(v) + 1;
    const q = Math.min(5, 1 + Math.floor(((rank - 1) * 5) / of));
    const r = ranges.get(q) || { min: Infinity, max: -Infinity };
    ranges.set(q, { min: Math.min(r.min, v), max: Math.max(r.max, v) });
  });
  const asc = [...values].sort((a, b) => a - b);
  const median = of % 2 ? asc[(of - 1) / 2] : (asc[of / 2 - 1] + asc[of / 2]) / 2;
  return { ranges, median };
}
const fmt = (v) => Number(v).toLocaleString('en-GB', { maximumFractionDigits: 2 });

test('Local services: districts shaded by an indicator, a legend with the polarity and quintile breaks, district details, the league table', async () => {
  const catalog = await getJson(stack, '/catalog');
  const ind = catalog.indicators.find((i) => i.polarity === 'higher_is_better');
  const neutral = catalog.indicators.find((i) => i.polarity === 'neutral');
  assert.ok(ind && neutral, 'the sample has a higher-is-better and a neutral indicator');
  const period = ind.periods.at(-1);
  const league = (await getJson(stack, `/v1/league?kind=lad&indicator=${ind.code}&period=${period}`)).result;
  const expected = expectedQuintiles(league.rows.map((r) => r.value), ind.polarity);
  const home = (await getJson(stack, `/postcodes/${encodeURIComponent(HOME)}`)).result;
  const district = home.codes.admin_district;

  await withPage({ width: 1280, height: 800 }, async ({ page, tileRequests }) => {
    await page.goto(url('/'));
    await waitIdle(page);
    // Crimes off, so that a click on the map lands on a district, not on a crime circle.
    await page.click('#cm-cat-none');
    await page.waitForFunction(() => window.crimemap.noCategories === true);
    await page.getByLabel('Indicator', { exact: true }).selectOption(ind.code);
    await page.waitForSelector('#cm-services-legend .cm-legend-list li');
    await waitIdle(page);
    assert.equal(await page.inputValue('#cm-period'), period, 'the latest period is chosen');
    const perfTiles = tileRequests.filter((u) => u.includes('/tiles/performance/'));
    assert.ok(perfTiles.length > 0, 'performance tiles requested');
    for (const u of perfTiles.slice(-3)) {
      assert.equal(new URL(u).searchParams.get('indicator'), ind.code, u);
      assert.equal(new URL(u).searchParams.get('period'), period, u);
    }
    assert.match(page.url(), new RegExp(`indicator=${ind.code}&period=${period}`), 'the address bar keeps the indicator');

    // The legend: polarity in words, each quintile's range as recomputed from the raw values.
    assert.match(await page.textContent('#cm-services-legend .cm-polarity'), /^Higher is better: quintile 1 is the best fifth of the \d+ councils/);
    const legend = await page.$$eval('#cm-services-legend .cm-legend-list li', (lis) => lis.map((li) => ({
      q: Number(li.dataset.quintile), range: li.querySelector('.cm-range').textContent, color: li.querySelector('.cm-swatch').style.background,
    })));
    assert.deepEqual(legend.map((l) => l.q), [...expected.ranges.keys()].sort());
    for (const l of legend) {
      const r = expected.ranges.get(l.q);
      assert.equal(l.range, r.min === r.max ? fmt(r.min) : `${fmt(r.min)}–${fmt(r.max)}`, `quintile ${l.q}`);
    }
    assert.equal(await page.textContent('#cm-services-legend .cm-median'), fmt(expected.median), 'national median');
    assert.equal(league.comparison.national_median, expected.median);

    // The text equivalent lists the shaded districts with their league values.
    const rows = await page.$$eval('#cm-services-text tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
    const mine = league.rows.find((r) => r.code === district);
    const row = rows.find((r) => r[0].startsWith(mine.name));
    assert.ok(row, `${mine.name} is in the table of shaded districts`);
    assert.equal(row[1], fmt(mine.value));
    assert.equal(row[2], `${mine.rank} of ${league.ranked}`);

    // A click on the postcode's district: value, rank, national median and trend, as the API has them.
    const perf = (await getJson(stack, `/v1/areas/${district}/performance?indicator=${ind.code}`)).result.indicators[0].series;
    const at = perf.findIndex((s) => s.period === period);
    const px = await page.evaluate(([lon, lat]) => window.crimemap.map.project([lon, lat]), [home.longitude, home.latitude]);
    const box = await page.locator('#cm-map canvas').boundingBox();
    await page.mouse.click(box.x + px.x, box.y + px.y);
    const popup = page.locator('.maplibregl-popup .cm-popup');
    await popup.waitFor();
    assert.equal(await popup.locator('h3').textContent(), mine.name);
    assert.equal(await popup.locator('.cm-value').textContent(), fmt(perf[at].value));
    assert.equal(await popup.locator('.cm-rank').textContent(), fmt(perf[at].rank));
    assert.equal(await popup.locator('.cm-of').textContent(), fmt(perf[at].of));
    assert.equal(await popup.locator('.cm-national-median').textContent(), fmt(perf[at].national_median));
    if (at > 0) assert.match(await popup.locator('.cm-trend').textContent(), new RegExp(`from ${fmt(perf[at - 1].value).replace('.', '\\.')} in ${perf[at - 1].period}`));
    await page.evaluate(() => {  // the panel scrolled to Local services, for the screenshot
      const panel = document.getElementById('cm-panel');
      panel.scrollTop += document.getElementById('cm-services').getBoundingClientRect().top - panel.getBoundingClientRect().top;
    });
    await screenshot(page, 'map-local-services');

    // A district of a two-tier county shows the county council's figures (from the table, by keyboard-reachable button).
    // (The sample's six Worcestershire districts are: Worcestershire County Council provides adult social care.)
    const viaCounty = await page.$eval('#cm-services-text', (el) => el.querySelector('tbody tr .cm-sub')?.closest('tr').querySelector('button').dataset.district);
    assert.ok(viaCounty, 'a district shows its county council\'s value');
    const props = await page.evaluate((c) => window.crimemap.services.state.districts.get(c), viaCounty);
    assert.equal(props.via, 'county');
    await page.click('#cm-services-text summary');
    await page.click(`#cm-services-text button[data-district="${viaCounty}"]`);
    await page.waitForFunction((name) => document.querySelector('#cm-services-detail h3')?.textContent === name, props.name);
    const county = league.rows.find((r) => r.code === props.area_code);
    assert.equal(await page.textContent('#cm-services-detail .cm-value'), fmt(county.value), `${props.name} shows ${county.name}'s value`);
    assert.match(await page.textContent('#cm-services-detail'), new RegExp(`shows the value of ${county.name}`));

    // A neutral indicator says so.
    await page.getByLabel('Indicator', { exact: true }).selectOption(neutral.code);
    await page.waitForFunction(() => document.querySelector('#cm-services-legend .cm-polarity')?.dataset.polarity === 'neutral');
    assert.match(await page.textContent('#cm-services-legend .cm-polarity'), /^Neither higher nor lower is better: quintile 1 holds the highest values/);

    // Back to the first indicator; its league table opens with the indicator chosen.
    await page.getByLabel('Indicator', { exact: true }).selectOption(ind.code);
    await page.waitForFunction((c) => document.querySelector('#cm-services-league').href.includes(`indicator=${c}`), ind.code);
    const [res] = await Promise.all([page.waitForNavigation(), page.click('#cm-services-league')]);
    assert.equal(res.status(), 200);
    assert.equal(await page.inputValue('select[name=indicator]'), ind.code, 'the league page has the indicator selected');
    assert.match(await page.textContent('h1'), new RegExp(`\\(${ind.code}\\), ${period}`));
  });
});

test('Local services and crime shading exclude each other', async () => {
  const catalog = await getJson(stack, '/catalog');
  const ind = catalog.indicators[0];
  await withPage({ width: 1280, height: 800 }, async ({ page }) => {
    await page.goto(url(`/?layers=crimes,areas&kind=ward&indicator=${ind.code}`));
    await waitIdle(page);
    await page.waitForSelector('#cm-services-legend .cm-legend-list li');
    let s = await page.evaluate(() => ({ layers: window.crimemap.ctl.state.layers, perf: window.crimemap.map.getLayoutProperty('performance-fill', 'visibility') }));
    assert.deepEqual(s, { layers: ['crimes'], perf: 'visible' }, 'an indicator in the URL wins over area shading');
    await page.getByLabel('Ward', { exact: true }).check();
    await page.waitForFunction(() => document.querySelector('#cm-indicator').value === '');
    s = await page.evaluate(() => ({ layers: window.crimemap.ctl.state.layers, perf: window.crimemap.map.getLayoutProperty('performance-fill', 'visibility') }));
    assert.deepEqual(s, { layers: ['crimes', 'areas'], perf: 'none' });
    assert.equal(await page.textContent('#cm-services-legend'), '');
    assert.doesNotMatch(page.url(), /indicator=/);
  });
});

// tests/fixtures/stops: two located stops at one point in Hereford (drugs + no further action,
// stolen goods + arrest), one 27 km north, one without a location.
const STOP_AT = [-2.708851, 52.062029];

test('stop and search: off by default, the "Stop and search" toggle draws the fixture file\'s stops', async () => {
  await withPage({ width: 1000, height: 700 }, async ({ page, tileRequests }) => {
    await page.goto(url(`/?center=${STOP_AT.join(',')}&zoom=15&from=2019-01&to=2019-01`));
    await waitIdle(page);
    const stopsDrawn = () => page.evaluate(() => {
      const { map } = window.crimemap;
      const feats = map.queryRenderedFeatures({ layers: ['stop-clusters', 'stop-points'] });
      const seen = new Map();
      for (const f of feats) seen.set(String(f.properties.location_id ?? f.id), f.properties);
      return { visibility: map.getLayoutProperty('stop-points', 'visibility'), features: [...seen.values()] };
    });
    const before = await stopsDrawn();
    assert.equal(before.visibility, 'none', 'the stops layer starts hidden');
    assert.equal(before.features.length, 0);
    assert.equal(tileRequests.filter((u) => u.includes('/tiles/stops/')).length, 0, 'no stop tiles fetched while hidden');

    await page.getByLabel('Stop and search').check();
    await waitIdle(page);
    const after = await stopsDrawn();
    assert.equal(after.visibility, 'visible');
    const total = (k) => after.features.reduce((a, p) => a + (Number(p[k]) || 0), 0);
    assert.equal(total('count'), 2, 'the two located stops at the fixture point');
    assert.deepEqual(['obj_drugs', 'obj_stolen', 'out_nfa', 'out_arrest'].map(total), [1, 1, 1, 1]);
    const stopTiles = tileRequests.filter((u) => u.includes('/tiles/stops/'));
    assert.ok(stopTiles.length > 0);
    for (const u of stopTiles) assert.equal(new URL(u).searchParams.get('from'), '2019-01', u);
    assert.match(page.url(), /layers=crimes,stops/, 'the URL keeps the toggle');
    await screenshot(page, 'map-stops-hereford');

    // At z12 the same stops are a cluster.
    await page.evaluate(() => window.crimemap.map.jumpTo({ zoom: 12 }));
    await waitIdle(page);
    const clusters = await stopsDrawn();
    assert.equal(clusters.features.reduce((a, p) => a + Number(p.count), 0), 2, 'one cluster of the two stops in view');
    assert.ok(clusters.features.every((p) => p.location_id === undefined), 'clusters below the point zoom');

    await page.getByLabel('Stop and search').uncheck();
    await waitIdle(page);
    assert.equal((await stopsDrawn()).features.length, 0, 'unticked: hidden again');
  });
});

test('labels: district, ward, street and postcode names are drawn with the browser\'s fonts, in the page and the widget', async () => {
  for (const path of ['/embed', '/']) {
    await withPage({ width: 1000, height: 700 }, async ({ page, tileRequests }) => {
      // z11 over Hereford: the district (its label point is north-west of the city) and wards.
      await page.goto(url(`${path}?center=-2.7160,52.0565&zoom=11`));
      await waitIdle(page);
      const names = (layers) => page.evaluate((ids) => {
        const { map } = window.crimemap;
        return [...new Set(map.queryRenderedFeatures({ layers: ids }).map((f) => `${f.properties.kind}:${f.properties.name}`))];
      }, layers);
      await screenshot(page, `labels-z11${path === '/' ? '-page' : '-embed'}`);
      const z11 = await names(['labels-district', 'labels-ward']);
      assert.ok(z11.includes('district:Herefordshire, County of'), `${path} z11: ${z11.join(', ')}`);
      assert.ok(z11.filter((n) => n.startsWith('ward:')).length >= 3, `${path} z11 wards: ${z11.join(', ')}`);
      assert.ok(tileRequests.some((u) => u.includes('/tiles/labels/')), 'label tiles from our server');
      assert.ok(!tileRequests.some((u) => /fonts|glyphs|\.pbf$/.test(new URL(u).pathname) && !u.startsWith(stack.baseUrl)), 'no outside font requests');

      // z16.5 at HR1 1AA: streets (without "On or near") and postcodes.
      const pc = await getJson(stack, `/postcodes/${encodeURIComponent(HOME)}`);
      await page.evaluate(([lon, lat]) => window.crimemap.map.jumpTo({ center: [lon, lat], zoom: 16.5 }), [pc.result.longitude, pc.result.latitude]);
      await waitIdle(page);
      const z16 = await names(['labels-street', 'labels-postcode']);
      const streets = z16.filter((n) => n.startsWith('street:'));
      const postcodes = z16.filter((n) => n.startsWith('postcode:'));
      assert.ok(streets.length >= 2, `${path} z16 streets: ${z16.join(', ')}`);
      assert.ok(streets.every((n) => !n.includes('On or near')), 'the prefix is stripped');
      assert.ok(postcodes.length >= 2 && postcodes.every((n) => /^postcode:HR\d+ \d[A-Z]{2}$/.test(n)), `${path} z16 postcodes: ${z16.join(', ')}`);
      await screenshot(page, `labels-z16${path === '/' ? '-page' : '-embed'}`);
    });
  }
});
