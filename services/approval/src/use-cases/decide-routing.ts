import type { AccessClaims, RoutingDecision, RoutingRequest } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import type { ApprovalDatabase } from '../db/types.js';
import { planRoute } from './plan-route.js';

/**
 * Answers, synchronously, how the caller's expense routes, for the expense service to
 * store it. Refusals that leave nothing to record (unknown policy, no deciding rule,
 * nobody eligible) are thrown; a blocking rule is an outcome (`block`, with its reason
 * and rule), so the expense service records the blocked attempt before refusing it.
 */
export async function decideRouting(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  request: RoutingRequest,
): Promise<RoutingDecision> {
  return (await planRoute(db, caller, request)).decision;
}
