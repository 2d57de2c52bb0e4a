import { z } from 'zod';
import { Uuid } from '../common.js';
import { ChainStep } from '../rest/routing.js';
import { envelopeOf } from './envelope.js';

/** The approval service stored the chain; `adjustments` lists steps re-resolved since submit. */
export const ExpenseRoutedV1 = envelopeOf(
  'ExpenseRouted',
  1,
  z.object({
    expense_id: Uuid,
    submitter_id: Uuid,
    chain: z.array(ChainStep).min(1),
    adjustments: z.array(
      z.object({
        step: z.number().int(),
        previous_approver_id: Uuid,
        approver_id: Uuid,
        reason: z.string(),
      }),
    ),
    /** Added later, optional: the chain round this is about; absent means round 1. */
    round: z.number().int().min(1).optional(),
  }),
);
export type ExpenseRoutedV1 = z.infer<typeof ExpenseRoutedV1>;
