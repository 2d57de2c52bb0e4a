import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@countersign/platform';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrations } from '../../services/expense/src/db/migrations/index.js';
import {
  claimPendingReceipt,
  recordOcrOutcome,
} from '../../services/expense/src/db/receipt-queries.js';
import type { ExpenseDatabase } from '../../services/expense/src/db/types.js';
import { supervisedReader } from '../../services/expense/src/ocr/supervised-reader.js';
import type { ReceiptReader } from '../../services/expense/src/ocr/tesseract-reader.js';
import { diskReceiptStorage } from '../../services/expense/src/storage/disk-receipt-storage.js';
import {
  type ProcessReceiptDeps,
  processNextReceipt,
} from '../../services/expense/src/use-cases/process-next-receipt.js';
import { freshServiceSchema } from '../support/int-database.js';

const schema = 'expense_receipt_int';
const company = '0197e000-0000-7000-8000-000000000001';
const grace = '0197e000-0000-7000-8000-000000000002';
let db: Kysely<ExpenseDatabase>;
const storage = diskReceiptStorage(mkdtempSync(join(tmpdir(), 'countersign-receipts-int-')));
const t0 = new Date('2026-03-20T10:00:00Z');

beforeAll(async () => {
  db = await freshServiceSchema<ExpenseDatabase>(schema, migrations);
});
afterAll(async () => db?.destroy());
beforeEach(async () => {
  await sql`truncate ${sql.table(`${schema}.receipt`)}, ${sql.table(`${schema}.receipt_company`)}, ${sql.table(`${schema}.expense`)}, ${sql.table(`${schema}.outbox`)} cascade`.execute(
    db,
  );
});

