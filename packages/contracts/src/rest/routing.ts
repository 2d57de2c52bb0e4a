import { z } from 'zod';
import { DecimalString, Uuid } from '../common.js';

/** One resolved step of an approval chain. */
export const ChainStep = z
  .object({
    step: z.number().int().min(1),
    approver_id: Uuid,
    approver_name: z.string(),
    level_number: z.number().int().min(1),
    level_name: z.string(),
    required: z.boolean(),
    required_level: z.number().int().min(1).meta({ description: 'Most junior level allowed' }),
    team_scope: z.enum(['submitter', 'company']),
  })
  .meta({ id: 'ChainStep' });
export type ChainStep = z.infer<typeof ChainStep>;

/** Internal: the expense service asks the approval service how an expense would route. */
export const RoutingRequest = z.object({
  policy_id: Uuid.optional(),
  category: z.string().min(1).max(50).optional(),
  amount: DecimalString,
});
export type RoutingRequest = z.infer<typeof RoutingRequest>;

export const RoutingDecision = z.object({
  policy: z.object({ id: Uuid, name: z.string(), category: z.string() }),
  submitter: z.object({ id: Uuid, name: z.string(), team_id: Uuid }),
  chain: z.array(ChainStep).min(1),
});
export type RoutingDecision = z.infer<typeof RoutingDecision>;
