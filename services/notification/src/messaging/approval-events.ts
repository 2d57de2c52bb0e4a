import { Streams } from '@countersign/contracts';
import type { ConsumerSpec } from '@countersign/platform';
import type { NotificationDatabase } from '../db/types.js';
import { notifyPeople } from '../use-cases/notify-people.js';

export const approvalEventsConsumer: ConsumerSpec<NotificationDatabase> = {
  stream: Streams.approval,
  durable: 'notification-on-approval-events',
  handlers: {
    ApprovalRequested: notifyPeople,
    ExpenseApproved: notifyPeople,
    ExpenseRejected: notifyPeople,
    ExpenseRoutingFailed: notifyPeople,
    ExpenseSentBack: notifyPeople,
    ExpenseWithdrawn: notifyPeople,
    StepApproved: notifyPeople,
    ApprovalDelegated: notifyPeople,
    ApprovalEscalated: notifyPeople,
  },
};
