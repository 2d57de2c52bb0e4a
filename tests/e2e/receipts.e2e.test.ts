import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExpenseStatusDocument, ReceiptDocument, ReceiptList } from '@countersign/contracts';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiptImage, TINY_PNG, uploadFile } from '../support/receipts.js';
import {
  api,
  eventually,
  gatewayUrl,
  login,
  policies,
  TestCluster,
} from '../support/test-cluster.js';

let cluster: TestCluster;
const MiB = 1024 * 1024;
const COMPANY_QUOTA = 20 * MiB;
const people = ['alice', 'bob', 'eve', 'frank', 'grace', 'hannah', 'ivan'] as const;
type Person = (typeof people)[number];
const tokens = {} as Record<Person, string>;

beforeAll(async () => {
  cluster = await TestCluster.start({
    RECEIPTS_DIR: mkdtempSync(join(tmpdir(), 'countersign-receipts-test-')),
    RECEIPT_OCR_POLL_MS: '200',
    // Small limits, so the tests reach them; the defaults are 10, 1 GiB and 40 megapixels.
    RECEIPTS_MAX_PER_EXPENSE: '3',
    RECEIPTS_MAX_COMPANY_BYTES: String(COMPANY_QUOTA),
    RECEIPT_MAX_PIXELS: '4000000',
  });
  for (const name of people) tokens[name] = await login(name);
});
afterAll(async () => cluster?.stop());

/** A small-equipment expense of Grace's; Frank (her manager) approves it. */
async function submit(fields: Record<string, unknown>): Promise<string> {
  const created = await api('POST', '/api/expenses', tokens.grace, {
    policy_id: policies.small,
    description: 'Laptop dock',
    ...fields,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return String(created.body.expense_id);
}

const receiptsOf = (expenseId: string, as: Person = 'grace') =>
  api('GET', `/api/expenses/${expenseId}/receipts`, tokens[as]);

async function statusOf(expenseId: string) {
  const read = await api('GET', `/api/expenses/${expenseId}/status`, tokens.frank);
  return ExpenseStatusDocument.parse(read.body);
}

/** Waits until OCR has read the expense's receipt. */
async function processed(expenseId: string): Promise<ReceiptDocument> {
  return eventually(async () => {
    const items = ReceiptList.parse((await receiptsOf(expenseId)).body).items;
    const done = items.find((r) => r.ocr.status !== 'pending');
    return done;
  }, 60_000);
}

async function receiptProcessedEvents(expenseId: string) {
  const rows = await cluster.db.query<{ payload: { data: Record<string, unknown> } }>(
    "select payload from expense.outbox where payload->>'type' = 'ReceiptProcessed' and payload->>'subject' = $1",
    [expenseId],
  );
  return rows.rows.map((r) => r.payload.data);
}

const dellReceipt = [
  'DELL',
  'Round Rock, Texas',
  'Date: 2026-03-15',
  'Laptop dock 1 x 123.45',
  'TOTAL USD 123.45',
];
const matching = { amount: '123.45', currency: 'USD', vendor: 'Dell', spend_date: '2026-03-15' };

describe('uploading receipts', () => {
  it('refuses what is not a PNG, JPEG or PDF by its content, whatever its name (415)', async () => {
    const id = await submit({ amount: 10 });
    const fake = await uploadFile(
      `/api/expenses/${id}/receipts`,
      tokens.grace,
      new TextEncoder().encode('this is text, not an image'),
      'receipt.png',
      'image/png',
    );
    expect(fake.status, JSON.stringify(fake.body)).toBe(415);
    expect(fake.contentType).toContain('application/problem+json');
    expect(fake.body.detail).toContain('PNG, JPEG or PDF');
    const json = await api('POST', `/api/expenses/${id}/receipts`, tokens.grace, { file: 'x' });
    expect(json.status).toBe(415);
    const noFile = await fetch(`${gatewayUrl}/api/expenses/${id}/receipts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.grace}` },
      body: (() => {
        const form = new FormData();
        form.append('note', 'no file here');
        return form;
      })(),
    });
    expect(noFile.status).toBe(400);
    expect(ReceiptList.parse((await receiptsOf(id)).body).items).toEqual([]);
  });

  it('refuses a file over 10 MiB at the gateway (413)', async () => {
    const id = await submit({ amount: 11 });
    const huge = new Uint8Array(10 * 1024 * 1024 + 100 * 1024);
    huge.set(TINY_PNG);
    const refused = await uploadFile(`/api/expenses/${id}/receipts`, tokens.grace, huge, 'big.png');
    expect(refused.status).toBe(413);
    expect(refused.contentType).toContain('application/problem+json');
  });

  it('lets only the submitter upload, while the expense is pending or sent back', async () => {
    const id = await submit({ amount: 12 });
    const path = `/api/expenses/${id}/receipts`;
    expect((await uploadFile(path, tokens.frank, TINY_PNG, 'r.png')).status).toBe(403);
    expect((await uploadFile(path, tokens.bob, TINY_PNG, 'r.png')).status).toBe(404);
    // Auditors cannot submit, so the gateway refuses them before anything is read.
    expect((await uploadFile(path, tokens.ivan, TINY_PNG, 'r.png')).status).toBe(403);
    await api('POST', `/api/expenses/${id}/withdraw`, tokens.grace, { reason: 'bought twice' });
    const closed = await eventually(async () => {
      const answer = await uploadFile(path, tokens.grace, TINY_PNG, 'r.png');
      return answer.status === 409 ? answer : undefined;
    });
    expect(closed.body.type).toContain('receipts-closed');
  });
});

