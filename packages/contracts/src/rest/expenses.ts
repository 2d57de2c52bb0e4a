import { z } from 'zod';
import { IsoDateTime, PageQuery, Uuid } from '../common.js';
import { CurrencyCode } from '../currencies.js';
import { CatalogName, ExpenseAmountInput, ExpenseMoney, ExpenseSource, IsoDate } from './money.js';

export const CreateExpenseRequest = z
  .object({
    policy_id: Uuid.optional(),
    category: z.string().trim().min(1).max(50).optional().meta({
      description: 'An active category of the company list (/api/categories)',
    }),
    amount: ExpenseAmountInput,
    currency: CurrencyCode.optional().meta({
      description: "ISO 4217; the company's base currency when omitted",
    }),
    spend_date: IsoDate.optional().meta({
      description: 'The day the money was spent (UTC); today when omitted. Picks the exchange rate',
    }),
    vendor: CatalogName.optional().meta({
      description: 'An active vendor of the company list (/api/vendors)',
    }),
    source: ExpenseSource.optional().meta({ description: '`manual` when omitted' }),
    description: z.string().trim().min(1).max(2000),
    user_id: Uuid.optional().meta({ description: "If sent, must be the caller's own id" }),
    workspace_id: Uuid.optional().meta({
      description: 'Files the expense in a workspace the caller is an owner or member of',
    }),
  })
  .strict()
  .refine((body) => body.policy_id !== undefined || body.category !== undefined, {
    message: 'send policy_id or category',
    path: ['policy_id'],
  })
  .meta({ id: 'CreateExpenseRequest' });
export type CreateExpenseRequest = z.infer<typeof CreateExpenseRequest>;

export const ExpenseStatus = z.enum([
  'draft',
  'pending',
  'approved',
  'rejected',
  'refused',
  'sent_back',
  'withdrawn',
  'blocked',
  'paid',
]);
export type ExpenseStatus = z.infer<typeof ExpenseStatus>;

export const RequiredApproval = z.object({
  step: z.number().int(),
  approver: z.string(),
  level: z.string(),
});

export const CreateExpenseResponse = z
  .object({
    message: z.string(),
    expense_id: Uuid,
    status: ExpenseStatus,
    amount: z
      .number()
      .meta({ description: 'In the expense currency; exact values are in `money`' }),
    policy_id: Uuid,
    approvals_required: z.array(RequiredApproval),
    /** Added with currencies, optional for resubmissions answered by older code. */
    money: ExpenseMoney.optional(),
  })
  .meta({ id: 'CreateExpenseResponse' });
export type CreateExpenseResponse = z.infer<typeof CreateExpenseResponse>;

export const StepStatus = z.enum(['pending', 'approved', 'rejected', 'skipped', 'sent_back']);

export const ExpenseStatusDocument = z
  .object({
    id: Uuid,
    amount: z
      .number()
      .meta({ description: 'In the expense currency; exact values are in `money`' }),
    money: ExpenseMoney,
    category: z.string().nullable().meta({
      description: 'Null only for a draft that names a policy and no category: routing picks it',
    }),
    vendor: z.string().nullable(),
    spend_date: IsoDate,
    source: ExpenseSource,
    description: z.string(),
    status: ExpenseStatus,
    submitted_at: IsoDateTime,
    completed_at: IsoDateTime.nullable(),
    user_name: z.string(),
    policy_name: z.string().nullable().meta({
      description: 'Null while a draft: routing picks the policy when the draft is submitted',
    }),
    refusal_reason: z.string().nullable(),
    workspace_id: Uuid.nullable(),
    round: z.number().int().min(1).meta({
      description: 'Which submission the approvals belong to: 1, then one more per resubmit',
    }),
    /** Added with policy rules, optional: warnings of matching flag rules, for approvers. */
    flags: z.array(z.string()).optional(),
    /** Added with payouts, present once the expense is paid. */
    payment: z
      .object({ payout_id: Uuid, paid_at: IsoDateTime, paid_by: Uuid })
      .optional()
      .meta({ description: 'Present once finance paid the expense in a payout' }),
    approvals: z.array(
      z.object({
        step_number: z.number().int(),
        approver_name: z.string(),
        approver_level: z.string(),
        status: StepStatus,
        approved_at: IsoDateTime.nullable(),
        comments: z.string().nullable(),
        required: z.boolean(),
        /** Added with parallel steps: the seats of one stage are asked together. */
        stage: z.number().int().min(1).optional().meta({
          description:
            'The policy step this approver seat belongs to; seats of a stage are asked together',
        }),
        needs: z.enum(['one', 'all']).optional().meta({
          description:
            '`one`: the first approval of the stage settles it; `all`: every seat must approve',
        }),
        decided_by: z
          .object({ id: Uuid, name: z.string() })
          .optional()
          .meta({ description: 'Present when a delegate decided in the approver’s name' }),
      }),
    ),
  })
  .meta({ id: 'ExpenseStatusDocument' });
