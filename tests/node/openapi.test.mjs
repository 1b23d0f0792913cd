// /openapi.json on the real server (run_api_tests.sh: seeded sample): the document is valid
// OpenAPI 3.1 (@seriousme/openapi-schema-validator), its servers entry is this server, and every
// operation's example request, sent to this server, gets an answer whose status is documented and
// whose JSON body validates (ajv, JSON Schema 2020-12) against the documented schema. Team writes
// run create -> replace -> delete with a bearer token; one wrong value per path shows the error
// answers are documented too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const base = process.env.CRIMEMAP_URL;
const token = process.env.CRIMEMAP_TOKEN_FORCE;  // a west-mercia token with every scope

const res = await fetch(base + '/openapi.json');
const doc = await res.json();
const methods = ['get', 'put', 'post', 'delete', 'patch'];
const operations = [];
for (const [path, item] of Object.entries(doc.paths))
  for (const method of methods) if (item[method]) operations.push({ path, method, op: item[method] });

// Schemas in the document refer to '#/components/...'; ajv gets the components as one schema
// ('doc') and every ref rewritten to point into it.
const rewrite = (v) => Array.isArray(v) ? v.map(rewrite)
  : v && typeof v === 'object'
    ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === '$ref' && x.startsWith('#/') ? 'doc' + x : rewrite(x)]))
    : v;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'doc', components: rewrite(doc.components) });
const resolve = (node) => {
  if (!node?.$ref) return node;
  return node.$ref.slice(2).split('/').reduce((o, k) => o[k], doc);
};
const validators = new Map();
function validatorFor(schema) {
  const key = JSON.stringify(schema);
  if (!validators.has(key)) validators.set(key, ajv.compile(rewrite(schema)));
  return validators.get(key);
}

function parameters(path, op) {
  return [...(doc.paths[path].parameters ?? []), ...(op.parameters ?? [])].map(resolve);
}
function exampleUrl(path, op, override = {}) {
  let url = path;
  const query = new URLSearchParams();
  for (const p of parameters(path, op)) {
    const value = p.name in override ? override[p.name] : p.example;
    if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(String(value)));
    else if (p.in === 'query' && value !== undefined) query.set(p.name, String(value));
  }
  const q = query.toString();
  return url + (q ? '?' + q : '');
}
function requestInit(method, op, auth) {
  const init = { method: method.toUpperCase(), headers: {} };
  if (auth) init.headers.Authorization = 'Bearer ' + auth;
  const content = op.requestBody?.content;
  if (content) {
    const [media, spec] = Object.entries(content)[0];
    init.headers['Content-Type'] = media;
    init.body = media === 'application/x-www-form-urlencoded' ? new URLSearchParams(spec.example).toString() : JSON.stringify(spec.example);
  }
  return init;
}

// The answer's status is documented, its media type is the documented one, and a JSON body
// validates against the documented schema. Returns the parsed body.
async function checkAnswer(what, op, answer) {
  const documented = op.responses[String(answer.status)];
  const text = await answer.text();
  assert.ok(documented, `${what}: status ${answer.status} is not documented (${text.slice(0, 200)})`);
  const response = resolve(documented);
  if (!response.content) {
    assert.equal(text, '', `${what}: ${answer.status} documents no body`);
    return null;
  }
  const [media, spec] = Object.entries(response.content)[0];
  const type = answer.headers.get('content-type') ?? '';
  assert.equal(type.split(';')[0], media.split(';')[0], `${what}: Content-Type ${type}, documented ${media}`);
  if (!media.startsWith('application/json')) return text;
  const body = JSON.parse(text);
  const validate = validatorFor(spec.schema);
  assert.ok(validate(body), `${what} (${answer.status}): ${ajv.errorsText(validate.errors, { separator: '\n  ' })}`);
  return body;
}

