import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
// The client addresses each account signed in from with its password (its good record,
// see domain/sign-in-lockout.ts), an index to expire registrations nobody verified, and
// the queue of code requests (reset, resend) answered off the request path.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sign_in_address')
    .addColumn('user_id', 'uuid', (c) =>
      c.notNull().references('credential.user_id').onDelete('cascade'),
    )
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('last_signed_in_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('sign_in_address_pkey', ['user_id', 'address'])
    .execute();
  await db.schema
    .createIndex('registration_created_at_idx')
    .on('registration')
    .column('created_at')
    .execute();
  await db.schema
    .createTable('code_request')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}
