import type { ReceiptOcrFailure } from '@countersign/contracts';
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
 * Claims a receipt waiting for OCR whose earlier claim (if any) has lapsed, taking turns
 * between companies: the company whose turn came longest ago (or never) goes first, and
 * its oldest receipt is taken, so one company's backlog of a thousand receipts cannot
 * starve another company's one. FOR UPDATE SKIP LOCKED lets every replica's worker claim
 * without waiting on the others, and the lease makes a claim whose worker died available
 * again after `leaseSeconds`. The claim and the company's new turn commit together.
 */
export async function claimPendingReceipt(
  db: Db,
  now: Date,
  leaseSeconds: number,
): Promise<ReceiptRow | undefined> {
  return db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('receipt')
      .set({
        ocr_claimed_until: new Date(now.getTime() + leaseSeconds * 1000),
        ocr_attempts: sql`ocr_attempts + 1`,
      })
      .where(
        'id',
        '=',
        trx
          .selectFrom('receipt')
          .leftJoin('receipt_company', 'receipt_company.company_id', 'receipt.company_id')
          .select('receipt.id')
          .where('receipt.ocr_status', '=', 'pending')
          .where((eb) =>
            eb.or([
              eb('receipt.ocr_claimed_until', 'is', null),
              eb('receipt.ocr_claimed_until', '<', now),
            ]),
          )
          .orderBy(sql`receipt_company.ocr_turn asc nulls first`)
          .orderBy('receipt.uploaded_at')
          .orderBy('receipt.id')
          .limit(1)
          // Only the receipt row is locked (kysely's forUpdate(of) trips on the schema plugin).
          .modifyEnd(sql`for update of receipt skip locked`),
      )
      .returningAll()
      .executeTakeFirst();
    if (claimed) await takeOcrTurn(trx, claimed.company_id);
    return claimed;
  });
}

/** Moves the company to the back of the OCR rotation. */
async function takeOcrTurn(trx: Trx, companyId: string): Promise<void> {
  await trx
    .insertInto('receipt_company')
    .values({ company_id: companyId, stored_bytes: 0 })
    .onConflict((oc) => oc.column('company_id').doNothing())
    .execute();
  await trx
    .updateTable('receipt_company')
    .set((eb) => ({
      ocr_turn: eb
        .selectFrom('receipt_company')
        .select(sql<string>`coalesce(max(ocr_turn), 0) + 1`.as('turn')),
    }))
    .where('company_id', '=', companyId)
    .execute();
}

/** How many receipts the expense holds (read under the expense's row lock). */
export async function countReceiptsOf(trx: Trx | Db, expenseId: string): Promise<number> {
  const row = await trx
    .selectFrom('receipt')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('expense_id', '=', expenseId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * Adds a file's bytes to the company's stored total and returns the new total. The upsert
 * takes the company row's lock until the transaction ends, so concurrent uploads of one
 * company add up one after another and each sees the others' bytes.
 */
export async function addStoredBytes(trx: Trx, companyId: string, bytes: number): Promise<number> {
  const row = await trx
    .insertInto('receipt_company')
    .values({ company_id: companyId, stored_bytes: bytes })
    .onConflict((oc) =>
      oc
        .column('company_id')
        .doUpdateSet({ stored_bytes: sql`receipt_company.stored_bytes + excluded.stored_bytes` }),
    )
    .returning('stored_bytes')
    .executeTakeFirstOrThrow();
  return Number(row.stored_bytes);
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
  ocr_failure: ReceiptOcrFailure | null;
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
