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
  | EventOf<'ExpenseRejected'>
  | EventOf<'ExpenseRoutingFailed'>
  | EventOf<'ExpenseSentBack'>
  | EventOf<'ExpenseWithdrawn'>
  | EventOf<'StepApproved'>
  | EventOf<'ApprovalDelegated'>
  | EventOf<'ApprovalEscalated'>
  | EventOf<'ExpenseBlocked'>
  | EventOf<'ExpensePaid'>;

/**
 * Who an event concerns and what they are told: the approver when a step is theirs (or
 * leaves their queue by withdrawal, or moves up by escalation), the submitter when it
 * ends, is blocked, is paid or comes back to them, the delegate when a delegation is granted, and the
 * approver when a delegate decided in their name.
 */
export function notificationsFor(event: NotifiableEvent): PlannedNotification[] {
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
      return onYourBehalf(event, 'approved');
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
  event: EventOf<'StepApproved'> | EventOf<'ExpenseRejected'>,
  verb: 'approved' | 'rejected',
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
