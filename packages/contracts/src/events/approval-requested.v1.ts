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
  }),
);
export type ApprovalRequestedV1 = z.infer<typeof ApprovalRequestedV1>;