async function expenseWithReceipt(
  amount = '123.45',
  of: { companyId?: string; uploadedAt?: Date; content?: Uint8Array } = {},
): Promise<{ expense: string; receipt: string }> {
  const companyId = of.companyId ?? company;
  const expense = randomUUID();
  await db
    .insertInto('expense')
    .values({
      id: expense,
      company_id: companyId,
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
  const key = `${companyId}/${expense}/${receipt}`;
  await storage.put(key, of.content ?? new Uint8Array([1, 2, 3]));
  await db
    .insertInto('receipt')
    .values({
      id: receipt,
      company_id: companyId,
      expense_id: expense,
      file_name: 'r.png',
      media_type: 'image/png',
      size_bytes: 3,
      sha256: receipt.replace(/-/g, ''),
      storage_key: key,
      uploaded_by: grace,
      uploaded_at: of.uploadedAt ?? t0,
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
    maxPixels: 40_000_000,
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
        ocr_failure: 'unreadable',
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
    expect(
      await db.selectFrom('receipt').select(['ocr_status', 'ocr_failure']).executeTakeFirst(),
    ).toEqual({ ocr_status: 'failed', ocr_failure: 'unreadable' });
    expect(await events()).toMatchObject([
      { receipt_id: receipt, ocr_status: 'failed', verified: false },
    ]);
  });
});

/** A PNG's signature and IHDR chunk claiming this size: no pixels follow (a decompression bomb's header). */
function pngHeader(width: number, height: number): Uint8Array {
  const header = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
  header.writeUInt32BE(13, 8);
  header.write('IHDR', 12, 'latin1');
  header.writeUInt32BE(width, 16);
  header.writeUInt32BE(height, 20);
  header.set([8, 2, 0, 0, 0], 24);
  return header;
}

const dellLines = 'DELL\nDate: 2026-03-15\nTOTAL USD 123.45';

describe('OCR limits', () => {
  it('takes turns between companies: a backlog of one does not starve another’s single receipt', async () => {
    const busy = company;
    const other = '0197e000-0000-7000-8000-0000000000b0';
    for (let i = 0; i < 30; i++) {
      await expenseWithReceipt('123.45', { uploadedAt: new Date(t0.getTime() + i * 1000) });
    }
    // Uploaded after every receipt of the backlog.
    const single = await expenseWithReceipt('123.45', {
      companyId: other,
      uploadedAt: new Date(t0.getTime() + 60_000),
    });
    const claimed: { id: string; company_id: string; uploaded_at: Date }[] = [];
    for (;;) {
      const next = await claimPendingReceipt(db, t0, 60);
      if (!next) break;
      claimed.push(next);
    }
    expect(claimed).toHaveLength(31);
    // The other company's receipt is the first or second taken, not the 31st.
    expect(claimed.slice(0, 2).map((r) => r.id)).toContain(single.receipt);
    // Within a company the oldest goes first.
    const backlog = claimed
      .filter((r) => r.company_id === busy)
      .map((r) => r.uploaded_at.getTime());
    expect(backlog).toEqual([...backlog].sort((a, b) => a - b));
  });

  it('fails a read that outlives the timeout (reason timeout) and replaces the reader', async () => {
    await expenseWithReceipt();
    await expenseWithReceipt();
    let started = 0;
    let stopped = 0;
    const hanging: ReceiptReader = {
      read: () => new Promise(() => {}),
      stop: async () => {
        stopped += 1;
      },
    };
    const reader = supervisedReader(() => {
      started += 1;
      return started === 1 ? hanging : readerOf(dellLines);
    }, 300);
    expect(await processNextReceipt(deps(reader))).toBe(true);
    expect(stopped).toBe(1);
    expect(await processNextReceipt(deps(reader))).toBe(true);
    expect(started).toBe(2);
    const rows = await db
      .selectFrom('receipt')
      .select(['ocr_status', 'ocr_failure', 'ocr_attempts'])
      .orderBy('ocr_status')
      .execute();
    expect(rows).toEqual([
      { ocr_status: 'done', ocr_failure: null, ocr_attempts: 1 },
      // A read that took the whole timeout once is not tried again.
      { ocr_status: 'failed', ocr_failure: 'timeout', ocr_attempts: 1 },
    ]);
    expect(await events()).toEqual(
      expect.arrayContaining([expect.objectContaining({ ocr_status: 'failed' })]),
    );
  });

  it('restarts a reader whose worker died, and the receipt is read on its next attempt', async () => {
    const { receipt } = await expenseWithReceipt();
    let started = 0;
    /** A reader whose worker dies on its first read and stays dead, as a crashed thread does. */
    const dying = (): ReceiptReader => {
      let dead = false;
      return {
        read: async () => {
          dead = true;
          throw new Error('worker exited with code 1');
        },
        stop: async () => {
          if (!dead) throw new Error('stopped a live reader');
        },
      };
    };
    const reader = supervisedReader(() => {
      started += 1;
      return started === 1 ? dying() : readerOf(dellLines);
    }, 5_000);
    expect(await processNextReceipt(deps(reader))).toBe(true);
    expect(await db.selectFrom('receipt').select('ocr_status').executeTakeFirst()).toEqual({
      ocr_status: 'pending',
    });
    expect(await processNextReceipt(deps(reader))).toBe(true);
    expect(started).toBe(2);
    expect(
      await db.selectFrom('receipt').select(['id', 'ocr_status', 'verified']).executeTakeFirst(),
    ).toEqual({ id: receipt, ocr_status: 'done', verified: true });
  });

  it('never decodes an image over the pixel cap: failed, reason image-too-large', async () => {
    await expenseWithReceipt('123.45', { content: pngHeader(100_000, 100_000) });
    let reads = 0;
    const counting: ReceiptReader = {
      read: async (image) => {
        reads += 1;
        return readerOf(dellLines).read(image);
      },
      stop: async () => {},
    };
    expect(await processNextReceipt(deps(counting))).toBe(true);
    expect(reads).toBe(0);
    expect(
      await db.selectFrom('receipt').select(['ocr_status', 'ocr_failure']).executeTakeFirst(),
    ).toEqual({ ocr_status: 'failed', ocr_failure: 'image-too-large' });
  });
});
