import type {
  AccessClaims,
  ApprovalDecisionRequest,
  DecisionResponse,
} from '@countersign/contracts';
import { NotFoundError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findStepById } from '../db/chain-lookup.js';
import type { ApprovalDatabase } from '../db/types.js';
import { recordDecision } from './record-decision.js';

/**
 * Seed 002's decision on one pending step, named by its approval id: approved=true is an
 * approval, approved=false a rejection whose comment is the reason. The same rules as seed
 * 001's routes apply; the step must still be the one waiting, or the answer is 409.
 */
export async function decideApproval(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  approvalId: string,
  body: ApprovalDecisionRequest,
  now: Date,
): Promise<DecisionResponse> {
  const step = await findStepById(db, caller.company_id, approvalId);
  if (!step) throw new NotFoundError(`no approval ${approvalId} in your company`);
  const expectedStep = { step: step.step, round: step.round };
  if (body.approved) {
    return recordDecision(
      db,
      caller,
      { kind: 'approve', expenseId: step.expense_id, comments: body.comment ?? null, expectedStep },
      now,
    );
  }
  // The schema already refuses a rejection without a comment.
  return recordDecision(
    db,
    caller,
    { kind: 'reject', expenseId: step.expense_id, reason: body.comment ?? '', expectedStep },
    now,
  );
}
