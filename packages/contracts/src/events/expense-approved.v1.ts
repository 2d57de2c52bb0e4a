import { z } from 'zod';
import { DecimalString, IsoDateTime, Uuid } from '../common.js';
import { envelopeOf } from './envelope.js';

/** Every required step is approved: the expense is approved. */
export const ExpenseApprovedV1 = envelopeOf(
  'ExpenseApproved',
  1,
  z.object({
    expense_id: Uuid,
    submitter_id: Uuid,
    amount: DecimalString,
    completed_at: IsoDateTime,
    skipped_steps: z
      .array(z.number().int().min(1))
      .meta({ description: 'Optional steps after the last required one, never asked' }),
    /** Added later, optional: the chain round this is about; absent means round 1. */
    round: z.number().int().min(1).optional(),
  }),
);
export type ExpenseApprovedV1 = z.infer<typeof ExpenseApprovedV1>;
