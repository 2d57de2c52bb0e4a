import { newEvent } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeRoutingOutcome } from '../../services/expense/src/db/expense-submission.js';
import { migrations } from '../../services/expense/src/db/migrations/index.js';
import type { ExpenseDatabase } from '../../services/expense/src/db/types.js';
import { trackApprovalProgress } from '../../services/expense/src/use-cases/track-approval-progress.js';
import { freshServiceSchema } from '../support/int-database.js';

/**
 * The expense service's read model across rounds, on a real PostgreSQL: once an expense is
 * resubmitted, late or redelivered events of the round that was sent back change nothing,
 * and the new round's events apply.
 */

const SCHEMA = 'expense_rounds_test';
const company = '0197a000-0000-7000-8000-000000000001';
const grace = '0197a000-0000-7000-8000-000000000107';
const frank = '0197a000-0000-7000-8000-000000000106';
const eve = '0197a000-0000-7000-8000-000000000105';
const policy = '0197a000-0000-7000-8000-000000000201';

let db: Kysely<ExpenseDatabase>;

beforeAll(async () => {
  db = await freshServiceSchema<ExpenseDatabase>(SCHEMA, migrations);
});
afterAll(async () => db?.destroy());

const step = (n: number, approverId: string) => ({
  step: n,
  approver_id: approverId,
  approver_name: `Approver ${n}`,
  level_number: 7 - n,
  level_name: `Level ${7 - n}`,
  required: true,
  required_level: 7 - n,
  team_scope: 'submitter' as const,
});

async function newExpense(): Promise<string> {
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
      round: 1,
      requested_policy_id: policy,
    })
    .execute();
  await db
    .insertInto('expense_step')
    .values(
      [step(1, frank), step(2, eve)].map((s) => ({
        expense_id: id,
        step: s.step,
        approver_id: s.approver_id,
        approver_name: s.approver_name,
        level_name: s.level_name,
        required: true,
        status: 'pending' as const,
        decided_at: null,
        comments: null,
        stage: s.step,
      })),
    )
    .execute();
  return id;
}

const about = (expenseId: string) => ({
  companyId: company,
  actor: { kind: 'user', id: frank } as const,
  subject: expenseId,
});

const stepApproved = (expenseId: string, stepNumber: number, round: number | undefined) =>
  newEvent('StepApproved', {
    ...about(expenseId),
    data: {
      expense_id: expenseId,
      step: stepNumber,
      approver_id: frank,
      submitter_id: grace,
      comments: `round ${round ?? 'absent'}`,
      approved_at: new Date().toISOString(),
      pending_required_steps: 1,
      ...(round === undefined ? {} : { round }),
    },
  });

async function handle<
  T extends
    | 'StepApproved'
    | 'ExpenseSentBack'
    | 'ExpenseRejected'
    | 'ApproverReassigned'
    | 'ExpenseWithdrawn',
>(event: Parameters<NonNullable<(typeof trackApprovalProgress)[T]>>[1]) {
  const handler = trackApprovalProgress[event.type as T] as (
    trx: unknown,
    e: typeof event,
  ) => Promise<void>;
  await db.transaction().execute((trx) => handler(trx, event));
}

async function readModel(expenseId: string) {
  const expense = await db
    .selectFrom('expense')
    .select(['status', 'round'])
    .where('id', '=', expenseId)
    .executeTakeFirstOrThrow();
  const steps = await db
    .selectFrom('expense_step')
    .select(['step', 'approver_id', 'status', 'comments'])
    .where('expense_id', '=', expenseId)
    .orderBy('step')
    .execute();
  return { ...expense, steps };
}

