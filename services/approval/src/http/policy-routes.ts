import { policyRoutes } from '@countersign/contracts';
import type { ServeRoute } from '@countersign/platform';
import type { Kysely } from 'kysely';
import type { ApprovalDatabase } from '../db/types.js';
import { createPolicy } from '../use-cases/create-policy.js';
import { deactivatePolicy } from '../use-cases/deactivate-policy.js';
import { getPolicy } from '../use-cases/get-policy.js';
import { listPolicies } from '../use-cases/list-policies.js';
import { simulatePolicyDraft } from '../use-cases/simulate-policy-draft.js';
import { versionPolicy } from '../use-cases/version-policy.js';

export interface PolicyRouteDeps {
  db: Kysely<ApprovalDatabase>;
  now: () => Date;
}

/** Approval policies: everyone reads them, admins and finance manage them. */
export function registerPolicyRoutes(serve: ServeRoute, deps: PolicyRouteDeps): void {
  const { db, now } = deps;
  serve(policyRoutes.list, async (c) => c.json(await listPolicies(db, c.var.caller)));
  serve(policyRoutes.create, async (c, { body }) =>
    c.json(await createPolicy(db, c.var.caller, body, now()), 201),
  );
  serve(policyRoutes.simulate, async (c, { body }) =>
    c.json(await simulatePolicyDraft(db, c.var.caller, body)),
  );
  serve(policyRoutes.get, async (c, { params, query }) =>
    c.json(await getPolicy(db, c.var.caller, params.id, query.version)),
  );
  serve(policyRoutes.version, async (c, { params, body }) =>
    c.json(await versionPolicy(db, c.var.caller, params.id, body, now())),
  );
  // The reason is accepted for the record of the request; the event needs none.
  serve(policyRoutes.deactivate, async (c, { params }) =>
    c.json(await deactivatePolicy(db, c.var.caller, params.id, now())),
  );
}
