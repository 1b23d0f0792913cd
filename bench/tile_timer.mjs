#!/usr/bin/env node
// Times uncached tile requests against one or more crimemapd servers, tile by tile in the same
// order, and prints per-zoom medians and the median ratio between the first server and the others.
//   node bench/tile_timer.mjs --tiles FILE --query 'from=..&to=..' NAME=URL [NAME=URL ...]
// FILE has one "layers/z/x/y" per line. Run the servers with --cache-bytes 0 so every request renders.
import fs from 'node:fs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv.splice(i, 2)[1] : dflt; };
const tilesFile = opt('tiles');
const query = opt('query', '');
const rounds = Number(opt('rounds', '3'));
const servers = argv.map((a) => { const [name, url] = a.split('='); return { name, url }; });
const tiles = fs.readFileSync(tilesFile, 'utf8').split('\n').filter(Boolean);

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : NaN; };

async function time(url) {
  const t0 = process.hrtime.bigint();
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.status !== 200 && res.status !== 204) throw new Error(`${url}: HTTP ${res.status} ${body.toString().slice(0, 200)}`);
  return { ms, bytes: body.length };
}

const results = servers.map(() => tiles.map(() => Infinity));
const sizes = tiles.map(() => 0);
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < tiles.length; i++) {
    for (let s = 0; s < servers.length; s++) {
      const { ms, bytes } = await time(`${servers[s].url}/tiles/${tiles[i]}.mvt${query ? '?' + query : ''}`);
      results[s][i] = Math.min(results[s][i], ms);  // best of the rounds: least disturbed by noise
      if (s === 0) sizes[i] = bytes;
    }
  }
}
const zooms = [...new Set(tiles.map((t) => Number(t.split('/')[1])))].sort((a, b) => a - b);
console.log(`tiles: ${tiles.length}, rounds: ${rounds} (best of), query: ${query || '(none)'}`);
console.log(['zoom', 'tiles', 'median KB', ...servers.map((s) => `${s.name} ms`)].join('\t'));
for (const z of zooms) {
  const idx = tiles.map((t, i) => [t, i]).filter(([t]) => Number(t.split('/')[1]) === z).map(([, i]) => i);
  console.log([z, idx.length, (median(idx.map((i) => sizes[i])) / 1024).toFixed(1),
    ...servers.map((_, s) => median(idx.map((i) => results[s][i])).toFixed(2))].join('\t'));
}
for (let s = 1; s < servers.length; s++) {
  const ratios = tiles.map((_, i) => results[s][i] / results[0][i]);
  console.log(`median ratio ${servers[s].name}/${servers[0].name} per tile: ${median(ratios).toFixed(1)}x ` +
    `(all tiles: ${servers[0].name} ${median(results[0]).toFixed(2)} ms, ${servers[s].name} ${median(results[s]).toFixed(2)} ms)`);
}
