// The npm postcodesio-client package, unchanged, pointed at crimemapd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const PostcodesIO = require('postcodesio-client');
const client = new PostcodesIO(process.env.CRIMEMAP_URL);

test('lookup a postcode', async () => {
  const p = await client.lookup('HR1 1AA');
  assert.equal(p.postcode, 'HR1 1AA');
  assert.equal(p.latitude, 52.060745);
  assert.equal(p.longitude, -2.710027);
  assert.equal(p.codes.lsoa, 'E01014010');
  assert.equal(p.pfa, 'West Mercia');
});

test('lookup an outcode', async () => {
  const o = await client.lookup('HR1');
  assert.equal(o.outcode, 'HR1');
  assert.ok(Array.isArray(o.admin_district));
});

test('unknown postcodes resolve to null (404)', async () => {
  assert.equal(await client.lookup('HR1 1ZZ'), null);
});

test('near a coordinate and near a postcode', async () => {
  const near = await client.near(52.060745, -2.710027);
  assert.ok(near.length > 0);
  assert.equal(near[0].postcode, 'HR1 1AA');
  const byPostcode = await client.nearPostcode('HR1 1AA');
  assert.ok(byPostcode.length > 0);
});

test('reverse geocode uses widesearch', async () => {
  const p = await client.reverseGeocode(52.06, -2.71);
  assert.ok(p && /^HR/.test(p.postcode));
});

test('validate', async () => {
  assert.equal(await client.validate('HR1 1AA'), true);
  assert.equal(await client.validate('HR1 1ZZ'), false);
});

test('random', async () => {
  const p = await client.random();
  assert.ok(p.postcode);
});
