import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';
import { envelopeOf } from './envelope.js';

/** An approver rejected a step; rejection is terminal for the expense. */
export const ExpenseRejectedV1 = envelopeOf(
  'ExpenseRejected',
  1,
  z.object({
    expense_id: Uuid,
    step: z.number().int().min(1),
    approver_id: Uuid,
    submitter_id: Uuid,
    reason: z.string(),
    rejected_at: IsoDateTime,
    skipped_steps: z
      .array(z.number().int().min(1))
      .meta({ description: 'Steps after the rejected one, never asked' }),
    /** Added later, optional: the chain round this is about; absent means round 1. */
    round: z.number().int().min(1).optional(),
    /** Added later, optional: the delegate who decided in `approver_id`'s name. */
    decided_by: Uuid.optional(),
  }),
);
export type ExpenseRejectedV1 = z.infer<typeof ExpenseRejectedV1>;
