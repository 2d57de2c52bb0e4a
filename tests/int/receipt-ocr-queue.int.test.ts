import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  auditChainMigration,
  auditTrailMigration,
  createDatabase,
  createLogger,
  messagingTablesV1,
  messagingTablesV2,
  migrateSchema,
} from '@countersign/platform';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrations } from '../../services/expense/src/db/migrations/index.js';
import {
  claimPendingReceipt,
  recordOcrOutcome,
} from '../../services/expense/src/db/receipt-queries.js';
import type { ExpenseDatabase } from '../../services/expense/src/db/types.js';
import type { ReceiptReader } from '../../services/expense/src/ocr/tesseract-reader.js';
import { diskReceiptStorage } from '../../services/expense/src/storage/disk-receipt-storage.js';
import {
  type ProcessReceiptDeps,
  processNextReceipt,
} from '../../services/expense/src/use-cases/process-next-receipt.js';
import { ensureIntDatabase, INT_DATABASE_URL } from '../support/int-database.js';

const schema = 'expense_receipt_int';
const company = '0197e000-0000-7000-8000-000000000001';
const grace = '0197e000-0000-7000-8000-000000000002';
let db: Kysely<ExpenseDatabase>;
const storage = diskReceiptStorage(mkdtempSync(join(tmpdir(), 'countersign-receipts-int-')));
const t0 = new Date('2026-03-20T10:00:00Z');

beforeAll(async () => {
  await ensureIntDatabase();
  db = createDatabase<ExpenseDatabase>({ url: INT_DATABASE_URL, schema });
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  // The service's messaging migrations name its own schema; this one is a scratch schema.
  const domain = Object.entries(migrations).filter(
    ([name]) => !/messaging|outbox|audit-trail|audit-chain/.test(name),
  );
  await migrateSchema(db, schema, {
    '0001-messaging': messagingTablesV1,
    '0002-messaging': messagingTablesV2(schema),
    '0003-audit': auditTrailMigration(schema),
    '0004-audit-chain': auditChainMigration(schema),
    ...Object.fromEntries(domain),
  });
});
afterAll(async () => db?.destroy());
beforeEach(async () => {
  await sql`truncate ${sql.table(`${schema}.receipt`)}, ${sql.table(`${schema}.expense`)}, ${sql.table(`${schema}.outbox`)} cascade`.execute(
    db,
  );
});

async function expenseWithReceipt(
  amount = '123.45',
): Promise<{ expense: string; receipt: string }> {
  const expense = randomUUID();
  await db
    .insertInto('expense')
    .values({
      id: expense,
      company_id: company,
      submitter_id: grace,
      submitter_name: 'Grace',
      policy_id: company,
      policy_name: 'Small',
      category: 'equipment',
      amount,
      original_amount: amount,
      description: 'Dock',
      status: 'pending',
      refusal_reason: null,
      submitted_at: t0,
      completed_at: null,
      workspace_id: null,
      round: 1,
      requested_policy_id: null,
      flags: null,
      rate_date: null,
      spend_date: '2026-03-15',
      vendor: 'Dell',
    })
    .execute();
  const receipt = randomUUID();
  const key = `${company}/${expense}/${receipt}`;
  await storage.put(key, new Uint8Array([1, 2, 3]));
  await db
    .insertInto('receipt')
    .values({
      id: receipt,
      company_id: company,
      expense_id: expense,
      file_name: 'r.png',
      media_type: 'image/png',
      size_bytes: 3,
      sha256: receipt.replace(/-/g, ''),
      storage_key: key,
      uploaded_by: grace,
      uploaded_at: t0,
      duplicate_of: null,
      ocr_status: 'pending',
      ocr_claimed_until: null,
      ocr_text: null,
      ocr_result: null,
      ocr_confidence: null,
      processed_at: null,
    })
    .execute();
  return { expense, receipt };
}

/** A reader that answers with fixed lines, so the queue's rules are what is tested. */
function readerOf(text: string | Error): ReceiptReader {
  return {
    read: async () => {
      if (text instanceof Error) throw text;
      return {
        text,
        confidence: 91,
        lines: text.split('\n').map((line) => ({ text: line, confidence: 91 })),
      };
    },
    stop: async () => {},
  };
}

