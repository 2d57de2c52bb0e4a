import type { AccessClaims, RoutingRequest } from '@countersign/contracts';
import {
  evaluateRoute,
  planRoute as planRouteFrom,
  type RoutePlan,
  reachesWholeCompany,
} from '@countersign/routing';
import type { Kysely } from 'kysely';
import { listCompanyPeople, listTeamOf } from '../db/directory-queries.js';
import { listCurrentPolicies } from '../db/policy-queries.js';
import type { ApprovalDatabase } from '../db/types.js';

export type { RoutePlan };

/**
 * How the caller's expense would route, read-only: which policy version, which rule,
 * which approvers and why, computed once by the shared routing rules. Unknown policies,
 * no deciding rule and nobody eligible are thrown; a block is returned, for the caller to
 * record (submit) or show (preview). The whole company is read only when a step reaches
 * beyond the submitter's team.
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
  const route = evaluateRoute(
    policies,
    team.find((p) => p.id === caller.sub),
    request,
  );
  const people = reachesWholeCompany(route) ? await listCompanyPeople(db, caller.company_id) : team;
  return planRouteFrom(route, people);
}
