import {
  auditChainMigration,
  auditCheckpointMigration,
  auditTrailMigration,
  createDatabase,
  type MessagingTables,
  messagingTablesV1,
  messagingTablesV2,
  migrateSchema,
} from '@countersign/platform';
import { type Kysely, type Migration, sql } from 'kysely';
import pg from 'pg';

const ADMIN_URL =
  process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const INT_DATABASE_URL =
  process.env.TEST_INT_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/countersign_int';

/** Creates the database TEST_INT_DATABASE_URL names if it is missing (each parallel run has its own). */
export async function ensureIntDatabase(): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const name = new URL(INT_DATABASE_URL).pathname.slice(1);
  const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
  if (exists.rowCount === 0) await admin.query(`create database "${name}"`);
  await admin.end();
}

/** A schema of its own in the integration database, holding only the messaging tables. */
export async function freshMessagingSchema(schema: string): Promise<Kysely<MessagingTables>> {
  await ensureIntDatabase();
  const db = createDatabase<MessagingTables>({ url: INT_DATABASE_URL, schema });
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  await migrateSchema(db, schema, {
    '0001-messaging': messagingTablesV1,
    '0002-messaging': messagingTablesV2(schema),
  });
  return db;
}

/**
 * A service's own migrations, run into a scratch schema of the integration database
 * (dropped first). The migrations that name their schema (the outbox trigger, the audit
 * trail and its chain) are rebuilt for the scratch schema, found by their name's ending.
 */
export async function freshServiceSchema<DB>(
  schema: string,
  migrations: Record<string, Migration>,
  options: { maxConnections?: number } = {},
): Promise<Kysely<DB>> {
  await ensureIntDatabase();
  const db = createDatabase<DB>({ url: INT_DATABASE_URL, schema, ...options });
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  const namingTheirSchema: [RegExp, (schema: string) => Migration][] = [
    [/outbox-notify-and-lease$/, messagingTablesV2],
    [/audit-trail$/, auditTrailMigration],
    [/audit-chain$/, auditChainMigration],
    [/audit-checkpoints$/, auditCheckpointMigration],
  ];
  const aimed = Object.fromEntries(
    Object.entries(migrations).map(([name, migration]) => {
      const rebuild = namingTheirSchema.find(([pattern]) => pattern.test(name))?.[1];
      return [name, rebuild ? rebuild(schema) : migration];
    }),
  );
  await migrateSchema(db, schema, aimed);
  return db;
}
