import { z } from 'zod';
import { Uuid } from '../common.js';
import { envelopeOf } from './envelope.js';

/** Between submit and routing the org changed so that a step has no eligible approver. */
export const ExpenseRoutingFailedV1 = envelopeOf(
  'ExpenseRoutingFailed',
  1,
  z.object({
    expense_id: Uuid,
    submitter_id: Uuid,
    reason: z.string(),
    /** Added later, optional: the chain round this is about; absent means round 1. */
    round: z.number().int().min(1).optional(),
  }),
);
export type ExpenseRoutingFailedV1 = z.infer<typeof ExpenseRoutingFailedV1>;
