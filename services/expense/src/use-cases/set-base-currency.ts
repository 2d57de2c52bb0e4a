import type { AccessClaims, CompanyCurrency, SetBaseCurrencyRequest } from '@countersign/contracts';
import { ConflictError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import {
  companyHasExpenses,
  lockBaseCurrency,
  setBaseCurrency as storeBaseCurrency,
} from '../db/money-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { recordAudit } from '../outbox/audit.js';

/**
 * Changes the company's base currency, only while it has no expenses: every stored base
 * amount, policy threshold and report is in the base currency, and none is converted
 * afterwards. The row lock orders this against submits, which hold it shared while they
 * store (a submit that priced in the old currency is refused with 409 and retried).
 */
export async function setBaseCurrency(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  input: SetBaseCurrencyRequest,
): Promise<CompanyCurrency> {
  return db.transaction().execute(async (trx) => {
    const current = await lockBaseCurrency(trx, caller.company_id, 'update');
    if (current !== input.base_currency) {
      if (await companyHasExpenses(trx, caller.company_id)) {
        throw new ConflictError(
          `the base currency stays ${current}: the company already has expenses in it`,
          'base-currency-in-use',
        );
      }
      await storeBaseCurrency(trx, caller.company_id, input.base_currency);
      await recordAudit(trx, {
        companyId: caller.company_id,
        actor: { kind: 'user', id: caller.sub },
        action: 'company.base_currency_changed',
        entity: { type: 'company', id: caller.company_id },
        before: { base_currency: current },
        after: { base_currency: input.base_currency },
      });
    }
    return { base_currency: input.base_currency, changeable: true };
  });
}
