import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';
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

export const ExpensePage = z
  .object({ items: z.array(ExpenseSummary), next_cursor: z.string().nullable() })
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
