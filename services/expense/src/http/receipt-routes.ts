import { ExpenseIdParam, MAX_RECEIPT_BYTES, ReceiptParams } from '@countersign/contracts';
import {
  type createServiceApp,
  DomainError,
  type LargeBodyRoute,
  parseOrThrow,
  requirePermission,
  ValidationError,
} from '@countersign/platform';
import type { Context } from 'hono';
import { downloadReceipt } from '../use-cases/download-receipt.js';
import { listReceipts } from '../use-cases/list-receipts.js';
import {
  type UploadedFile,
  type UploadReceiptDeps,
  uploadReceipt,
} from '../use-cases/upload-receipt.js';

/** The upload's own body limit: the file plus room for the multipart framing. */
export const receiptUploadRoute: LargeBodyRoute = {
  method: 'POST',
  path: /^\/expenses\/[^/]+\/receipts$/,
  maxBytes: MAX_RECEIPT_BYTES + 64 * 1024,
};

/**
 * Receipts of an expense: upload (multipart, one part named `file`), list, download.
 * Authentication is installed on /expenses/* by the caller.
 */
export function mountReceiptRoutes(
  app: ReturnType<typeof createServiceApp>,
  deps: UploadReceiptDeps & Parameters<typeof downloadReceipt>[0],
): void {
  app.post('/expenses/:id/receipts', requirePermission('expenses.submit'), async (c) => {
    const { id } = parseOrThrow(ExpenseIdParam, c.req.param());
    const receipt = await uploadReceipt(deps, c.var.caller, id, () => readReceiptFile(c));
    return c.json(receipt, 201);
  });

  app.get('/expenses/:id/receipts', requirePermission('expenses.read'), async (c) => {
    const { id } = parseOrThrow(ExpenseIdParam, c.req.param());
    return c.json(await listReceipts(deps.db, c.var.caller, id));
  });

  app.get(
    '/expenses/:id/receipts/:receipt_id/file',
    requirePermission('expenses.read'),
    async (c) => {
      const { id, receipt_id } = parseOrThrow(ReceiptParams, c.req.param());
      const file = await downloadReceipt(deps, c.var.caller, id, receipt_id);
      return c.body(new Uint8Array(file.content), 200, {
        'content-type': file.mediaType,
        'content-disposition': `attachment; filename="${file.fileName}"`,
        'x-content-type-options': 'nosniff',
        'cache-control': 'private, no-store',
      });
    },
  );
}

/** The `file` part of a multipart/form-data body (415 for any other kind of body). */
async function readReceiptFile(c: Context): Promise<UploadedFile> {
  const contentType = c.req.header('content-type') ?? '';
  if (!/^multipart\/form-data\b/i.test(contentType)) {
    throw new DomainError(
      'unsupported-media-type',
      'unsupported-media-type',
      `send the receipt as multipart/form-data with a part named "file" (got "${contentType}")`,
    );
  }
  let form: Record<string, string | File | (string | File)[]>;
  try {
    form = await c.req.parseBody({ all: true });
  } catch {
    throw new ValidationError([{ path: '', message: 'the body is not valid multipart/form-data' }]);
  }
  const file = form.file;
  if (!(file instanceof File)) {
    throw new ValidationError([
      { path: 'file', message: 'exactly one file part named "file" is required' },
    ]);
  }
  return { name: file.name || null, content: new Uint8Array(await file.arrayBuffer()) };
}
