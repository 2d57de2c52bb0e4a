import { type Kysely, sql } from 'kysely';

/** The non-superuser role a service's pool runs as (`SET ROLE` at connection start). */
export function serviceRoleOf(schema: string): string {
  return `countersign_${schema}`;
}

const DUPLICATE_OBJECT = '42710';
const UNIQUE_VIOLATION = '23505';

/**
 * Creates the service's role if it is missing and grants it what the service needs on its
 * own schema, except that the audit trail (audit_log and audit_chain) gets INSERT and SELECT
 * only. Idempotent and run
 * after every migration so tables added later are covered. Roles are cluster-wide and test
 * databases are set up in parallel: a concurrent CREATE ROLE is tolerated.
 */
export async function grantServiceRole<DB>(db: Kysely<DB>, schema: string): Promise<void> {
  const role = sql.id(serviceRoleOf(schema));
  const exists = await sql<{ found: boolean }>`
    select exists (select 1 from pg_roles where rolname = ${serviceRoleOf(schema)}) as found`.execute(
    db,
  );
  if (!exists.rows[0]?.found) {
    try {
      await sql`create role ${role} nologin`.execute(db);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== DUPLICATE_OBJECT && code !== UNIQUE_VIOLATION) throw error;
    }
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
