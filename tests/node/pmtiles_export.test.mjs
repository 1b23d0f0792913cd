// A `crimemap export tiles` PMTiles archive (made by run_api_tests.sh from the seeded sample) read
// with the npm `pmtiles` reader through crimemapd --tiles, i.e. over HTTP Range requests as a
// portal's map would: header and metadata (TileJSON's vector_layers), every crime of the filter in
// the z8 tiles against an independent SQL count, tiles equal (decoded) to the server's own for the
// same filter, and the Range answers themselves (206, 416, If-Range, several ranges, HEAD).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PMTiles, FetchSource, TileType, Compression } from 'pmtiles';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';

const base = process.env.CRIMEMAP_URL;
const file = process.env.CRIMEMAP_EXPORT_PMTILES;
const from = process.env.CRIMEMAP_EXPORT_FROM;
const to = process.env.CRIMEMAP_EXPORT_TO;
const located = Number(process.env.CRIMEMAP_EXPORT_LOCATED);
const url = `${base}/archives/${basename(file)}`;

function decode(bytes) {
  const tile = new VectorTile(new PbfReader(new Uint8Array(bytes)));
  const out = {};
  for (const [name, layer] of Object.entries(tile.layers)) {
    let count = 0, crimes = 0;
    for (let i = 0; i < layer.length; i++) {
      const p = layer.feature(i).properties;
      count += p.count ?? 0;
      crimes += p.crimes ?? 0;
    }
    out[name] = { features: layer.length, count, crimes };
  }
  return out;
}

function tilesCovering(header, z) {
  const n = 2 ** z;
  const tx = (lon) => Math.min(n - 1, Math.max(0, Math.floor(((lon + 180) / 360) * n)));
  const ty = (lat) => {
    const r = (lat * Math.PI) / 180;
    return Math.min(n - 1, Math.max(0, Math.floor(((1 - Math.asinh(Math.tan(r)) / Math.PI) / 2) * n)));
  };
  const out = [];
  for (let x = tx(header.minLon); x <= tx(header.maxLon); x++)
    for (let y = ty(header.maxLat); y <= ty(header.minLat); y++) out.push([x, y]);
  return out;
}

test('the npm pmtiles reader opens the export through crimemapd --tiles', async () => {
  assert.ok(file && located > 0, 'run_api_tests.sh exports the archive and counts the crimes');
  const archive = new PMTiles(new FetchSource(url));
  const header = await archive.getHeader();
  assert.equal(header.specVersion, 3);
  assert.equal(header.clustered, true);
  assert.equal(header.tileType, TileType.Mvt);
  assert.equal(header.tileCompression, Compression.Gzip);
  assert.equal(header.minZoom, 0);
  assert.equal(header.maxZoom, 12);
  assert.ok(header.minLon < -2.7 && header.maxLon > -2.7 && header.minLat < 52.06 && header.maxLat > 52.06);

  // The metadata carries the same vector_layers as the server's TileJSON (one registry).
  const metadata = await archive.getMetadata();
  const tilejson = await (await fetch(`${base}/tiles/crimes,areas.json`)).json();
  assert.deepEqual(metadata.vector_layers.map((l) => l.id), ['crimes', 'areas']);
  for (const [i, layer] of metadata.vector_layers.entries()) {
    assert.deepEqual(layer.fields, tilejson.vector_layers[i].fields);
    assert.equal(layer.description, tilejson.vector_layers[i].description);
    assert.equal(layer.maxzoom, 12);
  }
  assert.deepEqual(metadata.crimemap.filter, { from, to, category: 'all-crime', kind: 'lsoa' });
  assert.match(metadata.attribution, /Open Government Licence/);

  const catalog = await (await fetch(`${base}/catalog`)).json();
  assert.deepEqual(catalog.archives, [{ name: basename(file), url: `/archives/${basename(file)}`, format: 'pmtiles' }]);
  assert.equal(catalog.basemap, '/basemap.pmtiles');
});

