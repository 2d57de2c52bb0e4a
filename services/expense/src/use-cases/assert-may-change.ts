import type { AccessClaims } from '@countersign/contracts';
import { ConflictError, ForbiddenError, NotFoundError } from '@countersign/platform';
import type { ExpenseRow } from '../db/types.js';
import { decideLifecycle, type LifecycleCommand } from '../domain/expense-lifecycle.js';

/**
 * Applies the lifecycle rules (`decideLifecycle`) to a command on a stored expense: another
 * company's expense, a colleague's draft and a deleted expense do not exist (404), a
 * colleague's sent-back expense is not theirs (403), and a command the status does not
 * allow is a conflict (409 with a code per command).
 */
export function assertMayChange(
  expense: ExpenseRow | undefined,
  caller: AccessClaims,
  expenseId: string,
  command: Extract<LifecycleCommand, 'edit' | 'resubmit' | 'submit' | 'delete' | 'restore'>,
): ExpenseRow {
  if (!expense) throw new NotFoundError(`no expense ${expenseId} in your company`);
  const verdict = decideLifecycle(
    { status: expense.status, deleted: expense.deleted_at !== null },
    command,
    { isSubmitter: expense.submitter_id === caller.sub, role: caller.role },
  );
  if (verdict.allowed) return expense;
  switch (verdict.refusal) {
    case 'hidden':
      throw new NotFoundError(`no expense ${expenseId} in your company`);
    case 'forbidden':
      throw new ForbiddenError(verdict.detail);
    case 'conflict':
      throw new ConflictError(verdict.detail, conflictCodes[command]);
  }
}

const conflictCodes = {
  edit: 'not-editable',
  resubmit: 'not-sent-back',
  submit: 'not-a-draft',
  delete: 'not-deletable',
  restore: 'not-deleted',
} as const;
