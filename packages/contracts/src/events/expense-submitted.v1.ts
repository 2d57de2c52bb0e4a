import { z } from 'zod';
import { DecimalString, IsoDateTime, Uuid } from '../common.js';
import { ExpenseMoney, ExpenseSource, IsoDate } from '../rest/money.js';
import { ChainStep, RoutedPolicy } from '../rest/routing.js';
import { envelopeOf } from './envelope.js';

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
    /**
     * Added with currencies, optional (absent: an expense in USD, the only currency before).
     * `amount` above stays the base-currency amount, which approval routes by.
     */
    money: ExpenseMoney.optional(),
    /** Added with currencies, optional: the expense's category, vendor, spend date, source. */
    category: z.string().optional(),
    vendor: z.string().optional(),
    spend_date: IsoDate.optional(),
    source: ExpenseSource.optional(),
  }),
);
export type ExpenseSubmittedV1 = z.infer<typeof ExpenseSubmittedV1>;
