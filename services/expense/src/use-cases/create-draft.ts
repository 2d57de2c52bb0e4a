import type { AccessClaims, CreateExpenseRequest, DraftResponse } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { insertDraft } from '../db/expense-submission.js';
import type { ExpenseDatabase } from '../db/types.js';
import { recordAudit } from '../outbox/audit.js';
import { assertMayFile, describeExpense } from './submit-expense.js';

export interface CreateDraftDeps {
  db: Kysely<ExpenseDatabase>;
  now: () => Date;
}

/**
 * Stores an expense as the caller's draft: validated exactly as a submission (the same
 * body, category and vendor from the company lists, a spend date not ahead, the workspace
 * one may file in) and priced now at the rate of its spend date, so a draft lacks nothing a
 * submission needs. It is not routed: no policy, no chain, no event, until it is submitted.
 */
export async function createDraft(
  deps: CreateDraftDeps,
  caller: AccessClaims,
  input: CreateExpenseRequest,
): Promise<DraftResponse> {
  await assertMayFile(deps.db, caller, input);
  const { category, vendor, spendDate, priced } = await describeExpense(deps, caller, input);
  const id = uuidv7();
  const source = input.source ?? 'manual';
  const draft = {
    id,
    company_id: caller.company_id,
    submitter_id: caller.sub,
    submitter_name: caller.name,
    policy_id: null,
    policy_name: null,
    category: category ?? null,
    amount: priced.baseAmount,
    description: input.description,
    status: 'draft',
    refusal_reason: null,
    // The draft's creation; submitting it sets the submission time.
    submitted_at: deps.now(),
    completed_at: null,
    workspace_id: input.workspace_id ?? null,
    requested_policy_id: input.policy_id ?? null,
    round: 1,
    flags: null,
    currency: priced.money.currency,
    original_amount: priced.money.amount,
    base_currency: priced.money.base_currency,
    exchange_rate: priced.money.exchange_rate,
    rate_date: priced.money.rate_date,
    spend_date: spendDate,
    vendor: vendor ?? null,
    source,
  } as const;
  await deps.db.transaction().execute(async (trx) => {
    await insertDraft(trx, draft);
    await recordAudit(trx, {
      companyId: caller.company_id,
      actor: { kind: 'user', id: caller.sub },
      action: 'expense.draft_created',
      entity: { type: 'expense', id },
      after: draft,
    });
  });
  return {
    message: 'Draft saved; submit it to route it for approval',
    expense_id: id,
    status: 'draft',
    amount: Number(priced.money.amount),
    money: priced.money,
    description: input.description,
    category: category ?? null,
    policy_id: input.policy_id ?? null,
    vendor: vendor ?? null,
    spend_date: spendDate,
    source,
    workspace_id: input.workspace_id ?? null,
  };
}