export type ExpenseStatusDocument = z.infer<typeof ExpenseStatusDocument>;

export const ExpenseSummary = z
  .object({
    id: Uuid,
    amount: z
      .number()
      .meta({ description: 'In the expense currency; exact values are in `money`' }),
    money: ExpenseMoney,
    description: z.string(),
    status: ExpenseStatus,
    policy_name: z.string().nullable().meta({ description: 'Null while a draft' }),
    submitted_at: IsoDateTime.meta({ description: 'For a draft: when it was created' }),
    completed_at: IsoDateTime.nullable(),
    workspace_id: Uuid.nullable(),
  })
  .meta({ id: 'ExpenseSummary' });

/** One row of `GET /expenses`: the summary plus what the list filters on. */
export const ExpenseListItem = ExpenseSummary.extend({
  category: z.string().nullable().meta({ description: 'Null on a draft saved without one' }),
  vendor: z.string().nullable(),
  spend_date: IsoDate,
  source: ExpenseSource,
  submitter_id: Uuid,
  submitter_name: z.string(),
}).meta({ id: 'ExpenseListItem' });
export type ExpenseListItem = z.infer<typeof ExpenseListItem>;

export const ExpensePage = z
  .object({ items: z.array(ExpenseListItem), next_cursor: z.string().nullable() })
  .meta({ id: 'ExpensePage' });
export type ExpensePage = z.infer<typeof ExpensePage>;

export const ExpenseIdParam = z.object({ id: Uuid });

/** The submitter's changes to a draft or an expense sent back; only in those statuses. */
export const EditExpenseRequest = z
  .object({
    description: z.string().trim().min(1).max(2000).optional(),
    amount: ExpenseAmountInput.optional().meta({
      description: "In the expense's own currency, priced at the rate it was submitted with",
    }),
    category: z.string().trim().min(1).max(50).optional(),
    policy_id: Uuid.optional().meta({
      description:
        'Routes the resubmission by this policy; a new category alone routes by category',
    }),
  })
  .strict()
  .refine((body) => Object.values(body).some((v) => v !== undefined), {
    message: 'send at least one of description, amount, category, policy_id',
  })
  .meta({ id: 'EditExpenseRequest' });
export type EditExpenseRequest = z.infer<typeof EditExpenseRequest>;

export const EditExpenseResponse = z
  .object({
    message: z.string(),
    expense_id: Uuid,
    status: ExpenseStatus,
    amount: z.number(),
    description: z.string(),
    category: z.string().nullable().meta({ description: 'Null only for a draft naming a policy' }),
    policy_id: Uuid.nullable().meta({ description: 'null: the resubmission routes by category' }),
  })
  .meta({ id: 'EditExpenseResponse' });
export type EditExpenseResponse = z.infer<typeof EditExpenseResponse>;

/** Nothing to send but `{}`: the edits were made with PATCH; strict, so nothing slips in. */
export const ResubmitRequest = z.object({}).strict().meta({ id: 'ResubmitRequest' });

export const ResubmitResponse = CreateExpenseResponse.extend({
  round: z.number().int().min(2),
}).meta({ id: 'ResubmitResponse' });
export type ResubmitResponse = z.infer<typeof ResubmitResponse>;

export const SendBackRequest = z
  .object({ comment: z.string().trim().min(1).max(2000) })
  .strict()
  .meta({ id: 'SendBackRequest' });
export type SendBackRequest = z.infer<typeof SendBackRequest>;

export const WithdrawRequest = z
  .object({ reason: z.string().trim().min(1).max(2000).optional() })
  .strict()
  .meta({ id: 'WithdrawRequest' });
export type WithdrawRequest = z.infer<typeof WithdrawRequest>;

export const WithdrawResponse = z
  .object({
    message: z.string(),
    expense_id: Uuid,
    expense_status: z.literal('withdrawn'),
    skipped_steps: z.array(z.number().int()),
  })
  .meta({ id: 'WithdrawResponse' });
