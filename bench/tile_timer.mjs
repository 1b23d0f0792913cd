#!/usr/bin/env node
// Times uncached tile requests against one or more crimemapd servers, tile by tile in the same
// order, and prints per-zoom medians and the median ratio between the first server and the others.
//   node bench/tile_timer.mjs --tiles FILE --query 'from=..&to=..' [--rounds 3] NAME=URL [NAME=URL ...]
// FILE has one "layers/z/x/y" per line. Run the servers with --cache-bytes 0 so every request renders.
//
// Client: one keep-alive connection per server and a minimal HTTP/1.1 reader, not fetch(). Node's
// fetch (undici) costs ~0.5-0.8 ms per request on this machine, more than the memory engine's whole
// render, which squeezed every ratio towards 1 (wrk sees ~0.05 ms for GET /health on loopback).
// Requests say Accept-Encoding: gzip, as browsers do (--encoding identity: they do not).
// Besides the end-to-end times it prints:
//   - the HTTP floor: GET /health timed in the same loop (what no engine can go below);
//   - the ratio over non-empty tiles only (an empty tile is a cheap 204 with either engine);
//   - server-side render time per tile from each server's /metrics (the growth of
//     crimemap_tile_render_seconds_sum over one request: the renderer alone, no HTTP, no gzip).
import fs from 'node:fs';
import net from 'node:net';
import zlib from 'node:zlib';

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv.splice(i, 2)[1] : dflt; };
const tilesFile = opt('tiles');
const query = opt('query', '');
const rounds = Number(opt('rounds', '3'));
// --encoding identity: no Accept-Encoding, to separate the server's gzip cost from the rest.
const encoding = opt('encoding', 'gzip');
const acceptHeader = encoding === 'gzip' ? 'Accept-Encoding: gzip\r\n' : '';
const servers = argv.map((a) => { const i = a.indexOf('='); return { name: a.slice(0, i), url: new URL(a.slice(i + 1)) }; });
const tiles = fs.readFileSync(tilesFile, 'utf8').split('\n').filter(Boolean);

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : NaN; };

// A keep-alive HTTP/1.1 connection answering one GET at a time (crimemapd sends Content-Length).
// Reconnects when the server closes it (crimemapd: after --keepalive-requests, 1000 by default).
class Conn {
  constructor(url) { this.url = url; this.buf = Buffer.alloc(0); this.waiter = null; this.open = false; }
  connect() {
    this.buf = Buffer.alloc(0);
    return new Promise((resolve, reject) => {
      const sock = net.connect(Number(this.url.port), this.url.hostname, () => { this.open = true; resolve(); });
      this.sock = sock;
      sock.setNoDelay(true);
      sock.on('error', reject);
      sock.on('close', () => { if (this.sock === sock) this.open = false; });
      sock.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this.tryParse(); });
    });
  }
  tryParse() {
    if (!this.waiter) return;
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buf.subarray(0, end).toString('latin1').split('\r\n');
    const status = Number(head[0].split(' ')[1]);
    const headers = Object.fromEntries(head.slice(1).map((l) => { const i = l.indexOf(':'); return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()]; }));
    if (headers['transfer-encoding']) throw new Error('tile_timer: chunked answers are not supported');
    const length = Number(headers['content-length'] ?? 0);
    if (this.buf.length < end + 4 + length) return;
    const body = this.buf.subarray(end + 4, end + 4 + length);
    this.buf = this.buf.subarray(end + 4 + length);
    if ((headers.connection ?? '').toLowerCase() === 'close') this.open = false;
    const w = this.waiter; this.waiter = null;
    w({ status, headers, body });
  }
  async get(path) {
    if (!this.open) await this.connect();  // outside the timed part only when nothing is pending
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.sock.write(`GET ${path} HTTP/1.1\r\nHost: ${this.url.host}\r\n${acceptHeader}\r\n`);
    });
  }
}

async function time(conn, path) {
  const t0 = process.hrtime.bigint();
  const res = await conn.get(path);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.status !== 200 && res.status !== 204) throw new Error(`${path}: HTTP ${res.status} ${res.body.toString().slice(0, 200)}`);
  const bytes = res.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(res.body).length : res.body.length;
  return { ms, bytes };
}

