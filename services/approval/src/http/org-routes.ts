import { orgRoutes } from '@countersign/contracts';
import {
  requireAuth,
  requirePermission,
  type ServeRoute,
  type ServiceEnv,
  type TokenVerifier,
} from '@countersign/platform';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { ApprovalDatabase } from '../db/types.js';
import { addUser } from '../use-cases/add-user.js';
import { changeUser } from '../use-cases/change-user.js';
import { createLevel } from '../use-cases/create-level.js';
import { createTeam } from '../use-cases/create-team.js';
import { deactivateUser } from '../use-cases/deactivate-user.js';
import { getMyProfile } from '../use-cases/get-my-profile.js';
import { getUser } from '../use-cases/get-user.js';
import { listLevels } from '../use-cases/list-levels.js';
import { listTeams } from '../use-cases/list-teams.js';
import { listUsers } from '../use-cases/list-users.js';
import { renameLevel } from '../use-cases/rename-level.js';
import { renameTeam } from '../use-cases/rename-team.js';

export interface OrgRouteDeps {
  db: Kysely<ApprovalDatabase>;
  verifyToken: TokenVerifier;
  now: () => Date;
}

/** Users, teams and levels of the caller's company: the org directory's admin API. */
export function registerOrgRoutes(
  app: Hono<ServiceEnv>,
  serve: ServeRoute,
  deps: OrgRouteDeps,
): void {
  const { db, now } = deps;
  serve(orgRoutes.listUsers, async (c, { query }) =>
    c.json(await listUsers(db, c.var.caller, query)),
  );
  serve(orgRoutes.addUser, async (c, { body }) =>
    c.json(await addUser(db, c.var.caller, body, now()), 201),
  );
  // Not forwarded: the gateway's own /api/users/me asks for it. Before /users/:id, which
  // would otherwise take "me" for an id.
  app.get(
    '/users/me',
    requireAuth(deps.verifyToken),
    requirePermission('profile.self'),
    async (c) => c.json(await getMyProfile(db, c.var.caller)),
  );
  serve(orgRoutes.getUser, async (c, { params }) =>
    c.json(await getUser(db, c.var.caller, params.id)),
  );
  serve(orgRoutes.changeUser, async (c, { params, body }) =>
    c.json(await changeUser(db, c.var.caller, params.id, body, now())),
  );
  serve(orgRoutes.deactivateUser, async (c, { params, body }) =>
    c.json(await deactivateUser(db, c.var.caller, params.id, body, now())),
  );
  registerTeamAndLevelRoutes(serve, deps);
}

function registerTeamAndLevelRoutes(serve: ServeRoute, { db, now }: OrgRouteDeps): void {
  serve(orgRoutes.listTeams, async (c) => c.json(await listTeams(db, c.var.caller)));
  serve(orgRoutes.createTeam, async (c, { body }) =>
    c.json(await createTeam(db, c.var.caller, body, now()), 201),
  );
  serve(orgRoutes.renameTeam, async (c, { params, body }) =>
    c.json(await renameTeam(db, c.var.caller, params.id, body, now())),
  );
  serve(orgRoutes.listLevels, async (c) => c.json(await listLevels(db, c.var.caller)));
  serve(orgRoutes.createLevel, async (c, { body }) =>
    c.json(await createLevel(db, c.var.caller, body, now()), 201),
  );
  serve(orgRoutes.renameLevel, async (c, { params, body }) =>
    c.json(await renameLevel(db, c.var.caller, params.id, body, now())),
  );
}
