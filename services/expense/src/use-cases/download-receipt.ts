import type { AccessClaims, ReceiptMediaType } from '@countersign/contracts';
import { NotFoundError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findReceipt } from '../db/receipt-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { extensionOf } from '../domain/receipt-media-type.js';
import type { ReceiptStorage } from '../storage/receipt-storage.js';
import { findReceiptExpense } from './find-receipt-expense.js';

export interface ReceiptFile {
  content: Buffer;
  mediaType: ReceiptMediaType;
  /** A safe name for Content-Disposition: the receipt's id and the detected extension. */
  fileName: string;
}

/** A receipt's bytes, for those who may see the expense; 404 to everyone else. */
export async function downloadReceipt(
  deps: { db: Kysely<ExpenseDatabase>; storage: ReceiptStorage },
  caller: AccessClaims,
  expenseId: string,
  receiptId: string,
): Promise<ReceiptFile> {
  await findReceiptExpense(deps.db, caller, expenseId);
  const receipt = await findReceipt(deps.db, expenseId, receiptId);
  if (!receipt) throw new NotFoundError(`no receipt ${receiptId} on expense ${expenseId}`);
  return {
    content: await deps.storage.read(receipt.storage_key),
    mediaType: receipt.media_type,
    fileName: `receipt-${receipt.id}.${extensionOf(receipt.media_type)}`,
  };
}
