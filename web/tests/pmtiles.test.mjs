// A `crimemap export tiles` PMTiles archive rendered in MapLibre through the pmtiles protocol, as a
// portal on static hosting would: a page on another origin loads MapLibre and the pmtiles reader
// from crimemapd (web/dist) and reads the archive from crimemapd --tiles with HTTP Range requests.
// The same map also loads the live server tiles for the same filter (invisible): the crimes the
// archive draws must equal the crimes of the live tiles of the same view. Headless Chromium,
// failing on any console error; screenshots in $CRIMEMAP_TEST_OUTPUT/web/pmtiles-archive-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack } from './harness.mjs';
import { launchBrowser, openPage, waitIdle, screenshot } from './chromium.mjs';

const FROM = '2018-12', TO = '2019-02';
const ARCHIVE = `crimes-${FROM}-${TO}.pmtiles`;
let stack, browser, dir;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crimemap-pmtiles-'));
  stack = await startStack('pmtiles', {
    prepare: async (crimemap) => {
      const out = join(dir, ARCHIVE);
      await crimemap(['export', 'tiles', out, '--layers', 'crimes,areas', '--kind', 'ward', '--maxzoom', '14',
        '--from', FROM, '--to', TO]);
      return ['--tiles', out];
    },
  });
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (stack) await stack.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// The portal's page: nothing of ours but the URLs.
function portalPage(base) {
  const archive = `${base}/archives/${ARCHIVE}`;
  const live = `${base}/tiles/crimes,areas.json?from=${FROM}&to=${TO}&kind=ward`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Crime map from a static archive</title>
<link rel="stylesheet" href="${base}/dist/maplibre-gl/maplibre-gl.css">
<script src="${base}/dist/pmtiles/pmtiles.js"></script>
<style>html, body, #map { margin: 0; width: 100%; height: 100%; }</style></head>
<body><div id="map"></div>
<script type="module">
import * as maplibregl from '${base}/dist/maplibre-gl/maplibre-gl.mjs';
const protocol = new pmtiles.Protocol();
maplibregl.addProtocol('pmtiles', protocol.tile);
const map = new maplibregl.Map({
  container: 'map', center: [-2.716, 52.056], zoom: 11,
  style: {
    version: 8,
    sources: {
      archive: { type: 'vector', url: 'pmtiles://${archive}' },
      live: { type: 'vector', url: '${live}' },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#f4f1ea' } },
      { id: 'wards', type: 'fill', source: 'archive', 'source-layer': 'areas',
        paint: { 'fill-color': '#4b6cb7', 'fill-opacity': 0.15, 'fill-outline-color': '#4b6cb7' } },
      { id: 'clusters', type: 'circle', source: 'archive', 'source-layer': 'crimes',
        paint: { 'circle-color': '#c0392b', 'circle-opacity': 0.8,
                 'circle-radius': ['interpolate', ['linear'], ['get', 'count'], 1, 3, 200, 16] } },
      { id: 'live-clusters', type: 'circle', source: 'live', 'source-layer': 'crimes',
        paint: { 'circle-opacity': 0, 'circle-radius': 1 } },
    ],
  },
});
window.crimemap = { map };
</script></body></html>`;
}

function crimesOf(page, source) {
  return page.evaluate((source) => {
    const { map } = window.crimemap;
    // Grid clusters: each crime is in one cell of one tile, so the loaded tiles' counts add up.
    const seen = new Set();
    let total = 0;
    for (const f of map.querySourceFeatures(source, { sourceLayer: 'crimes' })) {
      const key = `${f.geometry.coordinates.join(',')}|${f.properties.count}`;
      if (seen.has(key)) continue;  // the same point may come back from two overlapping tile copies
      seen.add(key);
      total += f.properties.count;
    }
    return total;
  }, source);
}

test('MapLibre draws the exported archive through the pmtiles protocol', async () => {
  const portal = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(portalPage(stack.baseUrl));
  });
  await new Promise((res) => portal.listen(0, '127.0.0.1', res));
  const { page, context, problems } = await openPage(browser, { width: 900, height: 650 });
  const archiveRequests = [];
  page.on('request', (req) => {
    if (req.url().includes('/archives/')) archiveRequests.push(req.headers().range || '(none)');
  });
  try {
    await page.goto(`http://127.0.0.1:${portal.address().port}/`);
    await waitIdle(page);

    const drawn = await page.evaluate(() => {
      const { map } = window.crimemap;
      return {
        clusters: map.queryRenderedFeatures({ layers: ['clusters'] }).length,
        wards: map.queryRenderedFeatures({ layers: ['wards'] }).length,
        tileZoom: Math.floor(map.getZoom()),
      };
    });
    assert.ok(drawn.clusters > 10, `clusters drawn from the archive (${drawn.clusters})`);
    assert.ok(drawn.wards > 0, 'ward polygons drawn from the archive');
    const fromArchive = await crimesOf(page, 'archive');
    const fromServer = await crimesOf(page, 'live');
    assert.ok(fromArchive > 100, `crimes in view (${fromArchive})`);
    assert.equal(fromArchive, fromServer, 'the archive holds the crimes the live tiles hold, for the same view');

    await screenshot(page, 'pmtiles-archive-clusters');

    // Zoom in past the cluster zooms: snap points (z14) come from the archive too.
    await page.evaluate(() => window.crimemap.map.jumpTo({ center: [-2.716, 52.056], zoom: 14.5 }));
    await waitIdle(page);
    const points = await page.evaluate(() =>
      window.crimemap.map.queryRenderedFeatures({ layers: ['clusters'] }).filter((f) => f.properties.location).length);
    assert.ok(points > 0, 'snap points with their street names at z14');
    await screenshot(page, 'pmtiles-archive-points');

    // Every archive read was a byte range: the reader never downloaded the whole file.
    assert.ok(archiveRequests.length > 2, 'the archive was read');
    assert.ok(archiveRequests.every((r) => /^bytes=\d+-\d+$/.test(r)), `ranges only: ${archiveRequests.join(' ')}`);
    assert.deepEqual(problems, [], 'the page logged errors');
  } finally {
    await context.close();
    portal.close();
  }
});
