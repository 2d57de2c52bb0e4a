import type { ReceiptDocument } from '@countersign/contracts';
import type { ReceiptRow } from '../db/types.js';

/** A receipt row as the API shows it: no storage key, no raw OCR text. */
export function receiptDocument(row: ReceiptRow): ReceiptDocument {
  return {
    id: row.id,
    expense_id: row.expense_id,
    file_name: row.file_name,
    media_type: row.media_type,
    size_bytes: row.size_bytes,
    sha256: row.sha256,
    uploaded_by: row.uploaded_by,
    uploaded_at: row.uploaded_at.toISOString(),
    ocr: {
      status: row.ocr_status,
      confidence: row.ocr_confidence,
      extracted: row.ocr_result,
      processed_at: row.processed_at?.toISOString() ?? null,
      failure_reason: row.ocr_failure,
    },
    verified: row.verified,
    mismatches: row.mismatches,
    duplicate_of: row.duplicate_of,
  };
}
