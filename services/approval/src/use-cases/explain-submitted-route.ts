import type { ExpenseSubmittedV1, RoutingExplanation } from '@countersign/contracts';
import type { Transaction } from 'kysely';
import { findPolicy } from '../db/policy-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { BASE_CURRENCY, evaluatePolicy } from '../domain/evaluate-policy.js';
import { explainRouting } from '../domain/explain-routing.js';
import type { Person } from '../domain/org.js';
import type { StepTrace } from '../domain/resolve-steps.js';

type Routed = Pick<
  ExpenseSubmittedV1['data'],
  'amount' | 'policy' | 'submitter' | 'workspace_id' | 'money' | 'vendor'
>;

/**
 * Re-evaluates the policy version the expense was routed by (versions never change, so
 * the rule trace is the one seen at submission, unless the submitter's own level or role
 * changed in between) and joins it to the steps as stored. Expenses submitted before
 * versions existed get no explanation.
 */
export async function explainSubmittedRoute(
  trx: Transaction<ApprovalDatabase>,
  companyId: string,
  data: Routed,
  people: readonly Person[],
  steps: readonly StepTrace[],
): Promise<RoutingExplanation | null> {
  if (data.policy.version === undefined) return null;
  const policy = await findPolicy(trx, companyId, data.policy.id, data.policy.version);
  if (!policy) return null;
  const submitter = people.find((p) => p.id === data.submitter.id);
  const evaluation = evaluatePolicy(policy.rules, {
    amount: data.amount,
    category: data.policy.category,
    currency: data.money?.currency ?? BASE_CURRENCY,
    vendor: data.vendor,
    receiptPresent: false,
    workspaceId: data.workspace_id,
    submitter: {
      teamId: data.submitter.team_id,
      levelNumber: submitter?.levelNumber ?? 0,
      role: submitter?.role ?? 'employee',
    },
  });
  return explainRouting(policy, evaluation, steps);
}
