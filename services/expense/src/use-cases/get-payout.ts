import { type AccessClaims, CurrencyCode, type PayoutDocument } from '@countersign/contracts';
import { NotFoundError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findBaseCurrency } from '../db/money-queries.js';
import { findPayoutWithExpenses } from '../db/payout-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { formatMinor, toMinor } from '../domain/money.js';
import { expenseMoney } from '../domain/price-expense.js';

/** A payout of the caller's company with what it paid; another company's does not exist. */
export async function getPayout(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  payoutId: string,
): Promise<PayoutDocument> {
  const found = await findPayoutWithExpenses(db, caller.company_id, payoutId);
  if (!found) throw new NotFoundError(`no payout ${payoutId} in your company`);
  const { payout, expenses } = found;
  // Base amounts are stored with two places: added up exactly in cents.
  const totalCents = expenses.reduce((sum, row) => sum + toMinor(row.amount, 2).units, 0n);
  const paid = expenses.flatMap((row) =>
    row.paid_at && row.paid_by
      ? [
          {
            expense_id: row.id,
            submitter_id: row.submitter_id,
            description: row.description,
            money: expenseMoney(row),
            paid_at: row.paid_at.toISOString(),
            paid_by: row.paid_by,
          },
        ]
      : [],
  );
  return {
    id: payout.id,
    reference: payout.reference,
    created_by: payout.created_by,
    created_at: payout.created_at.toISOString(),
    base_currency:
      paid[0]?.money.base_currency ??
      CurrencyCode.parse(await findBaseCurrency(db, caller.company_id)),
    total: formatMinor({ units: totalCents, exponent: 2 }),
    expenses: paid,
  };
}
