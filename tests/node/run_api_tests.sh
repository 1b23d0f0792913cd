#!/usr/bin/env bash
# HTTP tests of the JSON APIs on the real sample: a fresh database next to the one in
# CRIMEMAP_TEST_DATABASE_URL, `crimemap seed data/sample`, two bearer tokens, crimemapd on a free
# port (as the crimemap_server role) also serving a `crimemap export tiles` archive (--tiles), then
# node's test runner on tests/node/*.test.mjs (incl. the npm postcodesio-client and pmtiles reader).
# Usage: run_api_tests.sh <crimemap binary> <crimemapd binary>
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
crimemap="$1"
crimemapd="$2"
base="${CRIMEMAP_TEST_DATABASE_URL:?CRIMEMAP_TEST_DATABASE_URL is not set (scripts/test sets it)}"
db="crimemap_api_node_$$"
server_url="${base%/*}"
export CRIMEMAP_DATABASE_URL="$server_url/$db"
log="$(mktemp /tmp/crimemap-api-node.XXXXXX)"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  psql "$server_url/postgres" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -f "$log"
  [ -n "${archive_dir:-}" ] && rm -rf "$archive_dir"
}
trap cleanup EXIT

# Packages come from scripts/setup; a test never installs them itself.
[ -d "$here/node_modules/postcodesio-client" ] && [ -d "$here/node_modules/ukpd" ] || { echo "tests/node/node_modules missing or stale: run scripts/setup" >&2; exit 1; }
psql "$server_url/postgres" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
"$crimemap" seed "$root/data/sample" >/dev/null
# Team activity from neighbourhood JSON: the sample's HE06 with one priority and one event added,
# imported twice (the second import must add nothing).
teamdir="$(mktemp -d /tmp/crimemap-api-team.XXXXXX)"
mkdir -p "$teamdir/west-mercia"
cp "$root/data/sample/neighbourhoods/west-mercia/HE06.kml" "$teamdir/west-mercia/"
node - "$root/data/sample/neighbourhoods/west-mercia/HE06.json" "$teamdir/west-mercia/HE06.json" <<'JS'
const fs = require('node:fs');
const [from, to] = process.argv.slice(2);
const team = JSON.parse(fs.readFileSync(from, 'utf8'));
team.priorities = [{ issue: 'Imported priority: cycling on pavements', 'issue-date': '2019-01-15T00:00:00',
                     action: 'Leaflets and patrols', 'action-date': '2019-02-01T00:00:00' }];
team.events = [{ title: 'Imported meeting', start_date: '2999-01-01T19:00:00', address: 'Town Hall',
                 type: 'meeting', contact_details: { telephone: '101' } }];
fs.writeFileSync(to, JSON.stringify(team));
JS
"$crimemap" import neighbourhoods "$teamdir" >/dev/null
"$crimemap" import neighbourhoods "$teamdir" >/dev/null
rm -rf "$teamdir"
imported="$(psql "$CRIMEMAP_DATABASE_URL" -Atc "SELECT (SELECT count(*) FROM neighbourhood_priorities WHERE issue LIKE 'Imported%') || ',' || (SELECT count(*) FROM neighbourhood_events WHERE title = 'Imported meeting')")"
[ "$imported" = "1,1" ] || { echo "import neighbourhoods: expected 1 priority and 1 event after two imports, got $imported"; exit 1; }

# Outcomes, stop and search and force details in police.uk's layouts (tests/fixtures), for the
# police.uk clients (ukpd) and the outcome and stop routes; refresh publishes them.
"$crimemap" import outcomes "$root/tests/fixtures/outcomes" >/dev/null
"$crimemap" import stops "$root/tests/fixtures/stops" >/dev/null
"$crimemap" import forces "$root/tests/fixtures/forces" >/dev/null
"$crimemap" refresh >/dev/null

export CRIMEMAP_TOKEN_NB="$("$crimemap" token create --force west-mercia --neighbourhood HE06 --label node-test 2>/dev/null)"
export CRIMEMAP_TOKEN_FORCE="$("$crimemap" token create --force west-mercia --label node-test 2>/dev/null)"
export CRIMEMAP_TOKEN_OTHER="$("$crimemap" token create --force dorset --label node-test 2>/dev/null)"

# A static archive of the sample's five months (crimemap export tiles), served by crimemapd --tiles
# under the name docs/openapi.json's example uses (and as the --basemap: any PMTiles will do there),
# read by pmtiles_export.test.mjs with the npm pmtiles reader; the crimes it must hold, by SQL.
archive_dir="$(mktemp -d /tmp/crimemap-api-archive.XXXXXX)"
export CRIMEMAP_EXPORT_FROM=2018-10 CRIMEMAP_EXPORT_TO=2019-02
export CRIMEMAP_EXPORT_PMTILES="$archive_dir/sample-2018-10-2019-02.pmtiles"
"$crimemap" export tiles "$CRIMEMAP_EXPORT_PMTILES" --layers crimes,areas --maxzoom 12 \
  --from "$CRIMEMAP_EXPORT_FROM" --to "$CRIMEMAP_EXPORT_TO" >/dev/null
export CRIMEMAP_EXPORT_LOCATED="$(psql "$CRIMEMAP_DATABASE_URL" -Atc "SELECT count(*) FROM crimes WHERE geom IS NOT NULL AND month BETWEEN '$CRIMEMAP_EXPORT_FROM-01' AND '$CRIMEMAP_EXPORT_TO-01'")"

# crimemapd runs as the least-privileged crimemap_server role `crimemap migrate` created (trusted on
# the private cluster); the CLI above keeps the owner role.
server_db_url="$(sed -E 's#^([a-z]+://)([^@/]*@)?#\1crimemap_server@#' <<<"$CRIMEMAP_DATABASE_URL")"
"$crimemapd" --host 127.0.0.1 --port 0 --threads 2 --database-url "$server_db_url" \
  --rate-limit 5000/10000 --tile-rate-limit 5000/10000 `# far above what these tests send` \
  --tiles "$CRIMEMAP_EXPORT_PMTILES" --basemap "$CRIMEMAP_EXPORT_PMTILES" >"$log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 100); do
  port="$(sed -n 's#.*listening on http://127.0.0.1:\([0-9]*\)/.*#\1#p' "$log" | head -1)"
  if [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1; then break; fi
  sleep 0.2
done
curl -sf "http://127.0.0.1:$port/ready" >/dev/null || { echo "crimemapd did not become ready:"; cat "$log"; exit 1; }
export CRIMEMAP_URL="http://127.0.0.1:$port"
export CRIMEMAP_SHARED_DATA="$root/../shared/data"

status=0
node --test "$here"/*.test.mjs || status=$?
# Every write the tests made is in the audit log, with its token.
audited="$(psql "$CRIMEMAP_DATABASE_URL" -Atc "SELECT count(*) FROM audit_log a JOIN api_tokens t ON t.id = a.token_id WHERE t.label = 'node-test'")"
if [ "$audited" -lt 4 ]; then echo "expected at least 4 audited writes, found $audited"; status=1; fi
exit $status
