import type { AccessClaims, ResubmitResponse } from '@countersign/contracts';
import { ConflictError, newEvent, UnprocessableError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findExpense, startNextRound } from '../db/expense-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { expenseMoney } from '../domain/price-expense.js';
import type { RoutingPort } from '../http/routing-client.js';
import { assertMayChange } from './assert-may-change.js';

export interface ResubmitExpenseDeps {
  db: Kysely<ExpenseDatabase>;
  route: RoutingPort;
  now: () => Date;
}

/**
 * Resubmits an expense that was sent back. Routing runs again exactly as at submit (the
 * approval service decides, with the submitter's edits), then the expense's next round,
 * its chain read model and ExpenseResubmitted commit together. The routing call holds no
 * lock: the round is re-checked when it is stored, so a racing resubmission or withdrawal
 * leaves this one with 409 and nothing stored.
 */
export async function resubmitExpense(
  deps: ResubmitExpenseDeps,
  caller: AccessClaims,
  token: string,
  expenseId: string,
  requestId?: string,
): Promise<ResubmitResponse> {
  const expense = assertMayChange(
    await findExpense(deps.db, caller.company_id, expenseId),
    caller,
    expenseId,
    'resubmit',
  );
  const money = expenseMoney(expense);
  const decision = await deps.route(
    token,
    {
      ...(expense.requested_policy_id
        ? { policy_id: expense.requested_policy_id }
        : { category: expense.category }),
      amount: expense.amount,
      // Rules may test the workspace: route the resubmission as the submission was.
      ...(expense.workspace_id ? { workspace_id: expense.workspace_id } : {}),
      currency: money.currency,
      ...(expense.vendor ? { vendor: expense.vendor } : {}),
    },
    requestId,
  );
  if (decision.chain.length === 0) {
    // A rule now approves it outright; a new round needs approvers, so say what to do.
    throw new UnprocessableError(
      'the policy now approves this expense without approvers; withdraw it and submit it again',
      'auto-approved-on-resubmit',
    );
  }
  const resubmittedAt = deps.now();
  const round = expense.round + 1;
  const resubmitted = newEvent('ExpenseResubmitted', {
    companyId: caller.company_id,
    actor: { kind: 'user', id: caller.sub },
    subject: expenseId,
    occurredAt: resubmittedAt,
    data: {
      expense_id: expenseId,
      round,
      submitter: decision.submitter,
      amount: expense.amount,
      description: expense.description,
      policy: decision.policy,
      chain: decision.chain,
      resubmitted_at: resubmittedAt.toISOString(),
      money,
      ...(expense.vendor ? { vendor: expense.vendor } : {}),
    },
  });
  const started = await deps.db.transaction().execute((trx) =>
    startNextRound(
      trx,
      expenseId,
      expense,
      {
        submitter_name: decision.submitter.name,
        policy_id: decision.policy.id,
        policy_name: decision.policy.name,
        category: decision.policy.category,
      },
      decision.chain,
      [resubmitted],
    ),
  );
  if (!started) {
    throw new ConflictError(
      'the expense changed while it was routed (resubmitted, withdrawn or edited): try again',
      'not-sent-back',
    );
  }
  return {
    message: 'Expense resubmitted',
    expense_id: expenseId,
    status: 'pending',
    amount: Number(money.amount),
    money,
    policy_id: decision.policy.id,
    round,
    approvals_required: decision.chain.map((s) => ({
      step: s.step,
      approver: s.approver_name,
      level: s.level_name,
    })),
  };
}
