import type { AccessClaims, Role } from '@countersign/contracts';
import { NotFoundError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findExpenseWithSteps } from '../db/expense-lookup.js';
import type { ExpenseDatabase } from '../db/types.js';

/** Roles that see every receipt of their company. */
const companyWideReaders: ReadonlySet<Role> = new Set(['admin', 'finance', 'auditor']);

/**
 * The expense whose receipts the caller may see: its submitter, its approvers (of any
 * round still in its chain), and the company's admins, finance and auditors. To anyone
 * else, and in another company, it does not exist (404), so ids cannot be probed.
 */
export async function findReceiptExpense(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  expenseId: string,
) {
  const found = await findExpenseWithSteps(db, caller.company_id, expenseId, caller.sub);
  const mayRead =
    found &&
    (companyWideReaders.has(caller.role) ||
      found.expense.submitter_id === caller.sub ||
      found.steps.some((s) => s.approver_id === caller.sub));
  if (!found || !mayRead) throw new NotFoundError(`no expense ${expenseId} that you can see`);
  return found.expense;
}
