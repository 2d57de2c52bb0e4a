import {
  type AuditTables,
  GENESIS_HASH,
  hashAuditEntry,
  listAuditEntries,
} from '@countersign/platform';
import { type Kysely, sql } from 'kysely';

/**
 * What the owner of a service's tables can do (a superuser, triggers off), for tests that
 * check verify notices. `db` is bound to the service's schema and connects as the owner.
 */
async function asOwner(
  db: Kysely<AuditTables>,
  statement: (trx: Kysely<AuditTables>) => Promise<unknown>,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx);
    await statement(trx);
  });
}

/**
 * Rewrites the entry at `sequence` and gives every place from it on the hash it now
 * should have: the chain is consistent again on its own, as an owner would leave it.
 */
export async function rewriteAndRecompute(
  db: Kysely<AuditTables>,
  schema: string,
  companyId: string,
  sequence: number,
): Promise<void> {
  await asOwner(db, async (trx) => {
    const entries = (await listAuditEntries(trx, { companyId, limit: 100_000 }))
      .filter((e) => e.sequence !== null)
      .sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
    let prev = sequence === 1 ? GENESIS_HASH : (entries[sequence - 2]?.hash ?? '');
    for (const entry of entries.slice(sequence - 1)) {
      let after = entry.after;
      if (entry.sequence === sequence) {
        after = { rewritten: true };
        await sql`update ${sql.id(schema, 'audit_log')} set after = ${JSON.stringify(after)}::jsonb where id = ${entry.id}`.execute(
          trx,
        );
      }
      const { hash: _old, ...content } = entry;
      const hash = hashAuditEntry({
        ...content,
        after,
        sequence: entry.sequence ?? 0,
        prev_hash: prev,
      });
      await sql`update ${sql.id(schema, 'audit_chain')} set prev_hash = ${prev}, hash = ${hash}
        where company_id = ${companyId} and sequence = ${entry.sequence}`.execute(trx);
      prev = hash;
    }
  });
}

/** Deletes the places from `fromSequence` on and their entries: a cut tail. */
export async function cutTail(
  db: Kysely<AuditTables>,
  schema: string,
  companyId: string,
  fromSequence: number,
): Promise<void> {
  await asOwner(db, async (trx) => {
    const cut = await sql<{ entry_id: string }>`
      delete from ${sql.id(schema, 'audit_chain')}
      where company_id = ${companyId} and sequence >= ${fromSequence} returning entry_id`.execute(
      trx,
    );
    for (const { entry_id } of cut.rows) {
      await sql`delete from ${sql.id(schema, 'audit_log')} where id = ${entry_id}`.execute(trx);
    }
  });
}
