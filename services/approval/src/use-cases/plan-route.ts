import type {
  AccessClaims,
  RoutingDecision,
  RoutingExplanation,
  RoutingRequest,
} from '@countersign/contracts';
import { ForbiddenError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { listCompanyPeople, listTeamOf } from '../db/directory-queries.js';
import { listCurrentPolicies } from '../db/policy-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { BASE_CURRENCY } from '../domain/evaluate-policy.js';
import { explainRouting } from '../domain/explain-routing.js';
import { toChainStep } from '../domain/org.js';
import { resolveSteps } from '../domain/resolve-steps.js';
import { selectPolicy } from '../domain/select-policy.js';

export type RoutePlan =
  | { outcome: 'block'; reason: string; decision: RoutingDecision; explanation: RoutingExplanation }
  | {
      outcome: 'require_approval' | 'auto_approve';
      decision: RoutingDecision;
      explanation: RoutingExplanation;
    };

/**
 * How the caller's expense would route, read-only: which policy version, which rule,
 * which approvers and why. Unknown policies, no deciding rule and nobody eligible are
 * thrown; a block is returned, for the caller to record (submit) or show (preview).
 */
export async function planRoute(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  request: RoutingRequest,
): Promise<RoutePlan> {
  const [team, policies] = await Promise.all([
    listTeamOf(db, caller.company_id, caller.sub),
    listCurrentPolicies(db, caller.company_id, { activeOnly: true }),
  ]);
  const submitter = team.find((p) => p.id === caller.sub);
  if (!submitter?.active) {
    throw new ForbiddenError('your account is not an active member of the company');
  }
  const { policy, evaluation } = selectPolicy(
    policies,
    { policyId: request.policy_id, category: request.category },
    {
      // The base-currency amount; the expense's own currency and vendor as sent (older
      // callers send neither: the amount is then in USD). A receipt counts once uploaded.
      amount: request.amount,
      currency: request.currency ?? BASE_CURRENCY,
      vendor: request.vendor,
      receiptPresent: request.has_receipt ?? false,
      workspaceId: request.workspace_id,
      submitter: {
        teamId: submitter.teamId,
        levelNumber: submitter.levelNumber,
        role: submitter.role ?? 'employee',
      },
    },
  );
  const base = {
    policy: {
      id: policy.id,
      name: policy.name,
      category: policy.category,
      version: policy.version,
    },
    submitter: { id: submitter.id, name: submitter.name, team_id: submitter.teamId },
    ...(evaluation.flags.length > 0 ? { flags: evaluation.flags } : {}),
  };
  const { outcome } = evaluation;
  if (outcome.kind === 'block') {
    const rule = evaluation.decidingRule;
    return {
      outcome: 'block',
      reason: outcome.reason,
      decision: {
        ...base,
        chain: [],
        outcome: 'block',
        // A block is always decided by a rule; the fallback only satisfies the type.
        block: {
          reason: outcome.reason,
          rule: {
            index: rule?.index ?? 0,
            priority: rule?.priority ?? 0,
            ...(rule?.description !== undefined ? { description: rule.description } : {}),
          },
        },
      },
      explanation: explainRouting(policy, evaluation, []),
    };
  }
  if (outcome.kind !== 'require_approval') {
    // auto_approve ("no_match" never reaches here: selectPolicy refuses it).
    return {
      outcome: 'auto_approve',
      decision: { ...base, chain: [], outcome: 'auto_approve' },
      explanation: explainRouting(policy, evaluation, []),
    };
  }
  const reachesCompany = outcome.steps.some(
    (s) => s.approver.by !== 'level' || s.approver.scope === 'company',
  );
  const people = reachesCompany
    ? await listCompanyPeople(db, caller.company_id)
    : team.filter((p) => p.active);
  const resolution = resolveSteps(
    outcome.steps,
    { id: submitter.id, teamId: submitter.teamId },
    people,
  );
  return {
    outcome: 'require_approval',
    decision: { ...base, chain: resolution.chain.map(toChainStep) },
    explanation: explainRouting(policy, evaluation, resolution.steps),
  };
}
