import { Streams } from '@countersign/contracts';
import type { EventHandlers } from '@countersign/platform';
import type { ApprovalDatabase } from '../db/types.js';
import { answerRoutingSnapshotRequest } from '../use-cases/announce-routing-snapshot.js';
import { recordAutoApproval } from '../use-cases/record-auto-approval.js';
import { recordBlock } from '../use-cases/record-block.js';
import { startNewRound } from '../use-cases/start-new-round.js';
import { storeChain } from '../use-cases/store-chain.js';
import { withdrawDeletedExpense } from '../use-cases/withdraw-expense.js';

export const expenseEventsConsumer = {
  stream: Streams.expense,
  durable: 'approval-on-expense-events',
  filterSubject: 'countersign.expense.expense.submitted.v1',
};

/** A durable of its own: the first one's filter stays as deployed. */
export const autoApprovalsConsumer = {
  stream: Streams.expense,
  durable: 'approval-on-expense-auto-approved',
  filterSubject: 'countersign.expense.expense.auto-approved.v1',
};

export function expenseEventHandlers(now: () => Date): EventHandlers<ApprovalDatabase> {
  return {
    ExpenseSubmitted: (trx, event) => storeChain(trx, event, now()),
  };
}

/**
 * Resubmissions have their own durable consumer, so the submissions consumer's filter never
 * changes on a running deployment (nats-server 2.9 cannot update a consumer's filter).
 */
export const resubmissionsConsumer = {
  stream: Streams.expense,
  durable: 'approval-on-expense-resubmissions',
  filterSubject: 'countersign.expense.expense.resubmitted.v1',
};

export function resubmissionHandlers(now: () => Date): EventHandlers<ApprovalDatabase> {
  return {
    ExpenseResubmitted: (trx, event) => startNewRound(trx, event, now()),
  };
}
export const autoApprovalHandlers: EventHandlers<ApprovalDatabase> = {
  ExpenseAutoApproved: (trx, event) => recordAutoApproval(trx, event),
};

/** Blocked expenses: a durable of its own, like each expense event added after the first. */
export const blocksConsumer = {
  stream: Streams.expense,
  durable: 'approval-on-expense-blocked',
  filterSubject: 'countersign.expense.expense.blocked.v1',
};

export const blockHandlers: EventHandlers<ApprovalDatabase> = {
  ExpenseBlocked: (trx, event) => recordBlock(trx, event),
};

/** Deleted sent-back expenses end their chain: a durable of its own, like each one added. */
export const deletionsConsumer = {
  stream: Streams.expense,
  durable: 'approval-on-expense-deleted',
  filterSubject: 'countersign.expense.expense.deleted.v1',
};

export function deletionHandlers(now: () => Date): EventHandlers<ApprovalDatabase> {
  return {
    ExpenseDeleted: (trx, event) => withdrawDeletedExpense(trx, event, now()),
  };
}

/**
 * Requests for a company's routing snapshot (from the expense service's copy): a durable of
 * its own, created reading from the stream's start, so a request made while this service
 * was still an older version is answered after its upgrade.
 */
export const snapshotRequestsConsumer = {
  stream: Streams.expense,
  durable: 'approval-on-routing-snapshot-requests',
  filterSubject: 'countersign.expense.routing.snapshot-requested.v1',
};

export function snapshotRequestHandlers(now: () => Date): EventHandlers<ApprovalDatabase> {
  return {
    RoutingSnapshotRequested: (trx, event) =>
      answerRoutingSnapshotRequest(trx, event.company_id, now()),
  };
}
