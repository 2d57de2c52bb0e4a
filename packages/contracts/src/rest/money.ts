import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';
import { BaseCurrencyCode, CurrencyCode } from '../currencies.js';

/**
 * A calendar date, `YYYY-MM-DD` (UTC days), from 1900 on: PostgreSQL has no year 0, and no
 * expense or rate is older.
 */
export const IsoDate = z.iso
  .date()
  .refine((day) => day >= '1900-01-01', { message: 'a date from 1900-01-01 on' })
  .meta({ example: '2026-11-20' });

/**
 * An expense's amount in its own currency: a JSON number (as seed 001's clients send it)
 * or a decimal string, at most 12 integer digits and 3 decimals, greater than zero. It
 * becomes a decimal string at once (trailing zeros of the fraction dropped); how many
 * decimals its currency allows is checked by the expense service.
 */
export const ExpenseAmountInput = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    const text = typeof value === 'number' ? String(value) : value.trim();
    const match = /^(\d{1,12})(?:\.(\d{1,3}))?$/.exec(text);
    if (!match) {
      ctx.addIssue({
        code: 'custom',
        message: 'amount must be a positive number with at most three decimal places',
      });
      return z.NEVER;
    }
    const whole = BigInt(match[1] ?? '0').toString();
    const fraction = (match[2] ?? '').replace(/0+$/, '');
    if (whole === '0' && fraction === '') {
      ctx.addIssue({ code: 'custom', message: 'amount must be greater than zero' });
      return z.NEVER;
    }
    return fraction === '' ? whole : `${whole}.${fraction}`;
  })
  .meta({
    description:
      'Amount in the expense currency, as a JSON number or decimal string; at most as many decimals as the currency has minor digits (JPY 0, USD 2, KWD 3)',
    example: 800,
  });

/**
 * An exchange rate: how many units of the base currency one unit of the other is worth.
 * A decimal string (or JSON number) with at most 9 integer digits and 10 decimals, > 0.
 */
export const RateInput = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    const text = typeof value === 'number' ? String(value) : value.trim();
    const match = /^(\d{1,9})(?:\.(\d{1,10}))?$/.exec(text);
    if (!match || /^0*(\.0*)?$/.test(text)) {
      ctx.addIssue({
        code: 'custom',
        message: 'rate must be a positive decimal with at most 9 integer digits and 10 decimals',
      });
      return z.NEVER;
    }
    const whole = BigInt(match[1] ?? '0').toString();
    const fraction = (match[2] ?? '').replace(/0+$/, '');
    return fraction === '' ? whole : `${whole}.${fraction}`;
  })
  .meta({
    description: 'Units of the base currency per one unit of `currency`',
    example: '1.0842',
  });

export const ExpenseSource = z.enum(['manual', 'receipt']);
export type ExpenseSource = z.infer<typeof ExpenseSource>;

/**
 * What an expense cost, exactly: the amount in its own currency, the rate used and the
 * amount in the company's base currency (rounded half-even to the base's minor unit).
 */
export const ExpenseMoney = z
  .object({
    amount: z.string().meta({ description: 'Decimal string in `currency`', example: '100.00' }),
    currency: CurrencyCode,
    base_amount: z.string().meta({ description: 'Decimal string in `base_currency`' }),
    base_currency: CurrencyCode,
    exchange_rate: z.string().meta({ description: '1 when the currency is the base currency' }),
    rate_date: IsoDate.nullable().meta({
      description: 'The effective date of the rate used; null when no conversion was needed',
    }),
  })
  .meta({ id: 'ExpenseMoney' });
export type ExpenseMoney = z.infer<typeof ExpenseMoney>;

export const CompanyCurrency = z
  .object({
    base_currency: CurrencyCode,
    changeable: z.boolean().meta({
      description: 'The base currency can be changed only while the company has no expenses',
    }),
  })
  .meta({ id: 'CompanyCurrency' });
export type CompanyCurrency = z.infer<typeof CompanyCurrency>;

export const SetBaseCurrencyRequest = z
  .object({ base_currency: BaseCurrencyCode })
  .strict()
  .meta({ id: 'SetBaseCurrencyRequest' });
export type SetBaseCurrencyRequest = z.infer<typeof SetBaseCurrencyRequest>;

export const CreateExchangeRateRequest = z
  .object({
    currency: CurrencyCode,
    rate: RateInput,
    effective_on: IsoDate.meta({ description: 'The rate applies from this day until the next' }),
  })
  .strict()
  .meta({ id: 'CreateExchangeRateRequest' });
export type CreateExchangeRateRequest = z.infer<typeof CreateExchangeRateRequest>;

export const ExchangeRate = z
  .object({
    id: Uuid,
    currency: CurrencyCode,
    base_currency: CurrencyCode,
    rate: z.string(),
    effective_on: IsoDate,
    created_by: Uuid,
    created_at: IsoDateTime,
  })
  .meta({ id: 'ExchangeRate' });
export type ExchangeRate = z.infer<typeof ExchangeRate>;

export const ExchangeRateListQuery = z.object({
  currency: CurrencyCode.optional(),
});
export type ExchangeRateListQuery = z.infer<typeof ExchangeRateListQuery>;

export const ExchangeRateList = z
  .object({ items: z.array(ExchangeRate) })
  .meta({ id: 'ExchangeRateList' });
export type ExchangeRateList = z.infer<typeof ExchangeRateList>;

/** A category or a vendor: a company-managed name an expense may carry. */
export const CatalogEntry = z
  .object({
    id: Uuid,
    name: z.string(),
    archived: z.boolean(),
    created_at: IsoDateTime,
    updated_at: IsoDateTime,
  })
  .meta({ id: 'CatalogEntry' });
export type CatalogEntry = z.infer<typeof CatalogEntry>;

export const CatalogName = z.string().trim().min(1).max(50);

export const CreateCatalogEntryRequest = z
  .object({ name: CatalogName })
  .strict()
  .meta({ id: 'CreateCatalogEntryRequest' });
export type CreateCatalogEntryRequest = z.infer<typeof CreateCatalogEntryRequest>;

export const UpdateCatalogEntryRequest = z
  .object({
    name: CatalogName.optional(),
    archived: z.boolean().optional().meta({
      description: 'An archived entry is kept on past expenses but new expenses cannot use it',
    }),
  })
  .strict()
  .refine((b) => b.name !== undefined || b.archived !== undefined, {
    message: 'send name or archived',
  })
  .meta({ id: 'UpdateCatalogEntryRequest' });
export type UpdateCatalogEntryRequest = z.infer<typeof UpdateCatalogEntryRequest>;

export const CatalogListQuery = z.object({
  include_archived: z.stringbool().default(false),
});
export type CatalogListQuery = z.infer<typeof CatalogListQuery>;

export const CatalogList = z.object({ items: z.array(CatalogEntry) }).meta({ id: 'CatalogList' });
export type CatalogList = z.infer<typeof CatalogList>;

export const CatalogEntryIdParam = z.object({ id: Uuid });
