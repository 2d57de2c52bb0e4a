import { z } from 'zod';
import { DecimalString, IsoDateTime, Uuid } from '../common.js';
import { RoutedPolicy } from '../rest/routing.js';
import { envelopeOf } from './envelope.js';
import { expenseFactsV1, ruleTraceV1 } from './expense-facts.js';

/**
 * A policy rule approved the expense at submission (or at a resubmission, from round 2):
 * it was stored approved, with no chain. Emitted by the expense service in the statement
 * that stores it, in place of ExpenseSubmitted (or ExpenseResubmitted); the approval
 * service records the route and its explanation.
 */
export const ExpenseAutoApprovedV1 = envelopeOf(
  'ExpenseAutoApproved',
  1,
  z.object({
    expense_id: Uuid,
    submitter: z.object({ id: Uuid, name: z.string(), team_id: Uuid }),
    amount: DecimalString,
    description: z.string(),
    policy: RoutedPolicy,
    approved_at: IsoDateTime,
    workspace_id: Uuid.optional(),
    flags: z.array(z.string()).optional(),
    /** Added later, optional: the round a resubmission approved; absent means round 1. */
    round: z.number().int().min(1).optional(),
    /** Added with currencies, optional: see `expenseFactsV1`. */
    ...expenseFactsV1,
    ...ruleTraceV1,
  }),
);
export type ExpenseAutoApprovedV1 = z.infer<typeof ExpenseAutoApprovedV1>;
