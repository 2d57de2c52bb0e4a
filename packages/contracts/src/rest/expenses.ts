import { z } from 'zod';
import { IsoDateTime, MoneyInput, Uuid } from '../common.js';

export const CreateExpenseRequest = z
  .object({
    policy_id: Uuid.optional(),
    category: z.string().trim().min(1).max(50).optional(),
    amount: MoneyInput,
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

export const ExpenseStatus = z.enum(['pending', 'approved', 'rejected', 'refused']);
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
    amount: z.number(),
    policy_id: Uuid,
    approvals_required: z.array(RequiredApproval),
  })
  .meta({ id: 'CreateExpenseResponse' });
export type CreateExpenseResponse = z.infer<typeof CreateExpenseResponse>;

export const StepStatus = z.enum(['pending', 'approved', 'rejected', 'skipped']);

export const ExpenseStatusDocument = z
  .object({
    id: Uuid,
    amount: z.number(),
    description: z.string(),
    status: ExpenseStatus,
    submitted_at: IsoDateTime,
    completed_at: IsoDateTime.nullable(),
    user_name: z.string(),
    policy_name: z.string(),
    refusal_reason: z.string().nullable(),
    workspace_id: Uuid.nullable(),
    /** Added with policy rules, optional: warnings of matching flag rules, for approvers. */
    flags: z.array(z.string()).optional(),
    approvals: z.array(
      z.object({
        step_number: z.number().int(),
        approver_name: z.string(),
        approver_level: z.string(),
        status: StepStatus,
        approved_at: IsoDateTime.nullable(),
        comments: z.string().nullable(),
        required: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'ExpenseStatusDocument' });
export type ExpenseStatusDocument = z.infer<typeof ExpenseStatusDocument>;

export const ExpenseSummary = z
  .object({
    id: Uuid,
    amount: z.number(),
    description: z.string(),
    status: ExpenseStatus,
    policy_name: z.string(),
    submitted_at: IsoDateTime,
    completed_at: IsoDateTime.nullable(),
    workspace_id: Uuid.nullable(),
  })
  .meta({ id: 'ExpenseSummary' });

export const ExpensePage = z
  .object({ items: z.array(ExpenseSummary), next_cursor: z.string().nullable() })
  .meta({ id: 'ExpensePage' });
export type ExpensePage = z.infer<typeof ExpensePage>;

export const ExpenseIdParam = z.object({ id: Uuid });
