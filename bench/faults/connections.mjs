// Connection fault figures for crimemapd (issue 13), no database needed (/health only):
//   1. /health latency p50/p99 on fresh connections, alone and with 2,000 slowloris clients
//      trickling their headers (a byte each every 500 ms, spread; in a separate process), as a ratio;
//   2. 10,000 idle keep-alive connections held at once, and /health latency meanwhile;
//   3. one address opening 400 connections against --max-connections-per-client 256.
// Usage: node bench/faults/connections.mjs CRIMEMAPD [SLOW=2000] [IDLE=10000]
import { spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Child mode: hold `n` slowloris clients against `port` until killed.
const fmt = (x) => x.toFixed(2);

if (process.argv[2] === '--slowloris') {
  const port = Number(process.argv[3]), n = Number(process.argv[4]);
  const socks = [];
  for (let i = 0; i < n; i++) {
    const s = connect({ port, host: '127.0.0.1', localAddress: `127.0.0.${10 + Math.floor(i / 200)}` });
    s.on('error', () => {});
    s.write('GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    socks.push(s);
    if (i % 200 === 199) await sleep(20);
  }
  // A byte per client every 500 ms, spread over that time (100 clients every 25 ms).
  let next = 0;
  setInterval(() => {
    for (let i = next; i < Math.min(n, next + 100); i++) if (!socks[i].destroyed) socks[i].write('a');
    next = next + 100 >= n ? 0 : next + 100;
  }, 25);
  process.send?.({ ready: socks.filter((s) => !s.destroyed).length });
  setInterval(() => process.send?.({ open: socks.filter((s) => !s.destroyed).length }), 1000);
}

function freePort() {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
  });
}

// One GET /health on a fresh connection; resolves with the milliseconds to the whole answer.
function healthOnce(port) {
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const s = connect({ port, host: '127.0.0.1' });
    let got = '';
    s.on('data', (d) => { got += d; });
    s.on('end', () => {
      if (!got.startsWith('HTTP/1.1 200')) return rej(new Error(`bad answer: ${got.slice(0, 80)}`));
      res(Number(process.hrtime.bigint() - t0) / 1e6);
    });
    s.on('error', rej);
    s.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  });
}

async function latencies(port, n) {
  const ms = [];
  for (let i = 0; i < n; i++) { ms.push(await healthOnce(port)); await sleep(2); }
  ms.sort((a, b) => a - b);
  const q = (p) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))];
  return { p50: q(0.5), p99: q(0.99) };
}

async function main() {
  const [binary, slowArg, idleArg] = process.argv.slice(2);
  if (!binary) { console.error('usage: node bench/faults/connections.mjs CRIMEMAPD [SLOW] [IDLE]'); process.exit(2); }
  const slowN = Number(slowArg ?? 2000), idleN = Number(idleArg ?? 10000);
  const port = await freePort();
  const server = spawn(binary, ['--port', String(port), '--database-url', 'postgresql://nobody@127.0.0.1:1/none?connect_timeout=1',
    '--web-dir', '', '--poll-seconds', '3600', '--read-timeout', '60', '--idle-timeout', '300', '--threads', '2',
    '--max-connections', String(idleN + 100)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr.on('data', (d) => { log += d; });
  const stop = () => server.kill('SIGTERM');
  process.on('exit', stop);
  for (let i = 0; ; i++) {
    try { await healthOnce(port); break; } catch { if (i > 300) throw new Error(`crimemapd did not start:\n${log}`); await sleep(100); }
  }
  const limit = log.match(/open-file limit[^\n]*/);
  if (limit) console.log(`crimemapd: ${limit[0]}`);
  const samples = 1000;
  await latencies(port, 100);  // warm up
  const base = await latencies(port, samples);

  const slow = spawn(process.execPath, [fileURLToPath(import.meta.url), '--slowloris', String(port), String(slowN)],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let slowOpen = 0;
  await new Promise((res) => slow.on('message', (m) => { if (m.ready !== undefined) { slowOpen = m.ready; res(); } if (m.open !== undefined) slowOpen = m.open; }));
  const loaded = await latencies(port, samples);
  const stillOpen = slowOpen;
  slow.kill();
  console.log(`/health, ${samples} requests on fresh connections:`);
  console.log(`  alone:                     p50 ${fmt(base.p50)} ms  p99 ${fmt(base.p99)} ms`);
  console.log(`  with ${slowN} slowloris clients: p50 ${fmt(loaded.p50)} ms  p99 ${fmt(loaded.p99)} ms  ` +
              `(ratio p50 ${fmt(loaded.p50 / base.p50)}, p99 ${fmt(loaded.p99 / base.p99)}; ${stillOpen} slow clients still held)`);
  await sleep(500);

  // Idle keep-alive connections, 250 per address, in batches so the listen queue never overflows.
  const idle = [];
  for (let b = 0; b < idleN; b += 500) {
    const batch = [];
    for (let i = b; i < Math.min(idleN, b + 500); i++) {
      batch.push(new Promise((res) => {
        const s = connect({ port, host: '127.0.0.1', localAddress: `127.0.1.${10 + Math.floor(i / 250)}` });
        s.on('error', () => res(null));
        s.once('data', (d) => res(String(d).startsWith('HTTP/1.1 200') ? s : null));
        s.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      }));
    }
    idle.push(...(await Promise.all(batch)));
  }
  const held = idle.filter((s) => s && !s.destroyed).length;
  const fds = readdirSync(`/proc/${server.pid}/fd`).length;
  const withIdle = await latencies(port, samples);
  console.log(`idle keep-alive connections held at once: ${held} of ${idleN} (crimemapd holds ${fds} descriptors); ` +
              `/health meanwhile p50 ${fmt(withIdle.p50)} ms, p99 ${fmt(withIdle.p99)} ms`);
  for (const s of idle) s?.destroy();
  await sleep(1000);

  // One address against its share (--max-connections-per-client, default 256).
  const mine = [];
  for (let i = 0; i < 400; i++) {
    const s = connect({ port, host: '127.0.0.1', localAddress: '127.0.2.1' });
    s.on('error', () => {});
    s.resume();  // read the 503 of a refused one, so its end (and close) is seen
    mine.push(s);
  }
  await sleep(2000);
  const kept = mine.filter((s) => !s.destroyed && s.readyState === 'open').length;
  console.log(`one address opening 400 connections: ${kept} kept open, ${400 - kept} refused (share: 256)`);
  for (const s of mine) s.destroy();
  stop();
}

if (process.argv[2] !== '--slowloris') await main();
