import type { AccessClaims, RoutingDecision, RoutingRequest } from '@countersign/contracts';
import { ForbiddenError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { listActivePolicies, listCandidates, listTeamOf } from '../db/directory-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { toChainStep } from '../domain/org.js';
import { resolveChain } from '../domain/resolve-chain.js';
import { selectPolicy } from '../domain/select-policy.js';

/**
 * Answers, synchronously, how the caller's expense would route: which policy and which
 * approvers. Refusals (unknown policy, amount out of range, nobody eligible) are thrown
 * here so the expense is never stored.
 */
export async function decideRouting(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  request: RoutingRequest,
): Promise<RoutingDecision> {
  // The submitter's team holds every candidate unless a step reaches company-wide.
  const [team, policies] = await Promise.all([
    listTeamOf(db, caller.company_id, caller.sub),
    listActivePolicies(db, caller.company_id),
  ]);
  const submitter = team.find((p) => p.id === caller.sub);
  if (!submitter?.active) {
    throw new ForbiddenError('your account is not an active member of the company');
  }
  const policy = selectPolicy(policies, {
    policyId: request.policy_id,
    category: request.category,
    amount: request.amount,
  });
  const scopes = policy.steps.map((s) => s.teamScope);
  const people = scopes.includes('company')
    ? await listCandidates(db, caller.company_id, submitter.teamId, scopes)
    : team.filter((p) => p.active);
  const { chain } = resolveChain(policy.steps, submitter, people);
  return {
    policy: { id: policy.id, name: policy.name, category: policy.category },
    submitter: { id: submitter.id, name: submitter.name, team_id: submitter.teamId },
    chain: chain.map(toChainStep),
  };
}
