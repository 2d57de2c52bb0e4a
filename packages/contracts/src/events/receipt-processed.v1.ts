import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';
import { ReceiptExtraction, ReceiptMismatch } from '../rest/receipts.js';
import { envelopeOf } from './envelope.js';

/**
 * The OCR worker read a receipt (or found it cannot: `unsupported`, `failed`). `verified`
 * is true only when every field found agrees with the expense; `mismatches` were flagged
 * to the approvers. The submitter's fields are never changed.
 */
export const ReceiptProcessedV1 = envelopeOf(
  'ReceiptProcessed',
  1,
  z.object({
    receipt_id: Uuid,
    expense_id: Uuid,
    ocr_status: z.enum(['done', 'failed', 'unsupported']),
    confidence: z.number().min(0).max(100).nullable(),
    extracted: ReceiptExtraction.nullable(),
    verified: z.boolean(),
    mismatches: z.array(ReceiptMismatch),
    processed_at: IsoDateTime,
  }),
);
export type ReceiptProcessedV1 = z.infer<typeof ReceiptProcessedV1>;