function deps(reader: ReceiptReader, now = t0): ProcessReceiptDeps {
  return {
    db,
    storage,
    reader,
    logger: createLogger('receipt-int', 'silent'),
    now: () => now,
    leaseSeconds: 60,
    maxAttempts: 2,
  };
}

const events = async () =>
  (await db.selectFrom('outbox').select('payload').execute()).map(
    (r) => (r.payload as { data: Record<string, unknown> }).data,
  );

describe('the OCR queue', () => {
  it('gives concurrent workers different receipts, and none twice', async () => {
    const a = await expenseWithReceipt();
    const b = await expenseWithReceipt();
    const claims = await Promise.all([
      claimPendingReceipt(db, t0, 60),
      claimPendingReceipt(db, t0, 60),
      claimPendingReceipt(db, t0, 60),
    ]);
    const taken = claims.map((c) => c?.id).filter(Boolean);
    expect(taken.sort()).toEqual([a.receipt, b.receipt].sort());
    expect(await claimPendingReceipt(db, t0, 60)).toBeUndefined();
  });

  it('takes a receipt again once its claim lapses, and refuses the first worker’s late answer', async () => {
    const { receipt } = await expenseWithReceipt();
    const first = await claimPendingReceipt(db, t0, 60);
    expect(first?.id).toBe(receipt);
    const later = new Date(t0.getTime() + 61_000);
    const second = await claimPendingReceipt(db, later, 60);
    expect(second).toMatchObject({ id: receipt, ocr_attempts: 2 });
    if (!first) throw new Error('no claim');
    const late = await db.transaction().execute((trx) =>
      recordOcrOutcome(trx, first, {
        ocr_status: 'failed',
        ocr_text: null,
        ocr_result: null,
        ocr_confidence: null,
        processed_at: later,
        verified: false,
        mismatches: '[]',
      }),
    );
    expect(late).toBe(false);
  });

  it('verifies a matching receipt, announcing it, and flags a mismatch without touching the expense', async () => {
    const good = await expenseWithReceipt('123.45');
    const bad = await expenseWithReceipt('99.00');
    const reader = readerOf('DELL\nDate: 2026-03-15\nTOTAL USD 123.45');
    expect(await processNextReceipt(deps(reader))).toBe(true);
    expect(await processNextReceipt(deps(reader))).toBe(true);
    expect(await processNextReceipt(deps(reader))).toBe(false);
    const rows = await db
      .selectFrom('receipt')
      .select(['expense_id', 'ocr_status', 'verified', 'mismatches'])
      .execute();
    expect(rows.find((r) => r.expense_id === good.expense)).toMatchObject({
      ocr_status: 'done',
      verified: true,
      mismatches: [],
    });
    expect(rows.find((r) => r.expense_id === bad.expense)).toMatchObject({
      verified: false,
      mismatches: [{ field: 'total', on_receipt: '123.45', on_expense: '99.000' }],
    });
    const expenses = await db
      .selectFrom('expense')
      .select(['id', 'flags', sql<string>`original_amount::text`.as('amount')])
      .execute();
    expect(expenses.find((e) => e.id === good.expense)?.flags).toBeNull();
    expect(expenses.find((e) => e.id === bad.expense)).toMatchObject({
      amount: '99.000',
      flags: ['Receipt does not match the expense: total 123.45 on the receipt, 99.000 entered'],
    });
    expect(await events()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ receipt_id: good.receipt, verified: true, ocr_status: 'done' }),
        expect.objectContaining({ receipt_id: bad.receipt, verified: false }),
      ]),
    );
  });

  it('retries a receipt that cannot be read, then records it failed', async () => {
    const { receipt } = await expenseWithReceipt();
    const broken = readerOf(new Error('not an image tesseract can read'));
    expect(await processNextReceipt(deps(broken))).toBe(true);
    expect(
      await db.selectFrom('receipt').select(['ocr_status', 'ocr_claimed_until']).executeTakeFirst(),
    ).toEqual({ ocr_status: 'pending', ocr_claimed_until: null });
    expect(await processNextReceipt(deps(broken))).toBe(true);
    expect(await db.selectFrom('receipt').select('ocr_status').executeTakeFirst()).toEqual({
      ocr_status: 'failed',
    });
    expect(await events()).toMatchObject([
      { receipt_id: receipt, ocr_status: 'failed', verified: false },
    ]);
  });
});
