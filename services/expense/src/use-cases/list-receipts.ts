import type { AccessClaims, ReceiptList } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { listReceiptsOf } from '../db/receipt-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { findReceiptExpense } from './find-receipt-expense.js';
import { receiptDocument } from './receipt-document.js';

/** The receipts of an expense the caller may see, oldest first. */
export async function listReceipts(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  expenseId: string,
): Promise<ReceiptList> {
  await findReceiptExpense(db, caller, expenseId);
  return { items: (await listReceiptsOf(db, expenseId)).map(receiptDocument) };
}
