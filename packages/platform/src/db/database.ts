import { Kysely, type Migration, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { grantServiceRole, serviceRoleOf } from '../audit/role.js';
import type { Logger } from '../logger.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';

export interface DatabaseOptions {
  url: string;
  /** The PostgreSQL schema the service owns; every unqualified table lives there. */
  schema: string;
  maxConnections?: number;
  /**
   * A role every connection assumes at start (`-c role=…`). Tests only: a superuser
   * session acting as a role can `RESET ROLE` back; services log in as their role instead.
   */
  role?: string;
  /** Reports the pool's connections (`pool` = the schema) at every scrape. */
  metrics?: ServiceMetrics | undefined;
  /** Told when an idle connection is lost (the server stopped or restarted). */
  logger?: Logger | undefined;
}

/**
 * How long a query waits for a connection: for a free one in a full pool, or for a new one
 * to open. Past it the query fails (a 503 with Retry-After over HTTP, see
 * http/dependency-failure.ts) instead of hanging while the database is down or swamped. It
 * matches the services' own call timeout (http/service-client.ts).
 */
export const CONNECTION_WAIT_MS = 5_000;

/**
 * A Kysely instance bound to one service's schema. Several replicas share the same
 * database; the pool is the only connection state and main.ts owns its lifetime.
 */
export function createDatabase<DB>(options: DatabaseOptions): Kysely<DB> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    application_name: `countersign-${options.schema}`,
    connectionTimeoutMillis: CONNECTION_WAIT_MS,
    ...(options.role ? { options: `-c role=${options.role}` } : {}),
  });
  // An idle connection the server ends (it stopped, crashed or restarted) is reported on
  // the pool: unheard, that event would end the process. The pool drops the connection and
  // opens a new one for the next query, so the service recovers once the server is back.
  pool.on('error', (error) => {
    options.logger?.warn({ err: error, pool: options.schema }, 'idle database connection lost');
  });
  // A connection that is checked out but between queries (a transaction awaiting other
  // work, a held advisory lock) reports its loss on itself, where the pool does not
  // listen: the query that uses it next fails instead, and the pool discards it.
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      options.logger?.warn({ err: error, pool: options.schema }, 'database connection lost');
    });
  });
  options.metrics?.watchPool(options.schema, pool);
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }).withSchema(options.schema);
}

/**
 * Runs a service's migrations inside its own schema, bookkeeping included. Kysely's
 * migrator holds an advisory lock, so replicas starting together migrate once.
 */
export async function migrateSchema<DB>(
  db: Kysely<DB>,
  schema: string,
  migrations: Record<string, Migration>,
): Promise<string[]> {
  await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema,
    // Branches developed in parallel each add migrations with their own timestamp prefix;
    // after a merge, a database that already ran a later-named one must still take the
    // earlier-named newcomer. Migrations stay independent of each other's order.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export interface ServiceDatabaseOptions extends DatabaseOptions {
  /**
   * The migrator's URL (MIGRATION_DATABASE_URL): when given, the schema is migrated and
   * the service's grants re-applied through it before the service connects with `url`.
   * Without it the service only checks that its schema is fully migrated.
   */
  migrationUrl?: string | undefined;
  /** Migrate and return without checking the runtime login (a migration Job). */
  migrateOnly?: boolean;
  migrations: Record<string, Migration>;
  /** Called with the migrations applied by this start, if any. */
  onMigrated?: (applied: string[]) => void;
}

/** The service's database login is unfit to run it (see checkRuntimeLogin). */
export class DatabaseLoginError extends Error {}

/**
 * Migrates the service's schema as the migrator (when `migrationUrl` is given), grants the
 * service's login what it needs (INSERT and SELECT only on the audit trail), and returns
 * the pool the service runs on, connected with `url` as the service's own login. That
 * login must not be a superuser nor able to act as the schema's owner: the audit trail's
 * grants, and the other schemas' absence of grants, then bind the running service.
 */
export async function openServiceDatabase<DB>(
  options: ServiceDatabaseOptions,
): Promise<Kysely<DB>> {
  const { migrations, onMigrated, migrationUrl, migrateOnly, metrics, ...database } = options;
  if (migrationUrl) {
    const migrator = createDatabase<DB>({ ...database, url: migrationUrl, maxConnections: 2 });
    try {
      const applied = await migrateSchema(migrator, options.schema, migrations);
      if (applied.length > 0) onMigrated?.(applied);
      await grantServiceRole(migrator, options.schema);
    } finally {
      await migrator.destroy();
    }
  } else if (migrateOnly) {
    throw new DatabaseLoginError('MIGRATE_ONLY needs MIGRATION_DATABASE_URL (the migrator login)');
  }
  const db = createDatabase<DB>({ ...database, metrics });
  if (!migrateOnly) {
    try {
      await checkRuntimeLogin(db, options.schema, Object.keys(migrations));
    } catch (error) {
      await db.destroy();
      throw error;
    }
  }
  return db;
}

/**
 * Refuses a runtime login that could undo the separation: a superuser, the schema's owner
 * or any role that may become it (`SET ROLE`), or a schema behind the code's migrations.
 */
export async function checkRuntimeLogin<DB>(
  db: Kysely<DB>,
  schema: string,
  migrationNames: string[],
): Promise<void> {
  const login = await sql<{ user: string; superuser: boolean; owner: boolean | null }>`
    select current_user as user,
           (select rolsuper from pg_roles where rolname = current_user) as superuser,
           (select pg_has_role(current_user, nspowner, 'MEMBER')
              from pg_namespace where nspname = ${schema}) as owner`.execute(db);
  const row = login.rows[0];
  if (!row) throw new DatabaseLoginError('could not read the database login');
  const expected = serviceRoleOf(schema);
  if (row.superuser || row.owner) {
    throw new DatabaseLoginError(
      `DATABASE_URL logs in as ${row.user}, which ${row.superuser ? 'is a superuser' : `owns schema ${schema}`}: ` +
        `the service must run as its own login (${expected}); migrations use MIGRATION_DATABASE_URL`,
    );
  }
  if (row.owner === null) {
    throw new DatabaseLoginError(
      `schema ${schema} does not exist or ${row.user} may not use it: migrate first (MIGRATION_DATABASE_URL)`,
    );
  }
  const applied = await sql<{ name: string }>`
    select name from ${sql.id(schema, 'kysely_migration')}`.execute(db);
  const done = new Set(applied.rows.map((r) => r.name));
  const pending = migrationNames.filter((name) => !done.has(name));
  if (pending.length > 0) {
    throw new DatabaseLoginError(
      `schema ${schema} lacks ${pending.length} migration(s) (${pending.join(', ')}): run the migration first`,
    );
  }
}

/** Whether the database answers; used by /readyz. */
export async function pingDatabase<DB>(db: Kysely<DB>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
