import { randomUUID } from 'node:crypto';
import {
  type AuditTables,
  appendAudit,
  auditChainMigration,
  auditCheckpointMigration,
  auditTrailMigration,
  chainAuditEntries,
  createDatabase,
  GENESIS_HASH,
  grantServiceRole,
  hashAuditEntry,
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
 * The audit trail on a real PostgreSQL: appends only write the entry (no lock), the
 * chainer links each company's entries into one chain after commit (also when several
 * chainers race, as replicas would), an entry or chain place edited, deleted or moved
 * behind the service's back is named by verify, as is an entry left unchained, the
 * triggers refuse UPDATE, DELETE and TRUNCATE to everyone on both tables, and the
 * service's role may only insert and read them.
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
    await db.transaction().execute((trx) => appendAudit(trx, entry(companyId, n)));
  }
}

/** Links everything queued, as the service's chainer does in the background. */
const chain = (batch?: number) =>
  chainAuditEntries({ db: service, schema: SCHEMA, ...(batch ? { batch } : {}) });

async function appendAndChain(companyId: string, count: number) {
  await append(service, companyId, count);
  await chain();
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
    .selectFrom('audit_chain')
    .select('entry_id')
    .where('company_id', '=', companyId)
    .where('sequence', '=', sequence as never)
    .executeTakeFirstOrThrow();
  return row.entry_id;
}

async function chainOf(companyId: string) {
  const rows = await owner
    .selectFrom('audit_chain')
    .select(['sequence', 'entry_id', 'prev_hash', 'hash'])
    .where('company_id', '=', companyId)
    .orderBy('sequence')
    .execute();
  return rows.map((r) => ({ ...r, sequence: Number(r.sequence) }));
}

/** `count` entries written straight in SQL (the trigger queues them), quicker than appends. */
async function insertEntries(companyId: string, count: number) {
  await sql`
    insert into ${sql.id(SCHEMA, 'audit_log')} (id, company_id, occurred_at, actor_kind, actor_id, action, entity_type)
    select gen_random_uuid(), ${companyId}, now(), 'user', ${alice}, 'expense.edited', 'expense'
    from generate_series(1, ${count})`.execute(owner);
}

/** A long trail already chained, in SQL: placeholder hashes, as only its size matters here. */
async function insertChainedHistory(companyId: string, count: number) {
  await owner.connection().execute(async (connection) => {
    await sql`
      insert into ${sql.id(SCHEMA, 'audit_log')} (id, company_id, occurred_at, actor_kind, actor_id, action, entity_type)
      select gen_random_uuid(), ${companyId}, now(), 'user', ${alice}, 'expense.edited', 'expense'
      from generate_series(1, ${count})`.execute(connection);
    await sql`
      insert into ${sql.id(SCHEMA, 'audit_chain')} (company_id, sequence, entry_id, prev_hash, hash)
      select company_id, row_number() over (order by id), id, 'history', 'history'
      from ${sql.id(SCHEMA, 'audit_log')} where company_id = ${companyId}`.execute(connection);
    await sql`delete from ${sql.id(SCHEMA, 'audit_unchained')}`.execute(connection);
    // Report this connection's statistics now, so the measurement after starts from them.
    await sql`select pg_stat_force_next_flush()`.execute(connection);
  });
}

interface TableReads {
  /** Rows read by index fetches and sequential scans. */
  read: number;
  inserted: number;
}

type AuditTableReads = Record<'log' | 'chain', TableReads>;

async function auditTableReads(): Promise<AuditTableReads> {
  await sql`select pg_stat_clear_snapshot()`.execute(owner);
  const { rows } = await sql<{ relname: string; read: string; inserted: string }>`
    select relname, coalesce(idx_tup_fetch, 0) + seq_tup_read as read, n_tup_ins as inserted
    from pg_stat_user_tables where schemaname = ${SCHEMA}`.execute(owner);
  const of = (name: string): TableReads => {
    const row = rows.find((r) => r.relname === name);
    return { read: Number(row?.read ?? 0), inserted: Number(row?.inserted ?? 0) };
  };
  return { log: of('audit_log'), chain: of('audit_chain') };
}

