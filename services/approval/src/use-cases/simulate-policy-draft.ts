import type { AccessClaims, PolicySimulation, SimulatePolicyRequest } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { listCompanyPeople } from '../db/directory-queries.js';
import { listPastRoutes } from '../db/past-routes.js';
import type { ApprovalDatabase } from '../db/types.js';
import { simulatePolicy } from '../domain/simulate-policy.js';
import { assertPolicyRules } from './assert-policy-rules.js';

/**
 * Runs a draft policy against the company's past expenses (as the approval service routed
 * them) and the directory as it is now; nothing is stored. SQL selects, the domain decides.
 */
export async function simulatePolicyDraft(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  request: SimulatePolicyRequest,
): Promise<PolicySimulation> {
  await assertPolicyRules(db, caller.company_id, request.rules);
  const [rows, people] = await Promise.all([
    listPastRoutes(db, caller.company_id, request),
    listCompanyPeople(db, caller.company_id),
  ]);
  return simulatePolicy(
    request.rules,
    rows.map((r) => ({
      expenseId: r.expense_id,
      amount: r.amount,
      category: r.category,
      submittedAt: r.created_at,
      workspaceId: r.workspace_id,
      submitter: {
        id: r.submitter_id,
        teamId: r.team_id,
        levelNumber: r.level_number,
        role: r.role,
      },
      approverIds: r.approver_ids,
      block: r.status === 'blocked' ? { reason: r.block_reason } : undefined,
    })),
    people,
  );
}
