import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';
import { ExpenseStatus, ExpenseSummary } from './expenses.js';
import { ExpenseMoney, ExpenseSource, IsoDate } from './money.js';

/**
 * A draft as stored: validated and priced like a submission (names checked against the
 * company lists, the amount priced at the rate of its spend date), but not routed, so it
 * has no policy, chain or approvers until it is submitted.
 */
export const DraftResponse = z
  .object({
    message: z.string(),
    expense_id: Uuid,
    status: z.literal('draft'),
    amount: z.number().meta({ description: 'In the expense currency; exact values in `money`' }),
    money: ExpenseMoney,
    description: z.string(),
    category: z.string().nullable(),
    policy_id: Uuid.nullable().meta({
      description: 'The policy asked for; null routes by category',
    }),
    vendor: z.string().nullable(),
    spend_date: IsoDate,
    source: ExpenseSource,
    workspace_id: Uuid.nullable(),
  })
  .meta({ id: 'DraftResponse' });
export type DraftResponse = z.infer<typeof DraftResponse>;

/** Nothing to send but `{}`: the draft is submitted as it is stored. */
export const SubmitDraftRequest = z.object({}).strict().meta({ id: 'SubmitDraftRequest' });

export const DeleteExpenseResponse = z
  .object({
    message: z.string(),
    expense_id: Uuid,
    status: ExpenseStatus.meta({ description: 'The status it keeps while deleted' }),
    deleted_at: IsoDateTime,
  })
  .meta({ id: 'DeleteExpenseResponse' });
export type DeleteExpenseResponse = z.infer<typeof DeleteExpenseResponse>;

/** Nothing to send but `{}`. */
export const RestoreExpenseRequest = z.object({}).strict().meta({ id: 'RestoreExpenseRequest' });

export const RestoreExpenseResponse = z
  .object({
    message: z.string(),
    expense_id: Uuid,
    status: ExpenseStatus,
  })
  .meta({ id: 'RestoreExpenseResponse' });
export type RestoreExpenseResponse = z.infer<typeof RestoreExpenseResponse>;

export const DeletedExpense = ExpenseSummary.extend({
  submitter_id: Uuid,
  deleted_at: IsoDateTime,
  deleted_by: Uuid,
}).meta({ id: 'DeletedExpense' });

export const DeletedExpensePage = z
  .object({ items: z.array(DeletedExpense), next_cursor: z.string().nullable() })
  .meta({ id: 'DeletedExpensePage' });
export type DeletedExpensePage = z.infer<typeof DeletedExpensePage>;
