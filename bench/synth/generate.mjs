#!/usr/bin/env node
// Generates a national-size, police.uk-style street-level crime data set in the archive layout
// (YYYY-MM/YYYY-MM-<force>-street.csv), spread like the population of England and Wales: crimes
// fall on snap points around ~80 towns and cities weighted by population,
// each in its real police force, with police.uk's national category mix.
//   node bench/synth/generate.mjs --out DIR [--crimes 6000000] [--months 12] [--first 2023-01] [--seed 1]
import fs from 'node:fs';
import path from 'node:path';

import { mulberry32 } from '../prng.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const out = args.out ?? (() => { console.error('usage: generate.mjs --out DIR [--crimes N] [--months M]'); process.exit(2); })();
const totalCrimes = Number(args.crimes ?? 6_000_000);
const months = Number(args.months ?? 12);
const [firstYear, firstMonth] = (args.first ?? '2023-01').split('-').map(Number);
const rand = mulberry32(Number(args.seed ?? 1));

function gauss() { return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()); }

// [name, lon, lat, population in thousands (built-up area, approximate), police.uk force id]
const towns = [
  ['London', -0.118, 51.509, 9000, 'metropolitan'], ['Birmingham', -1.898, 52.486, 2600, 'west-midlands'],
  ['Manchester', -2.244, 53.483, 2700, 'greater-manchester'], ['Leeds', -1.549, 53.801, 1800, 'west-yorkshire'],
  ['Liverpool', -2.978, 53.408, 900, 'merseyside'], ['Newcastle', -1.618, 54.978, 800, 'northumbria'],
  ['Sheffield', -1.470, 53.381, 700, 'south-yorkshire'], ['Bristol', -2.587, 51.455, 700, 'avon-and-somerset'],
  ['Nottingham', -1.150, 52.954, 730, 'nottinghamshire'], ['Leicester', -1.134, 52.637, 550, 'leicestershire'],
  ['Southampton', -1.404, 50.910, 850, 'hampshire'], ['Cardiff', -3.179, 51.481, 480, 'south-wales'],
  ['Brighton', -0.137, 50.822, 480, 'sussex'], ['Plymouth', -4.143, 50.376, 270, 'devon-and-cornwall'],
  ['Stoke-on-Trent', -2.179, 53.003, 370, 'staffordshire'], ['Coventry', -1.512, 52.407, 380, 'west-midlands'],
  ['Hull', -0.336, 53.745, 320, 'humberside'], ['Bradford', -1.752, 53.796, 550, 'west-yorkshire'],
  ['Reading', -0.973, 51.454, 330, 'thames-valley'], ['Oxford', -1.258, 51.752, 170, 'thames-valley'],
  ['Milton Keynes', -0.759, 52.041, 270, 'thames-valley'], ['Derby', -1.476, 52.922, 270, 'derbyshire'],
  ['Wolverhampton', -2.128, 52.587, 260, 'west-midlands'], ['Swansea', -3.944, 51.621, 300, 'south-wales'],
  ['Preston', -2.703, 53.763, 330, 'lancashire'], ['Blackpool', -3.036, 53.817, 240, 'lancashire'],
  ['Middlesbrough', -1.235, 54.574, 380, 'cleveland'], ['Sunderland', -1.383, 54.906, 300, 'northumbria'],
  ['Norwich', 1.297, 52.630, 210, 'norfolk'], ['Ipswich', 1.155, 52.056, 180, 'suffolk'],
  ['Cambridge', 0.119, 52.205, 160, 'cambridgeshire'], ['Peterborough', -0.242, 52.573, 200, 'cambridgeshire'],
  ['Northampton', -0.897, 52.237, 230, 'northamptonshire'], ['Luton', -0.417, 51.879, 260, 'bedfordshire'],
  ['Chelmsford', 0.469, 51.736, 180, 'essex'], ['Southend', 0.711, 51.538, 300, 'essex'],
  ['Colchester', 0.902, 51.889, 130, 'essex'], ['Maidstone', 0.522, 51.272, 170, 'kent'],
  ['Medway', 0.530, 51.388, 280, 'kent'], ['Canterbury', 1.079, 51.280, 60, 'kent'],
  ['Guildford', -0.570, 51.236, 150, 'surrey'], ['Woking', -0.558, 51.319, 110, 'surrey'],
  ['Watford', -0.396, 51.656, 250, 'hertfordshire'], ['St Albans', -0.336, 51.752, 150, 'hertfordshire'],
  ['Portsmouth', -1.087, 50.806, 450, 'hampshire'], ['Bournemouth', -1.880, 50.720, 470, 'dorset'],
  ['Exeter', -3.533, 50.726, 130, 'devon-and-cornwall'], ['Truro', -5.051, 50.263, 150, 'devon-and-cornwall'],
  ['Swindon', -1.780, 51.556, 190, 'wiltshire'], ['Salisbury', -1.795, 51.069, 60, 'wiltshire'],
  ['Gloucester', -2.244, 51.864, 150, 'gloucestershire'], ['Cheltenham', -2.078, 51.900, 120, 'gloucestershire'],
  ['Worcester', -2.221, 52.192, 100, 'west-mercia'], ['Hereford', -2.716, 52.056, 60, 'west-mercia'],
  ['Telford', -2.447, 52.678, 150, 'west-mercia'], ['Shrewsbury', -2.753, 52.707, 75, 'west-mercia'],
  ['Warwick', -1.585, 52.282, 140, 'warwickshire'], ['Nuneaton', -1.465, 52.523, 90, 'warwickshire'],
  ['Lincoln', -0.540, 53.230, 130, 'lincolnshire'], ['Grimsby', -0.075, 53.567, 135, 'humberside'],
  ['York', -1.081, 53.958, 200, 'north-yorkshire'], ['Harrogate', -1.537, 53.992, 75, 'north-yorkshire'],
  ['Durham', -1.575, 54.776, 220, 'durham'], ['Darlington', -1.553, 54.524, 100, 'durham'],
  ['Carlisle', -2.934, 54.892, 75, 'cumbria'], ['Barrow', -3.227, 54.111, 60, 'cumbria'],
  ['Chester', -2.891, 53.193, 120, 'cheshire'], ['Warrington', -2.591, 53.390, 210, 'cheshire'],
  ['Wrexham', -2.992, 53.046, 65, 'north-wales'], ['Bangor', -4.129, 53.227, 50, 'north-wales'],
  ['Newport', -2.998, 51.585, 150, 'gwent'], ['Aberystwyth', -4.082, 52.415, 20, 'dyfed-powys'],
  ['Carmarthen', -4.306, 51.856, 40, 'dyfed-powys'], ['Doncaster', -1.133, 53.523, 300, 'south-yorkshire'],
  ['Huddersfield', -1.785, 53.645, 160, 'west-yorkshire'], ['Bolton', -2.429, 53.578, 280, 'greater-manchester'],
  ['Stockport', -2.157, 53.410, 140, 'greater-manchester'], ['Wigan', -2.632, 53.545, 110, 'greater-manchester'],
  ['City of London', -0.092, 51.515, 40, 'city-of-london'],
];
const forceNames = {
  'avon-and-somerset': 'Avon and Somerset Constabulary', bedfordshire: 'Bedfordshire Police',
  cambridgeshire: 'Cambridgeshire Constabulary', cheshire: 'Cheshire Constabulary', 'city-of-london': 'City of London Police',
  cleveland: 'Cleveland Police', cumbria: 'Cumbria Constabulary', derbyshire: 'Derbyshire Constabulary',
  'devon-and-cornwall': 'Devon & Cornwall Police', dorset: 'Dorset Police', durham: 'Durham Constabulary',
  'dyfed-powys': 'Dyfed-Powys Police', essex: 'Essex Police', gloucestershire: 'Gloucestershire Constabulary',
  'greater-manchester': 'Greater Manchester Police', gwent: 'Gwent Police', hampshire: 'Hampshire Constabulary',
  hertfordshire: 'Hertfordshire Constabulary', humberside: 'Humberside Police', kent: 'Kent Police',
  lancashire: 'Lancashire Constabulary', leicestershire: 'Leicestershire Police', lincolnshire: 'Lincolnshire Police',
  merseyside: 'Merseyside Police', metropolitan: 'Metropolitan Police Service', norfolk: 'Norfolk Constabulary',
  'north-wales': 'North Wales Police', 'north-yorkshire': 'North Yorkshire Police',
  northamptonshire: 'Northamptonshire Police', northumbria: 'Northumbria Police',
  nottinghamshire: 'Nottinghamshire Police', 'south-wales': 'South Wales Police',
  'south-yorkshire': 'South Yorkshire Police', staffordshire: 'Staffordshire Police', suffolk: 'Suffolk Constabulary',
  surrey: 'Surrey Police', sussex: 'Sussex Police', 'thames-valley': 'Thames Valley Police',
  warwickshire: 'Warwickshire Police', 'west-mercia': 'West Mercia Police', 'west-midlands': 'West Midlands Police',
  'west-yorkshire': 'West Yorkshire Police', wiltshire: 'Wiltshire Police',
};
// police.uk's national mix of street-level crime types (rounded shares).
const categories = [
  ['Violence and sexual offences', 0.30], ['Anti-social behaviour', 0.24], ['Criminal damage and arson', 0.08],
  ['Other theft', 0.08], ['Public order', 0.07], ['Shoplifting', 0.06], ['Vehicle crime', 0.06], ['Burglary', 0.05],
  ['Drugs', 0.025], ['Other crime', 0.02], ['Theft from the person', 0.01], ['Bicycle theft', 0.01],
  ['Possession of weapons', 0.0075], ['Robbery', 0.0075],
];
const outcomes = ['Investigation complete; no suspect identified', 'Unable to prosecute suspect',
  'Under investigation', 'Awaiting court outcome', 'Offender given a caution', 'Local resolution'];

