// Every JSON API endpoint over HTTP on the seeded West Mercia sample, with bad values for each
// parameter, police.uk fixture shape comparisons and the team-write auth matrix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const base = process.env.CRIMEMAP_URL;
const shared = process.env.CRIMEMAP_SHARED_DATA;

// Median of an indicator's values over every local authority in the bundled Oflog CSV.
function oflogMedian(code, period) {
  const csv = gunzipSync(readFileSync(join(import.meta.dirname, '../../data/sample/indicators/oflog_adult_social_care_by_la.csv.gz'))).toString();
  const values = [];
  for (const line of csv.split('\n').slice(1)) {
    // Financial year,LA code,LA name,Grouping,Entity_Name,Region,"Measure",Code,Value,...
    const m = line.match(/^([^,]+),(E\d{8}),.*,([A-Z]+\d+[A-Za-z]?),([-\d.]+),/);
    if (m && m[1] === period && m[3] === code) values.push(Number(m[4]));
  }
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

async function get(path, init) {
  const res = await fetch(base + path, init);
  const text = await res.text();
  let body = null;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, body, headers: res.headers };
}
const post = (path, body, headers = {}) =>
  get(path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers });

function fixture(rel) {
  const p = join(shared, 'police_api_json', rel);
  // A missing fixture is a failure, never a silently skipped comparison.
  if (!existsSync(p)) throw new Error(`police.uk fixture missing: ${p} (CRIMEMAP_SHARED_DATA=${shared})`);
  return JSON.parse(readFileSync(p, 'utf8').replace(/^\uFEFF/, ''));
}
// Same keys and compatible value types, recursively (null matches anything; contact_details is
// free-form on police.uk).
function sameShape(ours, theirs, where) {
  if (theirs === null || ours === null) return;
  if (Array.isArray(theirs)) {
    assert.ok(Array.isArray(ours), `${where}: expected an array`);
    if (theirs.length && ours.length) sameShape(ours[0], theirs[0], `${where}[0]`);
    return;
  }
  if (typeof theirs === 'object') {
    assert.equal(typeof ours, 'object', `${where}: expected an object`);
    if (where.endsWith('contact_details')) return;
    for (const k of Object.keys(theirs)) {
      assert.ok(k in ours, `${where}: missing key ${k}`);
      sameShape(ours[k], theirs[k], `${where}.${k}`);
    }
    return;
  }
  assert.equal(typeof ours, typeof theirs, `${where}: ${typeof ours} vs ${typeof theirs}`);
}
function metres(lat1, lon1, lat2, lon2) {
  const r = Math.PI / 180;
  const a = Math.sin((lat2 - lat1) * r / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin((lon2 - lon1) * r / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(a));
}

test('postcode lookup: NSPL values, any case and spacing', async () => {
  for (const q of ['HR1%201AA', 'hr11aa', '%20hr1%20%201aa%20']) {
    const { status, body } = await get(`/postcodes/${q}`);
    assert.equal(status, 200);
    assert.equal(body.result.postcode, 'HR1 1AA');
    assert.equal(body.result.latitude, 52.060745);
    assert.equal(body.result.longitude, -2.710027);
    assert.equal(body.result.codes.lsoa, 'E01014010');
    assert.equal(body.result.country, 'England');
    assert.equal(body.result.neighbourhood.force, 'west-mercia');
  }
});

test('postcode errors and terminated postcodes', async () => {
  assert.deepEqual((await get('/postcodes/nonsense')).body, { status: 404, error: 'Invalid postcode' });
  assert.deepEqual((await get('/postcodes/HR1%201ZZ')).body, { status: 404, error: 'Postcode not found' });
  const t = await get('/postcodes/HR11BA');
  assert.equal(t.status, 404);
  assert.equal(t.body.terminated.year_terminated, 2002);
  assert.equal(t.body.terminated.month_terminated, 10);
  assert.equal((await get('/terminated_postcodes/HR11BA')).status, 200);
  assert.equal((await get('/terminated_postcodes/HR11AA')).body.error, 'Terminated postcode not found');
});

test('reverse geocoding: defaults, limits, errors', async () => {
  const r = await get('/postcodes?lon=-2.710027&lat=52.060745');
  assert.equal(r.status, 200);
  assert.ok(r.body.result.length <= 10);
  for (const p of r.body.result) assert.ok(p.distance <= 100.5);
  for (let i = 1; i < r.body.result.length; i++) assert.ok(r.body.result[i - 1].distance <= r.body.result[i].distance);
  assert.equal((await get('/postcodes?lon=-2.710027&lat=52.060745&radius=2000&limit=500')).body.result.length, 100);
  assert.equal((await get('/postcodes?lon=-2.710027&lat=52.060745&limit=abc')).body.error, 'Invalid result limit submitted');
  assert.equal((await get('/postcodes?lon=-2.710027&lat=52.060745&radius=abc')).body.error, 'Invalid lookup radius submitted');
  assert.equal((await get('/postcodes?lon=abc&lat=52')).body.error, 'Invalid longitude/latitude submitted');
  assert.equal((await get('/postcodes?lon=-2&lat=91')).status, 400);
  assert.equal((await get('/postcodes?lon=0.1&lat=51.5')).body.result, null);
  const wide = await get('/postcodes?lon=-2.95&lat=52.25&widesearch=true');
  // Nothing within 100 m of this rural point, but widesearch reaches the nearest HR postcodes.
  assert.equal((await get('/postcodes?lon=-2.95&lat=52.25')).body.result, null);
  assert.equal(wide.body.result.length, 10);
  const distances = wide.body.result.map((r) => r.distance);
  assert.deepEqual(distances, [...distances].sort((a, b) => a - b), 'nearest first');
  assert.ok(distances.at(-1) <= 20000);
  assert.equal((await get('/postcodes/lon/-2.710027/lat/52.060745')).body.result[0].postcode, 'HR1 1AA');
});

test('bulk lookups and their limits', async () => {
  const r = await post('/postcodes', { postcodes: ['HR1 1AA', 'TF1 1AA', 'nonsense'] }, { 'Content-Type': 'application/json' });
  assert.equal(r.status, 200);
  assert.equal(r.body.result[0].result.postcode, 'HR1 1AA');
  assert.equal(r.body.result[2].result, null);
  const many = Array(101).fill('HR1 1AA');
  assert.equal((await post('/postcodes', { postcodes: many })).body.error,
    'Too many postcodes submitted. Up to 100 postcodes can be bulk requested at a time');
  assert.equal((await post('/postcodes', { geolocations: Array(101).fill({ longitude: -2.7, latitude: 52 }) })).status, 400);
  assert.equal((await post('/postcodes', 'not json')).status, 400);
  const g = await post('/postcodes', { geolocations: [{ longitude: -2.710027, latitude: 52.060745, limit: 3 }] });
  assert.equal(g.body.result[0].result.length, 3);
});

test('search, autocomplete, validate, outcodes', async () => {
  assert.deepEqual((await get('/postcodes/HR1%201A/autocomplete?limit=2')).body.result, ['HR1 1AA', 'HR1 1AB']);
  assert.equal((await get('/postcodes?q=HR1')).body.result.length, 10);
  assert.equal((await get('/postcodes?q=')).status, 400);
  assert.equal((await get('/postcodes/HR11AA/validate')).body.result, true);
  assert.equal((await get('/postcodes/HR11BA/validate')).body.result, false);
  const o = await get('/outcodes/hr1');
  assert.equal(o.body.result.outcode, 'HR1');
  assert.ok(o.body.result.admin_district.includes('Herefordshire, County of'));
  assert.equal((await get('/outcodes/ZZ99')).body.error, 'Outcode not found');
  assert.equal((await get('/postcodes/HR11AA/nearest?limit=2')).body.result.length, 2);
});

test('postcodes.io parity: filter, outcode reverse geocoding, trailing slashes, JSONP, OPTIONS, ping, 404s', async () => {
  const full = (await get('/postcodes/HR11AA')).body.result;
  const f = await get('/postcodes/HR11AA?filter=postcode,longitude,latitude,unknown');
  assert.deepEqual(f.body.result, { postcode: full.postcode, longitude: full.longitude, latitude: full.latitude });
  const bulk = await post('/postcodes?filter=postcode', { postcodes: ['HR1 1AA', 'HR1 1ZZ'] }, { 'Content-Type': 'application/json' });
  assert.deepEqual(bulk.body.result, [{ query: 'HR1 1AA', result: { postcode: 'HR1 1AA' } }, { query: 'HR1 1ZZ', result: null }]);

  // Outcodes near a point: nearest first, within the default 5 km, each with its /outcodes/ object.
  const near = await get('/outcodes?lon=-2.710027&lat=52.060745');
  assert.equal(near.status, 200);
  assert.ok(near.body.result.length >= 1 && near.body.result.length <= 10);
  const d = near.body.result.map((o) => o.distance);
  assert.deepEqual(d, [...d].sort((a, b) => a - b));
  for (const o of near.body.result) {
    assert.ok(o.distance <= 5000);
    assert.ok(Math.abs(metres(52.060745, -2.710027, o.latitude, o.longitude) - o.distance) < 1);
    const { distance, ...plain } = o;
    assert.deepEqual(plain, (await get(`/outcodes/${o.outcode}`)).body.result);
  }
  const hr1 = (await get('/outcodes/HR1/nearest?limit=3')).body.result;
  assert.equal(hr1[0].outcode, 'HR1');
  assert.ok(hr1.length <= 3);
  assert.deepEqual((await get('/outcodes?lon=x&lat=52')).body, { status: 400, error: 'Invalid longitude/latitude submitted' });
  assert.deepEqual((await get('/outcodes/ZZ99/nearest')).body, { status: 404, error: 'Outcode not found' });

  // Trailing slashes.
  assert.deepEqual((await get('/postcodes/?lon=-2.710027&lat=52.060745')).body, (await get('/postcodes?lon=-2.710027&lat=52.060745')).body);
  assert.equal((await get('/postcodes/HR11AA/')).body.result.postcode, 'HR1 1AA');

  // JSONP: run the script with the callback defined and compare with the JSON answer.
  const js = await fetch(`${base}/postcodes/HR11AA?callback=got`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  assert.equal(js.headers.get('x-content-type-options'), 'nosniff');
  let seen = null;
  new Function('got', await js.text())((v) => { seen = v; });
  assert.deepEqual(seen, (await get('/postcodes/HR11AA')).body);
  assert.equal((await get('/postcodes/HR11AA?callback=alert(1)')).status, 400);

  // A plain OPTIONS carries postcodes.io's CORS headers.
  const opt = await fetch(`${base}/postcodes`, { method: 'OPTIONS' });
  assert.equal(opt.status, 204);
  assert.equal(opt.headers.get('access-control-allow-origin'), '*');
  assert.match(opt.headers.get('access-control-allow-methods'), /GET.*POST/);
  assert.equal(opt.headers.get('access-control-allow-headers'), 'X-Requested-With, Content-Type, Accept, Origin');

  assert.deepEqual((await get('/ping')).body, { status: 200, result: 'pong' });
  assert.deepEqual((await get('/postcodes/HR11AA/nothing')).body, { status: 404, error: 'Resource not found' });
  assert.deepEqual((await get('/terminated_postcodes/%20HR%201%20%201BA')).body, { status: 404, error: 'Invalid postcode' });
  const wide = await post('/postcodes', { geolocations: [{ longitude: -2.95, latitude: 52.25, wideSearch: true }] });
  assert.equal(wide.body.result[0].result.length, 10);
});

test('summary: one call for a resident', async () => {
  const { status, body } = await get('/v1/postcodes/HR11AA/summary?months=2');
  assert.equal(status, 200);
  const s = body.result;
  assert.equal(s.areas.lsoa.code, 'E01014010');
  assert.equal(s.areas.force.id, 'west-mercia');
  assert.ok(s.areas.neighbourhood.team.demo);
  assert.equal(s.period.current.from, '2019-01');
  assert.equal(s.period.current.to, '2019-02');
  const sum = s.crimes.by_category.reduce((a, c) => a + c.current, 0);
  assert.equal(sum, s.crimes.total);
  assert.equal(s.crimes.total, s.areas.lsoa.crimes);
  assert.ok(s.rank.rank >= 1 && s.rank.rank <= s.rank.of);
  assert.ok(Array.isArray(s.data_quality.notes));
  for (const bad of ['0', '13', 'x']) assert.equal((await get(`/v1/postcodes/HR11AA/summary?months=${bad}`)).status, 400);
  assert.equal((await get('/v1/postcodes/nonsense/summary')).status, 404);
});

test('areas and performance', async () => {
  const a = await get('/v1/areas/E06000019');
  assert.equal(a.status, 200);
  assert.equal(a.body.result.crimes_by_month.length, 5);
  const p = await get('/v1/areas/E06000019/performance');
  assert.equal(p.status, 200);
  const ind = p.body.result.indicators[0];
  assert.ok(ind.series.length > 0);
  // The national median, against an independent computation from the Oflog file itself.
  const first = ind.series[0];
  assert.equal(first.national_median, oflogMedian(ind.indicator, first.period));
  assert.equal(first.comparators.length, 5);
  for (const c of first.comparators) assert.notEqual(c.code, 'E06000019');
  assert.equal((await get(`/v1/areas/E06000019/performance?indicator=${ind.indicator}`)).body.result.indicators.length, 1);
  assert.equal((await get('/v1/areas/E06000019/performance?indicator=NOPE')).status, 404);
  assert.equal((await get('/v1/areas/NOPE')).status, 404);
});

test('police.uk: crimes-street by point, by polygon (GET and POST), limits', async () => {
  const r = await get('/api/crimes-street/all-crime?lat=52.060745&lng=-2.710027&date=2019-01');
  assert.equal(r.status, 200);
  assert.ok(r.body.length > 100);
  for (const c of r.body) {
    assert.equal(c.month, '2019-01');
    assert.ok(metres(52.060745, -2.710027, +c.location.latitude, +c.location.longitude) <= 1609.344 + 1);
    assert.match(c.location.street.name, /^On or near /);
  }
  const street = fixture('crimes_street_met_2014-08/crimes-street_all-crime_lat51.5017_lng0.0055_2014-08.json');
  sameShape(r.body.find(c => c.outcome_status) ?? r.body[0], street.find(c => c.outcome_status), 'crimes-street');
  const b = await get('/api/crimes-street/burglary?lat=52.060745&lng=-2.710027&date=2019-01');
  assert.ok(b.body.every(c => c.category === 'burglary'));
  const poly = '52.05,-2.73:52.07,-2.73:52.07,-2.69:52.05,-2.69';
  const g = await get(`/api/crimes-street/all-crime?poly=${poly}&date=2019-01`);
  const p = await get('/api/crimes-street/all-crime', {
    method: 'POST', body: `poly=${poly}&date=2019-01`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(p.status, 200);
  assert.equal(p.body.length, g.body.length);
  for (const c of g.body) {
    assert.ok(+c.location.latitude >= 52.05 && +c.location.latitude <= 52.07);
    assert.ok(+c.location.longitude >= -2.73 && +c.location.longitude <= -2.69);
  }
  const huge = await get('/api/crimes-street/all-crime?poly=51,-4:54,-4:54,0:51,0&date=2019-01');
  assert.equal(huge.status, 503);
  assert.match(huge.body.error, /10000/);
  for (const bad of ['/api/crimes-street/bogus?lat=52&lng=-2', '/api/crimes-street/all-crime?lat=x&lng=-2',
    '/api/crimes-street/all-crime?lat=52&lng=-2&date=2019-1', '/api/crimes-street/all-crime?poly=52,-2:53,-2',
    '/api/crimes-street/all-crime']) assert.equal((await get(bad)).status, 400, bad);
});

test('police.uk: locations, no-location crimes, reference data', async () => {
  const at = await get('/api/crimes-at-location?date=2019-01&lat=52.060745&lng=-2.710027');
  assert.equal(at.status, 200);
  const id = at.body[0].location.street.id;
  assert.ok(at.body.every(c => c.location.street.id === id));
  const byId = await get(`/api/crimes-at-location?date=2019-01&location_id=${id}`);
  assert.equal(byId.body.length, at.body.length);
  const nl = await get('/api/crimes-no-location?category=all-crime&force=west-mercia&date=2019-01');
  assert.ok(nl.body.length > 0 && nl.body.every(c => c.location === null));
  assert.equal((await get('/api/crimes-no-location?category=all-crime&force=nowhere&date=2019-01')).status, 404);
  assert.equal((await get('/api/crimes-no-location?force=west-mercia')).status, 400);
  sameShape((await get('/api/forces/west-mercia')).body, fixture('police_data_kit_fixtures/police-force.json'), 'force');
  sameShape((await get('/api/forces')).body, fixture('policeuk_net_fixtures/Forces.Multiple.json'), 'forces');
  sameShape((await get('/api/crime-categories')).body, fixture('policeuk_net_fixtures/CrimeCatagories.Multiple.json'), 'cats');
  sameShape((await get('/api/crime-last-updated')).body, fixture('policeuk_net_fixtures/LastUpdated.json'), 'updated');
  assert.equal((await get('/api/crime-last-updated')).body.date, '2019-02-01');
  const dates = (await get('/api/crimes-street-dates')).body;
  assert.deepEqual(dates.map(d => d.date), ['2019-02', '2019-01', '2018-12', '2018-11', '2018-10']);
  sameShape(dates[0], fixture('police_data_kit_fixtures/data-set.json'), 'dates');
});

test('police.uk: neighbourhoods', async () => {
  const list = (await get('/api/west-mercia/neighbourhoods')).body;
  sameShape(list, fixture('policeuk_net_fixtures/Neighbourhoods.Multiple.json'), 'neighbourhoods');
  assert.ok(list.find(n => n.id === 'HE06'));
  const nb = (await get('/api/west-mercia/HE06')).body;
  const f = fixture('police_data_kit_fixtures/neighbourhood.json');
  delete f.locations;  // we publish no station locations
  sameShape(nb, f, 'neighbourhood');
  const ring = (await get('/api/west-mercia/HE06/boundary')).body;
  assert.ok(ring.length > 3);
  sameShape(ring, fixture('policeuk_net_fixtures/NeighbourhoodBoundary.Multiple.json'), 'boundary');
  const loc = (await get('/api/locate-neighbourhood?q=52.060745,-2.710027')).body;
  assert.deepEqual(loc, { force: 'west-mercia', neighbourhood: 'HE06' });
  assert.equal((await get('/api/locate-neighbourhood?q=51.5,0.1')).status, 404);
  assert.equal((await get('/api/locate-neighbourhood?q=x')).status, 400);
  assert.equal((await get('/api/west-mercia/NOPE')).status, 404);
  assert.equal((await get('/api/nowhere/neighbourhoods')).status, 404);
  for (const part of ['people', 'events', 'priorities']) assert.ok(Array.isArray((await get(`/api/west-mercia/HE06/${part}`)).body));
  // Imported from team JSON by run_api_tests.sh (crimemap import neighbourhoods).
  const prios = (await get('/api/west-mercia/HE06/priorities')).body;
  const imported = prios.find(p => p.issue.startsWith('Imported priority'));
  sameShape(imported, fixture('police_data_kit_fixtures/neighbourhood-priority.json'), 'priority');
  assert.equal(imported['action-date'], '2019-02-01T00:00:00');
  const events = (await get('/api/west-mercia/HE06/events')).body;
  sameShape(events.find(e => e.title === 'Imported meeting'), fixture('policeuk_net_fixtures/NeighbourhoodEvents.Multiple.json')[0], 'event');
});

test('team writes: auth matrix, validation, audit, public reads', async () => {
  const url = '/v1/neighbourhoods/west-mercia/HE06';
  const auth = t => ({ Authorization: `Bearer ${t}`, 'Content-Type': 'application/json' });
  const prio = { issue: 'Anti-social behaviour in High Town', 'issue-date': '2019-02-01', action: 'Evening patrols' };
  assert.equal((await post(`${url}/priorities`, prio)).status, 401);
  assert.equal((await post(`${url}/priorities`, prio, auth('cm_not_a_token'))).status, 401);
  assert.equal((await post(`${url}/priorities`, prio, auth(process.env.CRIMEMAP_TOKEN_OTHER))).status, 403);
  assert.equal((await post('/v1/neighbourhoods/west-mercia/HE07/priorities', prio, auth(process.env.CRIMEMAP_TOKEN_NB))).status, 403);
  assert.equal((await post(`${url}/priorities`, { issue: '' }, auth(process.env.CRIMEMAP_TOKEN_NB))).status, 400);
  assert.equal((await post(`${url}/priorities`, { issue: 'x', 'issue-date': 'yesterday' }, auth(process.env.CRIMEMAP_TOKEN_NB))).status, 400);
  const created = await post(`${url}/priorities`, prio, auth(process.env.CRIMEMAP_TOKEN_NB));
  assert.equal(created.status, 201);
  const id = created.body.result.id;
  const pub = (await get('/api/west-mercia/HE06/priorities')).body;
  assert.ok(pub.some(p => p.issue === prio.issue && p['issue-date'] === '2019-02-01T00:00:00'));
  const upd = await get(`${url}/priorities/${id}`, { method: 'PUT', body: JSON.stringify({ ...prio, action: 'Done' }), headers: auth(process.env.CRIMEMAP_TOKEN_FORCE) });
  assert.equal(upd.status, 200);
  assert.equal(upd.body.result.action, 'Done');
  const ev = await post(`${url}/events`, { title: 'Beat surgery', start_date: '2999-03-05T18:30', address: 'Library', type: 'meeting' }, auth(process.env.CRIMEMAP_TOKEN_NB));
  assert.equal(ev.status, 201);
  const summary = (await get('/v1/postcodes/HR11AA/summary')).body.result;
  assert.ok(summary.next_events.some(e => e.title === 'Beat surgery'));
  assert.ok(summary.priorities.some(p => p.action === 'Done'));
  const pack = (await get(`${url}/meeting-pack.json`)).body.result;
  assert.ok(pack.priorities.length >= 1 && pack.next_events.length >= 1);
  assert.equal((await get(`${url}/priorities/${id}`, { method: 'DELETE', headers: auth(process.env.CRIMEMAP_TOKEN_NB) })).status, 204);
  assert.equal((await get(`${url}/priorities/${id}`, { method: 'DELETE', headers: auth(process.env.CRIMEMAP_TOKEN_NB) })).status, 404);
  assert.ok(!(await get('/api/west-mercia/HE06/priorities')).body.some(p => p.issue === prio.issue));
});

test('meeting pack: HTML, JSON and CSV agree; nothing loaded from outside', async () => {
  const url = '/v1/neighbourhoods/west-mercia/HE06/meeting-pack';
  const json = (await get(`${url}.json?month=2019-02`)).body.result;
  assert.equal(json.month, '2019-02');
  assert.equal(json.categories.reduce((a, c) => a + c.this_month, 0), json.totals.this_month);
  assert.equal(json.trend.length, 12);
  assert.equal(json.trend.at(-1).crimes, json.totals.this_month);
  assert.ok(json.top_locations.length > 0 && json.top_locations.length <= 10);
  assert.ok(json.outcomes.length > 0);
  const csv = await get(`${url}.csv?month=2019-02`);
  assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.match(csv.body, new RegExp(`^total,all,All crimes,${json.totals.this_month},`, 'm'));
  const html = await get(`${url}?month=2019-02`);
  assert.equal(html.status, 200);
  assert.match(html.headers.get('content-type'), /text\/html/);
  assert.match(html.body, /<svg/);
  assert.doesNotMatch(html.body, /src=/);
  // Links are navigation within this server (the league table), never something to load.
  for (const [, href] of html.body.matchAll(/href="([^"]*)"/g)) assert.match(href, /^\/league\?/);
  assert.match(html.body, /href="\/league\?kind=neighbourhood&amp;from=2018-10&amp;to=2019-02"/);
  assert.equal((await get(`${url}.json?month=2030-01`)).status, 400);
  assert.equal((await get(`${url}.json?month=bad`)).status, 400);
  assert.equal((await get('/v1/neighbourhoods/west-mercia/NOPE/meeting-pack')).status, 404);
});
