import { z } from 'zod';
import { DecimalString, Uuid } from '../common.js';
import { envelopeOf } from './envelope.js';

/** A step of an expense's chain is now waiting for its approver. */
export const ApprovalRequestedV1 = envelopeOf(
  'ApprovalRequested',
  1,
  z.object({
    expense_id: Uuid,
    step: z.number().int().min(1),
    approver_id: Uuid,
    submitter_id: Uuid,
    submitter_name: z.string(),
    amount: DecimalString,
    description: z.string(),
    /** Added later, optional: the chain round this is about; absent means round 1. */
    round: z.number().int().min(1).optional(),
    /** Added later, optional: the stage of the seat (absent: `step`) and whether one or all of its seats must approve (absent: one). */
    stage: z.number().int().min(1).optional(),
    needs: z.enum(['one', 'all']).optional(),
    /** Added later, optional: how many seats of the stage are asked at once (absent: 1). */
    seats: z.number().int().min(1).optional(),
  }),
);
export type ApprovalRequestedV1 = z.infer<typeof ApprovalRequestedV1>;
