import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNpmScript } from '../support/run-script.js';
import { api, DATABASE_URL, gatewayUrl, login, TestCluster } from '../support/test-cluster.js';

/**
 * `npm run bench:prefill` on a small scale against a real cluster: the history it copies
 * in SQL is one the services can still work with (the audit trail verifies, lists and
 * queues read it, a new expense still routes and is approved), and a second run leaves
 * a database that already holds enough expenses alone.
 */

const TARGET = 120;
const SEED = 20;
let cluster: TestCluster;
let firstRun: string;

const prefill = () =>
  runNpmScript('bench:prefill', [], {
    BASE_URL: gatewayUrl,
    DATABASE_URL,
    PREFILL_EXPENSES: String(TARGET),
    PREFILL_SEED: String(SEED),
  });

async function countOf(table: string): Promise<number> {
  const { rows } = await cluster.db.query<{ n: string }>(`select count(*) as n from ${table}`);
  return Number(rows[0]?.n);
}

beforeAll(async () => {
  cluster = await TestCluster.start();
  firstRun = await prefill();
}, 240_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('bench:prefill', () => {
  it('fills the history of every service with copies of what the seeded expenses left', async () => {
    expect(firstRun).toMatch(new RegExp(`now holds ${TARGET} expenses`));
    expect(await countOf('expense.expense')).toBe(TARGET);
    expect(await countOf('approval.chain')).toBe(TARGET);
    // Every copied entry was chained, and no outbox row waits to be sent again.
    for (const schema of ['expense', 'approval', 'notification']) {
      expect(await countOf(`${schema}.audit_unchained`)).toBe(0);
      expect(await countOf(`${schema}.outbox where sent_at is null`)).toBe(0);
      expect(await countOf(`${schema}.audit_chain`)).toBe(await countOf(`${schema}.audit_log`));
    }
    // Each copy lies further back than the seed took plus a second: the history spans at
    // least a second per copy.
    const { rows } = await cluster.db.query<{ span_s: string }>(
      'select extract(epoch from max(submitted_at) - min(submitted_at)) as span_s from expense.expense',
    );
    expect(Number(rows[0]?.span_s)).toBeGreaterThanOrEqual(TARGET / SEED - 1);
  });

  it('leaves an audit trail that verifies in every service', async () => {
    const verdict = await api('GET', '/api/audit-logs/verify', await login('ivan'));
    expect(verdict.status).toBe(200);
    expect(verdict.body).toMatchObject({ intact: true, first_broken: null });
  });

  it('leaves lists and queues the API reads, and the cluster still routes and approves', async () => {
    const grace = await login('grace');
    const frank = await login('frank');
    const mine = await api('GET', '/api/expenses?limit=50', grace);
    expect(mine.status).toBe(200);
    expect(mine.body.items).toHaveLength(50);
    const queue = await api('GET', '/api/approvals/pending?limit=100', frank);
    expect(queue.status).toBe(200);
    // One in ten seeded expenses stays pending, and so does each copy of it.
    expect(queue.body.items?.length).toBeGreaterThanOrEqual(TARGET / 10);
    const created = await api('POST', '/api/expenses', grace, {
      policy_id: '0197a000-0000-7000-8000-000000000201',
      amount: 42.5,
      description: 'after the prefill',
    });
    expect(created.status).toBe(201);
    const deadline = Date.now() + 15_000;
    let approved = await api('POST', '/api/expenses/approve', frank, {
      expense_id: created.body.expense_id,
    });
    while ((approved.status === 409 || approved.status === 404) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      approved = await api('POST', '/api/expenses/approve', frank, {
        expense_id: created.body.expense_id,
      });
    }
    expect(approved.status).toBe(200);
  });

  it('does nothing on a database that already holds the expenses asked for', async () => {
    const before = await countOf('expense.expense');
    expect(await prefill()).toMatch(/already holds/);
    expect(await countOf('expense.expense')).toBe(before);
  });
});
