import type {
  AccessClaims,
  CreateExpenseRequest,
  CreateExpenseResponse,
  WorkspaceRole,
} from '@countersign/contracts';
import { ForbiddenError, NotFoundError, newEvent } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { insertExpenseWithEvents } from '../db/expense-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { findMemberRole, findWorkspaceFor } from '../db/workspace-queries.js';
import { submitIntoWorkspaceAccess } from '../domain/workspace-access.js';
import type { RoutingPort } from '../http/routing-client.js';

export interface SubmitExpenseDeps {
  db: Kysely<ExpenseDatabase>;
  route: RoutingPort;
  now: () => Date;
}

/**
 * Submits an expense as the caller: the approval service decides the route first (so a
 * refusal stores nothing), then the expense, its chain read model and ExpenseSubmitted
 * commit together in one statement (inside a transaction that re-checks the membership
 * when the expense is filed in a workspace).
 */
export async function submitExpense(
  deps: SubmitExpenseDeps,
  caller: AccessClaims,
  token: string,
  input: CreateExpenseRequest,
  requestId?: string,
): Promise<CreateExpenseResponse> {
  if (input.user_id !== undefined && input.user_id !== caller.sub) {
    throw new ForbiddenError('user_id must be your own id: expenses are submitted as the caller');
  }
  if (input.workspace_id !== undefined) {
    // Checked before routing too, so a refusal costs no call to the approval service.
    const workspace = await findWorkspaceFor(
      deps.db,
      caller.company_id,
      input.workspace_id,
      caller.sub,
    );
    refuseUnlessMayFileIn(input.workspace_id, workspace ? workspace.my_role : null);
  }
  const decision = await deps.route(
    token,
    {
      ...(input.policy_id ? { policy_id: input.policy_id } : {}),
      ...(input.category ? { category: input.category } : {}),
      ...(input.workspace_id ? { workspace_id: input.workspace_id } : {}),
      amount: input.amount,
    },
    requestId,
  );
  const submittedAt = deps.now();
  const expenseId = uuidv7();
  const autoApproved = decision.outcome === 'auto_approve';
  const expense = {
    id: expenseId,
    company_id: caller.company_id,
    submitter_id: caller.sub,
    submitter_name: decision.submitter.name,
    policy_id: decision.policy.id,
    policy_name: decision.policy.name,
    category: decision.policy.category,
    amount: input.amount,
    description: input.description,
    status: autoApproved ? ('approved' as const) : ('pending' as const),
    refusal_reason: null,
    submitted_at: submittedAt,
    completed_at: autoApproved ? submittedAt : null,
    workspace_id: input.workspace_id ?? null,
    requested_policy_id: input.policy_id ?? null,
    round: 1,
    flags: decision.flags?.length ? decision.flags : null,
  };
  const about = {
    companyId: caller.company_id,
    actor: { kind: 'user', id: caller.sub } as const,
    subject: expenseId,
    occurredAt: submittedAt,
  };
  const shared = {
    expense_id: expenseId,
    submitter: decision.submitter,
    amount: input.amount,
    description: input.description,
    policy: decision.policy,
    ...(input.workspace_id !== undefined ? { workspace_id: input.workspace_id } : {}),
    ...(decision.flags?.length ? { flags: decision.flags } : {}),
  };
  // A policy rule may approve at once: no chain, and ExpenseAutoApproved instead.
  const submitted = autoApproved
    ? newEvent('ExpenseAutoApproved', {
        ...about,
        data: { ...shared, approved_at: submittedAt.toISOString() },
      })
    : newEvent('ExpenseSubmitted', {
        ...about,
        data: { ...shared, chain: decision.chain, submitted_at: submittedAt.toISOString() },
      });
  const workspaceId = input.workspace_id;
  if (workspaceId === undefined) {
    await insertExpenseWithEvents(deps.db, expense, decision.chain, [submitted]);
  } else {
    // Checked again under a share lock on the membership: a removal or demotion racing
    // with routing either committed first (refused here) or waits for this insert.
    await deps.db.transaction().execute(async (trx) => {
      refuseUnlessMayFileIn(workspaceId, await findMemberRole(trx, workspaceId, caller.sub, true));
      await insertExpenseWithEvents(trx, expense, decision.chain, [submitted]);
    });
  }
  return {
    message: autoApproved
      ? 'Expense created and approved by policy'
      : 'Expense created successfully',
    expense_id: expenseId,
    status: expense.status,
    amount: Number(input.amount),
    policy_id: decision.policy.id,
    approvals_required: decision.chain.map((s) => ({
      step: s.step,
      approver: s.approver_name,
      level: s.level_name,
    })),
  };
}

/**
 * Only the workspace's owners and members file expenses in it: a viewer is refused (403),
 * and to anyone else, or another company, the workspace does not exist (404).
 */
function refuseUnlessMayFileIn(workspaceId: string, membership: WorkspaceRole | null): void {
  const access = submitIntoWorkspaceAccess(membership);
  if (access === 'hidden') {
    throw new NotFoundError(`no workspace ${workspaceId} that you are a member of`);
  }
  if (access === 'forbidden') {
    throw new ForbiddenError('viewers of a workspace cannot file expenses in it');
  }
}