// Render time counters from /metrics: [sum seconds, count].
async function renderStats(conn) {
  const text = (await conn.get('/metrics')).body.toString();
  const num = (name) => Number((text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm')) || [])[1] ?? NaN);
  return [num('crimemap_tile_render_seconds_sum'), num('crimemap_tile_render_seconds_count')];
}

const conns = servers.map((s) => new Conn(s.url));
await Promise.all(conns.map((c) => c.connect()));
const before = await Promise.all(conns.map(renderStats));

const results = servers.map(() => tiles.map(() => Infinity));
const render = servers.map(() => tiles.map(() => Infinity));  // server-side, from /metrics deltas
const floor = servers.map(() => tiles.map(() => Infinity));
const sizes = tiles.map(() => 0);
const last = [...before];
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < tiles.length; i++) {
    for (let s = 0; s < servers.length; s++) {
      const { ms, bytes } = await time(conns[s], `/tiles/${tiles[i]}.mvt${query ? '?' + query : ''}`);
      results[s][i] = Math.min(results[s][i], ms);  // best of the rounds: least disturbed by noise
      if (s === 0) sizes[i] = bytes;
      // This tile's render time: the growth of the server's render-seconds sum (we are its only client).
      const now = await renderStats(conns[s]);
      if (now[1] === last[s][1] + 1) render[s][i] = Math.min(render[s][i], (now[0] - last[s][0]) * 1000);
      last[s] = now;
      floor[s][i] = Math.min(floor[s][i], (await time(conns[s], '/health')).ms);
    }
  }
}
const after = await Promise.all(conns.map(renderStats));
conns.forEach((c) => c.sock.end());

const zooms = [...new Set(tiles.map((t) => Number(t.split('/')[1])))].sort((a, b) => a - b);
console.log(`tiles: ${tiles.length}, rounds: ${rounds} (best of), query: ${query || '(none)'}`);
// Per zoom: medians over all tiles, and over the non-empty ones (the list's outer rings at low
// zooms fall outside the data; their 204s would otherwise decide the median).
console.log(['zoom', 'tiles', 'empty', 'KB*', ...servers.flatMap((s) => [`${s.name} ms`, `${s.name} ms*`, `render ms*`])].join('\t'));
for (const z of zooms) {
  const idx = tiles.map((t, i) => [t, i]).filter(([t]) => Number(t.split('/')[1]) === z).map(([, i]) => i);
  const nonEmpty = idx.filter((i) => sizes[i] > 0);
  console.log([z, idx.length, idx.length - nonEmpty.length, (median(nonEmpty.map((i) => sizes[i])) / 1024).toFixed(1),
    ...servers.flatMap((_, s) => [median(idx.map((i) => results[s][i])).toFixed(2), median(nonEmpty.map((i) => results[s][i])).toFixed(2),
      median(nonEmpty.map((i) => render[s][i])).toFixed(3)])].join('\t'));
}
console.log('(ms: end to end at the client; render ms: the renderer alone, from /metrics; * non-empty tiles only; KB: uncompressed MVT)');
const full = tiles.map((_, i) => i).filter((i) => sizes[i] > 0);
for (let s = 1; s < servers.length; s++) {
  const ratios = tiles.map((_, i) => results[s][i] / results[0][i]);
  console.log(`median ratio ${servers[s].name}/${servers[0].name} per tile: ${median(ratios).toFixed(1)}x ` +
    `(all tiles: ${servers[0].name} ${median(results[0]).toFixed(2)} ms, ${servers[s].name} ${median(results[s]).toFixed(2)} ms)`);
  console.log(`median ratio ${servers[s].name}/${servers[0].name} per non-empty tile (${full.length}): ` +
    `${median(full.map((i) => results[s][i] / results[0][i])).toFixed(1)}x ` +
    `(${servers[0].name} ${median(full.map((i) => results[0][i])).toFixed(2)} ms, ` +
    `${servers[s].name} ${median(full.map((i) => results[s][i])).toFixed(2)} ms)`);
  console.log(`median ratio ${servers[s].name}/${servers[0].name} of server-side render per non-empty tile: ` +
    `${median(full.map((i) => render[s][i] / render[0][i])).toFixed(1)}x ` +
    `(${servers[0].name} ${median(full.map((i) => render[0][i])).toFixed(3)} ms, ` +
    `${servers[s].name} ${median(full.map((i) => render[s][i])).toFixed(3)} ms)`);
}
console.log(`HTTP floor (GET /health, same loop): ${servers.map((s, i) => `${s.name} ${median(floor[i]).toFixed(3)} ms`).join(', ')}`);
const meanRender = servers.map((_, i) => (after[i][0] - before[i][0]) / (after[i][1] - before[i][1]) * 1000);
if (meanRender.every(Number.isFinite)) {
  console.log(`server-side render, mean of ${after[0][1] - before[0][1]} renders (/metrics): ` +
    servers.map((s, i) => `${s.name} ${meanRender[i].toFixed(3)} ms`).join(', ') +
    servers.slice(1).map((s, i) => `; ratio ${s.name}/${servers[0].name} ${(meanRender[i + 1] / meanRender[0]).toFixed(1)}x`).join(''));
}
