#!/usr/bin/env node
// Prints a fixed list of tiles ("layers/z/x/y") around given centres, for zooms zmin..zmax:
// at each zoom the tile containing each centre and its neighbours, up to --per-zoom tiles.
//   node bench/tile_list.mjs --layers crimes --zmin 6 --zmax 16 --per-zoom 18 lon,lat [lon,lat ...]
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv.splice(i, 2)[1] : dflt; };
const layers = opt('layers', 'crimes');
const zmin = Number(opt('zmin', '6')), zmax = Number(opt('zmax', '16')), perZoom = Number(opt('per-zoom', '18'));
const centres = argv.map((c) => c.split(',').map(Number));
const tileOf = (lon, lat, z) => {
  const n = 2 ** z, r = (lat * Math.PI) / 180;
  return [Math.floor(((lon + 180) / 360) * n), Math.floor(((1 - Math.asinh(Math.tan(r)) / Math.PI) / 2) * n)];
};
for (let z = zmin; z <= zmax; z++) {
  const seen = new Set();
  for (const ring of [0, 1, 2]) {
    for (const [lon, lat] of centres) {
      const [cx, cy] = tileOf(lon, lat, z);
      for (let dx = -ring; dx <= ring; dx++) for (let dy = -ring; dy <= ring; dy++) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== ring || seen.size >= perZoom) continue;
        seen.add(`${layers}/${z}/${cx + dx}/${cy + dy}`);
      }
    }
  }
  for (const t of seen) console.log(t);
}