describe('the read model follows the current round only', () => {
  it('ignores events of a round the expense has left', async () => {
    const id = await newExpense();
    // Round 1, as events without a round (those of before rounds existed) say it.
    await handle(stepApproved(id, 1, undefined));
    await handle(
      newEvent('ExpenseSentBack', {
        ...about(id),
        data: {
          expense_id: id,
          round: 1,
          step: 2,
          approver_id: eve,
          submitter_id: grace,
          comment: 'Receipt?',
          sent_back_at: new Date().toISOString(),
        },
      }),
    );
    expect(await readModel(id)).toMatchObject({
      status: 'sent_back',
      round: 1,
      steps: [{ status: 'approved' }, { status: 'sent_back', comments: 'Receipt?' }],
    });

    const started = await db.transaction().execute((trx) =>
      storeRoutingOutcome(
        trx,
        id,
        {
          status: 'sent_back',
          round: 1,
          amount: '100.00',
          original_amount: '100.00',
          description: 'Desk lamp',
          category: 'equipment',
          requested_policy_id: policy,
        },
        2,
        {
          submitter_name: 'Grace Taylor',
          policy_id: policy,
          policy_name: 'Small equipment',
          category: 'equipment',
          status: 'pending',
          completed_at: null,
          refusal_reason: null,
          flags: null,
        },
        [step(1, eve)],
      ),
    );
    expect(started).toBe(true);

    // Late copies of round 1: a redelivered approval, a rejection that lost a race.
    await handle(stepApproved(id, 1, 1));
    await handle(stepApproved(id, 1, undefined));
    await handle(
      newEvent('ExpenseRejected', {
        ...about(id),
        data: {
          expense_id: id,
          step: 1,
          approver_id: frank,
          submitter_id: grace,
          reason: 'late',
          rejected_at: new Date().toISOString(),
          skipped_steps: [],
          round: 1,
        },
      }),
    );
    expect(await readModel(id)).toMatchObject({
      status: 'pending',
      round: 2,
      steps: [{ step: 1, approver_id: eve, status: 'pending', comments: null }],
    });

    await handle(stepApproved(id, 1, 2));
    expect(await readModel(id)).toMatchObject({
      round: 2,
      steps: [{ status: 'approved', comments: 'round 2' }],
    });
  });

  it('starts a round once: a second resubmission of the same round changes nothing', async () => {
    const id = await newExpense();
    await db.updateTable('expense').set({ status: 'sent_back' }).where('id', '=', id).execute();
    const resubmit = (description: string) =>
      db.transaction().execute((trx) =>
        storeRoutingOutcome(
          trx,
          id,
          {
            status: 'sent_back',
            round: 1,
            amount: '100.00',
            original_amount: '100.00',
            description,
            category: 'equipment',
            requested_policy_id: policy,
          },
          2,
          {
            submitter_name: 'Grace Taylor',
            policy_id: policy,
            policy_name: 'Small equipment',
            category: 'equipment',
            status: 'pending',
            completed_at: null,
            refusal_reason: null,
            flags: null,
          },
          [step(1, eve)],
        ),
      );
    // Routed on a description that was edited since: refused, nothing stored.
    expect(await resubmit('Edited meanwhile')).toBe(false);
    expect(await resubmit('Desk lamp')).toBe(true);
    expect(await resubmit('Desk lamp')).toBe(false);
    expect(await readModel(id)).toMatchObject({ status: 'pending', round: 2 });
  });

  const sendBackAndResubmit = async (
    id: string,
    outcome: { status: 'pending' | 'approved' | 'blocked'; chain: ReturnType<typeof step>[] },
  ) => {
    await db.updateTable('expense').set({ status: 'sent_back' }).where('id', '=', id).execute();
    const settled = outcome.status !== 'pending';
    const started = await db.transaction().execute((trx) =>
      storeRoutingOutcome(
        trx,
        id,
        {
          status: 'sent_back',
          round: 1,
          amount: '100.00',
          original_amount: '100.00',
          description: 'Desk lamp',
          category: 'equipment',
          requested_policy_id: policy,
        },
        2,
        {
          submitter_name: 'Grace Taylor',
          policy_id: policy,
          policy_name: 'Small equipment',
          category: 'equipment',
          status: outcome.status,
          completed_at: settled ? new Date() : null,
          refusal_reason: outcome.status === 'blocked' ? 'over the limit' : null,
          flags: null,
        },
        outcome.chain,
      ),
    );
    expect(started).toBe(true);
  };

  const reassigned = (id: string, round: number | undefined, approverId: string) =>
    newEvent('ApproverReassigned', {
      ...about(id),
      data: {
        expense_id: id,
        step: 1,
        previous_approver_id: frank,
        approver: { ...step(1, approverId), approver_name: `Reassigned ${round ?? 'absent'}` },
        assignment: 2,
        reason: 'moved team',
        ...(round === undefined ? {} : { round }),
      },
    });

  it('ignores a reassignment of a round the expense has left; applies the current one', async () => {
    const id = await newExpense();
    await sendBackAndResubmit(id, { status: 'pending', chain: [step(1, eve)] });
    await handle(reassigned(id, 1, frank));
    expect(await readModel(id)).toMatchObject({
      round: 2,
      steps: [{ step: 1, approver_id: eve, status: 'pending' }],
    });
    await handle(reassigned(id, 2, grace));
    expect((await readModel(id)).steps).toEqual([
      expect.objectContaining({ step: 1, approver_id: grace }),
    ]);
    // Without a round (events from before it was carried): applied as it always was.
    const legacy = await newExpense();
    await handle(reassigned(legacy, undefined, eve));
    expect((await readModel(legacy)).steps[0]).toMatchObject({ approver_id: eve });
  });

  it('a withdrawal that won ends a resubmission a rule settled; a round-1 approval stays', async () => {
    const withdrawn = (id: string, round: number) =>
      newEvent('ExpenseWithdrawn', {
        ...about(id),
        data: {
          expense_id: id,
          round,
          submitter_id: grace,
          reason: null,
          withdrawn_at: new Date().toISOString(),
          skipped_steps: [],
          pending_approver_ids: [],
        },
      });
    const approvedByRule = await newExpense();
    await sendBackAndResubmit(approvedByRule, { status: 'approved', chain: [] });
    expect(await readModel(approvedByRule)).toMatchObject({ status: 'approved', steps: [] });
    await handle(withdrawn(approvedByRule, 1));
    expect(await readModel(approvedByRule)).toMatchObject({ status: 'withdrawn', round: 2 });

    const blockedByRule = await newExpense();
    await sendBackAndResubmit(blockedByRule, { status: 'blocked', chain: [] });
    await handle(withdrawn(blockedByRule, 1));
    expect(await readModel(blockedByRule)).toMatchObject({ status: 'withdrawn' });

    const approvedInRound = await newExpense();
    await db
      .updateTable('expense')
      .set({ status: 'approved', completed_at: new Date() })
      .where('id', '=', approvedInRound)
      .execute();
    await handle(withdrawn(approvedInRound, 1));
    expect(await readModel(approvedInRound)).toMatchObject({ status: 'approved' });
  });
});
