// The fields, types and status codes the two Python police.uk clients read, taken from their
// documented models, checked against crimemapd over HTTP (the clients themselves cannot be
// installed here: only Debian and npm packages are reachable).
//  - police-api-client 1.2.2 (`police_api`): Force.fields, Force.SeniorOfficer, Neighbourhood
//    (population parsed with int(), centre, links, locations), Officer, Event (start_date parsed
//    with '%Y-%m-%dT%H:%M:%S'), Priority ('issue-date'/'action-date', same format or null), Crime
//    (fields, location.street.id/name, category looked up in crime-categories), Crime.Outcome
//    (outcomes-for-crime: category {code, name}, date), Stop (fields, datetime parsed by dateutil,
//    location.street), locate-neighbourhood (an HTTP error means "none": 404), raise_for_status on
//    everything else.
//  - uk_police 0.1.0 (Pyolice): plain dicts from stops-street (lat/lng or poly), stops-at-location,
//    stops-no-location, stops-force, outcomes-at-location, crimes-street, neighbourhood calls and
//    forces, each a 200 JSON answer (it raises on any other status).
// run_api_tests.sh has imported the outcome, stop-and-search and force fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const base = process.env.CRIMEMAP_URL + '/api/';
async function call(method, params = {}, verb = 'GET') {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null));
  const init = verb === 'POST' ? { method: 'POST', body: q, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } } : {};
  const res = await fetch(base + method + (verb === 'GET' && [...q].length ? '?' + q : ''), init);
  const text = await res.text();
  return { status: res.status, body: res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text };
}
async function ok(method, params, verb) {
  const r = await call(method, params, verb);
  assert.equal(r.status, 200, `${verb ?? 'GET'} ${method} ${JSON.stringify(params ?? {})}: ${JSON.stringify(r.body).slice(0, 200)}`);
  return r.body;
}
const strptime = s => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(s);  // '%Y-%m-%dT%H:%M:%S'
const dateutil = s => typeof s === 'string' && !Number.isNaN(Date.parse(s));
const has = (o, fields, what) => { for (const f of fields) assert.ok(Object.hasOwn(o, f), `${what}: no ${f}`); };
function location(l, what) {
  assert.equal(typeof l, 'object', what);
  has(l, ['latitude', 'longitude', 'street'], what);
  assert.ok(Number.isFinite(parseFloat(l.latitude)) && Number.isFinite(parseFloat(l.longitude)), what);
  assert.equal(typeof l.street.id, 'number', what);
  assert.equal(typeof l.street.name, 'string', what);
}

test('police_api: forces, senior officers', async () => {
  const forces = await ok('forces');
  assert.ok(forces.every(f => typeof f.id === 'string' && typeof f.name === 'string'));
  for (const id of ['west-mercia', 'leicestershire']) {
    const f = await ok(`forces/${id}`);
    has(f, ['description', 'telephone', 'name', 'engagement_methods', 'url'], id);
    assert.ok(Array.isArray(f.engagement_methods));
    for (const e of f.engagement_methods) has(e, ['url', 'description', 'title'], `${id} engagement method`);
    const people = await ok(`forces/${id}/people`);
    for (const p of people) has(p, ['name', 'rank', 'contact_details', 'bio'], `${id} officer`);
  }
  assert.equal((await ok('forces/leicestershire/people')).length, 1);
  assert.equal((await call('forces/nowhere')).status, 404);
});

test('police_api: neighbourhoods, officers, events, priorities, boundary', async () => {
  const list = await ok('west-mercia/neighbourhoods');
  assert.ok(list.length > 0 && list.every(n => typeof n.id === 'string' && typeof n.name === 'string'));
  for (const { id } of list.slice(0, 5)) {
    const n = await ok(`west-mercia/${id}`);
    has(n, ['contact_details', 'name', 'links', 'description', 'url_force', 'population', 'centre', 'locations'], id);
    assert.ok(n.population === null || /^\d+$/.test(n.population), `${id} population ${n.population}: int() must parse it`);
    assert.ok(!Object.hasOwn(n, 'demo'), `${id}: demo is not a police.uk field`);
    assert.ok(Number.isFinite(parseFloat(n.centre.latitude)));
    for (const o of await ok(`west-mercia/${id}/people`)) has(o, ['name', 'rank', 'contact_details', 'bio'], `${id} officer`);
    for (const e of await ok(`west-mercia/${id}/events`)) {
      has(e, ['title', 'type', 'description', 'contact_details', 'start_date', 'address'], `${id} event`);
      assert.ok(strptime(e.start_date), `${id} event start_date ${e.start_date}`);
    }
    for (const p of await ok(`west-mercia/${id}/priorities`)) {
      has(p, ['issue', 'action', 'issue-date', 'action-date'], `${id} priority`);
      for (const d of [p['issue-date'], p['action-date']]) assert.ok(d === null || strptime(d), `${id} priority date ${d}`);
    }
    const boundary = await ok(`west-mercia/${id}/boundary`);
    assert.ok(boundary.length >= 3 && boundary.every(p => Number.isFinite(parseFloat(p.latitude))));
  }
  const located = await ok('locate-neighbourhood', { q: '52.060745,-2.710027' });
  has(located, ['force', 'neighbourhood'], 'locate-neighbourhood');
  assert.equal((await call('locate-neighbourhood', { q: '51.0,1.9' })).status, 404);  // APIError: "none"
});

