import pg from 'pg';
import { serviceRoleOf } from '../audit/role.js';

/** The role that owns the service schemas and runs migrations; no service runs as it. */
export const MIGRATOR_ROLE = 'countersign_migrator';

export interface DatabaseRolePasswords {
  migrator: string;
  /** Per service schema (identity, expense, approval, notification): its login's password. */
  services: Record<string, string>;
}

export interface ProvisionOptions {
  /** A superuser (or CREATEROLE admin) connection, e.g. to the `postgres` database. */
  adminUrl: string;
  /** The database the cluster uses: the migrator may create schemas there. */
  database: string;
  passwords: DatabaseRolePasswords;
}

const DUPLICATE_OBJECT = '42710';
const UNIQUE_VIOLATION = '23505';
const CONCURRENT_UPDATE = 'XX000';

/** Role attributes no service login may have: it is exactly itself and nothing more. */
const SERVICE_LOGIN =
  'login nosuperuser nocreatedb nocreaterole noreplication nobypassrls noinherit';
const MIGRATOR_LOGIN = 'login nosuperuser nocreatedb nocreaterole noreplication nobypassrls';

/**
 * Creates (or updates) the migrator and one login per service schema, with the given
 * passwords, and lets the migrator create schemas in `database`. Service logins are taken
 * out of every role they were a member of (an old grant could let them `SET ROLE` to the
 * owner). Schemas an earlier version left owned by another user pass to the migrator.
 *
 * Idempotent. Roles are cluster-wide and test databases are set up in parallel: role
 * changes run under one advisory lock in the admin database, and a concurrent CREATE ROLE
 * from code that does not take it is tolerated.
 */
export async function provisionDatabaseRoles(options: ProvisionOptions): Promise<void> {
  const admin = new pg.Client({ connectionString: options.adminUrl });
  await admin.connect();
  try {
    await admin.query(`select pg_advisory_lock(hashtext('countersign_roles'))`);
    await ensureLogin(admin, MIGRATOR_ROLE, MIGRATOR_LOGIN, options.passwords.migrator);
    for (const [schema, password] of Object.entries(options.passwords.services)) {
      const role = serviceRoleOf(schema);
      await ensureLogin(admin, role, SERVICE_LOGIN, password);
      await dropMemberships(admin, role);
    }
    const database = pg.escapeIdentifier(options.database);
    await retryConcurrent(() =>
      admin.query(`grant connect, create on database ${database} to ${MIGRATOR_ROLE}`),
    );
    await admin.query(`select pg_advisory_unlock(hashtext('countersign_roles'))`);
  } finally {
    await admin.end();
  }
  await handSchemasToMigrator(options, Object.keys(options.passwords.services));
}

async function ensureLogin(
  admin: pg.Client,
  role: string,
  attributes: string,
  password: string,
): Promise<void> {
  const name = pg.escapeIdentifier(role);
  const found = await admin.query('select 1 from pg_roles where rolname = $1', [role]);
  if (found.rowCount === 0) {
    try {
      await admin.query(`create role ${name} ${attributes}`);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== DUPLICATE_OBJECT && code !== UNIQUE_VIOLATION) throw error;
    }
  }
  // PASSWORD takes no bind parameter: the literal is escaped by the driver.
  await retryConcurrent(() =>
    admin.query(`alter role ${name} ${attributes} password ${admin.escapeLiteral(password)}`),
  );
}

async function dropMemberships(admin: pg.Client, role: string): Promise<void> {
  const memberships = await admin.query<{ granted: string }>(
    `select g.rolname as granted from pg_auth_members m
       join pg_roles g on g.oid = m.roleid join pg_roles r on r.oid = m.member
      where r.rolname = $1`,
    [role],
  );
  for (const { granted } of memberships.rows) {
    await admin.query(
      `revoke ${pg.escapeIdentifier(granted)} from ${pg.escapeIdentifier(role)} cascade`,
    );
  }
}

/**
 * A database set up by an earlier version has its schemas owned by whoever migrated them
 * (often the superuser): the migrator takes them over, with everything in them.
 */
async function handSchemasToMigrator(options: ProvisionOptions, schemas: string[]): Promise<void> {
  const url = new URL(options.adminUrl);
  url.pathname = `/${options.database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const owned = await client.query<{ schema: string }>(
      `select nspname as schema from pg_namespace
        where nspname = any($1) and nspowner <> (select oid from pg_roles where rolname = $2)`,
      [schemas, MIGRATOR_ROLE],
    );
    for (const { schema } of owned.rows) await reassignSchema(client, schema);
  } finally {
    await client.end();
  }
}

async function reassignSchema(client: pg.Client, schema: string): Promise<void> {
  const objects = await client.query<{ kind: string; name: string }>(
    `select case c.relkind when 'S' then 'sequence' when 'v' then 'view'
              when 'm' then 'materialized view' else 'table' end as kind,
            format('%I.%I', n.nspname, c.relname) as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm', 'S')
        and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype in ('a', 'i')
                          and c.relkind = 'S')
     union all
     select case p.prokind when 'p' then 'procedure' else 'function' end,
            format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = $1
     union all
     select 'type', format('%I.%I', n.nspname, t.typname)
       from pg_type t join pg_namespace n on n.oid = t.typnamespace
      where n.nspname = $1 and t.typtype in ('e', 'd', 'c') and (t.typrelid = 0
        or (select relkind from pg_class where oid = t.typrelid) = 'c')`,
    [schema],
  );
  await client.query('begin');
  try {
    await client.query(`alter schema ${pg.escapeIdentifier(schema)} owner to ${MIGRATOR_ROLE}`);
    for (const { kind, name } of objects.rows) {
      await client.query(`alter ${kind} ${name} owner to ${MIGRATOR_ROLE}`);
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}

/** Catalog rows updated by two sessions at once fail one of them ("tuple concurrently updated"). */
async function retryConcurrent<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== CONCURRENT_UPDATE || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}
