import type { Kysely, Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { CodeRequestTable, IdentityDatabase } from './types.js';

export type RequestedCodePurpose = CodeRequestTable['purpose'];

/** Queues a code request; the same single insert whatever the address. */
export async function recordCodeRequest(
  db: Kysely<IdentityDatabase>,
  request: { purpose: RequestedCodePurpose; email: string },
): Promise<void> {
  await db
    .insertInto('code_request')
    .values({ id: uuidv7(), purpose: request.purpose, email: request.email.toLowerCase() })
    .execute();
}

/**
 * Takes up to `limit` waiting requests, oldest first, deleting them in the caller's
 * transaction: if it rolls back they wait again. SKIP LOCKED lets replicas share the queue.
 */
export function takeCodeRequests(trx: Transaction<IdentityDatabase>, limit: number) {
  return trx
    .deleteFrom('code_request')
    .where(
      'id',
      'in',
      trx
        .selectFrom('code_request')
        .select('id')
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returning(['id', 'purpose', 'email'])
    .execute();
}
