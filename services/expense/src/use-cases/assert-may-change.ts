import type { AccessClaims } from '@countersign/contracts';
import { ConflictError, ForbiddenError, NotFoundError } from '@countersign/platform';
import type { ExpenseRow } from '../db/types.js';

/**
 * Only the submitter changes their expense, and only while it is sent back: another
 * company's expense does not exist (404), a colleague's is not theirs (403), and one in any
 * other status is a conflict (409).
 */
export function assertMayChange(
  expense: ExpenseRow | undefined,
  caller: AccessClaims,
  expenseId: string,
  action: 'edit' | 'resubmit',
): ExpenseRow {
  if (!expense) throw new NotFoundError(`no expense ${expenseId} in your company`);
  if (expense.submitter_id !== caller.sub) {
    throw new ForbiddenError(`only the submitter can ${action} an expense`);
  }
  if (expense.status !== 'sent_back') {
    throw new ConflictError(
      `only an expense sent back can be ${action === 'edit' ? 'edited' : 'resubmitted'}; this one is ${expense.status.replace('_', ' ')}`,
      'not-sent-back',
    );
  }
  return expense;
}
