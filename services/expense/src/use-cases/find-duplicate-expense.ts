import type { Kysely } from 'kysely';
import { findDuplicateCandidates } from '../db/duplicate-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { type DuplicateCandidate, isLikelyDuplicate } from '../domain/receipt-flags.js';

/**
 * The submitter's earliest expense that the new one likely duplicates (same amount in
 * the same currency, spend date and vendor), or undefined. A warning, not a constraint:
 * two identical submissions racing each other may both pass unflagged.
 */
export async function findDuplicateExpense(
  db: Kysely<ExpenseDatabase>,
  companyId: string,
  expense: DuplicateCandidate,
): Promise<string | undefined> {
  if (expense.vendor === null) return undefined;
  const candidates = await findDuplicateCandidates(db, {
    companyId,
    submitterId: expense.submitterId,
    spendDate: expense.spendDate,
    amount: expense.amount,
  });
  return candidates.find((earlier) => isLikelyDuplicate(expense, earlier))?.id;
}
