import { type EventOf, FeedItemV1 } from '@countersign/contracts';
import { describe, expect, it } from 'vitest';
import { feedItemsFor } from './feed-items.js';

const company = '0197a000-0000-7000-8000-000000000001';
const grace = '0197a000-0000-7000-8000-000000000107';
const frank = '0197a000-0000-7000-8000-000000000106';
const expenseId = '0197a000-0000-7000-8000-00000000e0e0';
const envelope = {
  id: '0197a000-0000-7000-8000-00000000e001',
  version: 1 as const,
  occurred_at: '2026-12-01T10:00:00.000Z',
  company_id: company,
  actor: { kind: 'user' as const, id: frank },
  subject: expenseId,
};

describe('feedItemsFor', () => {
  it('puts a stored notification in its recipient’s feed only', () => {
    const event: EventOf<'NotificationCreated'> = {
      ...envelope,
      type: 'NotificationCreated',
      data: {
        notification_id: '0197a000-0000-7000-8000-00000000f001',
        recipient_id: frank,
        kind: 'approval_requested',
        expense_id: expenseId,
        message: 'Grace asks you to approve',
      },
    };
    const items = feedItemsFor(event);
    expect(items).toEqual([
      {
        type: 'notification',
        company_id: company,
        user_id: frank,
        occurred_at: envelope.occurred_at,
        source_event_id: envelope.id,
        notification: {
          id: '0197a000-0000-7000-8000-00000000f001',
          kind: 'approval_requested',
          expense_id: expenseId,
          message: 'Grace asks you to approve',
        },
      },
    ]);
    expect(FeedItemV1.safeParse({ id: envelope.id, ...items[0] }).success).toBe(true);
  });

  it('tells the submitter, and only the submitter, of a decision by someone else', () => {
    const event: EventOf<'ExpenseRejected'> = {
      ...envelope,
      type: 'ExpenseRejected',
      data: {
        expense_id: expenseId,
        step: 1,
        approver_id: frank,
        submitter_id: grace,
        reason: 'no receipt',
        rejected_at: envelope.occurred_at,
        skipped_steps: [],
      },
    };
    const items = feedItemsFor(event);
    expect(items.map((item) => item.user_id)).toEqual([grace]);
    expect(items[0]).toMatchObject({
      type: 'expense.status',
      expense: { id: expenseId, change: 'rejected', status: 'rejected' },
    });
  });

  it('reads the submitter from the expense service’s events, which carry a submitter object', () => {
    const event: EventOf<'ExpenseBlocked'> = {
      ...envelope,
      type: 'ExpenseBlocked',
      data: {
        expense_id: expenseId,
        round: 1,
        submitter: { id: grace, name: 'Grace Taylor', team_id: company },
        amount: '50.00',
        description: 'Taxi',
        policy: { id: company, name: 'Travel', category: 'travel', version: 1 },
        rule: { index: 0, priority: 1 },
        reason: 'Taxis are not reimbursed',
        blocked_at: envelope.occurred_at,
      },
    };
    expect(feedItemsFor(event)).toMatchObject([
      { user_id: grace, expense: { change: 'blocked', status: 'blocked' } },
    ]);
  });
});
