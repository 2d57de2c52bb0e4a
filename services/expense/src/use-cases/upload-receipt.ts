import { createHash } from 'node:crypto';
import {
  type AccessClaims,
  type ExpenseStatus,
  MAX_RECEIPT_BYTES,
  type ReceiptDocument,
} from '@countersign/contracts';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  newEvent,
  UnprocessableError,
} from '@countersign/platform';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { lockOwnExpense } from '../db/expense-submission.js';
import {
  addExpenseFlag,
  addStoredBytes,
  countReceiptsOf,
  findExpenseWithReceiptHash,
  findReceipt,
  insertReceipt,
} from '../db/receipt-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { duplicateReceiptFlag } from '../domain/receipt-flags.js';
import {
  checkCompanyStorage,
  checkImageSize,
  checkReceiptCount,
  imageSizeOf,
  type ReceiptLimits,
} from '../domain/receipt-limits.js';
import { detectReceiptMediaType } from '../domain/receipt-media-type.js';
import { recordAudit } from '../outbox/audit.js';
import { enqueue } from '../outbox/enqueue.js';
import type { ReceiptStorage } from '../storage/receipt-storage.js';
import { findReceiptExpense } from './find-receipt-expense.js';
import { receiptDocument } from './receipt-document.js';

/** While the submitter may still change what approvers see: pending or sent back. */
const acceptsReceipts: ReadonlySet<ExpenseStatus> = new Set(['draft', 'pending', 'sent_back']);

export interface UploadReceiptDeps {
  db: Kysely<ExpenseDatabase>;
  storage: ReceiptStorage;
  now: () => Date;
  limits: ReceiptLimits;
  /** Nudges this replica's OCR worker; the others find the receipt when they poll. */
  receiptQueued?: () => void;
}

export interface UploadedFile {
  name: string | null;
  content: Uint8Array;
}

/**
 * Stores a receipt of the caller's own expense: a PNG, JPEG or PDF by its first bytes,
 * at most 10 MiB, an image within the pixel cap, while the expense holds fewer receipts
 * than its limit and the company's receipts stay within their storage quota. The file is
 * written first and its row (queued for OCR; PDFs are not read) commits after, with a flag
 * for the approvers when the same bytes are already on another expense of the company; a
 * row that fails to commit (a limit reached meanwhile included) takes its file with it.
 */
export async function uploadReceipt(
  deps: UploadReceiptDeps,
  caller: AccessClaims,
  expenseId: string,
  /** Read only once the caller may upload: nobody else's body is parsed. */
  readFile: () => Promise<UploadedFile>,
): Promise<ReceiptDocument> {
  const expense = await findReceiptExpense(deps.db, caller, expenseId);
  if (expense.submitter_id !== caller.sub) {
    throw new ForbiddenError('only the submitter can add receipts to an expense');
  }
  refuseUnlessAccepting(expense.status);
  // Before the body is read; checked again under the expense's lock below.
  checkReceiptCount(await countReceiptsOf(deps.db, expenseId), deps.limits.maxPerExpense);
  const file = await readFile();
  const mediaType = checkedMediaType(file.content);
  if (mediaType !== 'application/pdf') {
    checkImageSize(imageSizeOf(file.content, mediaType), deps.limits.maxPixels);
  }
  const receiptId = uuidv7();
  const storageKey = `${caller.company_id}/${expenseId}/${receiptId}`;
  const sha256 = createHash('sha256').update(file.content).digest('hex');
  const uploadedAt = deps.now();
  await deps.storage.put(storageKey, file.content);
  try {
    await deps.db.transaction().execute(async (trx) => {
      const locked = await lockOwnExpense(trx, caller.company_id, expenseId);
      // The status may have moved on (approved, withdrawn) since it was read.
      refuseUnlessAccepting(locked?.status ?? 'withdrawn');
      // Both limits are counted under locks (the expense row, the company's usage row),
      // so two uploads at once cannot both squeeze past them.
      checkReceiptCount(await countReceiptsOf(trx, expenseId), deps.limits.maxPerExpense);
      const size = file.content.byteLength;
      const stored = await addStoredBytes(trx, caller.company_id, size);
      checkCompanyStorage(stored - size, size, deps.limits.maxCompanyBytes);
      const duplicateOf = await findExpenseWithReceiptHash(
        trx,
        caller.company_id,
        sha256,
        expenseId,
      );
      const readable = mediaType !== 'application/pdf';
      await insertReceipt(trx, {
        id: receiptId,
        company_id: caller.company_id,
        expense_id: expenseId,
        file_name: file.name?.slice(0, 255) ?? null,
        media_type: mediaType,
        size_bytes: file.content.byteLength,
        sha256,
        storage_key: storageKey,
        uploaded_by: caller.sub,
        uploaded_at: uploadedAt,
        duplicate_of: duplicateOf ?? null,
        ocr_status: readable ? 'pending' : 'unsupported',
        ocr_claimed_until: null,
        ocr_text: null,
        ocr_result: null,
        ocr_confidence: null,
        processed_at: readable ? null : uploadedAt,
      });
      if (duplicateOf) await addExpenseFlag(trx, expenseId, duplicateReceiptFlag(duplicateOf));
      await recordAudit(trx, {
        companyId: caller.company_id,
        actor: { kind: 'user', id: caller.sub },
        action: 'receipt.uploaded',
        entity: { type: 'receipt', id: receiptId },
        after: {
          expense_id: expenseId,
          media_type: mediaType,
          sha256,
          duplicate_of: duplicateOf ?? null,
        },
      });
      if (!readable) {
        // Nothing to wait for: PDFs are stored but not read, and consumers hear so now.
        await enqueue(trx, [
          newEvent('ReceiptProcessed', {
            companyId: caller.company_id,
            actor: { kind: 'system', id: 'expense' },
            subject: expenseId,
            occurredAt: uploadedAt,
            data: {
              receipt_id: receiptId,
              expense_id: expenseId,
              ocr_status: 'unsupported',
              confidence: null,
              extracted: null,
              verified: false,
              mismatches: [],
              processed_at: uploadedAt.toISOString(),
            },
          }),
        ]);
      }
    });
  } catch (error) {
    await deps.storage.remove(storageKey);
    throw error;
  }
  deps.receiptQueued?.();
  const stored = await findReceipt(deps.db, expenseId, receiptId);
  if (!stored) throw new Error(`receipt ${receiptId} vanished after commit`);
  return receiptDocument(stored);
}

function refuseUnlessAccepting(status: ExpenseStatus): void {
  if (!acceptsReceipts.has(status)) {
    throw new ConflictError(
      `receipts are added while an expense is a draft, pending or sent back; this one is ${status.replace('_', ' ')}`,
      'receipts-closed',
    );
  }
}

function checkedMediaType(content: Uint8Array) {
  if (content.byteLength === 0) {
    throw new UnprocessableError('the receipt file is empty', 'empty-receipt');
  }
  if (content.byteLength > MAX_RECEIPT_BYTES) {
    throw new DomainError(
      'too-large',
      'body-too-large',
      `a receipt is at most ${MAX_RECEIPT_BYTES} bytes`,
    );
  }
  const mediaType = detectReceiptMediaType(content);
  if (!mediaType) {
    throw new DomainError(
      'unsupported-media-type',
      'unsupported-receipt-type',
      'a receipt must be a PNG, JPEG or PDF file; its content is none of these, whatever its name',
    );
  }
  return mediaType;
}
