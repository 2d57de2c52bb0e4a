import { z } from 'zod';
import { DecimalString, IsoDateTime, Uuid } from '../common.js';
import { ChainStep, RoutedPolicy } from '../rest/routing.js';
import { envelopeOf } from './envelope.js';
import { expenseFactsV1, ruleTraceV1 } from './expense-facts.js';

/** An employee submitted an expense; it carries the routing decision it was accepted with. */
export const ExpenseSubmittedV1 = envelopeOf(
  'ExpenseSubmitted',
  1,
  z.object({
    expense_id: Uuid,
    submitter: z.object({ id: Uuid, name: z.string(), team_id: Uuid }),
    amount: DecimalString,
    description: z.string(),
    /** `policy.version` added later, optional: absent before policies were versioned. */
    policy: RoutedPolicy,
    chain: z.array(ChainStep).min(1),
    submitted_at: IsoDateTime,
    /** Added later, optional: absent when the expense is filed in no workspace. */
    workspace_id: Uuid.optional(),
    /** Added later, optional: warnings of the policy's matching flag rules. */
    flags: z.array(z.string()).optional(),
    /** Added with currencies, optional: see `expenseFactsV1`. */
    ...expenseFactsV1,
    ...ruleTraceV1,
  }),
);
export type ExpenseSubmittedV1 = z.infer<typeof ExpenseSubmittedV1>;
