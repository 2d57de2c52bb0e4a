import type { AccessClaims, CreateExpenseResponse } from '@countersign/contracts';
import { type RouteStoredExpenseDeps, routeStoredExpense } from './route-stored-expense.js';

/**
 * The submitter submits their draft: it is routed exactly as a direct submission (a chain
 * announced by ExpenseSubmitted, approved by a rule with ExpenseAutoApproved, or blocked
 * with ExpenseBlocked and answered 422), and answered as one.
 */
export async function submitDraft(
  deps: RouteStoredExpenseDeps,
  caller: AccessClaims,
  token: string,
  expenseId: string,
  requestId?: string,
): Promise<CreateExpenseResponse> {
  const { round: _round, ...routed } = await routeStoredExpense(
    deps,
    caller,
    token,
    expenseId,
    'submit',
    requestId,
  );
  return {
    ...routed,
    message:
      routed.status === 'approved'
        ? 'Draft submitted and approved by policy'
        : 'Draft submitted successfully',
  };
}