export type WithdrawResponse = z.infer<typeof WithdrawResponse>;

/** Orders of the expense list; a leading `-` is descending. Ties are broken by id. */
export const ExpenseListSort = z
  .enum(['-submitted_at', 'submitted_at', '-spend_date', 'spend_date', '-amount', 'amount'])
  .meta({
    description: '`-submitted_at` (newest first) when omitted; `amount` is the base amount',
  });
export type ExpenseListSort = z.infer<typeof ExpenseListSort>;

/** Statuses as a comma-separated list, e.g. `pending,sent_back`; each must be a status. */
const StatusList = z
  .string()
  .transform((text, ctx) => {
    const names = [...new Set(text.split(',').map((name) => name.trim()))];
    const unknown = names.filter((name) => !ExpenseStatus.safeParse(name).success);
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown status ${unknown.map((u) => JSON.stringify(u)).join(', ')}; one or more of ${ExpenseStatus.options.join(', ')}, comma-separated`,
      });
      return z.NEVER;
    }
    return names as ExpenseStatus[];
  })
  .meta({ description: 'One or more statuses, comma-separated', example: 'pending,sent_back' });

/** A base-currency amount bound: an exact decimal string, compared as a decimal. */
const BaseAmountBound = z
  .string()
  .trim()
  .regex(/^\d{1,10}(\.\d{1,2})?$/, 'must be a decimal with at most 10 digits and 2 decimals')
  .meta({ description: 'In the base currency, inclusive', example: '100.00' });

/** Hundredths of a bound, exact (never a float). */
function hundredths(amount: string): bigint {
  const [whole = '0', fraction = ''] = amount.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
}

/** Whether both amount bounds, when given, are the decimals BaseAmountBound takes. */
function boundsAreDecimals(value: unknown): boolean {
  const bounds = value as { amount_min?: unknown; amount_max?: unknown };
  return [bounds.amount_min, bounds.amount_max].every(
    (bound) => bound === undefined || BaseAmountBound.safeParse(bound).success,
  );
}

const ListText = z.string().trim().min(1).max(100);

/**
 * Filters, order and page of `GET /expenses`. Every filter narrows; dates are inclusive
 * UTC days; unknown parameters are refused so a misspelt filter cannot silently widen.
 */
export const ExpenseListQuery = PageQuery.extend({
  status: StatusList.optional(),
  category: ListText.optional().meta({ description: 'Category name, case-insensitive' }),
  vendor: ListText.optional().meta({ description: 'Vendor name, case-insensitive' }),
  spend_from: IsoDate.optional().meta({ description: 'Spent on or after this day' }),
  spend_to: IsoDate.optional().meta({ description: 'Spent on or before this day' }),
  submitted_from: IsoDate.optional().meta({ description: 'Submitted on or after this UTC day' }),
  submitted_to: IsoDate.optional().meta({ description: 'Submitted on or before this UTC day' }),
  amount_min: BaseAmountBound.optional(),
  amount_max: BaseAmountBound.optional(),
  submitter_id: Uuid.optional().meta({
    description: 'Only this submitter; someone the caller may not see gives an empty list',
  }),
  workspace_id: Uuid.optional(),
  q: ListText.optional().meta({
    description: 'Case-insensitive substring of the description or the vendor',
  }),
  sort: ExpenseListSort.default('-submitted_at'),
})
  .strict()
  .refine((query) => !(query.spend_from && query.spend_to && query.spend_from > query.spend_to), {
    message: 'spend_to is before spend_from',
    path: ['spend_to'],
  })
  .refine(
    (query) =>
      !(query.submitted_from && query.submitted_to && query.submitted_from > query.submitted_to),
    { message: 'submitted_to is before submitted_from', path: ['submitted_to'] },
  )
  .refine(
    (query) =>
      !(
        query.amount_min &&
        query.amount_max &&
        hundredths(query.amount_min) > hundredths(query.amount_max)
      ),
    {
      message: 'amount_max is below amount_min',
      path: ['amount_max'],
      // Compared only once both are decimals: zod runs a refinement even after a field
      // failed its own check, and BigInt would throw on such a value (a 500, not a 400).
      when: (payload) => boundsAreDecimals(payload.value),
    },
  );
export type ExpenseListQuery = z.infer<typeof ExpenseListQuery>;
