import { receiptRoutes } from '@countersign/contracts';
import {
  DomainError,
  type LargeBodyRoute,
  type ServeRoute,
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

/** The upload's own body limit, as declared: the file plus room for the multipart framing. */
export const receiptUploadRoute: LargeBodyRoute = {
  method: 'POST',
  path: /^\/expenses\/[^/]+\/receipts$/,
  maxBytes: receiptRoutes.upload.transfer.maxBytes,
};

/** Receipts of an expense: upload (multipart, one part named `file`), list, download. */
export function mountReceiptRoutes(
  serve: ServeRoute,
  deps: UploadReceiptDeps & Parameters<typeof downloadReceipt>[0],
): void {
  serve(receiptRoutes.upload, async (c, { params }) => {
    const receipt = await uploadReceipt(deps, c.var.caller, params.id, () => readReceiptFile(c));
    return c.json(receipt, 201);
  });

  serve(receiptRoutes.list, async (c, { params }) =>
    c.json(await listReceipts(deps.db, c.var.caller, params.id)),
  );

  serve(receiptRoutes.download, async (c, { params }) => {
    const file = await downloadReceipt(deps, c.var.caller, params.id, params.receipt_id);
    return c.body(new Uint8Array(file.content), 200, {
      'content-type': file.mediaType,
      'content-disposition': `attachment; filename="${file.fileName}"`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    });
  });
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
