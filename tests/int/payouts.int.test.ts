import type { AccessClaims } from '@countersign/contracts';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../services/expense/src/db/migrations/index.js';
import type { ExpenseDatabase } from '../../services/expense/src/db/types.js';
import { deleteExpense } from '../../services/expense/src/use-cases/delete-expense.js';
import { payExpenses } from '../../services/expense/src/use-cases/pay-expenses.js';
import { freshServiceSchema } from '../support/int-database.js';

/**
 * Payouts and deletions on a real PostgreSQL: racing batches pay an expense once, with one
 * ExpensePaid, and the state and its events commit together.
 */

const SCHEMA = 'expense_payouts_test';
const company = '0197a000-0000-7000-8000-000000000001';
const grace = '0197a000-0000-7000-8000-000000000107';
const hannah: AccessClaims = {
  sub: '0197a000-0000-7000-8000-000000000108',
  company_id: company,
  role: 'finance',
  name: 'Hannah',
  email: 'hannah@techcorp.example',
};
const alice: AccessClaims = {
  ...hannah,
  sub: '0197a000-0000-7000-8000-000000000101',
  role: 'admin',
};
const graceClaims: AccessClaims = { ...hannah, sub: grace, role: 'employee', name: 'Grace' };

let db: Kysely<ExpenseDatabase>;

beforeAll(async () => {
  db = await freshServiceSchema<ExpenseDatabase>(SCHEMA, migrations);
});
afterAll(async () => db?.destroy());

async function newExpense(status: 'approved' | 'pending' | 'sent_back' | 'draft') {
  const id = crypto.randomUUID();
  const routed = status !== 'draft';
  await db
    .insertInto('expense')
    .values({
      id,
      company_id: company,
      submitter_id: grace,
      submitter_name: 'Grace Taylor',
      policy_id: routed ? company : null,
      policy_name: routed ? 'Small equipment' : null,
      category: 'equipment',
      amount: '100.00',
      original_amount: '100.00',
      spend_date: '2026-11-20',
      description: 'Desk lamp',
      status,
      refusal_reason: null,
      submitted_at: new Date(),
      completed_at: status === 'approved' ? new Date() : null,
      workspace_id: null,
      round: 1,
      requested_policy_id: null,
    })
    .execute();
  return id;
}

async function events(type: string, expenseId: string) {
  const rows = await db
    .selectFrom('outbox')
    .select('payload')
    .where(sql<boolean>`payload::jsonb->>'type' = ${type}`)
    .where(sql<boolean>`payload::jsonb->>'subject' = ${expenseId}`)
    .execute();
  return rows.length;
}

describe('payouts', () => {
  it('pays an expense once when two batches race for it', async () => {
    const id = await newExpense('approved');
    const [a, b] = await Promise.all([
      payExpenses(db, hannah, { expense_ids: [id] }, new Date()),
      payExpenses(db, alice, { expense_ids: [id] }, new Date()),
    ]);
    const outcomes = [a.results[0], b.results[0]].map((r) =>
      r?.outcome === 'paid' ? 'paid' : r?.reason,
    );
    expect(outcomes.sort()).toEqual(['already-paid', 'paid']);
    expect(await events('ExpensePaid', id)).toBe(1);
    const row = await db
      .selectFrom('expense')
      .select(['status', 'payout_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const winner = a.results[0]?.outcome === 'paid' ? a : b;
    expect(row).toEqual({ status: 'paid', payout_id: winner.payout_id });
  });

  it('joins one payout when two batches race with the same reference', async () => {
    const first = await newExpense('approved');
    const second = await newExpense('approved');
    const [a, b] = await Promise.all([
      payExpenses(db, hannah, { expense_ids: [first], reference: 'RACE-1' }, new Date()),
      payExpenses(db, hannah, { expense_ids: [second], reference: 'RACE-1' }, new Date()),
    ]);
    expect(a.payout_id).toBe(b.payout_id);
    expect([a.paid, b.paid]).toEqual([1, 1]);
    const paidIn = await db
      .selectFrom('expense')
      .select('payout_id')
      .where('id', 'in', [first, second])
      .execute();
    expect(paidIn.map((r) => r.payout_id)).toEqual([a.payout_id, a.payout_id]);
  });

  it('pays nothing that is not approved, and stores a batch of refusals as one empty payout', async () => {
    const pending = await newExpense('pending');
    const answer = await payExpenses(db, hannah, { expense_ids: [pending] }, new Date());
    expect(answer).toMatchObject({ paid: 0, refused: 1 });
    expect(await events('ExpensePaid', pending)).toBe(0);
    const row = await db
      .selectFrom('expense')
      .select(['status', 'payout_id', 'paid_at'])
      .where('id', '=', pending)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'pending', payout_id: null, paid_at: null });
  });

  it('refuses to delete a paid expense, and to pay a deleted one', async () => {
    const draft = await newExpense('draft');
    await deleteExpense(db, graceClaims, draft, new Date());
    expect(await events('ExpenseDeleted', draft)).toBe(1);
    const answer = await payExpenses(db, hannah, { expense_ids: [draft] }, new Date());
    expect(answer.results).toEqual([
      expect.objectContaining({ outcome: 'refused', reason: 'unknown' }),
    ]);
    const approved = await newExpense('approved');
    await payExpenses(db, hannah, { expense_ids: [approved] }, new Date());
    await expect(deleteExpense(db, graceClaims, approved, new Date())).rejects.toMatchObject({
      code: 'conflict',
    });
  });
});
