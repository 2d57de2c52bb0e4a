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
