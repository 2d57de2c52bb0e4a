import type { ExpenseSubmittedV1, RoutingExplanation } from '@countersign/contracts';
import {
  BASE_CURRENCY,
  evaluatePolicy,
  explainRouting,
  type Person,
  type StepTrace,
} from '@countersign/routing';
import type { Transaction } from 'kysely';
import { findPolicy } from '../db/policy-queries.js';
import type { ApprovalDatabase } from '../db/types.js';

export type Routed = Pick<
  ExpenseSubmittedV1['data'],
  'amount' | 'policy' | 'submitter' | 'workspace_id' | 'money' | 'vendor' | 'rule_trace'
>;

/**
 * The explanation stored with a chain: the rules as evaluated when the route was decided
 * (carried by the event, so the policy is not evaluated a second time) joined to the steps
 * as stored. Events from before the trace was carried re-evaluate the version they were
 * routed by (versions never change, so the trace is the one seen at submission, unless the
 * submitter's own level or role changed in between); `people` is read only then. Expenses
 * submitted before versions existed get no explanation.
 */
export async function explainSubmittedRoute(
  trx: Transaction<ApprovalDatabase>,
  companyId: string,
  data: Routed,
  people: () => Promise<readonly Person[]>,
  steps: readonly StepTrace[],
): Promise<RoutingExplanation | null> {
  if (data.rule_trace) return { ...data.rule_trace, steps: steps.map((s) => ({ ...s })) };
  if (data.policy.version === undefined) return null;
  const policy = await findPolicy(trx, companyId, data.policy.id, data.policy.version);
  if (!policy) return null;
  const submitter = (await people()).find((p) => p.id === data.submitter.id);
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
