import type { EventOf } from '@countersign/contracts';
import { describe, expect, it } from 'vitest';
import { type NotifiableEvent, notificationsFor as planFor } from './recipients.js';

/** Most events need no directory: no finance users. */
const notificationsFor = (event: NotifiableEvent) => planFor(event, { financeUserIds: [] });

const envelope = {
  id: '0197a000-0000-7000-8000-00000000e001',
  version: 1 as const,
  occurred_at: '2026-12-01T10:00:00.000Z',
  company_id: '0197a000-0000-7000-8000-000000000001',
  actor: { kind: 'user' as const, id: 'bob' },
  subject: '0197a000-0000-7000-8000-00000000e0e0',
};
const expenseId = '0197a000-0000-7000-8000-00000000e0e0';

const stepApproved = (decidedBy?: string): EventOf<'StepApproved'> => ({
  ...envelope,
  type: 'StepApproved',
  data: {
    expense_id: expenseId,
    step: 1,
    approver_id: 'frank',
    submitter_id: 'grace',
    comments: null,
    approved_at: envelope.occurred_at,
    pending_required_steps: 0,
    ...(decidedBy ? { decided_by: decidedBy } : {}),
  },
});

describe('notificationsFor parallel stages', () => {
  const requested = (extra: Partial<EventOf<'ApprovalRequested'>['data']>) =>
    notificationsFor({
      ...envelope,
      type: 'ApprovalRequested',
      data: {
        expense_id: expenseId,
        step: 2,
        approver_id: 'hannah',
        submitter_id: 'grace',
        submitter_name: 'Grace Taylor',
        amount: '640.00',
        description: 'Audit software',
        ...extra,
      },
    })[0]?.message;

  it('says whether one or all of the approvers asked must approve', () => {
    expect(requested({ stage: 1, needs: 'all', seats: 2 })).toMatch(
      /step 2 \(all 2 approvers asked must approve\)$/,
    );
    expect(requested({ stage: 1, needs: 'one', seats: 3 })).toMatch(
      /3 approvers are asked; the first approval settles it/,
    );
    expect(requested({})).toMatch(/step 2$/);
  });
});

describe('notificationsFor delegation and escalation events', () => {
  it('tells the approver when a delegate decided in their name, and nobody otherwise', () => {
    expect(notificationsFor(stepApproved('bob'))).toEqual([
      expect.objectContaining({ recipientId: 'grace', kind: 'step_approved', expenseId }),
      expect.objectContaining({ recipientId: 'frank', kind: 'decided_on_your_behalf', expenseId }),
    ]);
    expect(notificationsFor(stepApproved()).map((n) => n.recipientId)).toEqual(['grace']);
  });

  it('tells the delegate a delegation was granted, with its limits', () => {
    const [note] = notificationsFor({
      ...envelope,
      type: 'ApprovalDelegated',
      data: {
        delegation_id: expenseId,
        delegator_id: 'frank',
        delegator_name: 'Frank Miller',
        delegate_id: 'bob',
        delegate_name: 'Bob Smith',
        starts_on: '2026-12-01',
        ends_on: '2026-12-05',
        max_amount: '500.00',
        categories: ['equipment'],
      },
    });
    expect(note).toMatchObject({ recipientId: 'bob', kind: 'delegation_granted', expenseId: null });
    expect(note?.message).toContain('Frank Miller');
    expect(note?.message).toContain('up to 500.00, for equipment');
  });

  it('tells the former approver and the submitter of an escalation', () => {
    const notes = notificationsFor({
      ...envelope,
      type: 'ApprovalEscalated',
      data: {
        expense_id: expenseId,
        step: 1,
        from_approver_id: 'frank',
        to_approver_id: 'eve',
        submitter_id: 'grace',
        assignment: 2,
        reason: 'no decision in time',
        due_at: envelope.occurred_at,
      },
    });
    expect(notes.map((n) => [n.recipientId, n.kind])).toEqual([
      ['frank', 'approval_escalated'],
      ['grace', 'approval_escalated'],
    ]);
  });
});

describe('notificationsFor a blocked expense', () => {
  it('tells the submitter which policy blocked it, and why', () => {
    const notes = notificationsFor({
      ...envelope,
      type: 'ExpenseBlocked',
      data: {
        expense_id: expenseId,
        round: 1,
        submitter: { id: 'grace', name: 'Grace Taylor', team_id: 'team' },
        amount: '20000.00',
        description: 'A whole office',
        policy: { id: 'policy', name: 'Office supplies', category: 'office', version: 2 },
        rule: { index: 0, priority: 1 },
        reason: 'needs a purchase order',
        blocked_at: envelope.occurred_at,
      },
    });
    expect(notes).toEqual([
      {
        recipientId: 'grace',
        kind: 'expense_blocked',
        expenseId,
        message:
          'Your expense "A whole office" (20000.00) was blocked by policy "Office supplies": needs a purchase order',
      },
    ]);
  });
});

describe('notificationsFor a paid expense', () => {
  const paid = (reference: string | null): EventOf<'ExpensePaid'> => ({
    ...envelope,
    type: 'ExpensePaid',
    data: {
      expense_id: expenseId,
      submitter_id: 'grace',
      payout_id: '0197a000-0000-7000-8000-0000000000aa',
      reference,
      amount: '108.50',
      money: {
        amount: '100.00',
        currency: 'EUR',
        base_amount: '108.50',
        base_currency: 'USD',
        exchange_rate: '1.085',
        rate_date: '2026-11-30',
      },
      paid_by: 'fiona',
      paid_at: envelope.occurred_at,
    },
  });

  it('tells the submitter, in the money they spent, naming the payout reference', () => {
    expect(notificationsFor(paid('RUN-7'))).toEqual([
      {
        recipientId: 'grace',
        kind: 'expense_paid',
        expenseId,
        message: 'Your expense of EUR 100.00 was paid (payout RUN-7)',
      },
    ]);
    expect(notificationsFor(paid(null))[0]?.message).toBe('Your expense of EUR 100.00 was paid');
  });
});
