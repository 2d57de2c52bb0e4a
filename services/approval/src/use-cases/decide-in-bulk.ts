import type {
  AccessClaims,
  BulkDecisionRequest,
  BulkDecisionResponse,
} from '@countersign/contracts';
import { AppError, PROBLEM_TYPE_BASE } from '@countersign/platform';
import type { Kysely } from 'kysely';
import type { ApprovalDatabase } from '../db/types.js';
import { recordDecision } from './record-decision.js';

type Result = BulkDecisionResponse['results'][number];

/**
 * Decides several expenses in one call, each alone: its own transaction and its own checks,
 * so one refusal leaves the others as they would have been. Items run one after another, in
 * the order sent, and each reports the status it would have answered on its own.
 */
export async function decideInBulk(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  request: BulkDecisionRequest,
  now: () => Date,
): Promise<BulkDecisionResponse> {
  const results: Result[] = [];
  for (const item of request.decisions) {
    const base = { expense_id: item.expense_id, action: item.action };
    try {
      const text = item.action === 'approve' ? item.comment : (item.reason ?? item.comment);
      const result = await recordDecision(
        db,
        caller,
        item.action === 'approve'
          ? { kind: 'approve', expenseId: item.expense_id, comments: text ?? null }
          : { kind: 'reject', expenseId: item.expense_id, reason: text ?? '' },
        now(),
      );
      results.push({ ...base, status: 200, result });
    } catch (error) {
      // Anything but a refusal is a fault of ours: the whole call answers 500 as usual.
      if (!(error instanceof AppError)) throw error;
      results.push({
        ...base,
        status: error.status,
        problem: {
          type: `${PROBLEM_TYPE_BASE}${error.code}`,
          title: error.title,
          status: error.status,
          detail: error.message,
        },
      });
    }
  }
  return { results };
}
