import type { ReceiptMismatch } from '@countersign/contracts';
import { sameAmount } from './compare-receipt.js';

/** An earlier expense a new one may duplicate, as the duplicate probe reads it. */
export interface DuplicateCandidate {
  id: string;
  submitterId: string;
  amount: string;
  currency: string;
  spendDate: string;
  vendor: string | null;
}

/**
 * The same submitter, amount in the same currency, spend date and vendor (case aside)
 * make a likely duplicate. Without a vendor on both there is too little to go on: two
 * lunches of the same price on one day are common.
 */
export function isLikelyDuplicate(
  expense: DuplicateCandidate,
  earlier: DuplicateCandidate,
): boolean {
  return (
    expense.id !== earlier.id &&
    expense.submitterId === earlier.submitterId &&
    expense.currency === earlier.currency &&
    sameAmount(expense.amount, earlier.amount) &&
    expense.spendDate === earlier.spendDate &&
    expense.vendor !== null &&
    earlier.vendor !== null &&
    expense.vendor.toLowerCase() === earlier.vendor.toLowerCase()
  );
}

const DUPLICATE_PREFIX = 'Possible duplicate of expense';
const RECEIPT_DUPLICATE_PREFIX = 'Receipt image identical to one on expense';
const MISMATCH_PREFIX = 'Receipt does not match the expense:';

/** Whether a flag is one of ours rather than a policy's (kept across rounds). */
export function isReceiptOrDuplicateFlag(flag: string): boolean {
  return [DUPLICATE_PREFIX, RECEIPT_DUPLICATE_PREFIX, MISMATCH_PREFIX].some((p) =>
    flag.startsWith(p),
  );
}

/** The approvers' warning naming the original, with the path to look it up. */
export function duplicateExpenseFlag(originalId: string): string {
  return `${DUPLICATE_PREFIX} ${originalId} (same submitter, amount, date and vendor): /api/expenses/${originalId}/status`;
}

export function duplicateReceiptFlag(originalId: string): string {
  return `${RECEIPT_DUPLICATE_PREFIX} ${originalId}: /api/expenses/${originalId}/status`;
}

export function receiptMismatchFlag(mismatches: readonly ReceiptMismatch[]): string {
  const described = mismatches
    .map((m) => `${m.field} ${m.on_receipt} on the receipt, ${m.on_expense ?? 'none'} entered`)
    .join('; ');
  return `${MISMATCH_PREFIX} ${described}`;
}
