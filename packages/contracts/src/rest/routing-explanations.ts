import { z } from 'zod';
import { MoneyInput, Uuid } from '../common.js';
import { RoutingExplanation } from './policies.js';
import { ChainStep, RoutedPolicy } from './routing.js';

/** What a submission would be: nothing is stored. Same fields as submitting, no description. */
export const PreviewExpenseRequest = z
  .object({
    policy_id: Uuid.optional(),
    category: z.string().trim().min(1).max(50).optional(),
    amount: MoneyInput,
    description: z.string().trim().min(1).max(2000).optional(),
    workspace_id: Uuid.optional(),
  })
  .strict()
  .refine((body) => body.policy_id !== undefined || body.category !== undefined, {
    message: 'send policy_id or category',
    path: ['policy_id'],
  })
  .meta({ id: 'PreviewExpenseRequest' });
export type PreviewExpenseRequest = z.infer<typeof PreviewExpenseRequest>;

export const ExpensePreview = z
  .object({
    outcome: z.enum(['require_approval', 'auto_approve', 'block']),
    block_reason: z.string().nullable(),
    policy: RoutedPolicy,
    chain: z.array(ChainStep),
    flags: z.array(z.string()),
    explanation: RoutingExplanation,
  })
  .meta({ id: 'ExpensePreview' });
export type ExpensePreview = z.infer<typeof ExpensePreview>;

export const ExpenseRouting = z
  .object({
    expense_id: Uuid,
    status: z
      .enum(['pending', 'approved', 'rejected', 'sent_back', 'withdrawn', 'refused', 'blocked'])
      .meta({ description: 'Where the approval chain stands' }),
    policy: z.object({ id: Uuid, name: z.string(), version: z.number().int().nullable() }),
    flags: z.array(z.string()),
    explanation: RoutingExplanation.nullable().meta({
      description: 'Null for expenses routed before policies were rules',
    }),
  })
  .meta({ id: 'ExpenseRouting' });
export type ExpenseRouting = z.infer<typeof ExpenseRouting>;
