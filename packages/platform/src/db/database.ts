import { Kysely, type Migration, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

export interface DatabaseOptions {
  url: string;
  /** The PostgreSQL schema the service owns; every unqualified table lives there. */
  schema: string;
  maxConnections?: number;
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
  });
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
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
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
