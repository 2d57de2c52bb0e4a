import type { EventHandlers } from '@countersign/platform';
import {
  decideStep,
  finishExpense,
  reassignSteps,
  skipUndecidedSteps,
} from '../db/expense-queries.js';
import type { ExpenseDatabase } from '../db/types.js';

/**
 * Keeps each expense's status and chain read model in step with the approval service's
 * events. Every update only moves forward (pending → decided), so events that arrive
 * late or twice cannot undo a later state.
 */
export const trackApprovalProgress: EventHandlers<ExpenseDatabase> = {
  // Usually the chain is stored as decided at submit, and there is nothing to change.
  ExpenseRouted: async (trx, { data }) => {
    const adjusted = new Set(data.adjustments.map((a) => a.step));
    if (adjusted.size === 0) return;
    await reassignSteps(
      trx,
      data.expense_id,
      data.chain.filter((s) => adjusted.has(s.step)),
    );
  },
  ExpenseRoutingFailed: async (trx, event) => {
    await finishExpense(
      trx,
      event.data.expense_id,
      'refused',
      new Date(event.occurred_at),
      event.data.reason,
    );
    await skipUndecidedSteps(trx, event.data.expense_id);
  },
  StepApproved: (trx, { data }) =>
    decideStep(
      trx,
      data.expense_id,
      data.step,
      'approved',
      new Date(data.approved_at),
      data.comments,
    ),
  ExpenseApproved: async (trx, { data }) => {
    await finishExpense(trx, data.expense_id, 'approved', new Date(data.completed_at));
    await skipUndecidedSteps(trx, data.expense_id);
  },
  ExpenseRejected: async (trx, { data }) => {
    await decideStep(
      trx,
      data.expense_id,
      data.step,
      'rejected',
      new Date(data.rejected_at),
      data.reason,
    );
    await finishExpense(trx, data.expense_id, 'rejected', new Date(data.rejected_at));
    await skipUndecidedSteps(trx, data.expense_id);
  },
};
