import { delegationRoutes } from '@countersign/contracts';
import type { ServeRoute } from '@countersign/platform';
import type { Kysely } from 'kysely';
import type { ApprovalDatabase } from '../db/types.js';
import { createDelegation } from '../use-cases/create-delegation.js';
import { listDelegations } from '../use-cases/list-delegations.js';
import { revokeDelegation } from '../use-cases/revoke-delegation.js';

export interface DelegationRouteDeps {
  db: Kysely<ApprovalDatabase>;
  now: () => Date;
}

/** Delegations: an approver lets a colleague decide in their name for a while. */
export function registerDelegationRoutes(serve: ServeRoute, deps: DelegationRouteDeps): void {
  const { db, now } = deps;
  serve(delegationRoutes.create, async (c, { body }) =>
    c.json(await createDelegation(db, c.var.caller, body, now()), 201),
  );
  serve(delegationRoutes.list, async (c) => c.json(await listDelegations(db, c.var.caller)));
  // The body only carries an optional note today; its schema refuses unknown fields.
  serve(delegationRoutes.revoke, async (c, { params }) =>
    c.json(await revokeDelegation(db, c.var.caller, params.id, now())),
  );
}
