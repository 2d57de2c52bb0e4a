#!/bin/bash
# Stand-in entrypoint (see Dockerfile): initialise the cluster once (running the init
# scripts of /docker-entrypoint-initdb.d), then run postgres.
set -euo pipefail
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
  pwfile=$(mktemp)
  printf '%s' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb --username="$user" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  pg_ctl -o "-c listen_addresses=''" -w start >/dev/null
  if [[ "$db" != postgres ]]; then
    psql -v ON_ERROR_STOP=1 --username="$user" --dbname=postgres -q \
      -c "create database \"${db//\"/\"\"}\""
  fi
  # As the real image does: scripts in /docker-entrypoint-initdb.d run once, on first start.
  export POSTGRES_USER="$user" POSTGRES_DB="$db"
  for script in /docker-entrypoint-initdb.d/*; do
    case "$script" in
      *.sh) echo "stand-in postgres: running $script"; bash "$script" ;;
      *.sql) echo "stand-in postgres: running $script"; psql -v ON_ERROR_STOP=1 -q --username="$user" --dbname="$db" -f "$script" ;;
    esac
  done
  pg_ctl -m fast -w stop >/dev/null
  echo "stand-in postgres: initialised $PGDATA for user $user, database $db"
fi
if [[ "${1:-}" == postgres ]]; then
  shift
  exec postgres -c listen_addresses='*' "$@"
fi
exec "$@"
