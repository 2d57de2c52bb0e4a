import type {
  AccessClaims,
  CreateExpenseRequest,
  CreateExpenseResponse,
  WorkspaceRole,
} from '@countersign/contracts';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnprocessableError,
} from '@countersign/platform';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { insertExpenseWithEvents } from '../db/expense-queries.js';
import { lockBaseCurrency } from '../db/money-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { findMemberRole, findWorkspaceFor } from '../db/workspace-queries.js';
import { isPlausibleSpendDate, utcDay } from '../domain/price-expense.js';
import { duplicateExpenseFlag } from '../domain/receipt-flags.js';
import { settlementOf } from '../domain/routing-outcome.js';
import { submitIntoWorkspaceAccess } from '../domain/workspace-access.js';
import { announceRoutingOutcome, BlockedByPolicyError } from './announce-routing-outcome.js';
import { decideRoute } from './decide-route.js';
import { findDuplicateExpense } from './find-duplicate-expense.js';
import { requireCatalogName } from './require-catalog-name.js';
import { resolveExpenseMoney } from './resolve-expense-money.js';
import type { RoutingPort } from './routing-port.js';

export interface SubmitExpenseDeps {
  db: Kysely<ExpenseDatabase>;
  route: RoutingPort;
  now: () => Date;
}

/**
 * Submits an expense as the caller: the approval service decides the route first (so a
 * refusal stores nothing), then the expense, its chain read model and the event announcing
 * the outcome commit together in one statement (inside a transaction that re-checks the
 * membership when the expense is filed in a workspace). A policy rule that blocks it is an
 * outcome like the others: the expense is stored as blocked with ExpenseBlocked, and the
 * caller is answered 422 `blocked-by-policy` naming it.
 */
export async function submitExpense(
  deps: SubmitExpenseDeps,
  caller: AccessClaims,
  token: string,
  input: CreateExpenseRequest,
  requestId?: string,
): Promise<CreateExpenseResponse> {
  // Checked before routing too, so a refusal costs no call to the approval service.
  await assertMayFile(deps.db, caller, input);
  const { category, vendor, spendDate, priced } = await describeExpense(deps, caller, input);
  const decision = await decideRoute(
    deps,
    caller,
    token,
    {
      ...(input.policy_id ? { policy_id: input.policy_id } : {}),
      ...(category ? { category } : {}),
      ...(input.workspace_id ? { workspace_id: input.workspace_id } : {}),
      // Policies work in the base currency; the original currency and vendor are facts too.
      amount: priced.baseAmount,
      currency: priced.money.currency,
      ...(vendor ? { vendor } : {}),
      // A new expense has no receipt yet: upload it while sent back to count at resubmit.
      has_receipt: false,
    },
    requestId,
  );
  const submittedAt = deps.now();
  const expenseId = uuidv7();
  const duplicateOf = await findDuplicateExpense(deps.db, caller.company_id, {
    id: expenseId,
    submitterId: caller.sub,
    amount: priced.money.amount,
    currency: priced.money.currency,
    spendDate,
    vendor: vendor ?? null,
  });
  // Policy warnings, then ours: approvers see a likely duplicate with the original's id.
  const flags = [
    ...(decision.flags ?? []),
    ...(duplicateOf ? [duplicateExpenseFlag(duplicateOf)] : []),
  ];
  // A rule may approve or block at once: no chain, the expense settled as it is stored.
  const settlement = settlementOf(decision, submittedAt);
  const expense = {
    id: expenseId,
    company_id: caller.company_id,
    submitter_id: caller.sub,
    submitter_name: decision.submitter.name,
    policy_id: decision.policy.id,
    policy_name: decision.policy.name,
    category: decision.policy.category,
    amount: priced.baseAmount,
    description: input.description,
    status: settlement.status,
    refusal_reason: settlement.refusalReason,
    submitted_at: submittedAt,
    completed_at: settlement.completedAt,
    workspace_id: input.workspace_id ?? null,
    requested_policy_id: input.policy_id ?? null,
    round: 1,
    flags: flags.length ? flags : null,
    currency: priced.money.currency,
    original_amount: priced.money.amount,
    base_currency: priced.money.base_currency,
    exchange_rate: priced.money.exchange_rate,
    rate_date: priced.money.rate_date,
    spend_date: spendDate,
    vendor: vendor ?? null,
    source: input.source ?? 'manual',
  };
  const announced = announceRoutingOutcome(
    decision,
    {
      id: expenseId,
      companyId: caller.company_id,
      submitterId: caller.sub,
      amount: priced.baseAmount,
      description: input.description,
      workspaceId: input.workspace_id ?? null,
      round: 1,
      facts: {
        money: priced.money,
        category: decision.policy.category,
        vendor: vendor ?? null,
        spendDate,
        source: expense.source,
      },
    },
    submittedAt,
  );
  const workspaceId = input.workspace_id;
  await deps.db.transaction().execute(async (trx) => {
    // The base currency the expense was priced in, held shared until it is stored: a
    // change of base currency (allowed only while there are no expenses) waits or wins.
    if (
      (await lockBaseCurrency(trx, caller.company_id, 'key share')) !== priced.money.base_currency
    ) {
      throw new ConflictError(
        'the base currency changed while submitting: submit again',
        'base-currency-changed',
      );
    }
    if (workspaceId !== undefined) {
      // Checked again under a share lock on the membership: a removal or demotion racing
      // with routing either committed first (refused here) or waits for this insert.
      refuseUnlessMayFileIn(workspaceId, await findMemberRole(trx, workspaceId, caller.sub, true));
    }
    await insertExpenseWithEvents(trx, expense, decision.chain, [announced]);
  });
  if (settlement.status === 'blocked') {
    // Stored and announced as blocked; the client is refused as before, now with its id.
    throw new BlockedByPolicyError(
      expenseId,
      decision.policy.name,
      settlement.refusalReason ?? 'blocked by policy',
    );
  }
  return {
    message:
      settlement.status === 'approved'
        ? 'Expense created and approved by policy'
        : 'Expense created successfully',
    expense_id: expenseId,
    status: expense.status,
    amount: Number(priced.money.amount),
    policy_id: decision.policy.id,
    approvals_required: decision.chain.map((s) => ({
      step: s.step,
      approver: s.approver_name,
      level: s.level_name,
    })),
    money: priced.money,
  };
}