describe('downloading receipts', () => {
  it('gives the file to the submitter, the approver, finance and auditors; 404 to others', async () => {
    const id = await submit({ amount: 13 });
    const uploaded = await uploadFile(
      `/api/expenses/${id}/receipts`,
      tokens.grace,
      TINY_PNG,
      'lunch.png',
    );
    expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);
    const receipt = ReceiptDocument.parse(uploaded.body);
    expect(receipt).toMatchObject({
      media_type: 'image/png',
      size_bytes: TINY_PNG.length,
      file_name: 'lunch.png',
      verified: false,
    });
    const path = `/api/expenses/${id}/receipts/${receipt.id}/file`;
    for (const reader of ['grace', 'frank', 'hannah', 'ivan', 'alice'] as const) {
      const response = await fetch(`${gatewayUrl}${path}`, {
        headers: { authorization: `Bearer ${tokens[reader]}` },
      });
      expect(response.status, reader).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      expect(response.headers.get('content-disposition')).toBe(
        `attachment; filename="receipt-${receipt.id}.png"`,
      );
      expect(Buffer.from(await response.arrayBuffer()).equals(TINY_PNG)).toBe(true);
    }
    for (const stranger of ['bob', 'eve'] as const) {
      const response = await api('GET', path, tokens[stranger]);
      expect(response.status, stranger).toBe(404);
      expect((await receiptsOf(id, stranger)).status).toBe(404);
    }
  });
});

