import { type AccessClaims, type CompanyCurrency, CurrencyCode } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { companyHasExpenses, findBaseCurrency } from '../db/money-queries.js';
import type { ExpenseDatabase } from '../db/types.js';

/** The company's base currency, and whether it can still be changed (no expenses yet). */
export async function getCompanyCurrency(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
): Promise<CompanyCurrency> {
  const [base, hasExpenses] = await Promise.all([
    findBaseCurrency(db, caller.company_id),
    companyHasExpenses(db, caller.company_id),
  ]);
  return { base_currency: CurrencyCode.parse(base), changeable: !hasExpenses };
}
