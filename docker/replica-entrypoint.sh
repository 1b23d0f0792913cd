#!/bin/bash
# docker/compose.yml, replica: a streaming hot standby of $PRIMARY_HOST, as scripts/cluster makes
# one. An empty volume gets a base backup (-R: primary_conninfo and standby.signal); then postgres
# runs as usual (the image's entrypoint drops to the postgres user).
set -euo pipefail
export PGDATA=/var/lib/postgresql/data
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  until gosu postgres env PGPASSWORD="$REPLICATION_PASSWORD" pg_basebackup -h "$PRIMARY_HOST" -U replicator \
      -D "$PGDATA" -R -X stream -c fast; do
    echo "replica: waiting for the primary"; rm -rf "${PGDATA:?}"/*; sleep 2
  done
  # Keeps the primary's vacuum from cancelling a long snapshot load on the standby.
  echo "hot_standby_feedback = on" >> "$PGDATA/postgresql.conf"
fi
exec docker-entrypoint.sh postgres
