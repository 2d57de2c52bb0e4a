import { type Insertable, type Kysely, sql, type Transaction } from 'kysely';
import type { ExpenseDatabase, ReceiptRow, ReceiptTable } from './types.js';

type Db = Kysely<ExpenseDatabase>;
type Trx = Transaction<ExpenseDatabase>;

export async function insertReceipt(trx: Trx, receipt: Insertable<ReceiptTable>): Promise<void> {
  await trx.insertInto('receipt').values(receipt).execute();
}

export async function listReceiptsOf(db: Db, expenseId: string): Promise<ReceiptRow[]> {
  return db
    .selectFrom('receipt')
    .selectAll()
    .where('expense_id', '=', expenseId)
    .orderBy('uploaded_at')
    .orderBy('id')
    .execute();
}

export async function findReceipt(
  db: Db,
  expenseId: string,
  receiptId: string,
): Promise<ReceiptRow | undefined> {
  return db
    .selectFrom('receipt')
    .selectAll()
    .where('expense_id', '=', expenseId)
    .where('id', '=', receiptId)
    .executeTakeFirst();
}

export async function hasReceipt(db: Db, expenseId: string): Promise<boolean> {
  const row = await db
    .selectFrom('receipt')
    .select('id')
    .where('expense_id', '=', expenseId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The first other expense of the company holding a receipt with these bytes. */
export async function findExpenseWithReceiptHash(
  trx: Trx,
  companyId: string,
  sha256: string,
  otherThan: string,
): Promise<string | undefined> {
  const row = await trx
    .selectFrom('receipt')
    .select('expense_id')
    .where('company_id', '=', companyId)
    .where('sha256', '=', sha256)
    .where('expense_id', '<>', otherThan)
    .orderBy('uploaded_at')
    .limit(1)
    .executeTakeFirst();
  return row?.expense_id;
}

/**
 * Adds a warning for the approvers to an expense unless it is there already. Flags only
 * ever grow: what the submitter entered is never touched.
 */
export async function addExpenseFlag(trx: Trx, expenseId: string, flag: string): Promise<void> {
  await trx
    .updateTable('expense')
    .set({ flags: sql`array_append(coalesce(flags, '{}'::text[]), ${flag})` })
    .where('id', '=', expenseId)
    .where(sql<boolean>`not (${flag} = any(coalesce(flags, '{}'::text[])))`)
    .execute();
}

/**
 * Claims the oldest receipt waiting for OCR whose earlier claim (if any) has lapsed: FOR
 * UPDATE SKIP LOCKED lets every replica's worker claim without waiting on the others, and
 * the lease makes a claim whose worker died available again after `leaseSeconds`.
 */
export async function claimPendingReceipt(
  db: Db,
  now: Date,
  leaseSeconds: number,
): Promise<ReceiptRow | undefined> {
  return db
    .updateTable('receipt')
    .set({
      ocr_claimed_until: new Date(now.getTime() + leaseSeconds * 1000),
      ocr_attempts: sql`ocr_attempts + 1`,
    })
    .where(
      'id',
      '=',
      db
        .selectFrom('receipt')
        .select('id')
        .where('ocr_status', '=', 'pending')
        .where((eb) =>
          eb.or([eb('ocr_claimed_until', 'is', null), eb('ocr_claimed_until', '<', now)]),
        )
        .orderBy('uploaded_at')
        .limit(1)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .executeTakeFirst();
}

/** Lets a claimed receipt be taken again at once (the read failed, attempts remain). */
export async function releaseReceiptClaim(db: Db, receipt: ReceiptRow): Promise<void> {
  await db
    .updateTable('receipt')
    .set({ ocr_claimed_until: null })
    .where('id', '=', receipt.id)
    .where('ocr_claimed_until', '=', receipt.ocr_claimed_until)
    .execute();
}

export interface OcrOutcome {
  ocr_status: 'done' | 'failed' | 'unsupported';
  ocr_text: string | null;
  ocr_result: string | null;
  ocr_confidence: number | null;
  processed_at: Date;
  verified: boolean;
  mismatches: string;
}

/**
 * Records what OCR found if the receipt is still pending under this worker's claim
 * (`claimedUntil`); false, changing nothing, when the claim lapsed and another worker took
 * the receipt. The use case adds the event announcing it.
 */
export async function recordOcrOutcome(
  trx: Trx,
  receipt: Pick<ReceiptRow, 'id' | 'ocr_claimed_until'>,
  outcome: OcrOutcome,
): Promise<boolean> {
  const updated = await trx
    .updateTable('receipt')
    .set({ ...outcome, ocr_claimed_until: null })
    .where('id', '=', receipt.id)
    .where('ocr_status', '=', 'pending')
    .where('ocr_claimed_until', '=', receipt.ocr_claimed_until)
    .executeTakeFirst();
  return updated.numUpdatedRows > 0n;
}
