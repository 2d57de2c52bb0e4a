import type { AccessClaims, ExpenseStatusDocument, Role } from '@countersign/contracts';
import { NotFoundError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findExpenseWithSteps } from '../db/expense-lookup.js';
import type { ExpenseDatabase } from '../db/types.js';
import { findMemberRole } from '../db/workspace-queries.js';
import { dayOf, expenseMoney } from '../domain/price-expense.js';

/** Roles that read every expense of their company. */
const companyWideReaders: ReadonlySet<Role> = new Set(['admin', 'finance', 'auditor']);

/**
 * The status document of one expense, for its submitter, its approvers, the members of the
 * workspace it is filed in, and the company's admins, finance and auditors; a draft only for
 * its submitter, and a deleted expense for nobody (admins list those apart).
 * Anyone else is told it does not exist, so ids cannot be probed.
 */
export async function getExpenseStatus(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  expenseId: string,
): Promise<ExpenseStatusDocument> {
  // Deleted expenses and colleagues' drafts are not found, whoever asks.
  const found = await findExpenseWithSteps(db, caller.company_id, expenseId, caller.sub);
  const mayRead =
    found &&
    (companyWideReaders.has(caller.role) ||
      found.expense.submitter_id === caller.sub ||
      found.steps.some((s) => s.approver_id === caller.sub) ||
      (found.expense.workspace_id !== null &&
        (await findMemberRole(db, found.expense.workspace_id, caller.sub)) !== null));
  if (!found || !mayRead) throw new NotFoundError(`no expense ${expenseId} that you can see`);
  const { expense, steps } = found;
  return {
    id: expense.id,
    amount: Number(expense.original_amount),
    money: expenseMoney(expense),
    category: expense.category,
    vendor: expense.vendor,
    spend_date: dayOf(expense.spend_date),
    source: expense.source,
    description: expense.description,
    status: expense.status,
    submitted_at: expense.submitted_at.toISOString(),
    completed_at: expense.completed_at?.toISOString() ?? null,
    user_name: expense.submitter_name,
    policy_name: expense.policy_name,
    refusal_reason: expense.refusal_reason,
    workspace_id: expense.workspace_id,
    round: expense.round,
    ...(expense.flags?.length ? { flags: expense.flags } : {}),
    ...(expense.payout_id && expense.paid_at && expense.paid_by
      ? {
          payment: {
            payout_id: expense.payout_id,
            paid_at: expense.paid_at.toISOString(),
            paid_by: expense.paid_by,
          },
        }
      : {}),
    approvals: steps.map((s) => ({
      step_number: s.step,
      approver_name: s.approver_name,
      approver_level: s.level_name,
      status: s.status,
      approved_at: s.decided_at?.toISOString() ?? null,
      comments: s.comments,
      required: s.required,
      stage: s.stage,
      needs: s.needs,
      // A delegate decided in the approver's name: the record shows both.
      ...(s.decided_by
        ? { decided_by: { id: s.decided_by, name: s.decided_by_name ?? 'unknown' } }
        : {}),
    })),
  };
}
