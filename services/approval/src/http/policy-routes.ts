import {
  CreatePolicyRequest,
  DeactivatePolicyRequest,
  IdParam,
  PolicyVersionQuery,
  SimulatePolicyRequest,
  UpdatePolicyRequest,
} from '@countersign/contracts';
import {
  parseOrThrow,
  readJsonBody,
  requireAuth,
  requirePermission,
  type ServiceEnv,
  type TokenVerifier,
} from '@countersign/platform';
import type { Context, Hono } from 'hono';
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
  verifyToken: TokenVerifier;
  now: () => Date;
}

const idOf = (c: Context) => parseOrThrow(IdParam, c.req.param()).id;

/** Approval policies: everyone reads them, admins and finance manage them. */
export function registerPolicyRoutes(app: Hono<ServiceEnv>, deps: PolicyRouteDeps): void {
  const { db, now } = deps;
  app.use('/policies/*', requireAuth(deps.verifyToken));
  app.use('/policies', requireAuth(deps.verifyToken));
  app.get('/policies', requirePermission('policies.read'), async (c) =>
    c.json(await listPolicies(db, c.var.caller)),
  );
  app.post('/policies', requirePermission('policies.manage'), async (c) => {
    const body = await readJsonBody(c, CreatePolicyRequest);
    return c.json(await createPolicy(db, c.var.caller, body, now()), 201);
  });
  app.post('/policies/simulate', requirePermission('policies.manage'), async (c) => {
    const body = await readJsonBody(c, SimulatePolicyRequest);
    return c.json(await simulatePolicyDraft(db, c.var.caller, body));
  });
  app.get('/policies/:id', requirePermission('policies.read'), async (c) => {
    const id = idOf(c);
    const { version } = parseOrThrow(PolicyVersionQuery, c.req.query());
    return c.json(await getPolicy(db, c.var.caller, id, version));
  });
  app.patch('/policies/:id', requirePermission('policies.manage'), async (c) => {
    const id = idOf(c);
    const body = await readJsonBody(c, UpdatePolicyRequest);
    return c.json(await versionPolicy(db, c.var.caller, id, body, now()));
  });
  app.post('/policies/:id/deactivate', requirePermission('policies.manage'), async (c) => {
    const id = idOf(c);
    // The reason is accepted for the record of the request; the event needs none.
    await readJsonBody(c, DeactivatePolicyRequest);
    return c.json(await deactivatePolicy(db, c.var.caller, id, now()));
  });
}
