import { once } from 'node:events';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceName, spawnService } from '../../scripts/cluster.js';
import { localSecrets, prepareDatabaseLogins } from '../../scripts/db-roles.js';
import { migrations as approvalMigrations } from '../../services/approval/src/db/migrations/index.js';
import { migrations as expenseMigrations } from '../../services/expense/src/db/migrations/index.js';
import { migrations as gatewayMigrations } from '../../services/gateway/src/db/migrations/index.js';
import { migrations as notificationMigrations } from '../../services/notification/src/db/migrations/index.js';

/**
 * MIGRATE_ONLY is what the Kubernetes migration Job runs (deploy/k8s/base/migrate-job.yaml):
 * each service migrates its schema into a fresh database as the migrator
 * (MIGRATION_DATABASE_URL) and exits 0, without NATS (the URL below points at a port
 * nothing listens on) and without listening on its port.
 */
const ADMIN_URL =
  process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const intUrl = new URL(
  process.env.TEST_INT_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/countersign_int',
);
const databaseName = `${intUrl.pathname.slice(1)}_migrate_only`;
const databaseUrl = Object.assign(new URL(intUrl), { pathname: `/${databaseName}` }).toString();

const services: { name: ServiceName; schema: string; migrations: Record<string, unknown> }[] = [
  { name: 'gateway', schema: 'identity', migrations: gatewayMigrations },
  { name: 'expense', schema: 'expense', migrations: expenseMigrations },
  { name: 'approval', schema: 'approval', migrations: approvalMigrations },
  { name: 'notification', schema: 'notification', migrations: notificationMigrations },
];

async function withAdmin(run: (admin: pg.Client) => Promise<void>): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await run(admin);
  } finally {
    await admin.end();
  }
}

async function recreateDatabase(): Promise<void> {
  await withAdmin(async (admin) => {
    await admin.query(`drop database if exists "${databaseName}" with (force)`);
    await admin.query(`create database "${databaseName}"`);
  });
}

const db = new pg.Pool({ connectionString: databaseUrl, max: 1 });

let logins: Awaited<ReturnType<typeof prepareDatabaseLogins>>;
beforeAll(async () => {
  await recreateDatabase();
  logins = await prepareDatabaseLogins(ADMIN_URL, databaseUrl, localSecrets());
});
afterAll(async () => {
  await db.end();
  await withAdmin(async (admin) => {
    await admin.query(`drop database if exists "${databaseName}" with (force)`);
  });
});

describe('MIGRATE_ONLY (the migration Job)', () => {
  it.each(services)('$name migrates its schema and exits 0 without NATS', async (service) => {
    const child = spawnService(
      service.name,
      {
        ...logins[service.name],
        NATS_URL: 'nats://127.0.0.1:1',
        PORT: '1',
        LOG_LEVEL: 'warn',
        MIGRATE_ONLY: 'true',
      },
      'inherit',
    );
    const [exitCode] = (await once(child, 'exit')) as [number | null];
    expect(exitCode).toBe(0);
    const applied = await db.query<{ name: string }>(
      `select name from "${service.schema}".kysely_migration order by name`,
    );
    expect(applied.rows.map((row) => row.name)).toEqual(Object.keys(service.migrations).sort());
    const owner = await db.query<{ owner: string }>(
      'select nspowner::regrole::text as owner from pg_namespace where nspname = $1',
      [service.schema],
    );
    expect(owner.rows[0]?.owner).toBe('countersign_migrator');
  });
});
