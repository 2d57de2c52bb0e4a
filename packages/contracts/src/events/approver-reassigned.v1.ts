import { z } from 'zod';
import { Uuid } from '../common.js';
import { ChainStep } from '../rest/routing.js';
import { envelopeOf } from './envelope.js';

/**
 * A step of a chain in flight moved to another approver, because its approver was
 * deactivated or moved out of reach (team or level). `assignment` counts the step's
 * approvers (1 is the one chosen at routing), so a reader keeps the highest one and may
 * apply these events in any order.
 */
export const ApproverReassignedV1 = envelopeOf(
  'ApproverReassigned',
  1,
  z.object({
    expense_id: Uuid,
    step: z.number().int().min(1),
    previous_approver_id: Uuid,
    approver: ChainStep,
    assignment: z.number().int().min(2),
    reason: z.string().min(1),
    /**
     * Added later, optional: the chain round the step belongs to, so a reassignment of a
     * round the expense has left changes nothing. Absent on events from before it was
     * added, whose round is unknown: they are applied as before.
     */
    round: z.number().int().min(1).optional(),
  }),
);
export type ApproverReassignedV1 = z.infer<typeof ApproverReassignedV1>;
