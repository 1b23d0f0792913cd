// docker/compose.yml cannot be run here (no Docker daemon): this checks it is the topology
// scripts/cluster runs and tests, wired to the same docker/nginx.conf. Run by ctest (label cluster).
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import YAML from 'yaml';

const docker = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docker');
const compose = YAML.parse(readFileSync(path.join(docker, 'compose.yml'), 'utf8'), { merge: true });
const nginxConf = readFileSync(path.join(docker, 'nginx.conf'), 'utf8');
const services = compose.services;
const host = (url) => new URL(url).hostname;

test('primary, replica, init, two servers and nginx', () => {
  for (const name of ['primary', 'replica', 'init', 'crimemapd1', 'crimemapd2', 'nginx'])
    assert.ok(services[name], `service ${name}`);
  assert.deepEqual(Object.keys(services).filter((s) => s.startsWith('crimemapd')).sort(), ['crimemapd1', 'crimemapd2']);
});

test('the replica is a pg_basebackup -R of the primary, which lets it in', () => {
  const entry = readFileSync(path.join(docker, 'replica-entrypoint.sh'), 'utf8');
  assert.match(entry, /pg_basebackup -h "\$PRIMARY_HOST" -U replicator[\s\\]+-D "\$PGDATA" -R -X stream/);
  assert.match(entry, /hot_standby_feedback = on/);
  assert.equal(services.replica.environment.PRIMARY_HOST, 'primary');
  assert.ok(services.replica.volumes.some((v) => v.startsWith('./replica-entrypoint.sh:')));
  const init = readFileSync(path.join(docker, 'primary-init.sh'), 'utf8');
  assert.match(init, /CREATE ROLE replicator WITH REPLICATION LOGIN/);
  assert.match(init, /host replication replicator all/);
  assert.ok(services.primary.volumes.some((v) => v.startsWith('./primary-init.sh:/docker-entrypoint-initdb.d/')));
  assert.equal(services.primary.environment.REPLICATION_PASSWORD, services.replica.environment.REPLICATION_PASSWORD);
});

test('servers read the replica, LISTEN and write on the primary, trust only nginx', () => {
  const nginxAddress = services.nginx.networks.default.ipv4_address;
  for (const name of ['crimemapd1', 'crimemapd2']) {
    const env = services[name].environment;
    assert.equal(host(env.CRIMEMAP_DATABASE_URL), 'replica', name);
    assert.equal(host(env.CRIMEMAP_NOTIFY_URL), 'primary', name);
    assert.equal(host(env.CRIMEMAP_WRITE_URL), 'primary', name);
    for (const url of [env.CRIMEMAP_DATABASE_URL, env.CRIMEMAP_NOTIFY_URL, env.CRIMEMAP_WRITE_URL])
      assert.equal(new URL(url).username, 'crimemap_server', name);
    assert.equal(new URL(env.CRIMEMAP_DATABASE_URL).password, services.init.environment.CRIMEMAP_SERVER_PASSWORD);
    assert.equal(env.CRIMEMAP_TRUSTED_PROXIES, nginxAddress, name);
    assert.equal(services[name].depends_on.replica.condition, 'service_healthy');
  }
  const subnet = compose.networks.default.ipam.config[0].subnet;  // a /16 here
  assert.equal(nginxAddress.split('.').slice(0, 2).join('.'), subnet.split('.').slice(0, 2).join('.'));
});

test('nginx uses docker/nginx.conf, and its environment fills every placeholder', () => {
  const nginx = services.nginx;
  assert.ok(nginx.volumes.includes('./nginx.conf:/etc/nginx/templates/nginx.conf.template:ro'));
  assert.equal(nginx.environment.NGINX_ENVSUBST_OUTPUT_DIR, '/etc/nginx');
  const code = nginxConf.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');
  const placeholders = [...new Set([...code.matchAll(/\$\{(CRIMEMAP_[A-Z0-9_]+)\}/g)].map((m) => m[1]))];
  assert.ok(placeholders.length >= 4, placeholders.join());
  for (const p of placeholders) assert.ok(nginx.environment[p] !== undefined, `${p} is not set for nginx`);
  // Every upstream server line names one of the servers, on the port crimemapd listens on.
  const dockerfile = readFileSync(path.join(docker, 'Dockerfile'), 'utf8');
  const port = dockerfile.match(/CRIMEMAP_PORT=(\d+)/)[1];
  const upstreams = [...code.matchAll(/server \$\{(CRIMEMAP_BACKEND_\d+)\}/g)].map((m) => nginx.environment[m[1]]);
  assert.deepEqual(upstreams.sort(), ['crimemapd1:' + port, 'crimemapd2:' + port]);
  assert.deepEqual(nginx.ports, ['8080:' + nginx.environment.CRIMEMAP_NGINX_LISTEN]);
  // Only nginx is published.
  for (const [name, s] of Object.entries(services)) if (name !== 'nginx') assert.equal(s.ports, undefined, name);
  assert.ok(existsSync(path.join(docker, 'Dockerfile')));
});
