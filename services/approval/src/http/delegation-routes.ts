import {
  CreateDelegationRequest,
  DelegationIdParam,
  RevokeDelegationRequest,
} from '@countersign/contracts';
import {
  parseOrThrow,
  readJsonBody,
  requireAuth,
  requirePermission,
  type ServiceEnv,
  type TokenVerifier,
} from '@countersign/platform';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { ApprovalDatabase } from '../db/types.js';
import { createDelegation } from '../use-cases/create-delegation.js';
import { listDelegations } from '../use-cases/list-delegations.js';
import { revokeDelegation } from '../use-cases/revoke-delegation.js';

export interface DelegationRouteDeps {
  db: Kysely<ApprovalDatabase>;
  verifyToken: TokenVerifier;
  now: () => Date;
}

/** Delegations: an approver lets a colleague decide in their name for a while. */
export function registerDelegationRoutes(app: Hono<ServiceEnv>, deps: DelegationRouteDeps): void {
  const { db, now } = deps;
  // '/delegations/*' also matches '/delegations' itself.
  app.use('/delegations/*', requireAuth(deps.verifyToken));
  app.post('/delegations', requirePermission('approvals.decide'), async (c) => {
    const body = await readJsonBody(c, CreateDelegationRequest);
    return c.json(await createDelegation(db, c.var.caller, body, now()), 201);
  });
  app.get('/delegations', requirePermission('approvals.decide'), async (c) =>
    c.json(await listDelegations(db, c.var.caller)),
  );
  app.post('/delegations/:id/revoke', requirePermission('approvals.decide'), async (c) => {
    const { id } = parseOrThrow(DelegationIdParam, c.req.param());
    // The body only carries an optional note today; reading it refuses unknown fields.
    await readJsonBody(c, RevokeDelegationRequest);
    return c.json(await revokeDelegation(db, c.var.caller, id, now()));
  });
}
