import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // One delivery in flight per endpoint: the claim marks the endpoint with a lease (so a
  // replica that dies mid-attempt only delays it) and a token (so only that claim frees it).
  await db.schema
    .alterTable('webhook_endpoint')
    .addColumn('in_flight_until', 'timestamptz')
    .addColumn('in_flight_claim', 'uuid')
    .execute();
  // An endpoint's oldest due delivery, found per endpoint without reading its whole backlog.
  await db.schema
    .createIndex('webhook_delivery_endpoint_due')
    .on('webhook_delivery')
    .columns(['endpoint_id', 'next_attempt_at'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
}
