import { Kysely, type Migration, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { grantServiceRole, serviceRoleOf } from '../audit/role.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';

export interface DatabaseOptions {
  url: string;
  /** The PostgreSQL schema the service owns; every unqualified table lives there. */
  schema: string;
  maxConnections?: number;
  /**
   * A role every connection of the pool assumes at start (`-c role=…`, so a missing role
   * fails the connection instead of silently leaving it superuser).
   */
  role?: string;
  /** Reports the pool's connections (`pool` = the schema) at every scrape. */
  metrics?: ServiceMetrics | undefined;
}

/**
 * A Kysely instance bound to one service's schema. Several replicas share the same
 * database; the pool is the only connection state and main.ts owns its lifetime.
 */
export function createDatabase<DB>(options: DatabaseOptions): Kysely<DB> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    application_name: `countersign-${options.schema}`,
    ...(options.role ? { options: `-c role=${options.role}` } : {}),
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
  migrations: Record<string, Migration>;
  /** Called with the migrations applied by this start, if any. */
  onMigrated?: (applied: string[]) => void;
}

/**
 * Migrates the service's schema as the connecting (owner) user, grants the service's role
 * what it needs (INSERT and SELECT only on the audit trail), and returns the pool the
 * service runs on, whose connections assume that role: the audit trail's grants bind the
 * running service even though the deployment connects as the owner.
 */
export async function openServiceDatabase<DB>(
  options: ServiceDatabaseOptions,
): Promise<Kysely<DB>> {
  const { migrations, onMigrated, role, metrics, ...database } = options;
  const owner = createDatabase<DB>({ ...database, maxConnections: 2 });
  try {
    const applied = await migrateSchema(owner, options.schema, migrations);
    if (applied.length > 0) onMigrated?.(applied);
    await grantServiceRole(owner, options.schema);
  } finally {
    await owner.destroy();
  }
  return createDatabase<DB>({
    ...database,
    role: role ?? serviceRoleOf(options.schema),
    metrics,
  });
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
