#!/bin/bash
# docker/compose.yml, primary, first start only (/docker-entrypoint-initdb.d): the role the
# replica's pg_basebackup and streaming connect as, and the pg_hba.conf line that lets it in
# ("all" in pg_hba.conf's database column does not cover replication connections).
set -euo pipefail
psql -v ON_ERROR_STOP=1 -U "${POSTGRES_USER:-postgres}" -d postgres \
     -v password="$REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
