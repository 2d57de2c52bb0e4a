import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';
import { envelopeOf } from './envelope.js';

export const StepApprovedV1 = envelopeOf(
  'StepApproved',
  1,
  z.object({
    expense_id: Uuid,
    step: z.number().int().min(1),
    approver_id: Uuid,
    submitter_id: Uuid,
    comments: z.string().nullable(),
    approved_at: IsoDateTime,
    pending_required_steps: z.number().int().min(0),
    /** Added later, optional: the chain round this is about; absent means round 1. */
    round: z.number().int().min(1).optional(),
    /** Added later, optional: the delegate who decided in `approver_id`'s name. */
    decided_by: Uuid.optional(),
    /** Added later, optional: the stage of the seat approved (absent: `step`). */
    stage: z.number().int().min(1).optional(),
    /** Added later, optional: whether this approval settled its stage (absent: true). */
    stage_completed: z.boolean().optional(),
    /** Added later, optional: the other seats of a one-of stage, skipped by this approval. */
    skipped_steps: z.array(z.number().int().min(1)).optional(),
  }),
);
export type StepApprovedV1 = z.infer<typeof StepApprovedV1>;
