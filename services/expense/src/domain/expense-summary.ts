import type { ExpenseStatus } from '@countersign/contracts';
import { storedMoney } from './price-expense.js';

/** The columns every expense list reads for its summary of one expense. */
export type SummaryRow = Parameters<typeof storedMoney>[0] & {
  id: string;
  description: string;
  status: ExpenseStatus;
  policy_name: string | null;
  submitted_at: Date;
  completed_at: Date | null;
  workspace_id: string | null;
};

/**
 * One expense as the lists show it (`ExpenseSummary`): the amount in its own currency,
 * exact figures in `money`. Each list adds its own fields to this.
 */
export function toExpenseSummary(row: SummaryRow) {
  return {
    id: row.id,
    amount: Number(row.original_amount),
    money: storedMoney(row),
    description: row.description,
    status: row.status,
    policy_name: row.policy_name,
    submitted_at: row.submitted_at.toISOString(),
    completed_at: row.completed_at?.toISOString() ?? null,
    workspace_id: row.workspace_id,
  };
}
