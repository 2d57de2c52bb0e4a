import { type Kysely, sql } from 'kysely';

/** The login a service runs as (its DATABASE_URL's user); see db/roles.ts. */
export function serviceRoleOf(schema: string): string {
  return `countersign_${schema}`;
}

/**
 * Grants the service's login what the service needs on its own schema, except that the
 * audit trail (audit_log and audit_chain) gets INSERT and SELECT only and the migration
 * bookkeeping SELECT only. Run by the migrator (the schema's owner) after every migration,
 * so tables added later are covered; idempotent. The login itself is created beforehand
 * by provisionDatabaseRoles (an administrator's step): the migrator cannot create roles.
 */
export async function grantServiceRole<DB>(db: Kysely<DB>, schema: string): Promise<void> {
  const role = sql.id(serviceRoleOf(schema));
  const exists = await sql<{ found: boolean }>`
    select exists (select 1 from pg_roles where rolname = ${serviceRoleOf(schema)}) as found`.execute(
    db,
  );
  if (!exists.rows[0]?.found) {
    throw new Error(
      `role ${serviceRoleOf(schema)} does not exist: provision the database roles first (docs/OPERATIONS.md, "Database roles")`,
    );
  }
  const owned = sql.id(schema);
  // Replicas starting together would otherwise race on the same ACLs ("tuple concurrently
  // updated"); one at a time per schema, released at commit.
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`countersign_grants:${schema}`}))`.execute(
      trx,
    );
    await sql`grant usage on schema ${owned} to ${role}`.execute(trx);
    await sql`grant select, insert, update, delete on all tables in schema ${owned} to ${role}`.execute(
      trx,
    );
    await sql`grant usage, select, update on all sequences in schema ${owned} to ${role}`.execute(
      trx,
    );
    await sql`grant execute on all functions in schema ${owned} to ${role}`.execute(trx);
    for (const table of ['audit_log', 'audit_chain']) {
      const found = await sql<{ found: boolean }>`
        select to_regclass(${`${schema}.${table}`}) is not null as found`.execute(trx);
      if (!found.rows[0]?.found) continue;
      await sql`revoke update, delete, truncate, references, trigger on ${sql.id(schema, table)} from ${role}`.execute(
        trx,
      );
    }
    for (const table of ['kysely_migration', 'kysely_migration_lock']) {
      const found = await sql<{ found: boolean }>`
        select to_regclass(${`${schema}.${table}`}) is not null as found`.execute(trx);
      if (!found.rows[0]?.found) continue;
      await sql`revoke insert, update, delete, truncate, references, trigger on ${sql.id(schema, table)} from ${role}`.execute(
        trx,
      );
    }
    // The chain queue: the trigger inserts, the chainer reads and deletes. Nobody edits it.
    const queue = await sql<{ found: boolean }>`
      select to_regclass(${`${schema}.audit_unchained`}) is not null as found`.execute(trx);
    if (queue.rows[0]?.found) {
      await sql`revoke update, truncate, references, trigger on ${sql.id(schema, 'audit_unchained')} from ${role}`.execute(
        trx,
      );
    }
  });
}
