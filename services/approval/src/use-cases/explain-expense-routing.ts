import {
  type AccessClaims,
  type ExpenseRouting,
  type Role,
  RoutingExplanation,
} from '@countersign/contracts';
import { NotFoundError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { findChainExplanation } from '../db/chain-lookup.js';
import type { ApprovalDatabase } from '../db/types.js';

const companyWideReaders: ReadonlySet<Role> = new Set(['admin', 'finance', 'auditor']);
const Flags = z.array(z.string());

/**
 * Why an expense routes as it does, as recorded when it was routed. Its submitter, its
 * approvers (past and present) and the company's admins, finance and auditors may see it;
 * to anyone else it does not exist.
 */
export async function explainExpenseRouting(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  expenseId: string,
): Promise<ExpenseRouting> {
  const found = await findChainExplanation(db, caller.company_id, expenseId);
  const mayRead =
    found &&
    (companyWideReaders.has(caller.role) ||
      found.submitter_id === caller.sub ||
      found.approver_ids.includes(caller.sub));
  if (!found || !mayRead)
    throw new NotFoundError(`no routed expense ${expenseId} that you can see`);
  return {
    expense_id: found.expense_id,
    status: found.status,
    policy: { id: found.policy_id, name: found.policy_name, version: found.policy_version },
    flags: Flags.parse(found.flags ?? []),
    explanation: found.explanation === null ? null : RoutingExplanation.parse(found.explanation),
  };
}
