import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaseConfig, loadConfig } from '@countersign/platform';
import { z } from 'zod';

/** Every setting the service reads from its environment (the deployment tests check keys against it). */
export const configSchema = BaseConfig.extend({
  PORT: z.coerce.number().int().default(4101),
  APPROVAL_URL: z.string().default('http://127.0.0.1:4102'),
  /** Loads TechCorp's base currency, categories and vendors (the demo of seed 001). */
  SEED_DEMO: z.stringbool().default(false),
  /** Where receipt files are kept; replicas must share it (a volume). */
  RECEIPTS_DIR: z.string().min(1).default(join(tmpdir(), 'countersign-receipts')),
  /** Runs this replica's OCR worker; off leaves receipts queued for other replicas. */
  RECEIPT_OCR: z.stringbool().default(true),
  /** How often an idle OCR worker looks for receipts queued elsewhere. */
  RECEIPT_OCR_POLL_MS: z.coerce.number().int().min(50).default(2000),
  /** How long OCR may spend on one receipt before the job fails (`timeout`) and its worker is replaced. */
  RECEIPT_OCR_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
  /** The most pixels (width × height) a receipt image may have: refused at upload (422), never decoded. */
  RECEIPT_MAX_PIXELS: z.coerce.number().int().min(1).default(40_000_000),
  /** The most receipts one expense may hold (409 beyond). */
  RECEIPTS_MAX_PER_EXPENSE: z.coerce.number().int().min(1).default(10),
  /** The most bytes all of a company's receipts may hold together (413 beyond); 1 GiB. */
  RECEIPTS_MAX_COMPANY_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(1024 ** 3),
  /** The journal's expense account per category, as JSON: `{"travel": "6100"}`. */
  JOURNAL_EXPENSE_ACCOUNTS: z
    .string()
    .default('{}')
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string().min(1), z.string().regex(/^[0-9A-Za-z-]{1,30}$/))),
});

export const config = loadConfig(configSchema);
