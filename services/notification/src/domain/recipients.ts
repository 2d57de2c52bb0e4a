import type { EventOf, NotificationKind } from '@countersign/contracts';

export interface PlannedNotification {
  recipientId: string;
  kind: NotificationKind;
  expenseId: string | null;
  message: string;
}

export type NotifiableEvent =
  | EventOf<'ApprovalRequested'>
  | EventOf<'ExpenseApproved'>
  | EventOf<'ExpenseAutoApproved'>
  | EventOf<'ExpenseRejected'>
  | EventOf<'ExpenseRoutingFailed'>
  | EventOf<'ExpenseSentBack'>
  | EventOf<'ExpenseWithdrawn'>
  | EventOf<'StepApproved'>
  | EventOf<'ApprovalDelegated'>
  | EventOf<'ApprovalEscalated'>
  | EventOf<'ExpenseBlocked'>
  | EventOf<'ExpensePaid'>;

/** What the table needs to know beyond the event: read from the people directory. */
export interface RecipientContext {
  /** The active finance users of the event's company. */
  financeUserIds: string[];
}

/**
 * Who an event concerns and what they are told: the approver when a step is theirs (or
 * leaves their queue by withdrawal, or moves up by escalation), the submitter on every
 * decision, when it is blocked, paid or comes back to them, finance when an expense is
 * approved (ready to pay), the delegate when a delegation is granted, and the approver
 * when a delegate decided in their name. A person is told once per event: when they
 * play two parts (a finance user's own expense approved) the first notice is kept.
 */
export function notificationsFor(
  event: NotifiableEvent,
  context: RecipientContext,
): PlannedNotification[] {
  const seen = new Set<string>();
  return plannedFor(event, context).filter((n) => {
    if (seen.has(n.recipientId)) return false;
    seen.add(n.recipientId);
    return true;
  });
}

