import type { AccessClaims, RoutingDecision, RoutingRequest } from '@countersign/contracts';
import { NotFoundError } from '@countersign/platform';
import { evaluateRoute, planRoute, reachesWholeCompany } from '@countersign/routing';
import type { Kysely } from 'kysely';
import { findRoutingCopy, listRoutingPeople } from '../db/routing-copy-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import type { RoutingPort } from './routing-port.js';

export interface DecideRouteDeps {
  db: Kysely<ExpenseDatabase>;
  /** The approval service's routing decision, for what the copy cannot answer yet. */
  route: RoutingPort;
}

/**
 * How the caller's expense routes, decided here from the routing copy (the approval
 * service's policies and directory, kept from its events) by the same pure rules the
 * approval service runs, so a submission makes no call to another service. Refusals
 * (inactive submitter 403, no deciding rule or nobody eligible 422) are thrown as the
 * approval service would. The approval service is asked instead when the copy cannot know
 * the answer yet: the company's snapshot has not arrived, the submitter is not in the copy
 * (just added), or the policy or category is unknown to it (just created). A copy that is a
 * moment stale otherwise routes as the approval service would have a moment ago; the approval
 * service re-checks every approver when it stores the chain (see ARCHITECTURE.md).
 */
export async function decideRoute(
  deps: DecideRouteDeps,
  caller: AccessClaims,
  token: string,
  request: RoutingRequest,
  requestId?: string,
): Promise<RoutingDecision> {
  const askApproval = () => deps.route(token, request, requestId);
  const [copy, team] = await Promise.all([
    findRoutingCopy(deps.db, caller.company_id),
    listRoutingPeople(deps.db, caller.company_id, caller.sub),
  ]);
  const submitter = team.find((p) => p.id === caller.sub);
  if (!copy.whole || !submitter) return askApproval();
  let route: ReturnType<typeof evaluateRoute>;
  try {
    route = evaluateRoute(copy.policies, submitter, request);
  } catch (error) {
    if (error instanceof NotFoundError) return askApproval();
    throw error;
  }
  const people = reachesWholeCompany(route)
    ? await listRoutingPeople(deps.db, caller.company_id)
    : team;
  return planRoute(route, people).decision;
}
