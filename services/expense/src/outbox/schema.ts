/**
 * The schema holding this service's tables, its outbox included. Expense writes its
 * outbox rows in the same statement as the expense they announce
 * (db/expense-submission.ts, given them by the use case); the platform relay publishes them.
 */
export const EXPENSE_SCHEMA = 'expense';
