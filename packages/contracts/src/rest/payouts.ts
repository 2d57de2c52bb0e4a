import { z } from 'zod';
import { DecimalString, IsoDateTime, Uuid } from '../common.js';
import { CurrencyCode } from '../currencies.js';
import { ExpenseMoney } from './money.js';

export const PayoutRequest = z
  .object({
    expense_ids: z
      .array(Uuid)
      .min(1)
      .max(100)
      .meta({ description: 'Approved expenses to pay; each is answered on its own' }),
    reference: z.string().trim().min(1).max(100).optional().meta({
      description:
        'Your payment run reference, unique in the company: sending it again adds to (or replays) that payout',
    }),
  })
  .strict()
  .meta({ id: 'PayoutRequest' });
export type PayoutRequest = z.infer<typeof PayoutRequest>;

export const PayoutRefusal = z
  .enum(['unknown', 'not-approved', 'already-paid', 'own-expense'])
  .meta({
    description:
      '`unknown`: no such expense in your company (or deleted); `already-paid`: paid in another payout; `own-expense`: nobody pays their own',
  });
export type PayoutRefusal = z.infer<typeof PayoutRefusal>;

export const PayoutItemResult = z
  .discriminatedUnion('outcome', [
    z.object({ expense_id: Uuid, outcome: z.literal('paid'), paid_at: IsoDateTime }),
    z.object({
      expense_id: Uuid,
      outcome: z.literal('refused'),
      reason: PayoutRefusal,
      detail: z.string(),
    }),
  ])
  .meta({ id: 'PayoutItemResult' });
export type PayoutItemResult = z.infer<typeof PayoutItemResult>;

export const PayoutResponse = z
  .object({
    payout_id: Uuid,
    reference: z.string().nullable(),
    paid: z.number().int().min(0),
    refused: z.number().int().min(0),
    results: z.array(PayoutItemResult).meta({ description: 'One per distinct id sent, in order' }),
  })
  .meta({ id: 'PayoutResponse' });
export type PayoutResponse = z.infer<typeof PayoutResponse>;

export const PayoutIdParam = z.object({ id: Uuid });

export const PayoutDocument = z
  .object({
    id: Uuid,
    reference: z.string().nullable(),
    created_by: Uuid,
    created_at: IsoDateTime,
    base_currency: CurrencyCode,
    total: DecimalString.meta({ description: 'Sum of the base amounts paid' }),
    expenses: z.array(
      z.object({
        expense_id: Uuid,
        submitter_id: Uuid,
        description: z.string(),
        money: ExpenseMoney,
        paid_at: IsoDateTime,
        paid_by: Uuid,
      }),
    ),
  })
  .meta({ id: 'PayoutDocument' });
export type PayoutDocument = z.infer<typeof PayoutDocument>;
