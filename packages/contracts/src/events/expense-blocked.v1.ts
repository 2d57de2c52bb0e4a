import { z } from 'zod';
import { DecimalString, IsoDateTime, Uuid } from '../common.js';
import { DecidingRule, RoutedPolicy } from '../rest/routing.js';
import { envelopeOf } from './envelope.js';
import { expenseFactsV1, ruleTraceV1 } from './expense-facts.js';

/**
 * A policy rule blocked the expense when it was submitted (round 1) or resubmitted
 * (round 2 on): it is stored as `blocked`, final, so the attempt is on record. Emitted by
 * the expense service in the transaction that stores it, in place of ExpenseSubmitted or
 * ExpenseResubmitted; the approval service records the route and its explanation, and the
 * notification service tells the submitter.
 */
export const ExpenseBlockedV1 = envelopeOf(
  'ExpenseBlocked',
  1,
  z.object({
    expense_id: Uuid,
    round: z.number().int().min(1),
    submitter: z.object({ id: Uuid, name: z.string(), team_id: Uuid }),
    amount: DecimalString,
    description: z.string(),
    policy: RoutedPolicy.extend({ version: z.number().int().min(1) }),
    rule: DecidingRule,
    reason: z.string().min(1),
    blocked_at: IsoDateTime,
    workspace_id: Uuid.optional(),
    flags: z.array(z.string()).optional(),
    /** Added with currencies, optional: see `expenseFactsV1`. */
    ...expenseFactsV1,
    ...ruleTraceV1,
  }),
);
export type ExpenseBlockedV1 = z.infer<typeof ExpenseBlockedV1>;
