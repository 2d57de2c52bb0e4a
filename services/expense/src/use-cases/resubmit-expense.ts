import type { AccessClaims, ResubmitResponse } from '@countersign/contracts';
import { type RouteStoredExpenseDeps, routeStoredExpense } from './route-stored-expense.js';

export type ResubmitExpenseDeps = RouteStoredExpenseDeps;

/**
 * Resubmits an expense that was sent back: routing runs again exactly as at submit, and
 * the expense's next round starts with the outcome (a chain announced by
 * ExpenseResubmitted, approved by a rule, or blocked), each with the round.
 */
export async function resubmitExpense(
  deps: ResubmitExpenseDeps,
  caller: AccessClaims,
  token: string,
  expenseId: string,
  requestId?: string,
): Promise<ResubmitResponse> {
  const routed = await routeStoredExpense(deps, caller, token, expenseId, 'resubmit', requestId);
  return {
    ...routed,
    message:
      routed.status === 'approved'
        ? 'Expense resubmitted and approved by policy'
        : 'Expense resubmitted',
  };
}
