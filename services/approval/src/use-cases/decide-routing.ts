import type { AccessClaims, RoutingDecision, RoutingRequest } from '@countersign/contracts';
import { UnprocessableError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import type { ApprovalDatabase } from '../db/types.js';
import { planRoute } from './plan-route.js';

/**
 * Answers, synchronously, how the caller's expense routes, for the expense service to
 * store it. Every refusal, a blocking rule included (422 with its reason), is thrown here
 * so a refused expense is never stored.
 */
export async function decideRouting(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  request: RoutingRequest,
): Promise<RoutingDecision> {
  const plan = await planRoute(db, caller, request);
  if (plan.outcome === 'block') {
    throw new UnprocessableError(
      `blocked by policy "${plan.decision.policy.name}": ${plan.reason}`,
      'blocked-by-policy',
    );
  }
  return plan.decision;
}
