import {
  type AuditTables,
  appendAudit,
  auditTrailMigration,
  createDatabase,
  deferAudit,
  flushDeferredAudit,
  GENESIS_HASH,
  grantServiceRole,
  listAuditEntries,
  migrateSchema,
  runInAuditScope,
  serviceRoleOf,
  verifyAuditChain,
} from '@countersign/platform';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureIntDatabase, INT_DATABASE_URL } from '../support/int-database.js';

/**
 * The audit trail on a real PostgreSQL: appends chain per company (also when racing, as
 * replicas would), an entry edited, deleted or moved behind the service's back is named by
 * verify, the triggers refuse UPDATE, DELETE and TRUNCATE to everyone, and the service's
 * role may only insert and read.
 */

const SCHEMA = 'audit_trail_test';
const acme = '0197a000-0000-7000-8000-0000000000a1';
const other = '0197a000-0000-7000-8000-0000000000b2';
const alice = '0197a000-0000-7000-8000-000000000101';

let owner: Kysely<AuditTables>;
let service: Kysely<AuditTables>;

const entry = (companyId: string, n: number) => ({
  companyId,
  actor: { kind: 'user' as const, id: alice, role: 'admin' },
  action: 'expense.edited',
  entity: { type: 'expense', id: `e-${n}` },
  before: { amount: '10.00', n },
  after: { amount: '12.50', n, tags: ['a', 'b'] },
});

async function append(db: Kysely<AuditTables>, companyId: string, count: number) {
  for (let n = 1; n <= count; n++) {
    await db.transaction().execute((trx) => appendAudit(trx, SCHEMA, entry(companyId, n)));
  }
}

/** Runs SQL as the superuser with the triggers off, as someone tampering would. */
async function tamper(statement: ReturnType<typeof sql>) {
  await owner.transaction().execute(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx);
    await statement.execute(trx);
  });
}

async function idOf(companyId: string, sequence: number): Promise<string> {
  const row = await owner
    .selectFrom('audit_log')
    .select('id')
    .where('company_id', '=', companyId)
    .where('sequence', '=', sequence as never)
    .executeTakeFirstOrThrow();
  return row.id;
}

beforeAll(async () => {
  await ensureIntDatabase();
  owner = createDatabase<AuditTables>({ url: INT_DATABASE_URL, schema: SCHEMA });
  await sql`drop schema if exists ${sql.id(SCHEMA)} cascade`.execute(owner);
  await migrateSchema(owner, SCHEMA, { '0001-audit': auditTrailMigration(SCHEMA) });
  await grantServiceRole(owner, SCHEMA);
  service = createDatabase<AuditTables>({
    url: INT_DATABASE_URL,
    schema: SCHEMA,
    role: serviceRoleOf(SCHEMA),
  });
});

afterAll(async () => {
  await service?.destroy();
  await owner?.destroy();
});

beforeEach(async () => {
  // The trail refuses TRUNCATE; the test starts over by recreating the table.
  await sql`drop table if exists ${sql.id(SCHEMA, 'audit_log')} cascade`.execute(owner);
  await sql`drop function if exists ${sql.id(SCHEMA, 'audit_log_refuse_change')}()`.execute(owner);
  await auditTrailMigration(SCHEMA).up(owner as unknown as Kysely<unknown>);
  await grantServiceRole(owner, SCHEMA);
});

