import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';

/** The largest receipt file accepted, at the gateway and again by the expense service. */
export const MAX_RECEIPT_BYTES = 10 * 1024 * 1024;

/** The kinds of receipt file accepted, as told by their first bytes (never by name). */
export const ReceiptMediaType = z.enum(['image/png', 'image/jpeg', 'application/pdf']);
export type ReceiptMediaType = z.infer<typeof ReceiptMediaType>;

/**
 * Where reading the receipt stands: `pending` until the OCR worker has read it, `done` or
 * `failed` after, `unsupported` for PDFs (only images are read).
 */
export const ReceiptOcrStatus = z.enum(['pending', 'done', 'failed', 'unsupported']);
export type ReceiptOcrStatus = z.infer<typeof ReceiptOcrStatus>;

/**
 * Why OCR gave up on a receipt: it took longer than the per-job timeout (`timeout`), the
 * image has more pixels than the cap (`image-too-large`), or it could not be read after
 * every attempt (`unreadable`).
 */
export const ReceiptOcrFailure = z.enum(['timeout', 'image-too-large', 'unreadable']);
export type ReceiptOcrFailure = z.infer<typeof ReceiptOcrFailure>;

const Confidence = z.number().min(0).max(100).meta({ description: 'OCR confidence, 0-100' });
const found = <T extends z.ZodType>(value: T) =>
  z.object({ value, confidence: Confidence }).nullable();

/** What OCR found on a receipt; a field it could not find is null. */
export const ReceiptExtraction = z.object({
  total: found(z.string().regex(/^\d+(\.\d{1,3})?$/)).meta({
    description: 'The total as printed, a decimal string',
  }),
  date: found(z.iso.date()),
  vendor: found(z.string()),
  currency: found(z.string().length(3)),
});
export type ReceiptExtraction = z.infer<typeof ReceiptExtraction>;

export const ReceiptField = z.enum(['total', 'date', 'vendor', 'currency']);
export type ReceiptField = z.infer<typeof ReceiptField>;

/** A field the receipt shows differently from what the submitter entered. */
export const ReceiptMismatch = z.object({
  field: ReceiptField,
  on_receipt: z.string(),
  on_expense: z.string().nullable(),
});
export type ReceiptMismatch = z.infer<typeof ReceiptMismatch>;

export const ReceiptDocument = z
  .object({
    id: Uuid,
    expense_id: Uuid,
    file_name: z.string().nullable(),
    media_type: ReceiptMediaType,
    size_bytes: z.number().int().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    uploaded_by: Uuid,
    uploaded_at: IsoDateTime,
    ocr: z.object({
      status: ReceiptOcrStatus,
      confidence: Confidence.nullable(),
      extracted: ReceiptExtraction.nullable(),
      processed_at: IsoDateTime.nullable(),
      /** Set only when `status` is `failed`. */
      failure_reason: ReceiptOcrFailure.nullable(),
    }),
    /** True only when every field OCR found agrees with the expense. */
    verified: z.boolean(),
    mismatches: z.array(ReceiptMismatch),
    /** Another expense of the company whose receipt has the same SHA-256, if any. */
    duplicate_of: Uuid.nullable(),
  })
  .meta({ id: 'ReceiptDocument' });
export type ReceiptDocument = z.infer<typeof ReceiptDocument>;

export const ReceiptList = z
  .object({ items: z.array(ReceiptDocument) })
  .meta({ id: 'ReceiptList' });
export type ReceiptList = z.infer<typeof ReceiptList>;

/** Documents the upload: one multipart part named `file`. */
export const ReceiptUpload = z
  .object({
    file: z.string().meta({ format: 'binary', description: 'PNG, JPEG or PDF, at most 10 MiB' }),
  })
  .meta({ id: 'ReceiptUpload' });

export const ReceiptParams = z.object({ id: Uuid, receipt_id: Uuid });
