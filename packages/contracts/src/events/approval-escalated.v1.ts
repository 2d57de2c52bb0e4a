import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';
import { envelopeOf } from './envelope.js';

/**
 * A pending step passed its deadline and moved to a more senior approver (or an admin).
 * `assignment` counts the step's approvers, as in ApproverReassigned, which is emitted too.
 */
export const ApprovalEscalatedV1 = envelopeOf(
  'ApprovalEscalated',
  1,
  z.object({
    expense_id: Uuid,
    step: z.number().int().min(1),
    from_approver_id: Uuid,
    to_approver_id: Uuid,
    submitter_id: Uuid,
    assignment: z.number().int().min(2),
    reason: z.string().min(1),
    due_at: IsoDateTime,
  }),
);
export type ApprovalEscalatedV1 = z.infer<typeof ApprovalEscalatedV1>;