// Snap points: about one per 80 residents, scattered around each town centre (the spread grows
// with population: sigma ~0.2 degrees of latitude for London, ~0.04 for a town of 100,000; a
// coefficient of 0.012 put London's crimes over half of England, 9 % of them in France and the sea).
const totalPop = towns.reduce((s, t) => s + t[3], 0);
const points = [];  // [lon, lat, name, townIndex]
towns.forEach((t, ti) => {
  const n = Math.max(50, Math.round(t[3] * 1000 / 80));
  const spread = 0.015 + 0.002 * Math.sqrt(t[3]);  // degrees of latitude (x1.6 for longitude)
  for (let i = 0; i < n; i++) {
    const lon = t[1] + gauss() * spread * 1.6, lat = t[2] + gauss() * spread;
    points.push([lon.toFixed(6), lat.toFixed(6), `On or near ${t[0]} Street ${i % 5000}`, ti]);
  }
});
const townPoints = towns.map(() => []);
points.forEach((p, i) => townPoints[p[3]].push(i));
const cumulative = [];
let acc = 0;
for (const t of towns) { acc += t[3] / totalPop; cumulative.push(acc); }
const catCumulative = [];
acc = 0;
for (const c of categories) { acc += c[1]; catCumulative.push(acc / categories.reduce((s, x) => s + x[1], 0)); }
const pick = (cum) => { const r = rand(); let lo = 0, hi = cum.length - 1; while (lo < hi) { const mid = (lo + hi) >> 1; if (cum[mid] < r) lo = mid + 1; else hi = mid; } return lo; };

