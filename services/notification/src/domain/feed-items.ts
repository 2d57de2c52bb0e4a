import type {
  EventOf,
  FeedExpenseChange,
  FeedExpenseStatus,
  FeedItemV1,
} from '@countersign/contracts';

/** The events that change the status of an expense, each naming the expense's submitter. */
export type ExpenseStatusEvent =
  | EventOf<'ExpenseSubmitted'>
  | EventOf<'ExpenseAutoApproved'>
  | EventOf<'ExpenseBlocked'>
  | EventOf<'ExpenseRouted'>
  | EventOf<'ExpenseRoutingFailed'>
  | EventOf<'StepApproved'>
  | EventOf<'ExpenseApproved'>
  | EventOf<'ExpenseRejected'>
  | EventOf<'ExpenseSentBack'>
  | EventOf<'ExpenseResubmitted'>
  | EventOf<'ExpenseWithdrawn'>
  | EventOf<'ExpenseDeleted'>
  | EventOf<'ExpensePaid'>;

export type FeedSourceEvent = EventOf<'NotificationCreated'> | ExpenseStatusEvent;

/** A feed item before it gets its own id (Omit applied to each member of the union). */
export type PlannedFeedItem = FeedItemV1 extends infer Item
  ? Item extends FeedItemV1
    ? Omit<Item, 'id'>
    : never
  : never;

const statusChanges: Record<
  ExpenseStatusEvent['type'],
  { change: FeedExpenseChange; status: FeedExpenseStatus }
> = {
  ExpenseSubmitted: { change: 'submitted', status: 'pending' },
  ExpenseAutoApproved: { change: 'auto_approved', status: 'approved' },
  ExpenseBlocked: { change: 'blocked', status: 'blocked' },
  ExpenseRouted: { change: 'routed', status: 'pending' },
  ExpenseRoutingFailed: { change: 'routing_failed', status: 'refused' },
  StepApproved: { change: 'step_approved', status: 'pending' },
  ExpenseApproved: { change: 'approved', status: 'approved' },
  ExpenseRejected: { change: 'rejected', status: 'rejected' },
  ExpenseSentBack: { change: 'sent_back', status: 'sent_back' },
  ExpenseResubmitted: { change: 'resubmitted', status: 'pending' },
  ExpenseWithdrawn: { change: 'withdrawn', status: 'withdrawn' },
  ExpenseDeleted: { change: 'deleted', status: 'deleted' },
  ExpensePaid: { change: 'paid', status: 'paid' },
};

/** The submitter: the events from the expense service carry a submitter object, the rest an id. */
function submitterOf(event: ExpenseStatusEvent): string {
  return 'submitter' in event.data ? event.data.submitter.id : event.data.submitter_id;
}

/**
 * What goes into whose feed for an event: a stored notification goes to its recipient,
 * a status change to the expense's submitter (the only person whose "my expenses" it
 * changes). Nobody else's feed gets anything, so a feed never leaks another's items.
 */
export function feedItemsFor(event: FeedSourceEvent): PlannedFeedItem[] {
  const base = {
    company_id: event.company_id,
    occurred_at: event.occurred_at,
    source_event_id: event.id,
  };
  if (event.type === 'NotificationCreated') {
    return [
      {
        ...base,
        type: 'notification',
        user_id: event.data.recipient_id,
        notification: {
          id: event.data.notification_id,
          kind: event.data.kind,
          expense_id: event.data.expense_id,
          message: event.data.message,
        },
      },
    ];
  }
  // A step approved or a chain routed leaves the status `pending`, but the submitter's
  // status document changes, so they are announced too.
  return [
    {
      ...base,
      type: 'expense.status',
      user_id: submitterOf(event),
      expense: { id: event.data.expense_id, ...statusChanges[event.type] },
    },
  ];
}
