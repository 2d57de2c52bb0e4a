import { type Kysely, sql, type Transaction } from 'kysely';
import type { DuplicateCandidate } from '../domain/receipt-flags.js';
import type { ExpenseDatabase } from './types.js';

/**
 * The submitter's earlier expenses of the same spend date and amount, oldest first, on
 * the `expense_duplicate_probe` index; the rule (`isLikelyDuplicate`) decides which of
 * them count. Withdrawn, blocked and refused ones are left out: taken back by the
 * submitter or never routed, so filing them again is no double claim.
 */
export async function findDuplicateCandidates(
  db: Kysely<ExpenseDatabase> | Transaction<ExpenseDatabase>,
  probe: { companyId: string; submitterId: string; spendDate: string; amount: string },
): Promise<DuplicateCandidate[]> {
  const rows = await db
    .selectFrom('expense')
    .select([
      'id',
      'submitter_id',
      'currency',
      'vendor',
      sql<string>`original_amount::text`.as('amount'),
      sql<string>`spend_date::text`.as('spend_date'),
    ])
    .where('company_id', '=', probe.companyId)
    .where('submitter_id', '=', probe.submitterId)
    .where(sql<boolean>`spend_date = ${probe.spendDate}::date`)
    .where('original_amount', '=', probe.amount)
    .where('status', 'not in', ['withdrawn', 'blocked', 'refused'])
    .orderBy('submitted_at')
    .limit(20)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    submitterId: r.submitter_id,
    amount: r.amount,
    currency: r.currency,
    spendDate: r.spend_date,
    vendor: r.vendor,
  }));
}
