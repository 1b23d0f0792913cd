// Our tiles decoded with @mapbox/vector-tile (the decoder MapLibre and Mapbox use), checked
// against the server's JSON: TileJSON fields, /catalog totals and the data.police.uk-compatible
// API, on the sample data in a fresh database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { startStack, getJson, lonLatToTile } from './harness.mjs';

let stack, catalog, tilejson;

before(async () => {
  stack = await startStack('decode');
  catalog = await getJson(stack, '/catalog');
  tilejson = await getJson(stack, '/tiles/crimes,areas.json');
});

after(async () => {
  if (stack) await stack.stop();
});

async function tile(path) {
  const res = await fetch(stack.baseUrl + path);
  assert.ok(res.status === 200 || res.status === 204, `${path} -> ${res.status}`);
  if (res.status === 204) return { layers: {} };
  assert.equal(res.headers.get('content-type'), 'application/vnd.mapbox-vector-tile');
  return new VectorTile(new PbfReader(new Uint8Array(await res.arrayBuffer())));
}

function features(layer) {
  const out = [];
  for (let i = 0; i < (layer ? layer.length : 0); i++) out.push(layer.feature(i));
  return out;
}

function tilesCovering(bounds, z) {
  const [w, s, e, n] = bounds;
  const a = lonLatToTile(w, n, z), b = lonLatToTile(e, s, z);
  const list = [];
  for (let x = a.x; x <= b.x; x++) for (let y = a.y; y <= b.y; y++) list.push({ z, x, y });
  return list;
}

const slugs = () => catalog.categories.map((c) => c.slug);
const fieldsOf = (id) => tilejson.vector_layers.find((l) => l.id === id).fields;

// Shoelace area in tile coordinates (y down): positive = clockwise on screen.
function ringArea(ring) {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += ring[j].x * ring[i].y - ring[i].x * ring[j].y;
  return a / 2;
}

// Every crime cluster feature of a tile, checked for MVT shape; returns [{props, x, y}].
function crimeFeatures(vt, where) {
  const layer = vt.layers.crimes;
  if (!layer) return [];
  assert.equal(layer.version, 2, `${where}: MVT version`);
  assert.equal(layer.extent, 4096, `${where}: extent`);
  const fields = fieldsOf('crimes');
  const ids = new Set();
  return features(layer).map((f) => {
    assert.equal(f.type, 1, `${where}: crimes are points`);
    const geom = f.loadGeometry();
    assert.equal(geom.length, 1);
    assert.equal(geom[0].length, 1, `${where}: one point per feature`);
    const { x, y } = geom[0][0];
    assert.ok(x >= 0 && x < 4096 && y >= 0 && y < 4096, `${where}: point inside the tile (${x},${y})`);
    for (const k of Object.keys(f.properties)) assert.ok(k in fields, `${where}: property ${k} is described in TileJSON`);
    const p = f.properties;
    assert.ok(Number.isInteger(p.count) && p.count > 0, `${where}: count`);
    const sum = slugs().reduce((a, s) => a + (p[s] || 0), 0);
    assert.equal(sum, p.count, `${where}: category counts add up to count`);
    if (f.id !== undefined) {
      assert.ok(!ids.has(f.id), `${where}: feature ids are unique`);
      ids.add(f.id);
    }
    return { props: p, x, y };
  });
}

test('TileJSON names the dataset version and describes both layers', () => {
  assert.equal(tilejson.tilejson, '3.0.0');
  assert.match(tilejson.tiles[0], new RegExp(`/tiles/crimes,areas/\\{z\\}/\\{x\\}/\\{y\\}\\.mvt\\?v=${catalog.dataset_version}`));
  assert.deepEqual(tilejson.vector_layers.map((l) => l.id).sort(), ['areas', 'crimes']);
  for (const s of slugs()) assert.equal(fieldsOf('crimes')[s], 'Number');
});

test('z8 crime tiles over the whole sample: every located crime once, per category as the filter says', async () => {
  const { first_month: first, last_month: last } = catalog;
  const z8 = tilesCovering(catalog.bounds, 8);
  let total = 0;
  const byCategory = {};
  for (const t of z8) {
    const vt = await tile(`/tiles/crimes/${t.z}/${t.x}/${t.y}.mvt?from=${first}&to=${last}`);
    for (const f of crimeFeatures(vt, `z8 ${t.x}/${t.y}`)) {
      assert.equal(f.props.location, undefined, 'no snap locations below z14');
      total += f.props.count;
      for (const s of slugs()) byCategory[s] = (byCategory[s] || 0) + (f.props[s] || 0);
    }
  }
  assert.equal(total, catalog.crimes.located, 'sum of count over z8 tiles = located crimes in /catalog');

  // A category filter gives the same figure as that category's property without it.
  for (const slug of ['burglary', 'anti-social-behaviour']) {
    let filtered = 0;
    for (const t of z8) {
      const vt = await tile(`/tiles/crimes/${t.z}/${t.x}/${t.y}.mvt?from=${first}&to=${last}&category=${slug}`);
      for (const f of crimeFeatures(vt, `z8 ${slug}`)) {
        assert.deepEqual(Object.keys(f.props).filter((k) => slugs().includes(k)), [slug]);
        filtered += f.props.count;
      }
    }
    assert.equal(filtered, byCategory[slug], `${slug}: filtered tiles = its property in unfiltered tiles`);
  }
  console.log(`# ${z8.length} z8 tiles: ${total} crimes; burglary ${byCategory.burglary}`);
});

