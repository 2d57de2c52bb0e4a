import type { ExpenseAutoApprovedV1 } from '@countersign/contracts';
import type { Transaction } from 'kysely';
import { insertAutoApprovedChain } from '../db/chain-queries.js';
import { listTeamOf } from '../db/directory-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { explainSubmittedRoute } from './explain-submitted-route.js';

/** Keeps the route of an expense a policy approved at once, with its explanation. */
export async function recordAutoApproval(
  trx: Transaction<ApprovalDatabase>,
  event: ExpenseAutoApprovedV1,
): Promise<void> {
  const { data } = event;
  const team = await listTeamOf(trx, event.company_id, data.submitter.id);
  await insertAutoApprovedChain(
    trx,
    {
      expenseId: data.expense_id,
      companyId: event.company_id,
      submitterId: data.submitter.id,
      submitterName: data.submitter.name,
      policyId: data.policy.id,
      policyName: data.policy.name,
      amount: data.amount,
      description: data.description,
      policyVersion: data.policy.version ?? null,
      category: data.policy.category,
      submitterTeamId: data.submitter.team_id,
      workspaceId: data.workspace_id ?? null,
      flags: data.flags ?? [],
      explanation: await explainSubmittedRoute(trx, event.company_id, data, team, []),
    },
    new Date(data.approved_at),
  );
}