const perMonth = Math.floor(totalCrimes / months);
let written = 0;
const started = Date.now();
for (let m = 0; m < months; m++) {
  const y = firstYear + Math.floor((firstMonth - 1 + m) / 12), mo = (firstMonth - 1 + m) % 12 + 1;
  const month = `${y}-${String(mo).padStart(2, '0')}`;
  fs.mkdirSync(path.join(out, month), { recursive: true });
  const files = {};
  const fileFor = (force) => files[force] ??= (() => {
    const fd = fs.openSync(path.join(out, month, `${month}-${force}-street.csv`), 'w');
    fs.writeSync(fd, 'Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n');
    return { fd, buf: [] };
  })();
  for (let i = 0; i < perMonth; i++) {
    const ti = pick(cumulative);
    const tp = townPoints[ti];
    const p = points[tp[Math.floor(rand() * tp.length)]];
    const force = towns[ti][4];
    const name = forceNames[force];
    const cat = categories[pick(catCumulative)][0];
    const asb = cat === 'Anti-social behaviour';
    const id = asb ? '' : Array.from({ length: 8 }, () => Math.floor(rand() * 2 ** 32).toString(16).padStart(8, '0')).join('');
    const noLocation = rand() < 0.01;
    const f = fileFor(force);
    f.buf.push(noLocation
      ? `${id},${month},${name},${name},,,No Location,,,${cat},${asb ? '' : outcomes[i % outcomes.length]},\n`
      : `${id},${month},${name},${name},${p[0]},${p[1]},${p[2]},E0100${String(ti).padStart(4, '0')},${towns[ti][0]} 001A,${cat},${asb ? '' : outcomes[i % outcomes.length]},\n`);
    if (f.buf.length >= 20000) { fs.writeSync(f.fd, f.buf.join('')); f.buf = []; }
  }
  for (const f of Object.values(files)) { fs.writeSync(f.fd, f.buf.join('')); fs.closeSync(f.fd); }
  written += perMonth;
  process.stderr.write(`generate: ${month}: ${perMonth} crimes in ${Object.keys(files).length} force files\n`);
}
console.log(`generate: ${written} crimes, ${points.length} snap points, ${months} months in ${out} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
