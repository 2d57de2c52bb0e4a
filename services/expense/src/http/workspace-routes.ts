import {
  AddWorkspaceMemberRequest,
  CreateWorkspaceRequest,
  PageQuery,
  UpdateWorkspaceMemberRequest,
  WorkspaceIdParam,
  WorkspaceListQuery,
  WorkspaceMemberParam,
} from '@countersign/contracts';
import {
  type createServiceApp,
  parseOrThrow,
  readJsonBody,
  requireAuth,
  requirePermission,
  type TokenVerifier,
} from '@countersign/platform';
import type { Kysely } from 'kysely';
import type { ExpenseDatabase } from '../db/types.js';
import { addWorkspaceMember } from '../use-cases/add-workspace-member.js';
import { changeWorkspaceMember } from '../use-cases/change-workspace-member.js';
import { createWorkspace } from '../use-cases/create-workspace.js';
import { getWorkspace } from '../use-cases/get-workspace.js';
import { listWorkspaceExpenses } from '../use-cases/list-workspace-expenses.js';
import { listWorkspaces } from '../use-cases/list-workspaces.js';
import { removeWorkspaceMember } from '../use-cases/remove-workspace-member.js';
import { summarizeWorkspace } from '../use-cases/summarize-workspace.js';

export interface WorkspaceHttpDeps {
  db: Kysely<ExpenseDatabase>;
  verifyToken: TokenVerifier;
  now: () => Date;
}

/** Workspaces: their members, their expenses and their summary. */
export function mountWorkspaceRoutes(
  app: ReturnType<typeof createServiceApp>,
  deps: WorkspaceHttpDeps,
): void {
  app.use('/workspaces', requireAuth(deps.verifyToken));
  app.use('/workspaces/*', requireAuth(deps.verifyToken));

  app.post('/workspaces', requirePermission('workspaces.create'), async (c) => {
    const body = await readJsonBody(c, CreateWorkspaceRequest);
    return c.json(await createWorkspace(deps, c.var.caller, body), 201);
  });

  app.get('/workspaces', requirePermission('workspaces.read'), async (c) => {
    const query = parseOrThrow(WorkspaceListQuery, c.req.query());
    return c.json(await listWorkspaces(deps.db, c.var.caller, query));
  });

  app.get('/workspaces/:id', requirePermission('workspaces.read'), async (c) => {
    const { id } = parseOrThrow(WorkspaceIdParam, c.req.param());
    return c.json(await getWorkspace(deps.db, c.var.caller, id));
  });

  app.get('/workspaces/:id/expenses', requirePermission('workspaces.read'), async (c) => {
    const { id } = parseOrThrow(WorkspaceIdParam, c.req.param());
    const page = parseOrThrow(PageQuery, c.req.query());
    return c.json(await listWorkspaceExpenses(deps.db, c.var.caller, id, page));
  });

  app.get('/workspaces/:id/summary', requirePermission('workspaces.read'), async (c) => {
    const { id } = parseOrThrow(WorkspaceIdParam, c.req.param());
    return c.json(await summarizeWorkspace(deps.db, c.var.caller, id));
  });

  app.post('/workspaces/:id/members', requirePermission('workspaces.manage'), async (c) => {
    const { id } = parseOrThrow(WorkspaceIdParam, c.req.param());
    const body = await readJsonBody(c, AddWorkspaceMemberRequest);
    return c.json(await addWorkspaceMember(deps, c.var.caller, id, body), 201);
  });

  app.patch(
    '/workspaces/:id/members/:user_id',
    requirePermission('workspaces.manage'),
    async (c) => {
      const { id, user_id } = parseOrThrow(WorkspaceMemberParam, c.req.param());
      const body = await readJsonBody(c, UpdateWorkspaceMemberRequest);
      return c.json(await changeWorkspaceMember(deps.db, c.var.caller, id, user_id, body));
    },
  );

  app.delete(
    '/workspaces/:id/members/:user_id',
    requirePermission('workspaces.manage'),
    async (c) => {
      const { id, user_id } = parseOrThrow(WorkspaceMemberParam, c.req.param());
      await removeWorkspaceMember(deps.db, c.var.caller, id, user_id);
      return c.body(null, 204);
    },
  );
}
