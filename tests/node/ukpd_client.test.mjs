// The npm data.police.uk client `ukpd` (1.2.0), run for real against crimemapd: every call it
// offers, with only its base URL changed. ukpd hard-codes https://data.police.uk/api and fetches
// through isomorphic-fetch, so the one change is a wrapper around that fetch, installed in Node's
// module cache before ukpd loads, that swaps the base URL (docs/api.md shows the same shim).
// run_api_tests.sh has imported the stop-and-search, outcomes and force fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const base = process.env.CRIMEMAP_URL;
const police = 'https://data.police.uk/api';
const requested = [];

const fetchPath = require.resolve('isomorphic-fetch', { paths: [require.resolve('ukpd')] });
const realFetch = require(fetchPath);
require.cache[fetchPath].exports = (url, init) => {
  assert.ok(String(url).startsWith(police), `ukpd asked for ${url}`);
  requested.push(String(url).slice(police.length));
  return realFetch(base + '/api' + String(url).slice(police.length), init);
};
const ukpd = require('ukpd');

test('ukpd: every method it offers answers without an error', async () => {
  const dates = await ukpd.availability();
  assert.ok(Array.isArray(dates) && dates.length >= 5);
  assert.deepEqual(dates.find(d => d.date === '2019-01')['stop-and-search'], ['west-mercia']);
  assert.deepEqual(dates.find(d => d.date === '2019-02')['stop-and-search'], []);

  const categories = await ukpd.categories();
  assert.ok(categories.some(c => c.url === 'burglary' && c.name === 'Burglary'));
  assert.equal(categories[0].url, 'all-crime');

  const forces = await ukpd.forces();
  assert.ok(forces.some(f => f.id === 'west-mercia' && f.name === 'West Mercia Police'));
  const wm = await ukpd.forces('west-mercia');
  assert.equal(wm.id, 'west-mercia');
  assert.ok(Array.isArray(wm.engagement_methods));
  const leics = await ukpd.forces('leicestershire');
  assert.equal(leics.telephone, '0116 222 2222');
  assert.equal(leics.engagement_methods.length, 5);

  assert.deepEqual(await ukpd.lastUpdated(), { date: '2019-02-01' });

  const stops = await ukpd.stopAndSearch(52.0607, -2.71, '2019-01');
  assert.equal(stops.length, 2);
  assert.equal(stops[0].type, 'Person search');
  assert.equal(stops[0].datetime, '2019-01-04T11:07:00+00:00');
  assert.equal(typeof stops[0].location.latitude, 'string');
  assert.equal(typeof stops[0].location.street.id, 'number');
  assert.deepEqual(stops[1].outcome_object, { id: 'bu-arrest', name: 'Arrest' });
  // Without a date ukpd sends date=undefined: the latest month (2019-02 has no stops).
  assert.deepEqual(await ukpd.stopAndSearch(52.0607, -2.71), []);

  const crimes = await ukpd.streetLevel(52.060745, -2.710027, '2019-01');
  assert.ok(crimes.length > 100, `${crimes.length} crimes`);
  for (const c of crimes.slice(0, 20)) {
    assert.equal(typeof c.category, 'string');
    assert.equal(c.month, '2019-01');
    assert.equal(typeof c.location.street.name, 'string');
  }
  const latest = await ukpd.streetLevel(52.060745, -2.710027);
  assert.ok(latest.every(c => c.month === '2019-02'));

  assert.deepEqual(requested, [
    '/crimes-street-dates', '/crime-categories', '/forces', '/forces/west-mercia', '/forces/leicestershire',
    '/crime-last-updated', '/stops-street?lat=52.0607&lng=-2.71&date=2019-01',
    '/stops-street?lat=52.0607&lng=-2.71&date=undefined',
    '/crimes-street/all-crime?lat=52.060745&lng=-2.710027&date=2019-01',
    '/crimes-street/all-crime?lat=52.060745&lng=-2.710027&date=undefined',
  ]);
});
