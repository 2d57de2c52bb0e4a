import { ExpenseIdParam } from '../rest/expenses.js';
import {
  MAX_RECEIPT_BYTES,
  ReceiptDocument,
  ReceiptList,
  ReceiptMediaType,
  ReceiptParams,
  ReceiptUpload,
} from '../rest/receipts.js';
import { defineRoutes } from './api-route.js';

const tag = 'Receipts';

/** The upload's multipart body: the file and room for the framing around it. */
export const RECEIPT_UPLOAD_MAX_BYTES = MAX_RECEIPT_BYTES + 64 * 1024;

export const receiptRoutes = defineRoutes({
  upload: {
    method: 'post',
    path: '/api/expenses/{id}/receipts',
    service: 'expense',
    summary:
      'Attach a receipt (multipart part `file`: PNG, JPEG or PDF by content, at most 10 MiB) to your pending or sent-back expense; OCR reads it in the background',
    tag,
    permission: 'expenses.submit',
    params: ExpenseIdParam,
    multipart: ReceiptUpload,
    transfer: { kind: 'upload', maxBytes: RECEIPT_UPLOAD_MAX_BYTES },
    success: { status: 201, schema: ReceiptDocument, description: 'Stored; OCR is queued' },
    refusals: [400, 401, 403, 404, 409, 413, 415, 422],
  },
  list: {
    method: 'get',
    path: '/api/expenses/{id}/receipts',
    service: 'expense',
    summary:
      'The receipts of an expense with what OCR read and whether they match (submitter, its approvers, finance, admins, auditors)',
    tag,
    permission: 'expenses.read',
    params: ExpenseIdParam,
    success: { status: 200, schema: ReceiptList, description: 'The receipts, oldest first' },
    refusals: [400, 401, 403, 404],
  },
  download: {
    method: 'get',
    path: '/api/expenses/{id}/receipts/{receipt_id}/file',
    service: 'expense',
    summary: 'Download a receipt file (same readers as the list)',
    tag,
    permission: 'expenses.read',
    params: ReceiptParams,
    transfer: { kind: 'download' },
    success: {
      status: 200,
      description: 'The file, as an attachment',
      fileTypes: ReceiptMediaType.options,
    },
    refusals: [400, 401, 403, 404],
  },
});
