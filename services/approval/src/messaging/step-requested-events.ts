import { EventCatalogue, Streams } from '@countersign/contracts';
import type { ConsumerSpec } from '@countersign/platform';
import type { ApprovalDatabase } from '../db/types.js';
import { recordStepDeadline } from '../use-cases/record-step-deadline.js';

/**
 * The service's own ApprovalRequested events start each step's escalation timer, so
 * deadlines stay out of chain storage: every path that asks an approver (routing, the next
 * step, re-routing, escalation) gets a deadline without knowing about it.
 */
export function stepRequestedConsumer(
  escalationAfterHours: number,
): ConsumerSpec<ApprovalDatabase> {
  return {
    stream: Streams.approval,
    durable: 'approval-deadlines-on-step-requested',
    filterSubject: EventCatalogue.ApprovalRequested.subject,
    handlers: {
      ApprovalRequested: (trx, event) => recordStepDeadline(trx, event, escalationAfterHours),
    },
  };
}
