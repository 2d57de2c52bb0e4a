import type { AccessClaims, ExpensePreview, PreviewExpenseRequest } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import type { ApprovalDatabase } from '../db/types.js';
import { planRoute } from './plan-route.js';

/** What submitting would give the caller (chain, flags, a block and why); nothing is stored. */
export async function previewRouting(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  request: PreviewExpenseRequest,
): Promise<ExpensePreview> {
  const plan = await planRoute(db, caller, {
    ...(request.policy_id ? { policy_id: request.policy_id } : {}),
    ...(request.category ? { category: request.category } : {}),
    ...(request.workspace_id ? { workspace_id: request.workspace_id } : {}),
    amount: request.amount,
  });
  return {
    outcome: plan.outcome,
    block_reason: plan.outcome === 'block' ? plan.reason : null,
    policy: plan.decision.policy,
    chain: plan.decision.chain,
    flags: plan.decision.flags ?? [],
    explanation: plan.explanation,
  };
}
