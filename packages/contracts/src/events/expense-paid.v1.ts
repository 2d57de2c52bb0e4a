import { z } from 'zod';
import { DecimalString, IsoDateTime, Uuid } from '../common.js';
import { ExpenseMoney } from '../rest/money.js';
import { envelopeOf } from './envelope.js';

/**
 * Finance paid an approved expense in a payout. Emitted by the expense service once per
 * expense, in the transaction that marks the batch paid; `paid` is final.
 */
export const ExpensePaidV1 = envelopeOf(
  'ExpensePaid',
  1,
  z.object({
    expense_id: Uuid,
    submitter_id: Uuid,
    payout_id: Uuid,
    reference: z.string().nullable(),
    amount: DecimalString.meta({ description: 'In the base currency' }),
    money: ExpenseMoney,
    paid_by: Uuid,
    paid_at: IsoDateTime,
  }),
);
export type ExpensePaidV1 = z.infer<typeof ExpensePaidV1>;
