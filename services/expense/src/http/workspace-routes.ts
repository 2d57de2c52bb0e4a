import { workspaceRoutes } from '@countersign/contracts';
import type { ServeRoute } from '@countersign/platform';
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
  now: () => Date;
}

/** Workspaces: their members, their expenses and their summary. */
export function mountWorkspaceRoutes(serve: ServeRoute, deps: WorkspaceHttpDeps): void {
  serve(workspaceRoutes.create, async (c, { body }) =>
    c.json(await createWorkspace(deps, c.var.caller, body), 201),
  );

  serve(workspaceRoutes.list, async (c, { query }) =>
    c.json(await listWorkspaces(deps.db, c.var.caller, query)),
  );

  serve(workspaceRoutes.get, async (c, { params }) =>
    c.json(await getWorkspace(deps.db, c.var.caller, params.id)),
  );

  serve(workspaceRoutes.listExpenses, async (c, { params, query }) =>
    c.json(await listWorkspaceExpenses(deps.db, c.var.caller, params.id, query)),
  );

  serve(workspaceRoutes.summary, async (c, { params }) =>
    c.json(await summarizeWorkspace(deps.db, c.var.caller, params.id)),
  );

  serve(workspaceRoutes.addMember, async (c, { params, body }) =>
    c.json(await addWorkspaceMember(deps, c.var.caller, params.id, body), 201),
  );

  serve(workspaceRoutes.changeMember, async (c, { params, body }) =>
    c.json(await changeWorkspaceMember(deps.db, c.var.caller, params.id, params.user_id, body)),
  );

  serve(workspaceRoutes.removeMember, async (c, { params }) => {
    await removeWorkspaceMember(deps.db, c.var.caller, params.id, params.user_id);
    return c.body(null, 204);
  });
}