test('z8 tiles of the latest month agree with the data.police.uk-compatible API for the same rectangle', async () => {
  const month = catalog.last_month;
  const [w, s, e, n] = catalog.bounds;
  const poly = [[s, w], [n, w], [n, e], [s, e]].map(([la, lo]) => `${la},${lo}`).join(':');
  for (const slug of ['burglary', 'vehicle-crime']) {
    let fromTiles = 0;
    for (const t of tilesCovering(catalog.bounds, 8)) {
      const vt = await tile(`/tiles/crimes/${t.z}/${t.x}/${t.y}.mvt?category=${slug}`);
      for (const f of crimeFeatures(vt, `z8 ${slug} ${month}`)) fromTiles += f.props.count;
    }
    const crimes = await getJson(stack, `/api/crimes-street/${slug}?poly=${poly}&date=${month}`);
    assert.equal(fromTiles, crimes.length, `${slug} ${month}: tiles = API`);
    console.log(`# ${slug} ${month}: ${fromTiles} in tiles and in the API`);
  }
});

test('a z14 tile at HR1 1AA: snap points with locations, each matching crimes-at-location', async () => {
  const pc = (await getJson(stack, '/postcodes/HR11AA')).result;
  const month = catalog.last_month;
  const t = lonLatToTile(pc.longitude, pc.latitude, 14);
  const vt = await tile(`/tiles/crimes/14/${t.x}/${t.y}.mvt`);
  const list = crimeFeatures(vt, 'z14 HR1 1AA');
  assert.ok(list.length > 0, 'crimes near HR1 1AA');
  for (const f of list) {
    assert.match(f.props.location, /^On or near /);
    assert.ok(Number.isInteger(f.props.location_id));
  }
  const top = [...list].sort((a, b) => b.props.count - a.props.count).slice(0, 5);
  for (const f of top) {
    const crimes = await getJson(stack, `/api/crimes-at-location?date=${month}&location_id=${f.props.location_id}`);
    assert.equal(crimes.length, f.props.count, `crimes at ${f.props.location}`);
    for (const c of crimes) {
      assert.equal(String(c.location.street.id), String(f.props.location_id));
      assert.equal(c.location.street.name, f.props.location);
    }
    const cats = {};
    for (const c of crimes) cats[c.category] = (cats[c.category] || 0) + 1;
    for (const [slug, count] of Object.entries(cats)) assert.equal(f.props[slug], count, `${slug} at ${f.props.location}`);
  }
});

test('areas tiles: LSOA polygons with valid rings, the postcode\'s LSOA among them', async () => {
  const pc = (await getJson(stack, '/postcodes/HR11AA')).result;
  const t = lonLatToTile(pc.longitude, pc.latitude, 12);
  const vt = await tile(`/tiles/areas/12/${t.x}/${t.y}.mvt?kind=lsoa`);
  const layer = vt.layers.areas;
  assert.ok(layer, 'areas layer present');
  assert.equal(layer.version, 2);
  const fields = fieldsOf('areas');
  const codes = new Set();
  for (const f of features(layer)) {
    assert.equal(f.type, 3, 'areas are polygons');
    for (const k of Object.keys(f.properties)) assert.ok(k in fields, `property ${k} is described in TileJSON`);
    assert.equal(f.properties.kind, 'lsoa');
    assert.ok(typeof f.properties.name === 'string' && f.properties.name.length > 0);
    assert.ok(Number.isInteger(f.properties.crimes) && f.properties.crimes >= 0);
    const rings = f.loadGeometry();
    assert.ok(rings.length > 0);
    assert.ok(ringArea(rings[0]) > 0, `${f.properties.code}: the first ring is exterior (clockwise)`);
    codes.add(f.properties.code);
  }
  const lsoa = pc.codes?.lsoa;
  assert.ok(lsoa, 'the postcode API gives the LSOA code');
  assert.ok(codes.has(lsoa), `LSOA ${lsoa} of HR1 1AA is in the tile`);
});

test('areas tiles agree with the summary API: crimes and the previous period for the postcode\'s areas', async () => {
  const summary = (await getJson(stack, '/v1/postcodes/HR11AA/summary?months=1')).result;
  const pc = (await getJson(stack, '/postcodes/HR11AA')).result;
  for (const kind of ['lsoa', 'ward', 'neighbourhood']) {
    const area = summary.areas[kind];
    assert.ok(area && area.code, `the summary names the ${kind}`);
    const t = lonLatToTile(pc.longitude, pc.latitude, 12);
    const vt = await tile(`/tiles/areas/12/${t.x}/${t.y}.mvt?kind=${kind}`);
    const f = features(vt.layers.areas).find((x) => x.properties.code === area.code);
    assert.ok(f, `${kind} ${area.code} is in the tile`);
    assert.equal(f.properties.name, area.name, `${kind} name`);
    assert.equal(f.properties.crimes, area.crimes, `${kind} ${area.code}: crimes in the tile = crimes in the summary`);
    assert.equal(f.properties.previous, area.previous_crimes, `${kind} ${area.code}: previous period`);
  }
});