async function waitForReads(done: (reads: AuditTableReads) => boolean): Promise<AuditTableReads> {
  for (let attempt = 0; ; attempt++) {
    const reads = await auditTableReads();
    if (done(reads) || attempt === 100) return reads;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function recreateTrail(
  migrations: Array<(schema: string) => { up: (db: Kysely<unknown>) => Promise<void> }>,
) {
  // The trail refuses TRUNCATE; the test starts over by recreating the tables.
  await sql`drop schema if exists ${sql.id(SCHEMA)} cascade`.execute(owner);
  await sql`create schema ${sql.id(SCHEMA)}`.execute(owner);
  for (const migration of migrations) {
    await migration(SCHEMA).up(owner as unknown as Kysely<unknown>);
  }
  await grantServiceRole(owner, SCHEMA);
}

beforeAll(async () => {
  await ensureIntDatabase();
  owner = createDatabase<AuditTables>({ url: INT_DATABASE_URL, schema: SCHEMA });
  // Services' logins are provisioned by an administrator; this scratch schema's role here.
  await sql`do $$ begin create role ${sql.id(serviceRoleOf(SCHEMA))} nologin;
    exception when duplicate_object or unique_violation then null; end $$`.execute(owner);
  await sql`drop schema if exists ${sql.id(SCHEMA)} cascade`.execute(owner);
  await migrateSchema(owner, SCHEMA, {
    '0001-audit': auditTrailMigration(SCHEMA),
    '0002-audit-chain': auditChainMigration(SCHEMA),
    '0003-audit-checkpoints': auditCheckpointMigration(SCHEMA),
  });
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
  await recreateTrail([auditTrailMigration, auditChainMigration, auditCheckpointMigration]);
});

describe('appending', () => {
  it('writes the entry only; the chainer links each company on its own, from 1, each to the one before', async () => {
    await append(service, acme, 3);
    await append(service, other, 2);
    expect(await chainOf(acme)).toEqual([]);
    await expect(verifyAuditChain(owner, acme)).resolves.toMatchObject({
      entries: 0,
      unchained: 3,
      broken: null,
    });
    await expect(chain()).resolves.toBe(5);
    const acmeChain = await chainOf(acme);
    expect(acmeChain.map((r) => r.sequence)).toEqual([1, 2, 3]);
    expect(acmeChain[0]?.prev_hash).toBe(GENESIS_HASH);
    expect(acmeChain[1]?.prev_hash).toBe(acmeChain[0]?.hash);
    expect(acmeChain[2]?.prev_hash).toBe(acmeChain[1]?.hash);
    expect((await chainOf(other)).map((r) => r.sequence)).toEqual([1, 2]);
    await expect(verifyAuditChain(owner, acme)).resolves.toMatchObject({
      entries: 3,
      unchained: 0,
      broken: null,
    });
    await expect(verifyAuditChain(owner, other)).resolves.toMatchObject({
      entries: 2,
      broken: null,
    });
    await expect(chain()).resolves.toBe(0);
  });

  it('takes no lock: a company’s appends do not wait for each other’s commit', async () => {
    await service.transaction().execute(async (trx) => {
      await appendAudit(trx, entry(acme, 1));
      // Another transaction appends and commits for the same company while this one is
      // open; under a chain lock it would wait for this commit, i.e. forever.
      await append(service, acme, 1);
    });
    await chain();
    await expect(verifyAuditChain(owner, acme)).resolves.toMatchObject({
      entries: 2,
      broken: null,
    });
  });

  it('chains many concurrent appends into one unbroken chain holding every entry exactly once', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        service
          .transaction()
          .execute((trx) => appendAudit(trx, [entry(acme, n), entry(acme, n + 100)])),
      ),
    );
    await chain(7);
    const verdict = await verifyAuditChain(owner, acme);
    expect(verdict).toMatchObject({ entries: 40, unchained: 0, broken: null });
    expect(verdict.head?.sequence).toBe(40);
    const ids = await owner.selectFrom('audit_log').select('id').orderBy('id').execute();
    const chained = (await chainOf(acme)).map((r) => r.entry_id);
    expect([...chained].sort()).toEqual(ids.map((r) => r.id));
  });

  it('links each entry once when chainers race (as replicas do) while entries keep arriving', async () => {
    const writers = Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        service.transaction().execute((trx) => appendAudit(trx, [entry(acme, n), entry(other, n)])),
      ),
    );
    const chainers = Promise.all(Array.from({ length: 4 }, () => chain(3)));
    await Promise.all([writers, chainers]);
    await Promise.all([chain(3), chain(3)]);
    for (const company of [acme, other]) {
      const verdict = await verifyAuditChain(owner, company);
      expect(verdict).toMatchObject({ entries: 10, unchained: 0, broken: null });
      const chained = (await chainOf(company)).map((r) => r.entry_id);
      expect(new Set(chained).size).toBe(10);
    }
    const queued = await owner.selectFrom('audit_unchained').select('entry_id').execute();
    expect(queued).toEqual([]);
  });

  it('rolls back with the transaction it was written in', async () => {
    await expect(
      service.transaction().execute(async (trx) => {
        await appendAudit(trx, entry(acme, 1));
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    await appendAndChain(acme, 1);
    await expect(verifyAuditChain(owner, acme)).resolves.toMatchObject({
      entries: 1,
      unchained: 0,
      broken: null,
    });
  });

  it('stamps the request id of the scope it runs in, and the caller’s role when the entry does not say', async () => {
    await runInAuditScope({ requestId: 'req-42', caller: { id: alice, role: 'finance' } }, () =>
      service
        .transaction()
        .execute((trx) =>
          appendAudit(trx, { ...entry(acme, 1), actor: { kind: 'user', id: alice } }),
        ),
    );
    const [unchained] = await listAuditEntries(owner, { companyId: acme, limit: 5 });
    expect(unchained).toMatchObject({
      request_id: 'req-42',
      actor: { id: alice, role: 'finance' },
      sequence: null,
      prev_hash: null,
      hash: null,
    });
    await chain();
    const [chained] = await listAuditEntries(service, { companyId: acme, limit: 5 });
    expect(chained).toMatchObject({ id: unchained?.id, sequence: 1, prev_hash: GENESIS_HASH });
    expect(chained?.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('migrating a trail chained the old way', () => {
  it('copies the existing chain into audit_chain, still verifiable, and new entries continue it', async () => {
    await recreateTrail([auditTrailMigration]);
    // Two entries as the old appendAudit wrote them, chain fields in audit_log.
    let prev = GENESIS_HASH;
    for (const sequence of [1, 2]) {
      const content = {
        id: randomUUID(),
        company_id: acme,
        sequence,
        occurred_at: new Date().toISOString(),
        actor: { kind: 'user' as const, id: alice, role: 'admin' },
        action: 'expense.edited',
        entity_type: 'expense',
        entity_id: `e-${sequence}`,
        before: null,
        after: { n: sequence },
        request_id: null,
        trace_id: null,
        prev_hash: prev,
      };
      const hash = hashAuditEntry(content);
      await sql`insert into ${sql.id(SCHEMA, 'audit_log')} (id, company_id, sequence, occurred_at,
          actor_kind, actor_id, actor_role, action, entity_type, entity_id, before, after,
          request_id, trace_id, prev_hash, hash)
        values (${content.id}, ${acme}, ${sequence}, ${content.occurred_at}, 'user', ${alice},
          'admin', 'expense.edited', 'expense', ${content.entity_id}, null,
          ${JSON.stringify(content.after)}, null, null, ${prev}, ${hash})`.execute(owner);
      prev = hash;
    }
    await auditChainMigration(SCHEMA).up(owner as unknown as Kysely<unknown>);
    await auditCheckpointMigration(SCHEMA).up(owner as unknown as Kysely<unknown>);
    await grantServiceRole(owner, SCHEMA);
    await expect(verifyAuditChain(owner, acme)).resolves.toMatchObject({
      entries: 2,
      unchained: 0,
      head: { sequence: 2, hash: prev },
      broken: null,
    });
    await appendAndChain(acme, 1);
    const verdict = await verifyAuditChain(owner, acme);
    expect(verdict).toMatchObject({ entries: 3, unchained: 0, broken: null });
    expect((await chainOf(acme))[2]?.prev_hash).toBe(prev);
  });
});

describe('verify', () => {
  it('names exactly the entry whose content was edited in SQL', async () => {
    await appendAndChain(acme, 5);
    await appendAndChain(other, 1);
    const id = await idOf(acme, 3);
    await tamper(
      sql`update ${sql.id(SCHEMA, 'audit_log')} set after = '{"amount":"1000000.00"}' where id = ${id}`,
    );
    const verdict = await verifyAuditChain(owner, acme);
    expect(verdict.broken).toEqual({
      sequence: 3,
      id,
      reason: expect.stringMatching(/content was changed/),
    });
    expect(verdict.entries).toBe(2);
    await expect(verifyAuditChain(owner, other)).resolves.toMatchObject({ broken: null });
  });

  it('names the edit even when the editor recomputed that place’s hash: the next link breaks', async () => {
    await appendAndChain(acme, 4);
    await tamper(
      sql`update ${sql.id(SCHEMA, 'audit_chain')} set hash = repeat('a', 64) where company_id = ${acme} and sequence = 2`,
    );
    const verdict = await verifyAuditChain(owner, acme);
    expect(verdict.broken).toMatchObject({ sequence: 2, id: await idOf(acme, 2) });
  });

  it('names a deleted entry at its place in the chain', async () => {
    await appendAndChain(acme, 5);
    const id = await idOf(acme, 2);
    await tamper(sql`delete from ${sql.id(SCHEMA, 'audit_log')} where id = ${id}`);
    const verdict = await verifyAuditChain(owner, acme);
    expect(verdict.broken).toEqual({
      sequence: 2,
      id,
      reason: expect.stringMatching(/deleted/),
    });
  });

  it('notices a deleted chain place at the one after it', async () => {
    await appendAndChain(acme, 5);
    await tamper(
      sql`delete from ${sql.id(SCHEMA, 'audit_chain')} where company_id = ${acme} and sequence = 2`,
    );
    const verdict = await verifyAuditChain(owner, acme);
    expect(verdict.broken).toEqual({
      sequence: 3,
      id: await idOf(acme, 3),
      reason: expect.stringMatching(/missing or reordered/),
    });
    expect(verdict.unchained).toBe(1);
  });

  it('notices two entries swapped in order', async () => {
    await appendAndChain(acme, 5);
    const [third, fourth] = [await idOf(acme, 3), await idOf(acme, 4)];
    const table = sql.id(SCHEMA, 'audit_chain');
    // Through a free id: entry_id is unique.
    const move = (from: string, to: string) =>
      tamper(sql`update ${table} set entry_id = ${to} where entry_id = ${from}`);
    await move(third, acme);
    await move(fourth, third);
    await move(acme, fourth);
    const verdict = await verifyAuditChain(owner, acme);
    expect(verdict.broken).toMatchObject({ sequence: 3, id: fourth });
    expect(verdict.broken?.reason).toMatch(/content/);
  });

  it('counts entries not chained yet, and names one left unchained past the grace period', async () => {
    await appendAndChain(acme, 2);
    await append(service, acme, 2);
    const [newest, oldest] = await listAuditEntries(owner, { companyId: acme, limit: 2 });
    await expect(verifyAuditChain(owner, acme)).resolves.toMatchObject({
      entries: 2,
      unchained: 2,
      broken: null,
    });
    const later = new Date(Date.now() + 120_000);
    const verdict = await verifyAuditChain(owner, acme, { now: later, graceMs: 60_000 });
    expect(verdict).toMatchObject({ entries: 2, unchained: 2 });
    expect(verdict.broken).toEqual({
      sequence: null,
      id: oldest?.id,
      reason: expect.stringMatching(/still not chained/),
    });
    expect(newest?.sequence).toBeNull();
  });
});

describe('the chain queue', () => {
  it('links an entry only into its own company’s chain, even if its queue row is moved', async () => {
    await appendAndChain(other, 1);
    await append(service, acme, 1);
    const [queued] = await listAuditEntries(owner, { companyId: acme, limit: 1 });
    await sql`update ${sql.id(SCHEMA, 'audit_unchained')} set company_id = ${other}`.execute(owner);
    await chain();
    await expect(verifyAuditChain(owner, other)).resolves.toMatchObject({
      entries: 1,
      broken: null,
    });
    const verdict = await verifyAuditChain(owner, acme, {
      now: new Date(Date.now() + 120_000),
      graceMs: 60_000,
    });
    expect(verdict).toMatchObject({ entries: 0, unchained: 1 });
    expect(verdict.broken).toMatchObject({
      id: queued?.id,
      reason: expect.stringMatching(/not chained/),
    });
  });

  it('skips a stale queue row for an entry already linked, and the other companies still get their turn', async () => {
    await appendAndChain(acme, 1);
    const linked = await idOf(acme, 1);
    await sql`insert into ${sql.id(SCHEMA, 'audit_unchained')} (entry_id, company_id) values (${linked}, ${acme})`.execute(
      owner,
    );
    await append(service, other, 2);
    await chain();
    await expect(verifyAuditChain(owner, other)).resolves.toMatchObject({
      entries: 2,
      unchained: 0,
      broken: null,
    });
    await expect(verifyAuditChain(owner, acme)).resolves.toMatchObject({
      entries: 1,
      broken: null,
    });
  });

  it.each([
    { history: 50_000, queued: 1000, batch: 100, analysed: true },
    // Never analysed and a few pages long: the planner's sequential scans used to grow with it.
    { history: 400, queued: 100, batch: 10, analysed: false },
  ])(
    'reads each queued entry about once behind a trail of $history (analysed: $analysed)',
    async ({ history, queued, batch, analysed }) => {
      await insertChainedHistory(acme, history);
      await insertEntries(acme, queued);
      for (const table of analysed ? ['audit_log', 'audit_chain', 'audit_unchained'] : []) {
        await sql`analyze ${sql.id(SCHEMA, table)}`.execute(owner);
      }
      const before = await waitForReads((r) => r.chain.inserted >= history);
      const measured = createDatabase<AuditTables>({
        url: INT_DATABASE_URL,
        schema: SCHEMA,
        role: serviceRoleOf(SCHEMA),
      });
      await chainAuditEntries({ db: measured, schema: SCHEMA, batch });
      // A backend reports its statistics when it ends (an idle one only every few seconds).
      await measured.destroy();
      const after = await waitForReads((r) => r.chain.inserted >= before.chain.inserted + queued);
      expect(after.chain.inserted - before.chain.inserted).toBe(queued);
      // Each queued entry once (plus a head per batch), not the trail once per batch. (The
      // queue itself, this short, is read by sequential scans: that is the planner's choice.)
      expect(after.log.read - before.log.read).toBeLessThanOrEqual(queued + batch);
      expect(after.chain.read - before.chain.read).toBeLessThanOrEqual(queued + batch);
      const head = await chainOf(acme).then((links) => links.at(-1));
      expect(head?.sequence).toBe(history + queued);
    },
  );

  it('lets the service role insert, read and delete queue rows, never change them', async () => {
    await append(service, acme, 1);
    await expect(
      sql`update ${sql.id(SCHEMA, 'audit_unchained')} set company_id = ${other}`.execute(service),
    ).rejects.toThrow(/permission denied/);
    await chain();
    await expect(verifyAuditChain(owner, acme)).resolves.toMatchObject({
      entries: 1,
      unchained: 0,
    });
  });
});

describe('append-only', () => {
  for (const name of ['audit_log', 'audit_chain'] as const) {
    it(`refuses UPDATE, DELETE and TRUNCATE on ${name} even to the owner (a superuser here)`, async () => {
      await appendAndChain(acme, 2);
      const table = sql.id(SCHEMA, name);
      await expect(sql`update ${table} set company_id = ${other}`.execute(owner)).rejects.toThrow(
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

    it(`grants the service role INSERT and SELECT only on ${name}: UPDATE, DELETE and TRUNCATE are denied`, async () => {
      await appendAndChain(acme, 1);
      const table = sql.id(SCHEMA, name);
      const who = await sql<{ user: string }>`select current_user as user`.execute(service);
      expect(who.rows[0]?.user).toBe(serviceRoleOf(SCHEMA));
      for (const statement of [
        sql`update ${table} set company_id = ${other}`,
        sql`delete from ${table}`,
        sql`truncate ${table}`,
      ]) {
        await expect(statement.execute(service)).rejects.toThrow(/permission denied/);
      }
      const rows = await sql`select 1 from ${table}`.execute(service);
      expect(rows.rows).toHaveLength(1);
    });
  }
});
