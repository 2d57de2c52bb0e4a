import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';
import { envelopeOf } from './envelope.js';

/**
 * The approver of the current step sent the expense back to its submitter for changes.
 * The chain of this round stops: no step is pending until the submitter resubmits.
 */
export const ExpenseSentBackV1 = envelopeOf(
  'ExpenseSentBack',
  1,
  z.object({
    expense_id: Uuid,
    round: z.number().int().min(1),
    step: z.number().int().min(1),
    approver_id: Uuid,
    submitter_id: Uuid,
    comment: z.string(),
    sent_back_at: IsoDateTime,
    /** Added later, optional: the delegate who sent it back in `approver_id`'s name. */
    decided_by: Uuid.optional(),
    /** Added later, optional: the other pending seats of the same stage, now skipped. */
    skipped_steps: z.array(z.number().int().min(1)).optional(),
  }),
);
export type ExpenseSentBackV1 = z.infer<typeof ExpenseSentBackV1>;
