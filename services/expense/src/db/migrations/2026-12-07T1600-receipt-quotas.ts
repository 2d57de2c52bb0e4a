import { type Kysely, sql } from 'kysely';

/** The tables as this migration knows them (frozen with it, not the current types). */
interface Tables {
  receipt: { company_id: string; size_bytes: number };
  receipt_company: { company_id: string; stored_bytes: string };
}

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per company that has receipts: the bytes its receipts hold (the storage
  // quota is checked against it, updated in the upload's own transaction, so two uploads
  // at once cannot both pass the limit) and its place in the OCR queue's rotation.
  await db.schema
    .createTable('receipt_company')
    .addColumn('company_id', 'uuid', (c) => c.primaryKey())
    .addColumn('stored_bytes', 'bigint', (c) =>
      c.notNull().defaultTo(0).check(sql`stored_bytes >= 0`),
    )
    // The turn at which the OCR worker last took one of the company's receipts (one more
    // than the latest turn); the company whose turn is oldest, or never came, goes next.
    .addColumn('ocr_turn', 'bigint')
    .execute();
  await db.schema
    .createIndex('receipt_company_ocr_turn')
    .on('receipt_company')
    .column('ocr_turn')
    .execute();
  const typed = db as Kysely<Tables>;
  await typed
    .insertInto('receipt_company')
    .columns(['company_id', 'stored_bytes'])
    .expression(
      typed
        .selectFrom('receipt')
        .select(['company_id', sql<string>`sum(size_bytes)`.as('stored_bytes')])
        .groupBy('company_id'),
    )
    .execute();
  // The queue per company: each company's oldest pending receipt is found at once.
  await db.schema
    .createIndex('receipt_ocr_pending_by_company')
    .on('receipt')
    .columns(['company_id', 'uploaded_at'])
    .where(sql.ref('ocr_status'), '=', 'pending')
    .execute();
  // Why a read failed: `timeout`, `image-too-large` or `unreadable`.
  await db.schema.alterTable('receipt').addColumn('ocr_failure', 'text').execute();
}