test('every crime of the filter is in the z8 tiles of the export, as in the server tiles', async () => {
  const archive = new PMTiles(new FetchSource(url));
  const header = await archive.getHeader();
  let sum = 0, tiles = 0;
  for (const [x, y] of tilesCovering(header, 8)) {
    const fromArchive = await archive.getZxy(8, x, y);
    const live = await fetch(`${base}/tiles/crimes,areas/8/${x}/${y}.mvt?from=${from}&to=${to}`);
    if (!fromArchive) {
      assert.equal(live.status, 204, `8/${x}/${y} is missing from the archive but the server draws it`);
      continue;
    }
    tiles++;
    assert.equal(live.status, 200);
    const ours = decode(fromArchive.data);
    assert.deepEqual(ours, decode(await live.arrayBuffer()), `8/${x}/${y}`);
    sum += ours.crimes?.count ?? 0;
  }
  assert.ok(tiles > 0);
  assert.equal(sum, located, 'sum of count over the z8 tiles = located crimes of the filter (SQL)');
});

test('crimemapd answers Range requests on the archive', async () => {
  const bytes = readFileSync(file);
  assert.ok(bytes.length > 1 << 20, 'large enough for the streamed (pread) path');
  const whole = await fetch(url);
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get('accept-ranges'), 'bytes');
  assert.equal(whole.headers.get('content-type'), 'application/vnd.pmtiles');
  assert.ok(Buffer.from(await whole.arrayBuffer()).equals(bytes), 'the whole file, byte for byte');
  const etag = whole.headers.get('etag');
  assert.match(etag, /^"[0-9a-f-]+"$/);

  const head = await fetch(url, { headers: { Range: 'bytes=0-126' } });
  assert.equal(head.status, 206);
  assert.equal(head.headers.get('content-range'), `bytes 0-126/${bytes.length}`);
  assert.ok(Buffer.from(await head.arrayBuffer()).equals(bytes.subarray(0, 127)));

  const suffix = await fetch(url, { headers: { Range: 'bytes=-1000' } });
  assert.equal(suffix.status, 206);
  assert.ok(Buffer.from(await suffix.arrayBuffer()).equals(bytes.subarray(bytes.length - 1000)));

  const past = await fetch(url, { headers: { Range: `bytes=${bytes.length}-` } });
  assert.equal(past.status, 416);
  assert.equal(past.headers.get('content-range'), `bytes */${bytes.length}`);
  assert.equal((await past.json()).status, 416);

  const huge = await fetch(url, { headers: { Range: 'bytes=0-99999999999999999999999999999' } });
  assert.equal(huge.status, 206);
  assert.equal(huge.headers.get('content-range'), `bytes 0-${bytes.length - 1}/${bytes.length}`);
  await huge.arrayBuffer();

  const several = await fetch(url, { headers: { Range: 'bytes=0-1,10-11' } });
  assert.equal(several.status, 200);
  assert.equal((await several.arrayBuffer()).byteLength, bytes.length);

  assert.equal((await fetch(url, { headers: { Range: 'bytes=0-9', 'If-Range': etag } })).status, 206);
  const stale = await fetch(url, { headers: { Range: 'bytes=0-9', 'If-Range': '"another"' } });
  assert.equal(stale.status, 200);
  await stale.arrayBuffer();
  assert.equal((await fetch(url, { headers: { 'If-None-Match': etag } })).status, 304);

  const headOnly = await fetch(url, { method: 'HEAD' });
  assert.equal(headOnly.headers.get('content-length'), String(bytes.length));
  assert.equal((await fetch(`${base}/archives/nothing.pmtiles`)).status, 404);
  const basemap = await fetch(`${base}/basemap.pmtiles`, { headers: { Range: 'bytes=0-6' } });
  assert.equal(basemap.status, 206);
  assert.equal(await basemap.text(), 'PMTiles');
});
