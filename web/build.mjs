// Copies the MapLibre GL JS browser files, and the pmtiles reader (for maps of `crimemap export
// tiles` archives and a --basemap), from node_modules into web/dist/, where crimemapd serves them
// (the page loads nothing from outside). Run by `npm ci` (postinstall) and
// `npm run build`; cheap and idempotent.
import { copyFileSync, mkdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const from = join(here, 'node_modules', 'maplibre-gl');
const to = join(here, 'dist', 'maplibre-gl');
if (!existsSync(join(from, 'package.json'))) {
  const msg = 'build: web/node_modules/maplibre-gl is missing; run `npm ci` in web/ (scripts/setup does)';
  // --if-installed (the CMake target): C++-only builds must not fail for want of npm packages.
  if (process.argv.includes('--if-installed')) {
    console.warn(`warning: ${msg}`);
    process.exit(0);
  }
  console.error(msg);
  process.exit(1);
}
mkdirSync(to, { recursive: true });
const files = [
  ['dist/maplibre-gl.mjs', 'maplibre-gl.mjs'],
  ['dist/maplibre-gl-worker.mjs', 'maplibre-gl-worker.mjs'],
  ['dist/maplibre-gl.css', 'maplibre-gl.css'],
  ['LICENSE.txt', 'LICENSE.txt'],
];
let copied = 0;
for (const [src, dst] of files) {
  const a = join(from, src), b = join(to, dst);
  if (!existsSync(a)) continue;  // LICENSE name may differ between releases
  if (existsSync(b) && statSync(b).size === statSync(a).size && statSync(b).mtimeMs >= statSync(a).mtimeMs) continue;
  copyFileSync(a, b);
  copied++;
}
const version = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')).version;
console.log(`build: maplibre-gl ${version} in web/dist/maplibre-gl (${copied} file(s) updated)`);

// pmtiles: the browser bundle (a global `pmtiles`, whose Protocol MapLibre's addProtocol takes).
const pmFrom = join(here, 'node_modules', 'pmtiles');
if (existsSync(join(pmFrom, 'dist', 'pmtiles.js'))) {
  const pmTo = join(here, 'dist', 'pmtiles');
  mkdirSync(pmTo, { recursive: true });
  const a = join(pmFrom, 'dist', 'pmtiles.js'), b = join(pmTo, 'pmtiles.js');
  if (!(existsSync(b) && statSync(b).size === statSync(a).size && statSync(b).mtimeMs >= statSync(a).mtimeMs)) copyFileSync(a, b);
  const pmVersion = JSON.parse(readFileSync(join(pmFrom, 'package.json'), 'utf8')).version;
  console.log(`build: pmtiles ${pmVersion} in web/dist/pmtiles`);
} else {
  console.warn('warning: web/node_modules/pmtiles is missing; run `npm ci` in web/ (scripts/setup does)');
}
