/**
 * Times what the audit trail adds to a write transaction, against PostgreSQL, and prints
 * the figures; it asserts nothing.
 *
 *   DATABASE_URL=postgres://…/scratch npx tsx --conditions=source scripts/bench/audit-append.ts
 *
 * Three runs of AUDIT_BENCH_WRITES transactions on AUDIT_BENCH_CONCURRENCY connections,
 * each inserting one row into a scratch table: without an audit entry; with one, all in
 * one company; with one, spread over 50 companies. Appends take no lock (the chain is
 * extended after commit); after each audited run, the time the chainer takes to link
 * everything written is printed too. It works in its own schema `audit_bench`, dropped
 * at the start and the end.
 */
import { performance } from 'node:perf_hooks';
import {
  type AuditTables,
  appendAudit,
  auditChainMigration,
  auditTrailMigration,
  chainAuditEntries,
  createDatabase,
  migrateSchema,
} from '@countersign/platform';
import { type Kysely, sql } from 'kysely';
import { formatTable, summarize } from './stats.js';

const SCHEMA = 'audit_bench';
const writes = Number(process.env.AUDIT_BENCH_WRITES ?? 3000);
const concurrency = Number(process.env.AUDIT_BENCH_CONCURRENCY ?? 16);
const db = createDatabase<AuditTables & { work: { id: number; note: string } }>({
  url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/countersign',
  schema: SCHEMA,
  maxConnections: concurrency,
});
const companies = Array.from(
  { length: 50 },
  (_, i) => `0197d000-0000-7000-8000-${String(i).padStart(12, '0')}`,
);

type Mode = 'none' | 'one company' | '50 companies';

async function timeWrites(mode: Mode): Promise<{ samples: number[]; perSecond: number }> {
  const samples: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < writes; i = next++) {
        const t = performance.now();
        await db.transaction().execute(async (trx) => {
          await trx.insertInto('work').values({ id: i, note: 'x' }).execute();
          if (mode === 'none') return;
          const companyId = mode === 'one company' ? companies[0] : companies[i % 50];
          await appendAudit(trx, {
            companyId: companyId ?? '',
            actor: { kind: 'user', id: 'bench', role: 'employee' },
            action: 'expense.submitted',
            entity: { type: 'expense', id: String(i) },
            after: { amount: '12.50', description: 'bench', n: i },
          });
        });
        samples.push(performance.now() - t);
      }
    }),
  );
  return { samples, perSecond: (writes / (performance.now() - started)) * 1000 };
}

async function reset(): Promise<void> {
  await sql`drop schema if exists ${sql.id(SCHEMA)} cascade`.execute(db);
  await migrateSchema(db as unknown as Kysely<unknown>, SCHEMA, {
    '0001-audit': auditTrailMigration(SCHEMA),
    '0002-audit-chain': auditChainMigration(SCHEMA),
  });
  await sql`create table ${sql.id(SCHEMA, 'work')} (id int primary key, note text)`.execute(db);
}

/** Links everything queued, as one replica's chainer would; entries per second. */
async function timeChaining(): Promise<string> {
  const started = performance.now();
  let linked = 0;
  for (let n = await chainAuditEntries({ db, schema: SCHEMA }); n > 0; ) {
    linked += n;
    n = await chainAuditEntries({ db, schema: SCHEMA });
  }
  return linked === 0 ? '-' : ((linked / (performance.now() - started)) * 1000).toFixed(0);
}

const rows: string[][] = [];
for (const mode of ['none', 'one company', '50 companies'] as const) {
  await reset();
  const { samples, perSecond } = await timeWrites(mode);
  const s = summarize(samples);
  const chained = await timeChaining();
  rows.push([
    mode,
    String(writes),
    perSecond.toFixed(0),
    ...[s.p50_ms, s.p95_ms, s.p99_ms].map((v) => v.toFixed(1)),
    chained,
  ]);
}
await sql`drop schema if exists ${sql.id(SCHEMA)} cascade`.execute(db);
await db.destroy();
console.log(
  `${writes} write transactions on ${concurrency} connections, one audit entry each:\n` +
    formatTable(['audit', 'writes', 'tx/s', 'p50 ms', 'p95 ms', 'p99 ms', 'chained/s'], rows),
);
