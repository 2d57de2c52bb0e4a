import type { ReceiptExtraction, ReceiptField, ReceiptMismatch } from '@countersign/contracts';

/** Below this OCR confidence a field is not trusted enough to confirm or contradict. */
export const MIN_FIELD_CONFIDENCE = 60;

/** What the submitter entered, as the receipt is compared with it. */
export interface EnteredExpense {
  /** The amount in the expense's own currency, as stored (`original_amount`). */
  amount: string;
  currency: string;
  spendDate: string;
  vendor: string | null;
}

export interface ReceiptComparison {
  /** True only when the total was read and every field read agrees with the expense. */
  verified: boolean;
  /** Fields the receipt shows differently: flagged to the approvers. */
  mismatches: ReceiptMismatch[];
}

/**
 * Compares what OCR read with what the submitter entered, changing neither. A field read
 * with too little confidence counts for nothing. A field the expense lacks (no vendor)
 * cannot agree, so the receipt is not verified, but it is no contradiction either.
 */
export function compareReceipt(
  extracted: ReceiptExtraction,
  expense: EnteredExpense,
): ReceiptComparison {
  const outcomes: Array<{ field: ReceiptField; outcome: 'agrees' | 'differs' | 'unknown' }> = [];
  const mismatches: ReceiptMismatch[] = [];
  const check = (
    field: ReceiptField,
    onExpense: string | null,
    same: (onReceipt: string, entered: string) => boolean,
  ) => {
    const read = extracted[field];
    if (!read || read.confidence < MIN_FIELD_CONFIDENCE) return;
    if (onExpense === null) {
      outcomes.push({ field, outcome: 'unknown' });
      return;
    }
    const agrees = same(read.value, onExpense);
    outcomes.push({ field, outcome: agrees ? 'agrees' : 'differs' });
    if (!agrees) mismatches.push({ field, on_receipt: read.value, on_expense: onExpense });
  };
  check('total', expense.amount, sameAmount);
  check('currency', expense.currency, (a, b) => a.toUpperCase() === b.toUpperCase());
  check('date', expense.spendDate, (a, b) => a === b);
  check('vendor', expense.vendor, sameVendor);
  const totalAgrees = outcomes.some((o) => o.field === 'total' && o.outcome === 'agrees');
  return {
    verified: totalAgrees && outcomes.every((o) => o.outcome === 'agrees'),
    mismatches,
  };
}

/** Equal as decimals: "123.4" = "123.40" = "123.400". */
export function sameAmount(a: string, b: string): boolean {
  const canonical = (v: string) => {
    const [whole = '', fraction = ''] = v.split('.');
    return `${whole.replace(/^0+(?=\d)/, '')}.${fraction.replace(/0+$/, '')}`;
  };
  return canonical(a) === canonical(b);
}

/**
 * The vendor as printed may carry more words than the company list's name ("ACME
 * HARDWARE STORE #12" for "Acme Hardware"): letters and digits only, one containing the
 * other, and at least three characters of them.
 */
export function sameVendor(onReceipt: string, entered: string): boolean {
  const squash = (v: string) => v.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
  const [a, b] = [squash(onReceipt), squash(entered)];
  if (a.length < 3 || b.length < 3) return a === b;
  return a.includes(b) || b.includes(a);
}
