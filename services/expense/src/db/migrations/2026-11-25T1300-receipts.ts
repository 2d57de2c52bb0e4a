import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // One uploaded receipt file of an expense: the bytes live in the receipt storage under
  // storage_key; the row holds what was checked (magic bytes, SHA-256) and what OCR read.
  await db.schema
    .createTable('receipt')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('company_id', 'uuid', (c) => c.notNull())
    .addColumn('expense_id', 'uuid', (c) => c.notNull().references('expense.id'))
    .addColumn('file_name', 'text')
    .addColumn('media_type', 'text', (c) =>
      c.notNull().check(sql`media_type in ('image/png', 'image/jpeg', 'application/pdf')`),
    )
    .addColumn('size_bytes', 'integer', (c) => c.notNull().check(sql`size_bytes > 0`))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull().unique())
    .addColumn('uploaded_by', 'uuid', (c) => c.notNull())
    .addColumn('uploaded_at', 'timestamptz', (c) => c.notNull())
    .addColumn('duplicate_of', 'uuid')
    .addColumn('ocr_status', 'text', (c) =>
      c.notNull().check(sql`ocr_status in ('pending', 'done', 'failed', 'unsupported')`),
    )
    // The OCR worker's lease: a claim that outlives its worker (a crash) expires and
    // another replica takes the receipt again, at most ocr_attempts times.
    .addColumn('ocr_claimed_until', 'timestamptz')
    .addColumn('ocr_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ocr_text', 'text')
    .addColumn('ocr_result', 'jsonb')
    .addColumn('ocr_confidence', 'real')
    .addColumn('processed_at', 'timestamptz')
    .addColumn('verified', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('mismatches', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
  await db.schema.createIndex('receipt_by_expense').on('receipt').column('expense_id').execute();
  await db.schema
    .createIndex('receipt_by_hash')
    .on('receipt')
    .columns(['company_id', 'sha256'])
    .execute();
  // The worker's queue: only the receipts still waiting to be read.
  await db.schema
    .createIndex('receipt_ocr_pending')
    .on('receipt')
    .column('uploaded_at')
    .where(sql.ref('ocr_status'), '=', 'pending')
    .execute();
  // Duplicate detection at submit: same submitter, spend date and amount in its currency.
  await db.schema
    .createIndex('expense_duplicate_probe')
    .on('expense')
    .columns(['company_id', 'submitter_id', 'spend_date', 'original_amount'])
    .execute();
}
