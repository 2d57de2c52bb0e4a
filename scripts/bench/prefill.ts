/**
 * `npm run bench:prefill`: fills a running cluster's database with a history of
 * PREFILL_EXPENSES expenses (100,000 by default), so `npm run bench` can show that no
 * hot-path query grows with it.
 *
 *   1. PREFILL_SEED expenses (500 by default) go through the gateway as grace, and frank
 *      approves 7 in 10 and rejects 2 (the last one stays pending in his queue); a tenth
 *      are trips with a second step (eve's). Every service writes what a real history
 *      leaves: expenses, chains, steps, deadlines, notifications, pending approvals,
 *      inboxes, sent outboxes and audit entries.
 *   2. Once every outbox is sent and every consumer has caught up, those rows are copied
 *      in SQL inside each schema (prefill-copy.ts), each copy further in the past.
 *   3. The copied audit entries are chained (the chainer's own code), so the audit
 *      trail verifies; the tables are analysed.
 *
 * A database that already holds PREFILL_EXPENSES expenses is left alone: running it
 * twice does nothing the second time.
 *
 * Env: BASE_URL (http://127.0.0.1:4000, loopback only), DATABASE_URL (the cluster's),
 * PREFILL_EXPENSES (100000), PREFILL_SEED (500).
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AuditTables, chainAuditEntries, createDatabase } from '@countersign/platform';
import pg from 'pg';
import { copyTable, HISTORY_TABLES } from './prefill-copy.js';
import { seedThroughApi } from './prefill-seed.js';

const AUDITED_SCHEMAS = ['expense', 'approval', 'notification'] as const;
const OUTBOX_TABLES = ['expense.outbox', 'approval.outbox', 'notification.outbox'];
const INBOX_TABLES = ['expense.inbox', 'approval.inbox', 'notification.inbox'];
const SETTLE_TIMEOUT_MS = 120_000;
/** Copies inserted per statement: big enough to be fast, small enough to show progress. */
const COPIES_PER_ROUND = 25;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

class PrefillAbort extends Error {}

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 10_000_000) {
    throw new PrefillAbort(`${name} must be a whole number from 1 to 10,000,000, got "${raw}"`);
  }
  return value;
}

function readConfig(): { baseUrl: string; databaseUrl: string; target: number; seed: number } {
  const baseUrl = (process.env.BASE_URL ?? 'http://127.0.0.1:4000').replace(/\/+$/, '');
  if (!LOOPBACK_HOSTS.has(new URL(baseUrl).hostname)) {
    throw new PrefillAbort(
      `BASE_URL must be on loopback: this writes a bench history, got ${baseUrl}`,
    );
  }
  const target = positiveInt('PREFILL_EXPENSES', 100_000);
  return {
    baseUrl,
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/countersign',
    target,
    seed: Math.min(positiveInt('PREFILL_SEED', 500), target),
  };
}

async function count(client: pg.ClientBase, table: string, where = 'true'): Promise<number> {
  const result = await client.query<{ n: string }>(
    `select count(*) as n from ${table} where ${where}`,
  );
  return Number(result.rows[0]?.n ?? 0);
}

/** Waits until every outbox is sent, no entry waits for its chain and the inboxes stop growing. */
async function waitSettled(client: pg.ClientBase): Promise<void> {
  const deadline = performance.now() + SETTLE_TIMEOUT_MS;
  let previous = -1;
  for (;;) {
    let unsent = 0;
    for (const table of OUTBOX_TABLES) unsent += await count(client, table, 'sent_at is null');
    let unchained = 0;
    for (const schema of AUDITED_SCHEMAS)
      unchained += await count(client, `${schema}.audit_unchained`);
    let processed = 0;
    for (const table of INBOX_TABLES) processed += await count(client, table);
    if (unsent === 0 && unchained === 0 && processed === previous) return;
    if (performance.now() > deadline) {
      throw new PrefillAbort(
        `the cluster did not settle in ${SETTLE_TIMEOUT_MS / 1000} s: ${unsent} outbox rows unsent, ${unchained} audit entries unchained`,
      );
    }
    previous = processed;
    await sleep(1000);
  }
}

/** Links every queued audit entry of each schema (the services' chainers may help). */
async function chainEverything(databaseUrl: string): Promise<number> {
  let linked = 0;
  for (const schema of AUDITED_SCHEMAS) {
    const db = createDatabase<AuditTables>({ url: databaseUrl, schema, maxConnections: 2 });
    try {
      for (;;) {
        const pass = await chainAuditEntries({ db, schema, batch: 2000 });
        linked += pass;
        const left = await db
          .selectFrom('audit_unchained')
          .select(db.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow();
        if (Number(left.n) === 0) break;
        // Another replica holds a company's chain lock: give it a moment.
        if (pass === 0) await sleep(200);
      }
    } finally {
      await db.destroy();
    }
  }
  return linked;
}

async function main(): Promise<void> {
  const cfg = readConfig();
  const started = performance.now();
  const client = new pg.Client({ connectionString: cfg.databaseUrl });
  await client.connect();
  try {
    const existing = await count(client, 'expense.expense');
    if (existing >= cfg.target) {
      console.log(
        `The database already holds ${existing} expenses (≥ ${cfg.target}): nothing to do.`,
      );
      return;
    }
    const seedStart = (await client.query<{ now: Date }>('select clock_timestamp() as now')).rows[0]
      ?.now as Date;
    console.log(`Seeding ${cfg.seed} expenses through ${cfg.baseUrl}…`);
    await seedThroughApi(cfg.baseUrl, cfg.seed);
    await waitSettled(client);
    const seeded = await count(
      client,
      'expense.expense',
      `submitted_at >= '${seedStart.toISOString()}'`,
    );
    const settledAt = (await client.query<{ now: Date }>('select clock_timestamp() as now')).rows[0]
      ?.now as Date;
    const copies = Math.max(0, Math.ceil((cfg.target - existing - seeded) / seeded));
    // Each copy sits this far before the previous one: longer than the seed took.
    const shiftMs = settledAt.getTime() - seedStart.getTime() + 1_000;
    console.log(
      `Seeded ${seeded} expenses in ${Math.round((performance.now() - started) / 1000)} s; copying them ${copies} times, ${Math.round(shiftMs / 1000)} s apart…`,
    );
    const written = new Map<string, number>();
    for (let first = 1; first <= copies; first += COPIES_PER_ROUND) {
      const last = Math.min(copies, first + COPIES_PER_ROUND - 1);
      await client.query('begin');
      for (const spec of HISTORY_TABLES) {
        const rows = await copyTable(client, spec, { seedStart, shiftMs, first, last });
        written.set(spec.table, (written.get(spec.table) ?? 0) + rows);
      }
      await client.query('commit');
      console.log(`  copies ${first}-${last} of ${copies} written`);
    }
    console.log('Chaining the copied audit entries…');
    const linked = await chainEverything(cfg.databaseUrl);
    for (const spec of HISTORY_TABLES) await client.query(`analyze ${spec.table}`);
    for (const schema of AUDITED_SCHEMAS) await client.query(`analyze ${schema}.audit_chain`);
    console.log('\nRows written per table:');
    for (const [table, rows] of written) console.log(`  ${table.padEnd(32)} ${rows}`);
    console.log(`  audit entries chained            ${linked}`);
    const total = await count(client, 'expense.expense');
    console.log(
      `\nThe database now holds ${total} expenses (${Math.round((performance.now() - started) / 1000)} s).`,
    );
  } finally {
    await client.end();
  }
}

try {
  await main();
} catch (error) {
  if (error instanceof PrefillAbort) {
    console.error(`bench:prefill: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
