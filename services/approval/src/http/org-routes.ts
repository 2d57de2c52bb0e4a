import {
  CreateLevelRequest,
  CreateTeamRequest,
  CreateUserRequest,
  DeactivateUserRequest,
  IdParam,
  UpdateLevelRequest,
  UpdateTeamRequest,
  UpdateUserRequest,
  UserListQuery,
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

const idOf = (c: Context) => parseOrThrow(IdParam, c.req.param()).id;

/** Users, teams and levels of the caller's company: the org directory's admin API. */
export function registerOrgRoutes(app: Hono<ServiceEnv>, deps: OrgRouteDeps): void {
  const auth = requireAuth(deps.verifyToken);
  // '/users/*' also matches '/users' itself.
  for (const path of ['/users/*', '/teams/*', '/levels/*']) {
    app.use(path, auth);
  }
  registerUserRoutes(app, deps);
  registerTeamAndLevelRoutes(app, deps);
}

function registerUserRoutes(app: Hono<ServiceEnv>, { db, now }: OrgRouteDeps): void {
  app.get('/users', requirePermission('users.read'), async (c) =>
    c.json(await listUsers(db, c.var.caller, parseOrThrow(UserListQuery, c.req.query()))),
  );
  app.post('/users', requirePermission('users.manage'), async (c) => {
    const body = await readJsonBody(c, CreateUserRequest);
    return c.json(await addUser(db, c.var.caller, body, now()), 201);
  });
  // Before /users/:id, which would otherwise take "me" for an id.
  app.get('/users/me', requirePermission('profile.self'), async (c) =>
    c.json(await getMyProfile(db, c.var.caller)),
  );
  app.get('/users/:id', requirePermission('users.read'), async (c) =>
    c.json(await getUser(db, c.var.caller, idOf(c))),
  );
  app.patch('/users/:id', requirePermission('users.manage'), async (c) => {
    const id = idOf(c);
    const body = await readJsonBody(c, UpdateUserRequest);
    return c.json(await changeUser(db, c.var.caller, id, body, now()));
  });
  app.post('/users/:id/deactivate', requirePermission('users.manage'), async (c) => {
    const id = idOf(c);
    const body = await readJsonBody(c, DeactivateUserRequest);
    return c.json(await deactivateUser(db, c.var.caller, id, body, now()));
  });
}

function registerTeamAndLevelRoutes(app: Hono<ServiceEnv>, { db, now }: OrgRouteDeps): void {
  app.get('/teams', requirePermission('org.read'), async (c) =>
    c.json(await listTeams(db, c.var.caller)),
  );
  app.post('/teams', requirePermission('org.manage'), async (c) => {
    const body = await readJsonBody(c, CreateTeamRequest);
    return c.json(await createTeam(db, c.var.caller, body, now()), 201);
  });
  app.patch('/teams/:id', requirePermission('org.manage'), async (c) => {
    const id = idOf(c);
    const body = await readJsonBody(c, UpdateTeamRequest);
    return c.json(await renameTeam(db, c.var.caller, id, body, now()));
  });
  app.get('/levels', requirePermission('org.read'), async (c) =>
    c.json(await listLevels(db, c.var.caller)),
  );
  app.post('/levels', requirePermission('org.manage'), async (c) => {
    const body = await readJsonBody(c, CreateLevelRequest);
    return c.json(await createLevel(db, c.var.caller, body, now()), 201);
  });
  app.patch('/levels/:id', requirePermission('org.manage'), async (c) => {
    const id = idOf(c);
    const body = await readJsonBody(c, UpdateLevelRequest);
    return c.json(await renameLevel(db, c.var.caller, id, body, now()));
  });
}
