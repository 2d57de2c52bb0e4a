import type {
  AccessClaims,
  BulkDecisionRequest,
  BulkDecisionResponse,
} from '@countersign/contracts';
import { DomainError, problemOf, UpstreamError } from '@countersign/platform';
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
      // A fault of ours (e.g. a deadlock) rolled this item's transaction back; earlier items
      // are committed, so the call still answers with every item's outcome.
      const refusal =
        error instanceof DomainError
          ? error
          : new UpstreamError(
              'this item could not be decided and nothing of it was recorded; try it again',
            );
      const { type, title, status } = problemOf(refusal);
      results.push({ ...base, status, problem: { type, title, status, detail: refusal.message } });
    }
  }
  return { results };
}
