import { randomUUID } from 'node:crypto';
import { AuditCheckpointV1, auditCheckpointSubject } from '@countersign/contracts';
import {
  type AuditKeys,
  type AuditTables,
  appendAudit,
  auditChainMigration,
  auditCheckpointMigration,
  auditPublicKeyOf,
  auditTrailMigration,
  chainAuditEntries,
  checkpointAuditChains,
  createDatabase,
  createLogger,
  ensureAuditCheckpointStream,
  grantServiceRole,
  jetStreamCheckpointStore,
  loadAuditKeys,
  migrateSchema,
  natsServers,
  newAuditSigningKey,
  serviceRoleOf,
  signAuditCheckpoint,
  verifyCompanyChain,
} from '@countersign/platform';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  cutTail as cutChainTail,
  rewriteAndRecompute as rewriteTail,
} from '../support/audit-tamper.js';
import { ensureIntDatabase, INT_DATABASE_URL } from '../support/int-database.js';

/**
 * Signed checkpoints on a real PostgreSQL and a real NATS: the table owner (a superuser
 * here, triggers off) who rewrites an entry of the tail and recomputes every later hash,
 * or who cuts the tail, leaves a chain that verifies on its own, but not against the
 * newest checkpoint, which is signed with a key outside the database and kept in
 * JetStream; a forged checkpoint is refused; the checkpointer never signs over a
 * rewritten chain; rounds run once across replicas; verify walks in bounded pages.
 */

const SCHEMA = 'audit_checkpoint_test';
const alice = '0197a000-0000-7000-8000-000000000101';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const logger = createLogger('test', 'silent');

let owner: Kysely<AuditTables>;
let service: Kysely<AuditTables>;
let nats: NatsConnection;
const signingKey = newAuditSigningKey();
const keys: AuditKeys = loadAuditKeys({ AUDIT_SIGNING_KEY: signingKey });
let store: ReturnType<typeof jetStreamCheckpointStore>;
let company: string;

async function appendAndChain(count: number) {
  for (let n = 1; n <= count; n++) {
    await service.transaction().execute((trx) =>
      appendAudit(trx, {
        companyId: company,
        actor: { kind: 'user', id: alice, role: 'admin' },
        action: 'expense.edited',
        entity: { type: 'expense', id: `e-${n}` },
        after: { amount: '12.50', n },
      }),
    );
  }
  await chainAuditEntries({ db: service, schema: SCHEMA });
}

/** One checkpoint round, as a replica's timer runs it (the round is made due first). */
async function checkpointRound(withKeys: AuditKeys = keys): Promise<number> {
  await sql`update ${sql.id(SCHEMA, 'audit_checkpoint_round')} set next_at = '-infinity'`.execute(
    owner,
  );
  return checkpointAuditChains({
    db: service,
    service: 'expense',
    store,
    keys: withKeys,
    intervalMs: 60_000,
    logger,
  });
}

const verify = (page = { after: 0, limit: 1000 }, withKeys: AuditKeys = keys) =>
  verifyCompanyChain(service, { store, keys: withKeys }, company, page);

const rewriteAndRecompute = (sequence: number) => rewriteTail(owner, SCHEMA, company, sequence);
const cutTail = (fromSequence: number) => cutChainTail(owner, SCHEMA, company, fromSequence);

/** Runs SQL as the superuser with the triggers off. */
async function asOwner(statement: (trx: Kysely<AuditTables>) => Promise<unknown>) {
  await owner.transaction().execute(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx);
    await statement(trx);
  });
}

beforeAll(async () => {
  await ensureIntDatabase();
  owner = createDatabase<AuditTables>({ url: INT_DATABASE_URL, schema: SCHEMA });
  // Services' logins are provisioned by an administrator; this scratch schema's role here
  // (a fresh server has none: the file must not depend on another having made it).
  await sql`do $$ begin create role ${sql.id(serviceRoleOf(SCHEMA))} nologin;
    exception when duplicate_object or unique_violation then null; end $$`.execute(owner);
  nats = await connect({ servers: natsServers(NATS_URL) });
  await ensureAuditCheckpointStream(await jetstreamManager(nats));
  store = jetStreamCheckpointStore(nats, 'expense');
});