/**
 * The expense's category and vendor as the company lists spell them, its spend date, and
 * its price in the base currency at the rate of that date (422 when a name is not listed,
 * the date is ahead, the amount has too many decimals or no rate applies).
 */
/**
 * An expense (or draft) is the caller's own, and lands only in a workspace they may file
 * in: `user_id`, when sent, must be the caller's (403); the workspace must be one they own
 * or are a member of (404 to anyone else, 403 to a viewer).
 */
export async function assertMayFile(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  input: Pick<CreateExpenseRequest, 'user_id' | 'workspace_id'>,
): Promise<void> {
  if (input.user_id !== undefined && input.user_id !== caller.sub) {
    throw new ForbiddenError('user_id must be your own id: expenses are filed as the caller');
  }
  if (input.workspace_id === undefined) return;
  const workspace = await findWorkspaceFor(db, caller.company_id, input.workspace_id, caller.sub);
  refuseUnlessMayFileIn(input.workspace_id, workspace ? workspace.my_role : null);
}

export async function describeExpense(
  deps: Pick<SubmitExpenseDeps, 'db' | 'now'>,
  caller: AccessClaims,
  input: CreateExpenseRequest,
) {
  const spendDate = input.spend_date ?? utcDay(deps.now());
  if (!isPlausibleSpendDate(spendDate, deps.now())) {
    throw new UnprocessableError(`spend_date ${spendDate} is in the future`, 'future-spend-date');
  }
  const [category, vendor] = await Promise.all([
    input.category === undefined
      ? undefined
      : requireCatalogName(deps.db, caller.company_id, 'category', input.category),
    input.vendor === undefined
      ? undefined
      : requireCatalogName(deps.db, caller.company_id, 'vendor', input.vendor),
  ]);
  const priced = await resolveExpenseMoney(deps.db, caller.company_id, {
    amount: input.amount,
    currency: input.currency,
    spendDate,
  });
  return { category, vendor, spendDate, priced };
}

/**
 * Only the workspace's owners and members file expenses in it: a viewer is refused (403),
 * and to anyone else, or another company, the workspace does not exist (404).
 */
export function refuseUnlessMayFileIn(workspaceId: string, membership: WorkspaceRole | null): void {
  const access = submitIntoWorkspaceAccess(membership);
  if (access === 'hidden') {
    throw new NotFoundError(`no workspace ${workspaceId} that you are a member of`);
  }
  if (access === 'forbidden') {
    throw new ForbiddenError('viewers of a workspace cannot file expenses in it');
  }
}
