import type { AccessClaims, PageQuery, PendingApprovalPage } from '@countersign/contracts';
import { decodeCursor, toPage } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { listPendingForApprover } from '../db/pending-queue.js';
import type { ApprovalDatabase } from '../db/types.js';
import { utcDay } from '../domain/delegation.js';

// `step` was added with parallel stages; a cursor without it skips the rest of its expense.
const Cursor = z.object({
  requested_at: z.iso.datetime(),
  expense_id: z.uuid(),
  step: z.coerce.number().int().min(1).optional(),
});
const LAST_STEP = 2 ** 31 - 1;

/** The steps waiting for the caller's decision, their own or a delegator's, oldest first. */
export async function listPendingApprovals(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  page: PageQuery,
  now: Date,
): Promise<PendingApprovalPage> {
  const after = decodeCursor(Cursor, page.cursor);
  const rows = await listPendingForApprover(
    db,
    caller.company_id,
    caller.sub,
    page.limit + 1,
    utcDay(now),
    after
      ? {
          requestedAt: new Date(after.requested_at),
          expenseId: after.expense_id,
          step: after.step ?? LAST_STEP,
        }
      : undefined,
  );
  return toPage(
    rows,
    page.limit,
    (row) => ({
      approval_id: row.approval_id,
      expense_id: row.expense_id,
      step: row.step,
      submitter_name: row.submitter_name,
      amount: Number(row.amount),
      description: row.description,
      policy_name: row.policy_name,
      requested_at: row.requested_at.toISOString(),
      ...(row.approver_id === caller.sub
        ? {}
        : { on_behalf_of: { id: row.approver_id, name: row.approver_name } }),
    }),
    (row) => ({
      requested_at: row.requested_at.toISOString(),
      expense_id: row.expense_id,
      step: String(row.step),
    }),
  );
}
