import type { AccessClaims, ResubmitResponse } from '@countersign/contracts';
import { ConflictError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findExpense, startNextRound } from '../db/expense-queries.js';
import { hasReceipt } from '../db/receipt-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { dayOf, expenseMoney } from '../domain/price-expense.js';
import { isReceiptOrDuplicateFlag } from '../domain/receipt-flags.js';
import { settlementOf } from '../domain/routing-outcome.js';
import type { RoutingPort } from '../http/routing-client.js';
import { announceRoutingOutcome, BlockedByPolicyError } from './announce-routing-outcome.js';
import { assertMayChange } from './assert-may-change.js';

export interface ResubmitExpenseDeps {
  db: Kysely<ExpenseDatabase>;
  route: RoutingPort;
  now: () => Date;
}

/**
 * Resubmits an expense that was sent back. Routing runs again exactly as at submit (the
 * approval service decides, with the submitter's edits), then the expense's next round,
 * its chain read model and the event announcing it commit together. The outcomes are a
 * submission's: a chain (ExpenseResubmitted), approved by a rule (ExpenseAutoApproved) or
 * blocked (ExpenseBlocked, answered 422 like a blocked submission), each with the round.
 * The routing call holds no lock: the round is re-checked when it is stored, so a racing
 * resubmission or withdrawal leaves this one with 409 and nothing stored.
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
      // Receipts uploaded while it was sent back count for `receipt` conditions.
      has_receipt: await hasReceipt(deps.db, expenseId),
    },
    requestId,
  );
  const resubmittedAt = deps.now();
  const round = expense.round + 1;
  // The same outcomes as a submission: a new round with a chain, or settled by a rule.
  const settlement = settlementOf(decision, resubmittedAt);
  const announced = announceRoutingOutcome(
    decision,
    {
      id: expenseId,
      companyId: caller.company_id,
      submitterId: caller.sub,
      amount: expense.amount,
      description: expense.description,
      workspaceId: expense.workspace_id,
      round,
      facts: {
        money,
        category: decision.policy.category,
        vendor: expense.vendor,
        spendDate: dayOf(expense.spend_date),
        source: expense.source,
      },
    },
    resubmittedAt,
  );
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
        status: settlement.status,
        completed_at: settlement.completedAt,
        refusal_reason: settlement.refusalReason,
        flags: flagsOfRound(decision.flags, expense.flags),
      },
      decision.chain,
      [announced],
    ),
  );
  if (!started) {
    throw new ConflictError(
      'the expense changed while it was routed (resubmitted, withdrawn or edited): try again',
      'not-sent-back',
    );
  }
  if (settlement.status === 'blocked') {
    throw new BlockedByPolicyError(
      expenseId,
      decision.policy.name,
      settlement.refusalReason ?? 'blocked by policy',
    );
  }
  return {
    message:
      settlement.status === 'approved'
        ? 'Expense resubmitted and approved by policy'
        : 'Expense resubmitted',
    expense_id: expenseId,
    status: settlement.status,
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

/**
 * The policy's warnings are decided again each round; the duplicate and receipt warnings
 * are about the expense and its receipts, so they stay.
 */
function flagsOfRound(policyFlags: string[] | undefined, earlier: string[] | null) {
  const flags = [...(policyFlags ?? []), ...(earlier ?? []).filter(isReceiptOrDuplicateFlag)];
  return flags.length ? flags : null;
}
