import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';
import { envelopeOf } from './envelope.js';

/** The submitter withdrew a pending or sent-back expense; withdrawal is final. */
export const ExpenseWithdrawnV1 = envelopeOf(
  'ExpenseWithdrawn',
  1,
  z.object({
    expense_id: Uuid,
    round: z.number().int().min(1),
    submitter_id: Uuid,
    reason: z.string().nullable(),
    withdrawn_at: IsoDateTime,
    skipped_steps: z
      .array(z.number().int().min(1))
      .meta({ description: 'Steps of the round that were pending or waiting, never decided' }),
    pending_approver_ids: z
      .array(Uuid)
      .meta({ description: 'Approvers in whose queue the expense was when it was withdrawn' }),
  }),
);
export type ExpenseWithdrawnV1 = z.infer<typeof ExpenseWithdrawnV1>;
