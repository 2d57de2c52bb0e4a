import type { EventHandlers } from '@countersign/platform';
import {
  finishExpense,
  lockExpenseState,
  markSentBack,
  markWithdrawn,
} from '../db/expense-status.js';
import {
  decideStep,
  lockIfCurrentRound,
  markStepRequested,
  reassignSteps,
  skipSteps,
} from '../db/expense-steps.js';
import type { ExpenseDatabase } from '../db/types.js';
import { withdrawalEnds } from '../domain/routing-outcome.js';
import { applyApproverReassignment } from './apply-approver-reassignment.js';

/**
 * Keeps each expense's status and chain read model in step with the approval service's
 * events. A replica handles them in stream order, but retries and several replicas can
 * reorder them, so each handler writes only what its own event says (the steps it
 * decided, the steps it names as skipped): any order ends in the same state. Events name
 * their chain round (absent: round 1); one of a round the expense has left changes nothing.
 */
export const trackApprovalProgress: EventHandlers<ExpenseDatabase> = {
  // Usually the chain is stored as decided at submit, and there is nothing to change.
  ExpenseRouted: async (trx, { data }) => {
    const adjusted = new Set(data.adjustments.map((a) => a.step));
    if (adjusted.size === 0) return;
    if (!(await lockIfCurrentRound(trx, data.expense_id, data.round ?? 1))) return;
    // Assignment 1: the approver chosen when the chain was stored.
    await reassignSteps(
      trx,
      data.expense_id,
      data.chain.filter((s) => adjusted.has(s.step)),
      1,
    );
  },
  ExpenseRoutingFailed: async (trx, event) => {
    if (!(await lockIfCurrentRound(trx, event.data.expense_id, event.data.round ?? 1))) return;
    await finishExpense(
      trx,
      event.data.expense_id,
      'refused',
      new Date(event.occurred_at),
      event.data.reason,
    );
    await skipSteps(trx, event.data.expense_id, 'all-undecided');
  },
  ApproverReassigned: applyApproverReassignment,
  // The envelope's time is when the approval service asked the seat.
  ApprovalRequested: async (trx, event) => {
    const { data } = event;
    if (!(await lockIfCurrentRound(trx, data.expense_id, data.round ?? 1))) return;
    await markStepRequested(trx, data.expense_id, data.step, new Date(event.occurred_at));
  },
  StepApproved: async (trx, { data }) => {
    if (!(await lockIfCurrentRound(trx, data.expense_id, data.round ?? 1))) return;
    await decideStep(
      trx,
      data.expense_id,
      data.step,
      'approved',
      new Date(data.approved_at),
      data.comments,
      data.decided_by ?? null,
    );
    // The other seats of a one-of stage this approval settled.
    await skipSteps(trx, data.expense_id, data.skipped_steps ?? []);
  },
  ExpenseApproved: async (trx, { data }) => {
    if (!(await lockIfCurrentRound(trx, data.expense_id, data.round ?? 1))) return;
    await finishExpense(trx, data.expense_id, 'approved', new Date(data.completed_at));
    await skipSteps(trx, data.expense_id, data.skipped_steps);
  },
  ExpenseRejected: async (trx, { data }) => {
    if (!(await lockIfCurrentRound(trx, data.expense_id, data.round ?? 1))) return;
    await decideStep(
      trx,
      data.expense_id,
      data.step,
      'rejected',
      new Date(data.rejected_at),
      data.reason,
      data.decided_by ?? null,
    );
    await finishExpense(trx, data.expense_id, 'rejected', new Date(data.rejected_at));
    await skipSteps(trx, data.expense_id, data.skipped_steps);
  },
  ExpenseSentBack: async (trx, { data }) => {
    if (!(await lockIfCurrentRound(trx, data.expense_id, data.round))) return;
    await decideStep(
      trx,
      data.expense_id,
      data.step,
      'sent_back',
      new Date(data.sent_back_at),
      data.comment,
      data.decided_by ?? null,
    );
    await skipSteps(trx, data.expense_id, data.skipped_steps ?? []);
    await markSentBack(trx, data.expense_id);
  },
  // Final whatever the round: a resubmission racing the withdrawal lost in the approval
  // service (its chain was already withdrawn), so the expense ends withdrawn here too, even
  // when a rule approved or blocked that resubmission here (see `withdrawalEnds`).
  ExpenseWithdrawn: async (trx, { data }) => {
    const expense = await lockExpenseState(trx, data.expense_id);
    if (!expense || !withdrawalEnds(expense, data.round)) return;
    await markWithdrawn(trx, data.expense_id, new Date(data.withdrawn_at));
    await skipSteps(trx, data.expense_id, 'all-undecided');
  },
};