afterAll(async () => {
  await service?.destroy();
  await owner?.destroy();
  await nats?.close();
});

beforeEach(async () => {
  // A company of its own per test: its checkpoints' subject starts empty.
  company = randomUUID();
  await service?.destroy();
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

describe('signed checkpoints', () => {
  it('signs the chain head and publishes it to JetStream; verify finds it holding', async () => {
    await appendAndChain(5);
    expect(await checkpointRound()).toBe(1);
    const latest = await store.latest(company);
    expect(latest).toMatchObject({ service: 'expense', company_id: company, sequence: 5 });
    expect(AuditCheckpointV1.parse(latest).key_id).toBe(keys.signer.keyId);
    const verdict = await verify();
    expect(verdict).toMatchObject({
      broken: null,
      length: 5,
      checkpoint: { sequence: 5, status: 'holds', unsigned: 0 },
    });
    // Nothing new: no second checkpoint.
    expect(await checkpointRound()).toBe(0);
    await appendAndChain(2);
    expect(await checkpointRound()).toBe(1);
    expect((await store.latest(company))?.sequence).toBe(7);
  });

  it('names an owner’s rewrite of the tail whose later hashes were all recomputed', async () => {
    await appendAndChain(6);
    await checkpointRound();
    await rewriteAndRecompute(4);
    const verdict = await verify();
    // The walk alone finds nothing: every hash was recomputed.
    expect(verdict.entries).toBe(6);
    expect(verdict.checkpoint?.status).toBe('rewritten');
    expect(verdict.broken).toMatchObject({
      sequence: 6,
      reason: expect.stringMatching(/rewritten/),
    });
  });

  it('names a cut tail: the chain is shorter than its newest checkpoint', async () => {
    await appendAndChain(6);
    await checkpointRound();
    await cutTail(5);
    const verdict = await verify();
    expect(verdict.length).toBe(4);
    expect(verdict.checkpoint?.status).toBe('truncated');
    expect(verdict.broken).toMatchObject({
      sequence: 5,
      id: null,
      reason: expect.stringMatching(/tail was cut/),
    });
  });

  it('names a cut tail that new entries have grown back past the checkpoint', async () => {
    await appendAndChain(6);
    await checkpointRound();
    await cutTail(5);
    await appendAndChain(3);
    const verdict = await verify();
    expect(verdict.length).toBe(7);
    expect(verdict.checkpoint?.status).toBe('rewritten');
    expect(verdict.broken?.sequence).toBe(6);
  });

  it('never signs over a rewritten chain: the checkpointer refuses and the company stays due', async () => {
    await appendAndChain(4);
    await checkpointRound();
    await rewriteAndRecompute(2);
    await appendAndChain(1);
    expect(await checkpointRound()).toBe(0);
    expect((await store.latest(company))?.sequence).toBe(4);
    const due = await owner.selectFrom('audit_checkpoint_due').select('company_id').execute();
    expect(due.map((d) => d.company_id)).toContain(company);
  });

  it('refuses a forged checkpoint: a bad signature, or a key it does not trust', async () => {
    await appendAndChain(3);
    await checkpointRound();
    const genuine = await store.latest(company);
    if (!genuine) throw new Error('no checkpoint');
    const js = jetstream(nats);
    // Someone with access to the stream vouches for a chain of their own.
    const forged = { ...genuine, sequence: 2, hash: 'f'.repeat(64) };
    await js.publish(auditCheckpointSubject('expense', company), JSON.stringify(forged));
    let verdict = await verify();
    expect(verdict.checkpoint?.status).toBe('signature_invalid');
    expect(verdict.broken).toMatchObject({ sequence: 2, reason: expect.stringMatching(/refused/) });
    expect(await checkpointRound()).toBe(0);
    // Signed properly, but with a key of their own.
    const theirs = loadAuditKeys({ AUDIT_SIGNING_KEY: newAuditSigningKey() });
    const signed = signAuditCheckpoint(
      {
        service: 'expense',
        companyId: company,
        sequence: 3,
        hash: genuine.hash,
        signedAt: new Date(),
      },
      theirs.signer,
    );
    await js.publish(auditCheckpointSubject('expense', company), JSON.stringify(signed));
    verdict = await verify();
    expect(verdict.checkpoint?.status).toBe('unknown_key');
    expect(verdict.broken).not.toBeNull();
  });

  it('accepts checkpoints of a rotated-out key while its public key is in AUDIT_TRUSTED_KEYS', async () => {
    await appendAndChain(2);
    await checkpointRound();
    const next = newAuditSigningKey();
    const rotated = loadAuditKeys({
      AUDIT_SIGNING_KEY: next,
      AUDIT_TRUSTED_KEYS: auditPublicKeyOf(signingKey),
    });
    expect(await verify(undefined, rotated)).toMatchObject({
      broken: null,
      checkpoint: { status: 'holds' },
    });
    await appendAndChain(1);
    expect(await checkpointRound(rotated)).toBe(1);
    expect((await store.latest(company))?.key_id).toBe(rotated.signer.keyId);
    const forgotten = loadAuditKeys({ AUDIT_SIGNING_KEY: newAuditSigningKey() });
    expect((await verify(undefined, forgotten)).checkpoint?.status).toBe('unknown_key');
  });

  it('runs a round once across replicas: of three at the same time one signs, the others find it taken', async () => {
    await appendAndChain(3);
    await sql`update ${sql.id(SCHEMA, 'audit_checkpoint_round')} set next_at = '-infinity'`.execute(
      owner,
    );
    const round = () =>
      checkpointAuditChains({
        db: service,
        service: 'expense',
        store,
        keys,
        intervalMs: 60_000,
        logger,
      });
    const published = await Promise.all([round(), round(), round()]);
    expect(published.sort()).toEqual([0, 0, 1]);
    // Within the interval, no replica runs another.
    await appendAndChain(1);
    expect(await round()).toBe(0);
  });
});

describe('verify in pages', () => {
  it('walks the whole chain in pages of the limit, each costing at most the limit', async () => {
    await appendAndChain(10);
    await checkpointRound();
    const seen: number[] = [];
    let after = 0;
    for (let page = 0; page < 10; page++) {
      const verdict = await verify({ after, limit: 3 });
      expect(verdict.broken).toBeNull();
      expect(verdict.entries).toBeLessThanOrEqual(3);
      expect(verdict.checkpoint?.status).toBe('holds');
      if (verdict.head) seen.push(verdict.head.sequence);
      if (verdict.next_after === null) break;
      after = verdict.next_after;
    }
    expect(seen).toEqual([3, 6, 9, 10]);
  });

  it('names a break in the page that holds it, and the checkpoint’s break on every page', async () => {
    await appendAndChain(9);
    await checkpointRound();
    await asOwner((trx) =>
      sql`update ${sql.id(SCHEMA, 'audit_log')} set after = '{"amount":"1.00"}'
        where id = (select entry_id from ${sql.id(SCHEMA, 'audit_chain')} where company_id = ${company} and sequence = 5)`.execute(
        trx,
      ),
    );
    const first = await verify({ after: 0, limit: 3 });
    expect(first.broken).toBeNull();
    const second = await verify({ after: 3, limit: 3 });
    expect(second.broken).toMatchObject({ sequence: 5, reason: expect.stringMatching(/content/) });
    await cutTail(8);
    const firstAgain = await verify({ after: 0, limit: 3 });
    expect(firstAgain.broken).toMatchObject({ reason: expect.stringMatching(/tail was cut/) });
  });
});
