import { newEvent } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../services/expense/src/db/migrations/index.js';
import type { ExpenseDatabase } from '../../services/expense/src/db/types.js';
import { trackApprovalProgress } from '../../services/expense/src/use-cases/track-approval-progress.js';
import { freshServiceSchema } from '../support/int-database.js';

/**
 * The expense read model keeps when each seat was first asked (for time-to-approve
 * reports), on a real PostgreSQL: the earliest request wins whatever order the events
 * arrive in, and a request of another round changes nothing.
 */

const SCHEMA = 'expense_requested_test';
const company = '0197a000-0000-7000-8000-000000000001';
const grace = '0197a000-0000-7000-8000-000000000107';
const frank = '0197a000-0000-7000-8000-000000000106';
const policy = '0197a000-0000-7000-8000-000000000201';

let db: Kysely<ExpenseDatabase>;

beforeAll(async () => {
  db = await freshServiceSchema<ExpenseDatabase>(SCHEMA, migrations);
});
afterAll(async () => db?.destroy());

async function newExpense(round: number): Promise<string> {
  const id = crypto.randomUUID();
  await db
    .insertInto('expense')
    .values({
      id,
      company_id: company,
      submitter_id: grace,
      submitter_name: 'Grace Taylor',
      policy_id: policy,
      policy_name: 'Small equipment',
      category: 'equipment',
      amount: '100.00',
      original_amount: '100.00',
      spend_date: '2026-11-20',
      description: 'Desk lamp',
      status: 'pending',
      refusal_reason: null,
      submitted_at: new Date(),
      completed_at: null,
      workspace_id: null,
      round,
      requested_policy_id: policy,
    })
    .execute();
  await db
    .insertInto('expense_step')
    .values({
      expense_id: id,
      step: 1,
      approver_id: frank,
      approver_name: 'Frank Miller',
      level_name: 'Manager',
      required: true,
      status: 'pending',
      decided_at: null,
      comments: null,
      stage: 1,
    })
    .execute();
  return id;
}

const requested = (expenseId: string, at: string, round?: number) =>
  newEvent('ApprovalRequested', {
    companyId: company,
    actor: { kind: 'system', id: 'approval' },
    subject: expenseId,
    occurredAt: new Date(at),
    data: {
      expense_id: expenseId,
      step: 1,
      approver_id: frank,
      submitter_id: grace,
      submitter_name: 'Grace Taylor',
      amount: '100.00',
      description: 'Desk lamp',
      ...(round === undefined ? {} : { round }),
    },
  });

async function handle(event: ReturnType<typeof requested>) {
  const handler = trackApprovalProgress.ApprovalRequested;
  if (!handler) throw new Error('no ApprovalRequested handler');
  await db.transaction().execute((trx) => handler(trx, event));
}

async function requestedAt(expenseId: string) {
  const row = await db
    .selectFrom('expense_step')
    .select('requested_at')
    .where('expense_id', '=', expenseId)
    .executeTakeFirstOrThrow();
  return row.requested_at?.toISOString() ?? null;
}

describe('when a seat was asked', () => {
  it('is the earliest request, whatever order they arrive in', async () => {
    const id = await newExpense(1);
    expect(await requestedAt(id)).toBeNull();
    // An escalation's second request arrives first; the first request, redelivered, later.
    await handle(requested(id, '2026-11-20T12:00:00Z'));
    await handle(requested(id, '2026-11-20T09:00:00Z'));
    await handle(requested(id, '2026-11-20T09:00:00Z'));
    expect(await requestedAt(id)).toBe('2026-11-20T09:00:00.000Z');
  });

  it('is not set by a request of another round', async () => {
    const id = await newExpense(2);
    await handle(requested(id, '2026-11-20T09:00:00Z'));
    await handle(requested(id, '2026-11-20T09:00:00Z', 1));
    expect(await requestedAt(id)).toBeNull();
    await handle(requested(id, '2026-11-21T09:00:00Z', 2));
    expect(await requestedAt(id)).toBe('2026-11-21T09:00:00.000Z');
  });
});
