// Test harness for the JavaScript tests: a fresh database on the server named by
// CRIMEMAP_TEST_DATABASE_URL, `crimemap migrate` and `crimemap seed data/sample` into it, and a
// crimemapd on a free port serving it (and web/) as the crimemap_server role. stop() ends the
// server and drops the database.
//
// Environment: CRIMEMAP_TEST_DATABASE_URL (required; scripts/test sets it), CRIMEMAP_BUILD_DIR
// (the CMake build folder; tests.cmake sets it), CRIMEMAP_TEST_OUTPUT (screenshots; default
// <repo>/test-output).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const webDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = resolve(webDir, '..');

export function outputDir(sub = 'web') {
  const dir = join(process.env.CRIMEMAP_TEST_OUTPUT || join(repoDir, 'test-output'), sub);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function fail(message) {
  throw new Error(`harness: ${message}`);
}

function buildDir() {
  const dir = process.env.CRIMEMAP_BUILD_DIR || process.argv.find((a) => a.startsWith('--build-dir='))?.slice(12);
  if (!dir) fail('CRIMEMAP_BUILD_DIR is not set (tests.cmake passes the CMake build folder)');
  return resolve(dir);
}

function psqlBinary() {
  for (const p of ['/usr/lib/postgresql/15/bin/psql', '/usr/bin/psql']) if (existsSync(p)) return p;
  return 'psql';
}

function psql(url, sql) {
  const r = spawnSync(psqlBinary(), [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8' });
  if (r.status !== 0) fail(`psql failed (${sql}): ${r.stderr || r.error}`);
  return r.stdout.trim();
}

function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

// crimemapd connects as the least-privileged crimemap_server role `crimemap migrate` creates
// (no password on the trusting private cluster; CRIMEMAP_SERVER_PASSWORD otherwise).
function asServerRole(url) {
  const u = new URL(url);
  u.username = 'crimemap_server';
  u.password = process.env.CRIMEMAP_SERVER_PASSWORD || '';
  return u.toString();
}

async function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

function run(cmd, args, env, logFile, timeoutMs) {
  return new Promise((res, rej) => {
    const log = createWriteStream(logFile, { flags: 'a' });
    log.write(`$ ${cmd} ${args.join(' ')}\n`);
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (d) => {
      log.write(d);
      tail = (tail + d.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); rej(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      log.end();
      if (code === 0) res();
      else rej(new Error(`harness: ${cmd} ${args.join(' ')} failed (${signal || `exit ${code}`}); see ${logFile}\n${tail}`));
    });
  });
}

// name: a short label for the database and log names. options.prepare(cli, env), if given, runs
// after the seed and returns extra crimemapd arguments (e.g. an exported archive for --tiles).
export async function startStack(name, options = {}) {
  const adminUrl = process.env.CRIMEMAP_TEST_DATABASE_URL;
  if (!adminUrl) fail('CRIMEMAP_TEST_DATABASE_URL is not set (scripts/test starts a private PostGIS and sets it)');
  const build = buildDir();
  const cli = join(build, 'tools', 'crimemap');
  const server = join(build, 'server', 'crimemapd');
  for (const bin of [cli, server]) if (!existsSync(bin)) fail(`${bin} is missing: build the crimemap and crimemapd targets first`);
  if (!existsSync(join(webDir, 'node_modules', 'maplibre-gl'))) fail('web/node_modules is missing: run scripts/setup (npm ci in web/)');
  // web/dist is refreshed by `npm ci` (postinstall) and the build; make sure it is there.
  const b = spawnSync(process.execPath, [join(webDir, 'build.mjs')], { encoding: 'utf8' });
  if (b.status !== 0) fail(`web/build.mjs failed: ${b.stderr}`);

  const logs = outputDir('logs');
  const dbName = `crimemap_web_${name}_${process.pid}`.replace(/[^a-z0-9_]/g, '_');
  psql(adminUrl, `DROP DATABASE IF EXISTS ${dbName}`);
  psql(adminUrl, `CREATE DATABASE ${dbName}`);
  const dbUrl = withDatabase(adminUrl, dbName);
  const env = { CRIMEMAP_DATABASE_URL: dbUrl };
  const setupLog = join(logs, `${name}-setup.log`);
  const stack = { dbUrl, dbName, adminUrl, server: null, baseUrl: null };
  stack.stop = () => stopStack(stack);
  try {
    await run(cli, ['migrate'], env, setupLog, 120_000);
    await run(cli, ['seed', join(repoDir, 'data', 'sample')], env, setupLog, 600_000);

    const extraArgs = options.prepare ? await options.prepare((args) => run(cli, args, env, setupLog, 600_000), env) : [];
    const port = await freePort();
    const serverLog = createWriteStream(join(logs, `${name}-crimemapd.log`));
    const child = spawn(server, ['--port', String(port), '--host', '127.0.0.1', '--database-url', asServerRole(dbUrl),
      '--web-dir', webDir, '--poll-seconds', '3600', '--access-log',
      // One browser on 127.0.0.1 loads every tile of every test: limits far above that.
      '--rate-limit', '5000/10000', '--tile-rate-limit', '5000/10000', ...extraArgs], {
      env: { ...process.env, CRIMEMAP_DATABASE_URL: dbUrl }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(serverLog);
    child.stderr.pipe(serverLog);
    stack.server = child;
    stack.serverExited = new Promise((res) => child.on('exit', (code, signal) => res({ code, signal })));
    stack.baseUrl = `http://127.0.0.1:${port}`;
    await waitReady(stack, 180_000);
    return stack;
  } catch (e) {
    await stopStack(stack);
    throw e;
  }
}

async function waitReady(stack, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let exited = null;
  stack.serverExited.then((r) => (exited = r));
  let last = '';
  while (Date.now() < deadline) {
    if (exited) fail(`crimemapd exited before it was ready (${exited.signal || `exit ${exited.code}`}); see test-output/logs`);
    try {
      const res = await fetch(`${stack.baseUrl}/ready`);
      if (res.status === 200) return;
      last = `${res.status} ${await res.text()}`;
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  fail(`crimemapd was not ready after ${timeoutMs / 1000} s (last answer: ${last})`);
}

async function stopStack(stack) {
  if (stack.server && stack.server.exitCode === null && stack.server.signalCode === null) {
    stack.server.kill('SIGTERM');
    const timer = setTimeout(() => stack.server.kill('SIGKILL'), 15_000);
    await stack.serverExited;
    clearTimeout(timer);
  }
  if (stack.dbName) {
    try {
      psql(stack.adminUrl, `DROP DATABASE IF EXISTS ${stack.dbName} WITH (FORCE)`);
    } catch (e) {
      console.error(e.message);
    }
  }
}

// GET a JSON document from the stack; throws with the body on a non-2xx answer.
export async function getJson(stack, path) {
  const res = await fetch(stack.baseUrl + path);
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${path} -> ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

// Tile maths (Web Mercator, XYZ).
export function lonLatToTile(lon, lat, z) {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return { z, x: Math.min(n - 1, Math.max(0, x)), y: Math.min(n - 1, Math.max(0, y)) };
}
