import { z } from 'zod';
import { DecimalString, IsoDateTime, Uuid } from '../common.js';
import { ChainStep, RoutedPolicy } from '../rest/routing.js';
import { envelopeOf } from './envelope.js';
import { expenseFactsV1, ruleTraceV1 } from './expense-facts.js';

/**
 * The submitter resubmitted an expense that was sent back, possibly edited. Routing ran
 * again: it carries the new decision, and `round` numbers the new chain (the previous
 * round's approvals do not carry over).
 */
export const ExpenseResubmittedV1 = envelopeOf(
  'ExpenseResubmitted',
  1,
  z.object({
    expense_id: Uuid,
    round: z.number().int().min(2),
    submitter: z.object({ id: Uuid, name: z.string(), team_id: Uuid }),
    amount: DecimalString,
    description: z.string(),
    /** `policy.version` added later, optional (the same shape as ExpenseSubmitted's). */
    policy: RoutedPolicy,
    chain: z.array(ChainStep).min(1),
    resubmitted_at: IsoDateTime,
    /** Added later, optional: the workspace the expense is filed in. */
    workspace_id: Uuid.optional(),
    /** Added later, optional: warnings of the policy's matching flag rules. */
    flags: z.array(z.string()).optional(),
    /** Added with currencies, optional: see `expenseFactsV1`. */
    ...expenseFactsV1,
    ...ruleTraceV1,
  }),
);
export type ExpenseResubmittedV1 = z.infer<typeof ExpenseResubmittedV1>;
