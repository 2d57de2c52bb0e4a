import { sql, type Transaction } from 'kysely';
import type { IdentityDatabase } from './types.js';

type Trx = Transaction<IdentityDatabase>;

/**
 * One advisory lock per person orders token issuing against revoking (both held to the
 * transaction's end). Issuers share it; a revocation takes it alone, as its last lock, and
 * only then reads the clock for `not_before`. So a token is either issued before the
 * revocation's clock reading (and refused by it) or after its commit (and made from the
 * changed login). Taken last by both sides, it cannot close a cycle with row locks.
 */
const accessLockKey = (userId: string) => sql`hashtextextended(${`identity.access:${userId}`}, 0)`;

export async function lockAccessShared(trx: Trx, userId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock_shared(${accessLockKey(userId)})`.execute(trx);
}

export async function lockAccessExclusive(trx: Trx, userId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(${accessLockKey(userId)})`.execute(trx);
}