test('police_api: dates, categories, crimes and their outcomes', async () => {
  const dates = await ok('crimes-street-dates');
  assert.ok(dates.every(d => /^\d{4}-\d{2}$/.test(d.date) && Array.isArray(d['stop-and-search'])));
  assert.match((await ok('crime-last-updated')).date, /^\d{4}-\d{2}-\d{2}$/);
  const categories = new Set((await ok('crime-categories')).map(c => c.url));
  const point = await ok('crimes-street/all-crime', { lat: 52.060745, lng: -2.710027, date: '2019-01' });
  const area = await ok('crimes-street/all-crime', { poly: '52.05,-2.73:52.07,-2.73:52.07,-2.69', date: '2019-01' }, 'POST');
  assert.ok(point.length > 0 && area.length > 0);
  for (const c of [...point.slice(0, 50), ...area.slice(0, 50)]) {
    has(c, ['month', 'category', 'id', 'persistent_id', 'location', 'location_type', 'location_subtype', 'context', 'outcome_status'], 'crime');
    assert.ok(categories.has(c.category), `category ${c.category} is not in crime-categories`);
    location(c.location, 'crime location');
    if (c.outcome_status) has(c.outcome_status, ['category', 'date'], 'outcome_status');
  }
  const withId = point.find(c => c.persistent_id);
  const outcomes = await ok(`outcomes-for-crime/${withId.persistent_id}`);
  for (const o of outcomes.outcomes) {
    has(o, ['category', 'date'], 'outcome');
    has(o.category, ['code', 'name'], 'outcome category');
  }
});

test('police_api and uk_police: stop and search', async () => {
  const street = await ok('stops-street', { lat: 52.0607, lng: -2.71, date: '2019-01' });
  const poly = await ok('stops-street', { poly: '52.05,-2.73:52.07,-2.73:52.07,-2.69', date: '2019-01' });
  assert.equal(street.length, 2);
  assert.deepEqual(poly, street);
  const fields = ['age_range', 'outcome', 'legislation', 'type', 'operation', 'operation_name', 'self_defined_ethnicity',
    'gender', 'datetime', 'outcome_linked_to_object_of_search', 'location', 'involved_person',
    'removal_of_more_than_outer_clothing', 'officer_defined_ethnicity', 'object_of_search'];
  for (const s of street) {
    has(s, fields, 'stop');
    assert.ok(dateutil(s.datetime), s.datetime);
    location(s.location, 'stop location');
  }
  const at = await ok('stops-at-location', { location_id: street[0].location.street.id, date: '2019-01' });
  assert.equal(at.length, 2);
  const none = await ok('stops-no-location', { force: 'west-mercia', date: '2019-01' });
  assert.ok(none.length === 1 && none[0].location === null);
  assert.equal((await ok('stops-force', { force: 'west-mercia', date: '2019-01' })).length, 4);
  assert.equal((await call('stops-force', { force: 'nowhere', date: '2019-01' })).status, 404);
});

test('uk_police: outcomes at a location, by coordinates, id and area', async () => {
  const near = await ok('outcomes-at-location', { lat: 52.3, lng: -2.75, date: '2019-01' });
  assert.equal(near.length, 3);
  for (const o of near) {
    has(o, ['category', 'date', 'person_id', 'crime'], 'outcome');
    has(o.category, ['code', 'name'], 'outcome category');
    location(o.crime.location, 'outcome crime location');
  }
  const byId = await ok('outcomes-at-location', { location_id: near[0].crime.location.street.id, date: '2019-01' });
  assert.ok(byId.length >= 1);
  const byPoly = await ok('outcomes-at-location', { poly: '52.29,-2.76:52.31,-2.76:52.31,-2.74', date: '2019-01' });
  assert.ok(byPoly.length >= 1);
  await ok('crimes-at-location', { lat: 52.0607, lng: -2.71, date: '2019-01' });
  await ok('crimes-no-location', { category: 'all-crime', force: 'west-mercia', date: '2019-01' });
});