describe('OCR and duplicates', () => {
  let original = '';

  it('verifies a receipt that matches the expense, and announces it', async () => {
    original = await submit(matching);
    const image = await receiptImage(dellReceipt);
    const uploaded = await uploadFile(
      `/api/expenses/${original}/receipts`,
      tokens.grace,
      image,
      'dell.png',
    );
    expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);
    expect(uploaded.body).toMatchObject({ ocr: { status: 'pending' }, duplicate_of: null });
    const receipt = await processed(original);
    expect(receipt.ocr.status).toBe('done');
    expect(receipt.ocr.extracted).toMatchObject({
      total: { value: '123.45' },
      date: { value: '2026-03-15' },
      currency: { value: 'USD' },
      vendor: { value: 'DELL' },
    });
    expect(receipt).toMatchObject({ verified: true, mismatches: [] });
    const events = await eventually(async () => {
      const found = await receiptProcessedEvents(original);
      return found.length > 0 ? found : undefined;
    });
    expect(events).toMatchObject([{ receipt_id: receipt.id, ocr_status: 'done', verified: true }]);
    expect((await statusOf(original)).flags ?? []).toEqual([]);
  });

  it('flags a mismatch and a reused image to the approvers, changing nothing entered', async () => {
    const second = await submit({ ...matching, amount: '99.00', spend_date: '2026-03-16' });
    const uploaded = await uploadFile(
      `/api/expenses/${second}/receipts`,
      tokens.grace,
      await receiptImage(dellReceipt),
      'dell-again.png',
    );
    expect(uploaded.status).toBe(201);
    expect(uploaded.body.duplicate_of).toBe(original);
    const receipt = await processed(second);
    expect(receipt.verified).toBe(false);
    expect(receipt.mismatches).toEqual([
      { field: 'total', on_receipt: '123.45', on_expense: '99.000' },
      { field: 'date', on_receipt: '2026-03-15', on_expense: '2026-03-16' },
    ]);
    const document = await statusOf(second);
    expect(document.amount).toBe(99);
    expect(document.spend_date).toBe('2026-03-16');
    expect(document.flags).toEqual([
      expect.stringContaining(`Receipt image identical to one on expense ${original}`),
      expect.stringContaining('Receipt does not match the expense: total 123.45 on the receipt'),
    ]);
    expect(await receiptProcessedEvents(second)).toMatchObject([
      { verified: false, mismatches: [{ field: 'total' }, { field: 'date' }] },
    ]);
  });

  it('flags an expense submitted again with the original’s id', async () => {
    const again = await submit({ ...matching, vendor: 'dell' });
    const flags = (await statusOf(again)).flags ?? [];
    expect(flags).toEqual([
      `Possible duplicate of expense ${original} (same submitter, amount, date and vendor): /api/expenses/${original}/status`,
    ]);
    const otherVendor = await submit({ ...matching, vendor: 'Marriott' });
    expect((await statusOf(otherVendor)).flags ?? []).toEqual([]);
  });
});

