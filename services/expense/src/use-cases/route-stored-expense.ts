import type { AccessClaims, ResubmitResponse } from '@countersign/contracts';
import { ConflictError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findExpense, storeRoutingOutcome } from '../db/expense-queries.js';
import { hasReceipt } from '../db/receipt-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { findMemberRole } from '../db/workspace-queries.js';
import { dayOf, expenseMoney } from '../domain/price-expense.js';
import { isReceiptOrDuplicateFlag } from '../domain/receipt-flags.js';
import { settlementOf } from '../domain/routing-outcome.js';
import { announceRoutingOutcome, BlockedByPolicyError } from './announce-routing-outcome.js';
import { assertMayChange } from './assert-may-change.js';
import { decideRoute } from './decide-route.js';
import type { RoutingPort } from './routing-port.js';
import { refuseUnlessMayFileIn } from './submit-expense.js';

export interface RouteStoredExpenseDeps {
  db: Kysely<ExpenseDatabase>;
  route: RoutingPort;
  now: () => Date;
}

export type RoutedStoredExpense = Omit<ResubmitResponse, 'round' | 'message'> & { round: number };

/**
 * Routes an expense that is already stored: a draft being submitted (round 1) or a
 * sent-back expense being resubmitted (its next round). Routing runs exactly as at submit
 * (the approval service decides on the stored, possibly edited, expense), then the routing
 * outcome, the chain read model and the event announcing it (ExpenseSubmitted or
 * ExpenseResubmitted, ExpenseAutoApproved, ExpenseBlocked) commit together. A blocked
 * outcome is stored and answered 422 as a blocked submission is. The routing call holds no
 * lock: the expense is re-checked when the outcome is stored, so a racing submission,
 * withdrawal, deletion or edit leaves this one with 409 and nothing stored.
 */
export async function routeStoredExpense(
  deps: RouteStoredExpenseDeps,
  caller: AccessClaims,
  token: string,
  expenseId: string,
  command: 'submit' | 'resubmit',
  requestId?: string,
): Promise<RoutedStoredExpense> {
  const expense = assertMayChange(
    await findExpense(deps.db, caller.company_id, expenseId),
    caller,
    expenseId,
    command,
  );
  const money = expenseMoney(expense);
  // A draft routes as its submission would have; a resubmission as it always has.
  const asked =
    command === 'submit'
      ? {
          ...(expense.requested_policy_id ? { policy_id: expense.requested_policy_id } : {}),
          ...(expense.category ? { category: expense.category } : {}),
        }
      : expense.requested_policy_id
        ? { policy_id: expense.requested_policy_id }
        : expense.category
          ? { category: expense.category }
          : {};
  const decision = await decideRoute(
    deps,
    caller,
    token,
    {
      ...asked,
      amount: expense.amount,
      // Rules may test the workspace: route the resubmission as the submission was.
      ...(expense.workspace_id ? { workspace_id: expense.workspace_id } : {}),
      currency: money.currency,
      ...(expense.vendor ? { vendor: expense.vendor } : {}),
      // Receipts uploaded to the draft, or while it was sent back, count for `receipt` rules.
      has_receipt: await hasReceipt(deps.db, expenseId),
    },
    requestId,
  );
  const routedAt = deps.now();
  const round = command === 'submit' ? 1 : expense.round + 1;
  // The same outcomes as a submission: a chain, or settled by a rule at once.
  const settlement = settlementOf(decision, routedAt);
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
    routedAt,
  );
  const workspaceId = expense.workspace_id;
  const stored = await deps.db.transaction().execute(async (trx) => {
    if (command === 'submit' && workspaceId !== null) {
      // Filing happens at submit: checked under a share lock on the membership, as a
      // direct submission is, so a removal racing with routing has one winner.
      refuseUnlessMayFileIn(workspaceId, await findMemberRole(trx, workspaceId, caller.sub, true));
    }
    return storeRoutingOutcome(
      trx,
      expenseId,
      expense,
      round,
      {
        submitter_name: decision.submitter.name,
        policy_id: decision.policy.id,
        policy_name: decision.policy.name,
        category: decision.policy.category,
        status: settlement.status,
        completed_at: settlement.completedAt,
        refusal_reason: settlement.refusalReason,
        flags: flagsOfRound(decision.flags, expense.flags),
        // A draft is submitted now: its submission time is this one, not its creation's.
        ...(command === 'submit' ? { submitted_at: routedAt } : {}),
      },
      decision.chain,
      [announced],
    );
  });
  if (!stored) {
    throw new ConflictError(
      `the expense changed while it was routed (${command === 'submit' ? 'submitted, deleted' : 'resubmitted, withdrawn, deleted'} or edited): try again`,
      command === 'submit' ? 'not-a-draft' : 'not-sent-back',
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
