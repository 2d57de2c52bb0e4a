import { z } from 'zod';
import { ExpenseMoney, ExpenseSource, IsoDate } from '../rest/money.js';
import { RoutingRuleTrace } from '../rest/policies.js';

/**
 * What an expense is beyond its base amount, added to the v1 events that announce a
 * routing outcome (ExpenseSubmitted, ExpenseResubmitted, ExpenseAutoApproved,
 * ExpenseBlocked) when currencies came in. Optional: absent on events from before, which
 * were all in USD. The events' `amount` stays the base-currency amount approval routes by.
 */
export const expenseFactsV1 = {
  money: ExpenseMoney.optional(),
  category: z.string().optional(),
  vendor: z.string().optional(),
  spend_date: IsoDate.optional(),
  source: ExpenseSource.optional(),
};

/**
 * Added to the same four v1 events later, optional: the policy's rules as evaluated when
 * the route was decided (the explanation without its steps). The approval service stores it
 * with the chain instead of evaluating the policy again; absent on older events, for which
 * it re-evaluates the version as before.
 */
export const ruleTraceV1 = {
  rule_trace: RoutingRuleTrace.optional(),
};