describe('policies that ask for a receipt', () => {
  it('count a receipt uploaded while the expense was sent back at resubmission', async () => {
    const created = await api('POST', '/api/policies', tokens.alice, {
      name: 'Receipts above 100',
      category: 'equipment-receipts',
      rules: [
        {
          priority: 1,
          condition: {
            all: [
              { field: 'amount', op: 'gt', value: '100' },
              { field: 'receipt', op: 'present', value: false },
            ],
          },
          action: { type: 'flag', message: 'No receipt above 100' },
        },
        {
          priority: 2,
          condition: { field: 'amount', op: 'gte', value: '0' },
          action: {
            type: 'require_approval',
            steps: [
              { approver: { by: 'level', level: 6, scope: 'submitter_team' }, required: true },
            ],
          },
        },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = await submit({ policy_id: created.body.id, amount: 150 });
    expect((await statusOf(id)).flags).toEqual(['No receipt above 100']);
    await eventually(async () => {
      const sent = await api('POST', `/api/expenses/${id}/send-back`, tokens.frank, {
        comment: 'Attach the receipt',
      });
      return sent.status === 200 ? sent : undefined;
    });
    const upload = await uploadFile(
      `/api/expenses/${id}/receipts`,
      tokens.grace,
      TINY_PNG,
      'r.png',
    );
    expect(upload.status).toBe(201);
    const resubmitted = await eventually(async () => {
      const answer = await api('POST', `/api/expenses/${id}/resubmit`, tokens.grace, {});
      return answer.status === 200 ? answer : undefined;
    });
    expect(resubmitted.status).toBe(200);
    // The policy's flag is gone with the receipt; the reused image's warning stays.
    expect((await statusOf(id)).flags).toEqual([
      expect.stringContaining('Receipt image identical to one on expense'),
    ]);
  });
});

/** A PDF of `bytes` bytes (PDFs are stored, not decoded: only their size matters here). */
function pdfOf(bytes: number, seed: number): Uint8Array {
  const content = new Uint8Array(bytes);
  content.set(new TextEncoder().encode(`%PDF-1.7 ${seed}`));
  return content;
}

const storedBytes = async () => {
  const row = await cluster.db.query<{ stored: string; actual: string }>(
    `select (select coalesce(sum(stored_bytes), 0) from expense.receipt_company) as stored,
            (select coalesce(sum(size_bytes), 0) from expense.receipt) as actual`,
  );
  return { stored: Number(row.rows[0]?.stored), actual: Number(row.rows[0]?.actual) };
};

describe('limits on what one company may store', () => {
  it('refuses an image over the pixel cap before it is stored (422), naming its size', async () => {
    const id = await submit({ amount: 20 });
    const huge = await sharp({
      create: { width: 2500, height: 2000, channels: 3, background: '#ffffff' },
    })
      .png()
      .toBuffer();
    const refused = await uploadFile(`/api/expenses/${id}/receipts`, tokens.grace, huge, 'big.png');
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.contentType).toContain('application/problem+json');
    expect(refused.body.type).toContain('receipt-image-too-large');
    expect(refused.body.detail).toContain('2500 × 2000 pixels');
    expect(ReceiptList.parse((await receiptsOf(id)).body).items).toEqual([]);
  });

  it('lets an expense hold at most its limit of receipts, even when they race (409)', async () => {
    const id = await submit({ amount: 21 });
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        uploadFile(`/api/expenses/${id}/receipts`, tokens.grace, pdfOf(1000, i), `r${i}.pdf`),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 201, 201, 409, 409, 409]);
    const refused = answers.find((a) => a.status === 409);
    expect(refused?.contentType).toContain('application/problem+json');
    expect(refused?.body.type).toContain('receipt-limit-reached');
    expect(refused?.body.detail).toBe('an expense holds at most 3 receipts and this one has 3');
    expect(ReceiptList.parse((await receiptsOf(id)).body).items).toHaveLength(3);
  });

  it('keeps a company within its storage quota, even when uploads race (413), counting every byte', async () => {
    // Fills the quota up to 1.5 files of 4 MiB, then three of them race: one fits.
    const file = 4 * MiB;
    let free = COMPANY_QUOTA - (await storedBytes()).stored;
    let seed = 100;
    while (free > 1.5 * file) {
      const filler = Math.min(9 * MiB, free - 1.5 * file);
      const id = await submit({ amount: 22 });
      const stored = await uploadFile(
        `/api/expenses/${id}/receipts`,
        tokens.grace,
        pdfOf(filler, seed++),
        'filler.pdf',
      );
      expect(stored.status, JSON.stringify(stored.body)).toBe(201);
      free -= filler;
    }
    const expenses = [
      await submit({ amount: 23 }),
      await submit({ amount: 24 }),
      await submit({ amount: 25 }),
    ];
    const answers = await Promise.all(
      expenses.map((id, i) =>
        uploadFile(`/api/expenses/${id}/receipts`, tokens.grace, pdfOf(file, 200 + i), 'r.pdf'),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 413, 413]);
    const refused = answers.find((a) => a.status === 413);
    expect(refused?.contentType).toContain('application/problem+json');
    expect(refused?.body.type).toContain('receipt-storage-quota');
    expect(refused?.body.detail).toContain(`at most ${COMPANY_QUOTA} bytes`);
    const usage = await storedBytes();
    expect(usage.stored).toBe(usage.actual);
    expect(usage.stored).toBeLessThanOrEqual(COMPANY_QUOTA);
    // Even a tiny image no longer fits once the quota is all but used.
    const full = await uploadFile(
      `/api/expenses/${expenses[1]}/receipts`,
      tokens.grace,
      pdfOf(COMPANY_QUOTA - usage.stored + 1, 300),
      'r.pdf',
    );
    expect(full.status).toBe(413);
  });
});
