#!/bin/bash
# First start of the compose PostgreSQL (docker-entrypoint-initdb.d): the migrator, which
# owns the schemas and runs migrations, and one login per service with rights on its own
# schema only (granted by the migrator after each migration). Passwords come from .env
# (npm run compose:env). The same as provisionDatabaseRoles in packages/platform.
set -euo pipefail
psql -v ON_ERROR_STOP=1 -q --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v db="$POSTGRES_DB" \
  -v migrator="$MIGRATOR_DB_PASSWORD" \
  -v identity="$GATEWAY_DB_PASSWORD" \
  -v expense="$EXPENSE_DB_PASSWORD" \
  -v approval="$APPROVAL_DB_PASSWORD" \
  -v notification="$NOTIFICATION_DB_PASSWORD" <<'SQL'
create role countersign_migrator login nosuperuser nocreatedb nocreaterole password :'migrator';
grant connect, create on database :"db" to countersign_migrator;
create role countersign_identity login noinherit nosuperuser nocreatedb nocreaterole password :'identity';
create role countersign_expense login noinherit nosuperuser nocreatedb nocreaterole password :'expense';
create role countersign_approval login noinherit nosuperuser nocreatedb nocreaterole password :'approval';
create role countersign_notification login noinherit nosuperuser nocreatedb nocreaterole password :'notification';
SQL