test('/openapi.json is valid OpenAPI 3.1 and names this server', async () => {
  assert.equal(res.status, 200);
  assert.match(res.headers.get('cache-control'), /max-age/);
  assert.ok(res.headers.get('etag') && !res.headers.get('etag').startsWith('W/'));
  assert.equal(doc.openapi, '3.1.0');
  const result = await new Validator().validate(doc);
  assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
  assert.equal(doc.servers[0].url, base);
  // linked from /catalog
  assert.equal((await (await fetch(base + '/catalog')).json()).openapi, '/openapi.json');
});

test('every response schema compiles', () => {
  for (const { path, method, op } of operations)
    for (const [status, r] of Object.entries(op.responses))
      for (const spec of Object.values(resolve(r).content ?? {}))
        assert.doesNotThrow(() => validatorFor(spec.schema), `${method} ${path} ${status}`);
});

const reads = operations.filter(o => !o.op.security);
for (const { path, method, op } of reads) {
  test(`${method.toUpperCase()} ${path}: the example answers as documented`, async () => {
    const url = exampleUrl(path, op);
    const answer = await fetch(base + url, requestInit(method, op));
    // x-crimemap-no-data: a postcodes.io route whose data we do not have (places, Scotland), which
    // answers as postcodes.io does without it: a documented 404.
    if (op['x-crimemap-no-data']) assert.equal(answer.status, 404, url);
    else assert.ok(answer.status >= 200 && answer.status < 300, `${url}: ${answer.status}`);
    await checkAnswer(url, op, answer);
  });
}

// One wrong value in the first path parameter: whatever the status, it is documented, and an error
// is the documented {"status","error"} envelope.
for (const { path, method, op } of reads) {
  const first = parameters(path, op).find(p => p.in === 'path');
  if (!first) continue;
  test(`${method.toUpperCase()} ${path}: a wrong ${first.name} answers a documented error`, async () => {
    const url = exampleUrl(path, op, { [first.name]: 'zz-no-such-9' });
    const answer = await fetch(base + url, requestInit(method, op));
    const body = await checkAnswer(url, op, answer);
    // postcodes.io answers validate and autocomplete of nonsense with 200 (false / null)
    if (answer.status < 400) return;
    assert.equal(body.status, answer.status);
    assert.equal(typeof body.error, 'string');
  });
}

// Team writes: create with the example body, replace it, delete it; and without a token (401).
for (const kind of ['priorities', 'events']) {
  test(`team ${kind}: create, replace and delete answer as documented`, async () => {
    assert.ok(token, 'CRIMEMAP_TOKEN_FORCE is not set (run_api_tests.sh sets it)');
    const find = (m, suffix) => operations.find(o => o.method === m && o.path.endsWith(suffix));
    const create = find('post', `/${kind}`), update = find('put', `/${kind}/{item}`), remove = find('delete', `/${kind}/{item}`);
    for (const o of [create, update, remove]) assert.ok(o?.op.security, `${kind}: write operations documented with security`);

    const denied = await fetch(base + exampleUrl(create.path, create.op), requestInit('post', create.op));
    assert.equal(denied.status, 401);
    await checkAnswer(`${kind} without token`, create.op, denied);

    const created = await fetch(base + exampleUrl(create.path, create.op), requestInit('post', create.op, token));
    assert.equal(created.status, 201);
    const body = await checkAnswer(`POST ${kind}`, create.op, created);
    const item = body.result.id;
    const replaced = await fetch(base + exampleUrl(update.path, update.op, { item }), requestInit('put', update.op, token));
    assert.equal(replaced.status, 200);
    await checkAnswer(`PUT ${kind}`, update.op, replaced);
    const deleted = await fetch(base + exampleUrl(remove.path, remove.op, { item }), requestInit('delete', remove.op, token));
    assert.equal(deleted.status, 204);
    await checkAnswer(`DELETE ${kind}`, remove.op, deleted);
    const gone = await fetch(base + exampleUrl(remove.path, remove.op, { item }), requestInit('delete', remove.op, token));
    assert.equal(gone.status, 404);
    await checkAnswer(`DELETE ${kind} again`, remove.op, gone);
  });
}