function plannedFor(event: NotifiableEvent, context: RecipientContext): PlannedNotification[] {
  switch (event.type) {
    case 'ApprovalRequested':
      return [
        {
          recipientId: event.data.approver_id,
          kind: 'approval_requested',
          expenseId: event.data.expense_id,
          message: `${event.data.submitter_name} asks you to approve "${event.data.description}" (${event.data.amount}), step ${event.data.step}${seatsText(event.data)}`,
        },
      ];
    case 'ExpenseApproved':
      return [
        {
          recipientId: event.data.submitter_id,
          kind: 'expense_approved',
          expenseId: event.data.expense_id,
          message: `Your expense of ${event.data.amount} is approved`,
        },
        ...readyToPay(context, event.data.expense_id, event.data.amount),
      ];
    case 'ExpenseAutoApproved':
      return [
        {
          recipientId: event.data.submitter.id,
          kind: 'expense_auto_approved',
          expenseId: event.data.expense_id,
          message: `Your expense "${event.data.description}" (${event.data.amount}) was approved at once by policy "${event.data.policy.name}"`,
        },
        ...readyToPay(context, event.data.expense_id, event.data.amount),
      ];
    case 'ExpenseRejected':
      return [
        {
          recipientId: event.data.submitter_id,
          kind: 'expense_rejected',
          expenseId: event.data.expense_id,
          message: `Your expense was rejected at step ${event.data.step}: ${event.data.reason}`,
        },
        ...onYourBehalf(event, 'rejected'),
      ];
    case 'StepApproved':
      return [
        {
          recipientId: event.data.submitter_id,
          kind: 'step_approved',
          expenseId: event.data.expense_id,
          message: `Step ${event.data.step} of your expense is approved${event.data.pending_required_steps > 0 ? `; ${event.data.pending_required_steps} required step(s) to go` : ''}`,
        },
        ...onYourBehalf(event, 'approved'),
      ];
    case 'ApprovalDelegated':
      return [
        {
          recipientId: event.data.delegate_id,
          kind: 'delegation_granted',
          expenseId: null,
          message: `${event.data.delegator_name} lets you decide their approvals in their name from ${event.data.starts_on} to ${event.data.ends_on}${limitsText(event.data)}`,
        },
      ];
    case 'ApprovalEscalated':
      return [event.data.from_approver_id, event.data.submitter_id].map((recipientId) => ({
        recipientId,
        kind: 'approval_escalated' as const,
        expenseId: event.data.expense_id,
        message: `Step ${event.data.step} waited past its deadline and moved to a more senior approver: ${event.data.reason}`,
      }));
    case 'ExpenseRoutingFailed':
      return [
        {
          recipientId: event.data.submitter_id,
          kind: 'expense_refused',
          expenseId: event.data.expense_id,
          message: `Your expense could not be routed: ${event.data.reason}`,
        },
      ];
    case 'ExpenseBlocked':
      return [
        {
          recipientId: event.data.submitter.id,
          kind: 'expense_blocked',
          expenseId: event.data.expense_id,
          message: `Your expense "${event.data.description}" (${event.data.amount}) was blocked by policy "${event.data.policy.name}": ${event.data.reason}`,
        },
      ];
    case 'ExpenseSentBack':
      return [
        {
          recipientId: event.data.submitter_id,
          kind: 'expense_sent_back',
          expenseId: event.data.expense_id,
          message: `Your expense was sent back for changes at step ${event.data.step}: ${event.data.comment}`,
        },
        ...onYourBehalf(event, 'sent back'),
      ];
    case 'ExpensePaid':
      return [
        {
          recipientId: event.data.submitter_id,
          kind: 'expense_paid',
          expenseId: event.data.expense_id,
          message: `Your expense of ${event.data.money.currency} ${event.data.money.amount} was paid${event.data.reference ? ` (payout ${event.data.reference})` : ''}`,
        },
      ];
    case 'ExpenseWithdrawn':
      return event.data.pending_approver_ids.map((approverId) => ({
        recipientId: approverId,
        kind: 'expense_withdrawn' as const,
        expenseId: event.data.expense_id,
        message: `An expense waiting for your approval was withdrawn by its submitter${event.data.reason ? `: ${event.data.reason}` : ''}`,
      }));
  }
}

/** The approver is told when a delegate decided their step in their name. */
function onYourBehalf(
  event: EventOf<'StepApproved'> | EventOf<'ExpenseRejected'> | EventOf<'ExpenseSentBack'>,
  verb: 'approved' | 'rejected' | 'sent back',
): PlannedNotification[] {
  if (!event.data.decided_by || event.data.decided_by === event.data.approver_id) return [];
  return [
    {
      recipientId: event.data.approver_id,
      kind: 'decided_on_your_behalf',
      expenseId: event.data.expense_id,
      message: `Your delegate ${verb} step ${event.data.step} in your name`,
    },
  ];
}

/** Finance pays approved expenses: each active finance user of the company is told. */
function readyToPay(
  context: RecipientContext,
  expenseId: string,
  amount: string,
): PlannedNotification[] {
  return context.financeUserIds.map((recipientId) => ({
    recipientId,
    kind: 'expense_ready_to_pay' as const,
    expenseId,
    message: `An expense of ${amount} is approved and ready to pay`,
  }));
}

function limitsText(data: EventOf<'ApprovalDelegated'>['data']): string {
  const limits = [
    data.max_amount !== null ? `up to ${data.max_amount}` : null,
    data.categories !== null ? `for ${data.categories.join(', ')}` : null,
  ].filter((l) => l !== null);
  return limits.length > 0 ? ` (${limits.join(', ')})` : '';
}

/** A parallel stage asks several people at once: say whether one or all of them must approve. */
function seatsText(data: {
  seats?: number | undefined;
  needs?: 'one' | 'all' | undefined;
}): string {
  const seats = data.seats ?? 1;
  if (seats < 2) return '';
  return data.needs === 'all'
    ? ` (all ${seats} approvers asked must approve)`
    : ` (${seats} approvers are asked; the first approval settles it)`;
}
