import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
// Private keys sealed under the KEK (see domain/key-sealing.ts). Rows written before keep
// their plaintext in private_jwk until the gateway's next start seals them and clears it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('signing_key')
    .alterColumn('private_jwk', (c) => c.dropNotNull())
    .addColumn('sealed_private_key', 'text')
    .addColumn('kek_id', 'text')
    .execute();
  // Sealed with a named KEK, or (until the next start) plain; never both, never neither.
  await db.schema
    .alterTable('signing_key')
    .addCheckConstraint(
      'signing_key_sealed_or_plain',
      sql`(sealed_private_key is not null and kek_id is not null and private_jwk is null)
        or (sealed_private_key is null and kek_id is null and private_jwk is not null)`,
    )
    .execute();
}
