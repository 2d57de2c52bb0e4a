import { z } from 'zod';
import { DecimalString, IsoDateTime, PageQuery, Uuid } from '../common.js';
import { ExpenseStatus, ExpenseSummary } from './expenses.js';

/**
 * What a member may do in a workspace: owners manage its members, members submit into it,
 * viewers only read. Every member (viewers too) sees the workspace's expenses.
 */
export const WorkspaceRole = z.enum(['owner', 'member', 'viewer']);
export type WorkspaceRole = z.infer<typeof WorkspaceRole>;

export const CreateWorkspaceRequest = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().trim().max(2000).optional(),
  })
  .strict()
  .meta({ id: 'CreateWorkspaceRequest' });
export type CreateWorkspaceRequest = z.infer<typeof CreateWorkspaceRequest>;

export const AddWorkspaceMemberRequest = z
  .object({ user_id: Uuid, role: WorkspaceRole })
  .strict()
  .meta({ id: 'AddWorkspaceMemberRequest' });
export type AddWorkspaceMemberRequest = z.infer<typeof AddWorkspaceMemberRequest>;

export const UpdateWorkspaceMemberRequest = z
  .object({ role: WorkspaceRole })
  .strict()
  .meta({ id: 'UpdateWorkspaceMemberRequest' });
export type UpdateWorkspaceMemberRequest = z.infer<typeof UpdateWorkspaceMemberRequest>;

export const Workspace = z
  .object({
    id: Uuid,
    name: z.string(),
    description: z.string().nullable(),
    created_by: Uuid,
    created_at: IsoDateTime,
    my_role: WorkspaceRole.nullable().meta({
      description: "The caller's role in it; null for a company-wide reader who is no member",
    }),
  })
  .meta({ id: 'Workspace' });
export type Workspace = z.infer<typeof Workspace>;

export const WorkspacePage = z
  .object({ items: z.array(Workspace), next_cursor: z.string().nullable() })
  .meta({ id: 'WorkspacePage' });
export type WorkspacePage = z.infer<typeof WorkspacePage>;

export const WorkspaceMember = z
  .object({
    user_id: Uuid,
    name: z.string().nullable().meta({
      description: "The person's name; null only until the directory copy has learned of them",
    }),
    role: WorkspaceRole,
    added_at: IsoDateTime,
  })
  .meta({ id: 'WorkspaceMember' });
export type WorkspaceMember = z.infer<typeof WorkspaceMember>;

export const WorkspaceDetails = Workspace.extend({ members: z.array(WorkspaceMember) }).meta({
  id: 'WorkspaceDetails',
});
export type WorkspaceDetails = z.infer<typeof WorkspaceDetails>;

/** One expense of a workspace, naming who submitted it (members see each other's). */
export const WorkspaceExpense = ExpenseSummary.extend({
  submitter_id: Uuid,
  submitter_name: z.string(),
  category: z.string(),
}).meta({ id: 'WorkspaceExpense' });

export const WorkspaceExpensePage = z
  .object({ items: z.array(WorkspaceExpense), next_cursor: z.string().nullable() })
  .meta({ id: 'WorkspaceExpensePage' });
export type WorkspaceExpensePage = z.infer<typeof WorkspaceExpensePage>;

const Total = z.object({
  count: z.number().int().min(0),
  amount: DecimalString.meta({ description: 'Exact sum, a decimal string with 2 places' }),
});

export const WorkspaceSummary = z
  .object({
    workspace_id: Uuid,
    by_status: z
      .array(Total.extend({ status: ExpenseStatus }))
      .meta({ description: 'Every status, zero where there is none' }),
    by_category: z
      .array(Total.extend({ category: z.string() }))
      .meta({ description: 'The categories that have expenses, by name' }),
    overall: Total,
  })
  .meta({ id: 'WorkspaceSummary' });
export type WorkspaceSummary = z.infer<typeof WorkspaceSummary>;

export const WorkspaceListQuery = PageQuery.extend({
  scope: z
    .enum(['mine', 'company'])
    .default('mine')
    .meta({ description: '`company`: every workspace of the company (admin, finance, auditor)' }),
});
export type WorkspaceListQuery = z.infer<typeof WorkspaceListQuery>;

export const WorkspaceIdParam = z.object({ id: Uuid });
export const WorkspaceMemberParam = z.object({ id: Uuid, user_id: Uuid });
