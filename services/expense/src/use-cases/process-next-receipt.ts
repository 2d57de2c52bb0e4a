import type { ReceiptExtraction, ReceiptMismatch, ReceiptOcrFailure } from '@countersign/contracts';
import { type Logger, newEvent } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { storedMoneyColumns } from '../db/expense-views.js';
import {
  addExpenseFlag,
  claimPendingReceipt,
  type OcrOutcome,
  recordOcrOutcome,
  releaseReceiptClaim,
} from '../db/receipt-queries.js';
import type { ExpenseDatabase, ReceiptRow } from '../db/types.js';
import { compareReceipt } from '../domain/compare-receipt.js';
import { parseReceiptText } from '../domain/parse-receipt-text.js';
import { dayOf } from '../domain/price-expense.js';
import { receiptMismatchFlag } from '../domain/receipt-flags.js';
import { imageSizeOf, withinPixelCap } from '../domain/receipt-limits.js';
import { OcrTimeoutError } from '../ocr/supervised-reader.js';
import type { OcrReading, ReceiptReader } from '../ocr/tesseract-reader.js';
import { enqueue } from '../outbox/enqueue.js';
import type { ReceiptStorage } from '../storage/receipt-storage.js';

export interface ProcessReceiptDeps {
  db: Kysely<ExpenseDatabase>;
  storage: ReceiptStorage;
  reader: ReceiptReader;
  logger: Logger;
  now: () => Date;
  /** How long a claim holds before another worker may take the receipt. */
  leaseSeconds: number;
  /** Reads tried per receipt before it is recorded `failed`. */
  maxAttempts: number;
  /** Images with more pixels are never decoded: recorded `failed` (`image-too-large`). */
  maxPixels: number;
}

/**
 * Reads the oldest receipt waiting for OCR, if any (false when none waits). What it finds
 * is compared with the expense as it is then: verified when every field found agrees, a
 * flag for the approvers when some differ. The expense's fields are never changed. The
 * outcome and ReceiptProcessed commit together, under the claim.
 */
export async function processNextReceipt(deps: ProcessReceiptDeps): Promise<boolean> {
  const receipt = await claimPendingReceipt(deps.db, deps.now(), deps.leaseSeconds);
  if (!receipt) return false;
  const image = await deps.storage.read(receipt.storage_key);
  // Checked again here, from the header, for receipts stored before the upload checked it.
  const size = imageSizeOf(image, receipt.media_type);
  if (size && !withinPixelCap(size, deps.maxPixels)) {
    deps.logger.warn({ receipt_id: receipt.id, ...size }, 'receipt image over the pixel cap');
    await record(deps, receipt, null, null, 'image-too-large');
    return true;
  }
  let reading: OcrReading;
  try {
    reading = await deps.reader.read(image);
  } catch (error) {
    deps.logger.warn({ err: error, receipt_id: receipt.id }, 'receipt could not be read');
    if (error instanceof OcrTimeoutError) {
      // An image that took the whole timeout once would take it again: no second try.
      await record(deps, receipt, null, null, 'timeout');
    } else if (receipt.ocr_attempts < deps.maxAttempts) {
      await releaseReceiptClaim(deps.db, receipt);
    } else {
      await record(deps, receipt, null, null, 'unreadable');
    }
    return true;
  }
  const lines =
    reading.lines.length > 0
      ? reading.lines
      : reading.text.split('\n').map((text) => ({ text, confidence: reading.confidence }));
  await record(deps, receipt, parseReceiptText(lines), reading);
  return true;
}

async function record(
  deps: ProcessReceiptDeps,
  receipt: ReceiptRow,
  extracted: ReceiptExtraction | null,
  reading: OcrReading | null,
  failure: ReceiptOcrFailure | null = null,
): Promise<void> {
  const processedAt = deps.now();
  await deps.db.transaction().execute(async (trx) => {
    // Locked so a concurrent flag (another receipt, a duplicate) is not lost.
    const expense = await trx
      .selectFrom('expense')
      .select(['id', 'vendor', 'spend_date', ...storedMoneyColumns])
      .where('id', '=', receipt.expense_id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const comparison = extracted
      ? compareReceipt(extracted, {
          amount: expense.original_amount,
          currency: expense.currency,
          spendDate: dayOf(expense.spend_date),
          vendor: expense.vendor,
        })
      : { verified: false, mismatches: [] as ReceiptMismatch[] };
    const outcome: OcrOutcome = {
      ocr_status: extracted ? 'done' : 'failed',
      ocr_text: reading?.text ?? null,
      ocr_result: extracted ? JSON.stringify(extracted) : null,
      ocr_confidence: reading ? Math.round(reading.confidence * 10) / 10 : null,
      processed_at: processedAt,
      verified: comparison.verified,
      mismatches: JSON.stringify(comparison.mismatches),
      ocr_failure: extracted ? null : (failure ?? 'unreadable'),
    };
    const event = newEvent('ReceiptProcessed', {
      companyId: receipt.company_id,
      actor: { kind: 'system', id: 'expense' },
      subject: receipt.expense_id,
      occurredAt: processedAt,
      data: {
        receipt_id: receipt.id,
        expense_id: receipt.expense_id,
        ocr_status: outcome.ocr_status === 'done' ? 'done' : 'failed',
        confidence: outcome.ocr_confidence,
        extracted,
        verified: comparison.verified,
        mismatches: comparison.mismatches,
        processed_at: processedAt.toISOString(),
      },
    });
    if (!(await recordOcrOutcome(trx, receipt, outcome))) return;
    await enqueue(trx, [event]);
    if (comparison.mismatches.length > 0) {
      await addExpenseFlag(trx, receipt.expense_id, receiptMismatchFlag(comparison.mismatches));
    }
  });
}
