import {
  type AccessClaims,
  type CreateExchangeRateRequest,
  CurrencyCode,
  type ExchangeRate,
} from '@countersign/contracts';
import { ConflictError, UnprocessableError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { findBaseCurrency, insertExchangeRate } from '../db/money-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { recordAudit } from '../outbox/audit.js';
import { toExchangeRate } from './list-exchange-rates.js';

/**
 * Adds a dated rate from a currency to the company's base currency. Rates are never
 * edited: one per pair and day (409 for a second), and a later date supersedes.
 */
export async function createExchangeRate(
  deps: { db: Kysely<ExpenseDatabase>; now: () => Date },
  caller: AccessClaims,
  input: CreateExchangeRateRequest,
): Promise<ExchangeRate> {
  const base = CurrencyCode.parse(await findBaseCurrency(deps.db, caller.company_id));
  if (input.currency === base) {
    throw new UnprocessableError(
      `${base} is the base currency: its rate is always 1`,
      'base-currency-rate',
    );
  }
  const created = await deps.db.transaction().execute(async (trx) => {
    const rate = await insertExchangeRate(trx, {
      id: uuidv7(),
      company_id: caller.company_id,
      currency: input.currency,
      base_currency: base,
      effective_on: input.effective_on,
      rate: input.rate,
      created_by: caller.sub,
      created_at: deps.now(),
    });
    if (rate) {
      await recordAudit(trx, {
        companyId: caller.company_id,
        actor: { kind: 'user', id: caller.sub },
        action: 'exchange_rate.created',
        entity: { type: 'exchange_rate', id: rate.id },
        after: rate,
      });
    }
    return rate;
  });
  if (!created) {
    throw new ConflictError(
      `a ${input.currency}→${base} rate for ${input.effective_on} exists already; rates are not edited, add one for a later day`,
      'duplicate-exchange-rate',
    );
  }
  return toExchangeRate(created);
}
