import type { EventOf, EventType, NotificationKind } from '@countersign/contracts';
import { describe, expect, it } from 'vitest';
import { type NotifiableEvent, notificationsFor } from './recipients.js';

/**
 * The recipients table, pinned: for every event the service listens to, exactly who is
 * told and with which kind. Ids are names, to read the table at a glance.
 */
const envelope = {
  id: '0197a000-0000-7000-8000-00000000e001',
  version: 1 as const,
  occurred_at: '2026-12-01T10:00:00.000Z',
  company_id: '0197a000-0000-7000-8000-000000000001',
  actor: { kind: 'user' as const, id: 'bob' },
  subject: 'expense',
};
const at = envelope.occurred_at;
const finance = { financeUserIds: ['fiona', 'felix'] };
const policy = { id: 'policy', name: 'Office', category: 'office', version: 1 };

function event<T extends EventType>(type: T, data: EventOf<T>['data']): NotifiableEvent {
  return { ...envelope, type, data } as unknown as NotifiableEvent;
}

const cases: [string, NotifiableEvent, [string, NotificationKind][]][] = [
  [
    'ApprovalRequested: the approver',
    event('ApprovalRequested', {
      expense_id: 'expense',
      step: 1,
      approver_id: 'frank',
      submitter_id: 'grace',
      submitter_name: 'Grace',
      amount: '10.00',
      description: 'Lunch',
    }),
    [['frank', 'approval_requested']],
  ],
  [
    'StepApproved: the submitter',
    event('StepApproved', {
      expense_id: 'expense',
      step: 1,
      approver_id: 'frank',
      submitter_id: 'grace',
      comments: null,
      approved_at: at,
      pending_required_steps: 1,
    }),
    [['grace', 'step_approved']],
  ],
  [
    'StepApproved by a delegate: the submitter and the delegator',
    event('StepApproved', {
      expense_id: 'expense',
      step: 1,
      approver_id: 'frank',
      submitter_id: 'grace',
      comments: null,
      approved_at: at,
      pending_required_steps: 0,
      decided_by: 'bob',
    }),
    [
      ['grace', 'step_approved'],
      ['frank', 'decided_on_your_behalf'],
    ],
  ],
  [
    'ExpenseApproved: the submitter, then every active finance user',
    event('ExpenseApproved', {
      expense_id: 'expense',
      submitter_id: 'grace',
      amount: '10.00',
      completed_at: at,
      skipped_steps: [],
    }),
    [
      ['grace', 'expense_approved'],
      ['fiona', 'expense_ready_to_pay'],
      ['felix', 'expense_ready_to_pay'],
    ],
  ],
  [
    'ExpenseApproved of a finance user: told once, as the submitter',
    event('ExpenseApproved', {
      expense_id: 'expense',
      submitter_id: 'fiona',
      amount: '10.00',
      completed_at: at,
      skipped_steps: [],
    }),
    [
      ['fiona', 'expense_approved'],
      ['felix', 'expense_ready_to_pay'],
    ],
  ],
  [
    'ExpenseAutoApproved: the submitter and finance',
    event('ExpenseAutoApproved', {
      expense_id: 'expense',
      submitter: { id: 'grace', name: 'Grace', team_id: 'team' },
      amount: '10.00',
      description: 'Lunch',
      policy,
      approved_at: at,
    }),
    [
      ['grace', 'expense_auto_approved'],
      ['fiona', 'expense_ready_to_pay'],
      ['felix', 'expense_ready_to_pay'],
    ],
  ],
  [
    'ExpenseRejected: the submitter',
    event('ExpenseRejected', {
      expense_id: 'expense',
      step: 1,
      approver_id: 'frank',
      submitter_id: 'grace',
      reason: 'no receipt',
      rejected_at: at,
      skipped_steps: [],
    }),
    [['grace', 'expense_rejected']],
  ],
  [
    'ExpenseRejected by a delegate: the submitter and the delegator',
    event('ExpenseRejected', {
      expense_id: 'expense',
      step: 1,
      approver_id: 'frank',
      submitter_id: 'grace',
      reason: 'no receipt',
      rejected_at: at,
      skipped_steps: [],
      decided_by: 'bob',
    }),
    [
      ['grace', 'expense_rejected'],
      ['frank', 'decided_on_your_behalf'],
    ],
  ],
  [
    'ExpenseSentBack: the submitter',
    event('ExpenseSentBack', {
      expense_id: 'expense',
      round: 1,
      step: 1,
      approver_id: 'frank',
      submitter_id: 'grace',
      comment: 'add the receipt',
      sent_back_at: at,
    }),
    [['grace', 'expense_sent_back']],
  ],
  [
    'ExpenseSentBack by a delegate: the submitter and the delegator',
    event('ExpenseSentBack', {
      expense_id: 'expense',
      round: 1,
      step: 1,
      approver_id: 'frank',
      submitter_id: 'grace',
      comment: 'add the receipt',
      sent_back_at: at,
      decided_by: 'bob',
    }),
    [
      ['grace', 'expense_sent_back'],
      ['frank', 'decided_on_your_behalf'],
    ],
  ],
  [
    'ExpenseRoutingFailed: the submitter',
    event('ExpenseRoutingFailed', {
      expense_id: 'expense',
      submitter_id: 'grace',
      reason: 'no approver',
    }),
    [['grace', 'expense_refused']],
  ],
  [
    'ExpenseBlocked: the submitter',
    event('ExpenseBlocked', {
      expense_id: 'expense',
      round: 1,
      submitter: { id: 'grace', name: 'Grace', team_id: 'team' },
      amount: '10.00',
      description: 'Lunch',
      policy,
      rule: { index: 0, priority: 1 },
      reason: 'never',
      blocked_at: at,
    }),
    [['grace', 'expense_blocked']],
  ],
  [
    'ExpensePaid: the submitter',
    event('ExpensePaid', {
      expense_id: 'expense',
      submitter_id: 'grace',
      payout_id: 'payout',
      reference: null,
      amount: '10.00',
      money: {
        amount: '10.00',
        currency: 'USD',
        base_amount: '10.00',
        base_currency: 'USD',
        exchange_rate: '1',
        rate_date: '2026-12-01',
      },
      paid_by: 'fiona',
      paid_at: at,
    }),
    [['grace', 'expense_paid']],
  ],
  [
    'ExpenseWithdrawn: each approver it was waiting for',
    event('ExpenseWithdrawn', {
      expense_id: 'expense',
      submitter_id: 'grace',
      round: 1,
      pending_approver_ids: ['frank', 'hannah'],
      reason: null,
      withdrawn_at: at,
      skipped_steps: [],
    }),
    [
      ['frank', 'expense_withdrawn'],
      ['hannah', 'expense_withdrawn'],
    ],
  ],
  [
    'ApprovalDelegated: the delegate',
    event('ApprovalDelegated', {
      delegation_id: 'delegation',
      delegator_id: 'frank',
      delegator_name: 'Frank',
      delegate_id: 'bob',
      delegate_name: 'Bob',
      starts_on: '2026-12-01',
      ends_on: '2026-12-05',
      max_amount: null,
      categories: null,
    }),
    [['bob', 'delegation_granted']],
  ],
  [
    'ApprovalEscalated: the approver it moved from and the submitter (the new approver gets the ApprovalRequested emitted with it)',
    event('ApprovalEscalated', {
      expense_id: 'expense',
      step: 1,
      from_approver_id: 'frank',
      to_approver_id: 'eve',
      submitter_id: 'grace',
      assignment: 2,
      reason: 'no decision in time',
      due_at: at,
    }),
    [
      ['frank', 'approval_escalated'],
      ['grace', 'approval_escalated'],
    ],
  ],
];

describe('the recipients table', () => {
  it.each(cases)('%s', (_name, given, expected) => {
    const notes = notificationsFor(given, finance);
    expect(notes.map((n) => [n.recipientId, n.kind])).toEqual(expected);
  });

  it('covers every event type the service notifies about', () => {
    const covered = new Set(cases.map(([, given]) => given.type));
    const notifiable: NotifiableEvent['type'][] = [
      'ApprovalRequested',
      'ExpenseApproved',
      'ExpenseAutoApproved',
      'ExpenseRejected',
      'ExpenseRoutingFailed',
      'ExpenseSentBack',
      'ExpenseWithdrawn',
      'StepApproved',
      'ApprovalDelegated',
      'ApprovalEscalated',
      'ExpenseBlocked',
      'ExpensePaid',
    ];
    expect([...covered].sort()).toEqual([...notifiable].sort());
  });

  it('tells nobody in finance when the company has no active finance user', () => {
    const [, approved] = cases[3] ?? [];
    if (!approved) throw new Error('case missing');
    expect(notificationsFor(approved, { financeUserIds: [] }).map((n) => n.kind)).toEqual([
      'expense_approved',
    ]);
  });
});
