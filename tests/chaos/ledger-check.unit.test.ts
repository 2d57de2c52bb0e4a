// The ledger's rules on small hand-made snapshots: a consistent one passes, and each kind
// of broken promise is found (so the chaos cases' "0 violations" can fail).
import { describe, expect, it } from 'vitest';
import {
  findViolations,
  type LedgerSnapshot,
  noExpectations,
  type OutboxEntry,
  streamOfSubject,
} from '../support/ledger-check.js';

const expense = '00000000-0000-7000-8000-00000000e001';
/** The NATS subjects of the chain's events (packages/contracts catalogue). */
const subjects: Record<string, string> = {
  ExpenseSubmitted: 'countersign.expense.expense.submitted.v1',
  ExpenseRouted: 'countersign.approval.expense.routed.v1',
  ApprovalRequested: 'countersign.approval.step.requested.v1',
  StepApproved: 'countersign.approval.step.approved.v1',
  ExpenseApproved: 'countersign.approval.expense.approved.v1',
  ExpenseRejected: 'countersign.approval.expense.rejected.v1',
};
const chainEvent = (type: string, eventId: string, extra: Partial<OutboxEntry> = {}) => {
  const natsSubject = subjects[type] ?? 'unknown';
  return {
    schema: natsSubject.split('.')[1] ?? 'unknown',
    eventId,
    natsSubject,
    type,
    aggregate: expense,
    round: null,
    step: null,
    sent: true,
    sentBeforeStreamsRead: true,
    ...extra,
  } satisfies OutboxEntry;
};

/** One expense submitted, requested, approved: every row and message where it belongs. */
function approvedExpense(): LedgerSnapshot {
  const outbox: OutboxEntry[] = [
    chainEvent('ExpenseSubmitted', 'e1'),
    chainEvent('ExpenseRouted', 'e2'),
    chainEvent('ApprovalRequested', 'e3', { step: 1 }),
    chainEvent('StepApproved', 'e4', { step: 1 }),
    chainEvent('ExpenseApproved', 'e5'),
    ...['n1', 'n2', 'n3'].map((id, i) => ({
      schema: 'notification',
      eventId: `c${i}`,
      natsSubject: 'countersign.notification.notification.created.v1',
      type: 'NotificationCreated',
      aggregate: id,
      round: null,
      step: null,
      sent: true,
      sentBeforeStreamsRead: true,
    })),
    // A feed item: relayed like an event, but no catalogued event (not audited).
    {
      schema: 'notification',
      eventId: 'f1',
      natsSubject: 'countersign.feed.company.grace',
      type: null,
      aggregate: null,
      round: null,
      step: null,
      sent: true,
      sentBeforeStreamsRead: true,
    },
  ];
  return {
    accepted: [
      { kind: 'create', expenseId: expense },
      { kind: 'approve', expenseId: expense, expenseStatus: 'approved' },
    ],
    expenses: [{ id: expense, status: 'approved' }],
    chains: [{ expenseId: expense, status: 'approved' }],
    outbox,
    streams: outbox.map((o, i) => ({
      stream: streamOfSubject(o.natsSubject),
      seq: i + 1,
      msgId: o.eventId,
    })),
    audit: outbox
      .filter((o) => o.type !== null)
      .map((o) => ({
        schema: o.schema,
        action: o.natsSubject.split('.').slice(2, 4).join('.'),
        entityId: o.aggregate ?? null,
      })),
    notifications: [
      { id: 'n1', sourceEventId: 'e3', recipientId: 'frank' },
      { id: 'n2', sourceEventId: 'e4', recipientId: 'grace' },
      { id: 'n3', sourceEventId: 'e5', recipientId: 'grace' },
    ],
    deadLetters: [],
  };
}

