#!/usr/bin/env node
// Writes a synthetic police.uk street-level crime CSV for benchmarks (bench/import).
// Node rather than Python: scripts/setup always installs node, python3 is not guaranteed.
//
// Same header and field shapes as the real files (see ../data/sample/crimes): 64-hex Crime IDs
// (empty for anti-social behaviour), one month, West Mercia names, snap points reused by many
// crimes (~1 distinct point + street per 12 crimes, as in the real sample), LSOA codes and names,
// the 14 crime types in roughly real proportions, ~0.4 % rows without a location. Deterministic.
//
//   node bench/gen_crimes.mjs --rows 1000000 --month 2030-01 --out bench/out/2030-01-west-mercia-street.csv
import fs from 'node:fs';

import { mulberry32 } from './prng.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const rows = Number(opt('rows', '1000000'));
const month = opt('month', '2030-01');
const out = opt('out') ?? (() => { console.error('usage: gen_crimes.mjs --rows N --out FILE [--month YYYY-MM] [--seed S]'); process.exit(2); })();
const rand = mulberry32(Number(opt('seed', '20181001')));

const randInt = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const choice = (xs) => xs[Math.floor(rand() * xs.length)];
const hex8 = () => Math.floor(rand() * 2 ** 32).toString(16).padStart(8, '0');

const TYPES = [
  ['Violence and sexual offences', 34], ['Anti-social behaviour', 22], ['Criminal damage and arson', 8],
  ['Other theft', 7], ['Public order', 7], ['Shoplifting', 6], ['Vehicle crime', 4], ['Burglary', 4],
  ['Drugs', 2], ['Other crime', 2], ['Theft from the person', 1], ['Bicycle theft', 1],
  ['Possession of weapons', 1], ['Robbery', 1],
];
const OUTCOMES = ['Investigation complete; no suspect identified', 'Unable to prosecute suspect', 'Under investigation',
  'Status update unavailable', 'Offender given a caution', 'Awaiting court outcome',
  'Local resolution', 'Further investigation is not in the public interest'];
const STREETS = ['High Street', 'Church Lane', 'Station Road', 'Mill Lane', 'Victoria Road', 'Park Road', 'School Lane',
  'The Green', 'Bridge Street', 'London Road', 'Broad Street', 'Castle Street', 'Albert Road', 'Supermarket',
  'Petrol Station', 'Parking Area', 'Sports/Recreation Area', 'Nightclub', 'Shopping Area', 'Hospital'];

const cum = [];
let total = 0;
for (const [, w] of TYPES) cum.push(total += w);

// Snap points around West Mercia's bounding box, one per ~12 crimes.
const nPoints = Math.max(1, Math.floor(rows / 12));
const points = [];
for (let i = 0; i < nPoints; i++) {
  const lon = (-3.2 + rand() * 1.4).toFixed(6), lat = (51.85 + rand() * 1.1).toFixed(6);
  const lsoa = `E0${String(randInt(1000000, 1034000)).padStart(7, '0')}`;
  points.push(`${lon},${lat},On or near ${choice(STREETS)},${lsoa},Synthetic ${String(randInt(1, 40)).padStart(3, '0')}${choice('ABCDE')}`);
}

const force = 'West Mercia Police';
const fd = fs.openSync(out, 'w');
fs.writeSync(fd, 'Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,' +
  'Last outcome category,Context\n');
let buf = [];
for (let i = 0; i < rows; i++) {
  const r = rand() * total;
  let t = 0;
  while (cum[t] < r) t++;
  const ctype = TYPES[t][0];
  const asb = ctype === 'Anti-social behaviour';
  const cid = asb ? '' : Array.from({ length: 8 }, hex8).join('');
  const outcome = asb ? '' : choice(OUTCOMES);
  if (rand() < 0.004) buf.push(`${cid},${month},${force},${force},,,No Location,,,${ctype},${outcome},\n`);
  else buf.push(`${cid},${month},${force},${force},${points[Math.floor(rand() * nPoints)]},${ctype},${outcome},\n`);
  if (buf.length >= 10000) { fs.writeSync(fd, buf.join('')); buf = []; }
}
fs.writeSync(fd, buf.join(''));
fs.closeSync(fd);