describe('appending', () => {
  it('chains each company on its own: sequence from 1, each entry linked to the one before', async () => {
    await append(service, acme, 3);
    await append(service, other, 2);
    const rows = await owner
      .selectFrom('audit_log')
      .select(['company_id', 'sequence', 'prev_hash', 'hash'])
      .orderBy('company_id')
      .orderBy('sequence')
      .execute();
    const acmeRows = rows.filter((r) => r.company_id === acme);
    expect(acmeRows.map((r) => Number(r.sequence))).toEqual([1, 2, 3]);
    expect(acmeRows[0]?.prev_hash).toBe(GENESIS_HASH);
    expect(acmeRows[1]?.prev_hash).toBe(acmeRows[0]?.hash);
    expect(acmeRows[2]?.prev_hash).toBe(acmeRows[1]?.hash);
    expect(rows.filter((r) => r.company_id === other).map((r) => Number(r.sequence))).toEqual([
      1, 2,
    ]);
    await expect(verifyAuditChain(owner, acme)).resolves.toMatchObject({
      entries: 3,
      broken: null,
    });
    await expect(verifyAuditChain(owner, other)).resolves.toMatchObject({
      entries: 2,
      broken: null,
    });
  });

  it('keeps one unbroken chain when many transactions append at once (as replicas do)', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        service
          .transaction()
          .execute((trx) => appendAudit(trx, SCHEMA, [entry(acme, n), entry(acme, n + 100)])),
      ),
    );
    const verdict = await verifyAuditChain(owner, acme);
    expect(verdict).toMatchObject({ entries: 40, broken: null });
    expect(verdict.head?.sequence).toBe(40);
  });

  it('rolls back with the transaction it was written in', async () => {
    await expect(
      service.transaction().execute(async (trx) => {
        await appendAudit(trx, SCHEMA, entry(acme, 1));
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    await append(service, acme, 1);
    await expect(verifyAuditChain(owner, acme)).resolves.toMatchObject({
      entries: 1,
      broken: null,
    });
  });

  it('stamps the request id of the scope it runs in, and the caller’s role when the entry does not say', async () => {
    await runInAuditScope({ requestId: 'req-42', caller: { id: alice, role: 'finance' } }, () =>
      service
        .transaction()
        .execute((trx) =>
          appendAudit(trx, SCHEMA, { ...entry(acme, 1), actor: { kind: 'user', id: alice } }),
        ),
    );
    const [stored] = await listAuditEntries(owner, { companyId: acme, limit: 5 });
    expect(stored).toMatchObject({ request_id: 'req-42', actor: { id: alice, role: 'finance' } });
  });
  it('in a deferred transaction takes no chain lock until the flush, then writes in order', async () => {
    await service.transaction().execute(async (trx) => {
      deferAudit(trx);
      await runInAuditScope({ requestId: 'req-batch-1' }, () =>
        appendAudit(trx, SCHEMA, [entry(acme, 1), entry(other, 1)]),
      );
      await runInAuditScope({ requestId: 'req-batch-2' }, () =>
        appendAudit(trx, SCHEMA, entry(acme, 2)),
      );
      // Nothing written and no lock held yet: another transaction appends for the same
      // company meanwhile without waiting (it would wait forever if the lock were held).
      const written = await trx.selectFrom('audit_log').select('id').execute();
      expect(written).toEqual([]);
      await append(service, acme, 1);
      await flushDeferredAudit(trx);
    });
    const acmeTrail = await owner
      .selectFrom('audit_log')
      .select(['sequence', 'request_id', 'entity_id'])
      .where('company_id', '=', acme)
      .orderBy('sequence')
      .execute();
    expect(acmeTrail.map((r) => [Number(r.sequence), r.request_id, r.entity_id])).toEqual([
      [1, null, 'e-1'],
      [2, 'req-batch-1', 'e-1'],
      [3, 'req-batch-2', 'e-2'],
    ]);
    await expect(verifyAuditChain(owner, acme)).resolves.toMatchObject({ broken: null });
    await expect(verifyAuditChain(owner, other)).resolves.toMatchObject({ entries: 1 });
  });
});

describe('verify', () => {
  it('names exactly the entry whose content was edited in SQL', async () => {
    await append(service, acme, 5);
    await tamper(
      sql`update ${sql.id(SCHEMA, 'audit_log')} set after = '{"amount":"1000000.00"}' where company_id = ${acme} and sequence = 3`,
    );
    const verdict = await verifyAuditChain(owner, acme);
    expect(verdict.broken).toEqual({
      sequence: 3,
      id: await idOf(acme, 3),
      reason: expect.stringMatching(/content was changed/),
    });
    expect(verdict.entries).toBe(2);
    await expect(verifyAuditChain(owner, other)).resolves.toMatchObject({ broken: null });
  });

  it('names the edit even when the editor recomputed that entry’s hash: the next link breaks', async () => {
    await append(service, acme, 4);
    await tamper(
      sql`update ${sql.id(SCHEMA, 'audit_log')} set actor_id = 'someone-else', hash = repeat('a', 64) where company_id = ${acme} and sequence = 2`,
    );
    const verdict = await verifyAuditChain(owner, acme);
    expect(verdict.broken).toMatchObject({ sequence: 2, id: await idOf(acme, 2) });
  });

  it('notices a deleted entry at the one after it', async () => {
    await append(service, acme, 5);
    await tamper(
      sql`delete from ${sql.id(SCHEMA, 'audit_log')} where company_id = ${acme} and sequence = 2`,
    );
    const verdict = await verifyAuditChain(owner, acme);
    expect(verdict.broken).toEqual({
      sequence: 3,
      id: await idOf(acme, 3),
      reason: expect.stringMatching(/missing or reordered/),
    });
  });

  it('notices two entries swapped in order', async () => {
    await append(service, acme, 5);
    const table = sql.id(SCHEMA, 'audit_log');
    // Through a free place: (company, sequence) is unique.
    const move = (from: number, to: number) =>
      tamper(
        sql`update ${table} set sequence = ${to} where company_id = ${acme} and sequence = ${from}`,
      );
    await move(3, -3);
    await move(4, 3);
    await move(-3, 4);
    const verdict = await verifyAuditChain(owner, acme);
    expect(verdict.broken).toMatchObject({ sequence: 3, id: await idOf(acme, 3) });
    expect(verdict.broken?.reason).toMatch(/prev_hash|content/);
  });
});

describe('append-only', () => {
  it('refuses UPDATE, DELETE and TRUNCATE even to the owner (a superuser here)', async () => {
    await append(service, acme, 2);
    const table = sql.id(SCHEMA, 'audit_log');
    await expect(sql`update ${table} set action = 'x.y'`.execute(owner)).rejects.toThrow(
      /append-only: UPDATE refused/,
    );
    await expect(sql`delete from ${table}`.execute(owner)).rejects.toThrow(
      /append-only: DELETE refused/,
    );
    await expect(sql`truncate ${table}`.execute(owner)).rejects.toThrow(
      /append-only: TRUNCATE refused/,
    );
    await expect(verifyAuditChain(owner, acme)).resolves.toMatchObject({
      entries: 2,
      broken: null,
    });
  });

  it('grants the service role INSERT and SELECT only: UPDATE, DELETE and TRUNCATE are denied', async () => {
    await append(service, acme, 1);
    const table = sql.id(SCHEMA, 'audit_log');
    const who = await sql<{ user: string }>`select current_user as user`.execute(service);
    expect(who.rows[0]?.user).toBe(serviceRoleOf(SCHEMA));
    for (const statement of [
      sql`update ${table} set action = 'x.y'`,
      sql`delete from ${table}`,
      sql`truncate ${table}`,
    ]) {
      await expect(statement.execute(service)).rejects.toThrow(/permission denied/);
    }
    await expect(listAuditEntries(service, { companyId: acme, limit: 5 })).resolves.toHaveLength(1);
  });
});
