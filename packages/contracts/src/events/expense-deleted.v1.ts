import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';
import { envelopeOf } from './envelope.js';

/**
 * The submitter soft-deleted a draft or a sent-back expense: hidden from lists and
 * summaries, kept in the table, restorable by an admin. For a sent-back expense the
 * approval service ends its chain as a withdrawal would (and emits ExpenseWithdrawn), so
 * the chain does not wait for a resubmission that will not come. A draft has no chain.
 */
export const ExpenseDeletedV1 = envelopeOf(
  'ExpenseDeleted',
  1,
  z.object({
    expense_id: Uuid,
    submitter_id: Uuid,
    round: z.number().int().min(1),
    status: z.enum(['draft', 'sent_back']).meta({ description: 'The status it was deleted in' }),
    deleted_by: Uuid,
    deleted_at: IsoDateTime,
  }),
);
export type ExpenseDeletedV1 = z.infer<typeof ExpenseDeletedV1>;