describe('the ledger check', () => {
  it('finds nothing wrong with a consistent history', () => {
    expect(findViolations(approvedExpense())).toEqual([]);
  });

  it('an accepted create with no expense', () => {
    const snapshot = approvedExpense();
    snapshot.accepted.push({ kind: 'create', expenseId: 'lost' });
    expect(findViolations(snapshot)).toEqual(['accepted create of expense lost: no such expense']);
  });

  it('an expense whose status, chain and events disagree', () => {
    const snapshot = approvedExpense();
    snapshot.expenses = [{ id: expense, status: 'pending' }];
    expect(findViolations(snapshot)).toEqual([
      `approval of ${expense} answered "approved", expense is pending`,
      `expense ${expense} is pending but its events say approved`,
      `expense ${expense} is pending but its chain is approved`,
    ]);
  });

  it('two terminal states', () => {
    const snapshot = approvedExpense();
    const rejected = chainEvent('ExpenseRejected', 'e6');
    snapshot.outbox.push(rejected);
    snapshot.streams.push({ stream: 'COUNTERSIGN_APPROVAL', seq: 99, msgId: 'e6' });
    snapshot.audit.push({ schema: 'approval', action: 'expense.rejected', entityId: expense });
    snapshot.notifications.push({ id: 'n9', sourceEventId: 'e6', recipientId: 'grace' });
    expect(findViolations(snapshot)).toContain(
      `expense ${expense} reached 2 terminal states: ExpenseApproved,ExpenseRejected`,
    );
  });

  it('a transition twice, under two event ids', () => {
    const snapshot = approvedExpense();
    snapshot.outbox.push(
      chainEvent('StepApproved', 'e4b', { step: 1, sent: false, sentBeforeStreamsRead: false }),
    );
    expect(findViolations(snapshot)).toEqual(
      expect.arrayContaining([
        `StepApproved of ${expense} round 1 step 1 happened 2 times`,
        'approval.outbox: 1 rows never published',
      ]),
    );
  });

  it('an event twice in its stream, one missing, and a message nobody committed', () => {
    const snapshot = approvedExpense();
    snapshot.streams = snapshot.streams.filter((m) => m.msgId !== 'e2');
    snapshot.streams.push({ stream: 'COUNTERSIGN_EXPENSE', seq: 50, msgId: 'e1' });
    snapshot.streams.push({ stream: 'COUNTERSIGN_EXPENSE', seq: 51, msgId: 'stray' });
    expect(findViolations(snapshot)).toEqual([
      'event e1 is 2 times in its stream',
      'event e2 (countersign.approval.expense.routed.v1) is marked sent, not in stream',
      'COUNTERSIGN_EXPENSE #51 (stray) has no outbox row',
    ]);
    expect(
      findViolations(snapshot, {
        ...noExpectations,
        foreignMessageIds: new Set(['stray']),
      }),
    ).not.toContain('COUNTERSIGN_EXPENSE #51 (stray) has no outbox row');
  });

  it('a row marked sent after the streams were read need not be in them yet', () => {
    const snapshot = approvedExpense();
    const late = snapshot.outbox.find((o) => o.eventId === 'e5');
    if (late) late.sentBeforeStreamsRead = false;
    snapshot.streams = snapshot.streams.filter((m) => m.msgId !== 'e5');
    expect(findViolations(snapshot)).toEqual([]);
  });

  it('a missing and a doubled audit entry', () => {
    const snapshot = approvedExpense();
    snapshot.audit = snapshot.audit.filter((a) => a.action !== 'expense.routed');
    snapshot.audit.push({ schema: 'approval', action: 'expense.approved', entityId: expense });
    expect(findViolations(snapshot)).toEqual([
      `approval expense.routed ${expense}: 1 events, 0 audit entries`,
      `approval expense.approved ${expense}: audited 2 times for 1 events`,
    ]);
  });

  it('a notification missing, one stored twice, one never announced', () => {
    const snapshot = approvedExpense();
    snapshot.notifications = [
      { id: 'n1', sourceEventId: 'e3', recipientId: 'frank' },
      { id: 'n1b', sourceEventId: 'e3', recipientId: 'frank' },
      { id: 'n3', sourceEventId: 'e5', recipientId: 'grace' },
    ];
    expect(findViolations(snapshot)).toEqual([
      'notification of event e3 to frank stored 2 times',
      `StepApproved e4 of ${expense} notified nobody`,
      'notification n1b announced 0 times',
    ]);
  });

  it('an unexplained dead letter, and an expected one missing', () => {
    const snapshot = approvedExpense();
    snapshot.deadLetters.push({
      schema: 'approval',
      consumer: 'approval-on-expense-events',
      eventId: 'e1',
      natsSubject: 'countersign.expense.expense.submitted.v1',
      streamSequence: 1,
    });
    const expected = { ...noExpectations, deadLetterEventIds: new Set(['poison']) };
    expect(findViolations(snapshot, expected)).toEqual([
      'unexplained dead letter: approval approval-on-expense-events ' +
        'countersign.expense.expense.submitted.v1 #1 (event e1)',
      'expected dead letter poison is missing',
    ]);
    const explained = { ...noExpectations, deadLetterEventIds: new Set(['e1']) };
    expect(findViolations(snapshot, explained)).toEqual([]);
  });
});
