import { type Kysely, sql } from 'kysely';
import type { KeyRecord, StoredResponse } from '../domain/idempotency.js';
import type { IdentityDatabase } from './types.js';

/** Keys are the caller's own: the same string from another person or company is another key. */
export interface KeyScope {
  companyId: string;
  subject: string;
  key: string;
}

export interface Claim {
  method: string;
  path: string;
  fingerprint: string;
  /** New for every claim, so only the request holding the key can answer or release it. */
  claimToken: string;
  leaseSeconds: number;
}

/** What is stored under a key, as the domain sees it, read with the database's clock. */
export interface KeySnapshot {
  record: KeyRecord;
  claimToken: string;
  now: Date;
}

const leaseFromNow = (seconds: number) => sql<Date>`now() + make_interval(secs => ${seconds})`;

/**
 * Claims a key nobody holds: one insert, so of racing requests (on any replica) exactly
 * one gets it. False when a row is already there.
 */
export async function insertClaim(
  db: Kysely<IdentityDatabase>,
  scope: KeyScope,
  claim: Claim,
): Promise<boolean> {
  const row = await db
    .insertInto('idempotency_key')
    .values({
      company_id: scope.companyId,
      subject: scope.subject,
      key: scope.key,
      method: claim.method,
      path: claim.path,
      fingerprint: claim.fingerprint,
      claim_token: claim.claimToken,
      created_at: sql<Date>`now()`,
      lease_until: leaseFromNow(claim.leaseSeconds),
    })
    .onConflict((oc) => oc.columns(['company_id', 'subject', 'key']).doNothing())
    .returning('claim_token')
    .executeTakeFirst();
  return row !== undefined;
}

export async function findKey(
  db: Kysely<IdentityDatabase>,
  scope: KeyScope,
): Promise<KeySnapshot | undefined> {
  const row = await db
    .selectFrom('idempotency_key')
    .select([
      'fingerprint',
      'claim_token',
      'created_at',
      'lease_until',
      'response_status',
      'response_content_type',
      'response_body',
      sql<Date>`now()`.as('db_now'),
    ])
    .where('company_id', '=', scope.companyId)
    .where('subject', '=', scope.subject)
    .where('key', '=', scope.key)
    .executeTakeFirst();
  if (!row) return undefined;
  const response: StoredResponse | null =
    row.response_status === null
      ? null
      : {
          status: row.response_status,
          contentType: row.response_content_type ?? 'application/json',
          body: row.response_body ?? '',
        };
  return {
    record: {
      fingerprint: row.fingerprint,
      createdAt: row.created_at,
      leaseUntil: row.lease_until,
      response,
    },
    claimToken: row.claim_token,
    now: row.db_now,
  };
}

/**
 * Takes a key over from the claim that was seen (expired, or whose lease ran out), as a
 * new claim. Compare-and-set on the claim token: of two retries taking over at once, one
 * wins and the other sees the winner's claim next time.
 */
export async function takeOverClaim(
  db: Kysely<IdentityDatabase>,
  scope: KeyScope,
  seenClaimToken: string,
  claim: Claim,
): Promise<boolean> {
  const result = await db
    .updateTable('idempotency_key')
    .set({
      method: claim.method,
      path: claim.path,
      fingerprint: claim.fingerprint,
      claim_token: claim.claimToken,
      created_at: sql<Date>`now()`,
      lease_until: leaseFromNow(claim.leaseSeconds),
      response_status: null,
      response_content_type: null,
      response_body: null,
      completed_at: null,
    })
    .where('company_id', '=', scope.companyId)
    .where('subject', '=', scope.subject)
    .where('key', '=', scope.key)
    .where('claim_token', '=', seenClaimToken)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Stores the final answer, if this claim still holds the key (it may have been taken over). */
export async function storeAnswer(
  db: Kysely<IdentityDatabase>,
  scope: KeyScope,
  claimToken: string,
  response: StoredResponse,
): Promise<boolean> {
  const result = await db
    .updateTable('idempotency_key')
    .set({
      response_status: response.status,
      response_content_type: response.contentType,
      response_body: response.body,
      completed_at: sql<Date>`now()`,
      lease_until: null,
    })
    .where('company_id', '=', scope.companyId)
    .where('subject', '=', scope.subject)
    .where('key', '=', scope.key)
    .where('claim_token', '=', claimToken)
    .where('completed_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Frees the key after an answer that is not final, so a retry runs the request again. */
export async function releaseClaim(
  db: Kysely<IdentityDatabase>,
  scope: KeyScope,
  claimToken: string,
): Promise<void> {
  await db
    .deleteFrom('idempotency_key')
    .where('company_id', '=', scope.companyId)
    .where('subject', '=', scope.subject)
    .where('key', '=', scope.key)
    .where('claim_token', '=', claimToken)
    .where('completed_at', 'is', null)
    .execute();
}

/**
 * Deletes up to `batchSize` keys older than the retention. Rows another replica is
 * deleting (or a request is taking over) are skipped, not waited for, so replicas can
 * sweep at once.
 */
export async function deleteExpiredKeys(
  db: Kysely<IdentityDatabase>,
  retentionSeconds: number,
  batchSize: number,
): Promise<number> {
  const result = await db
    .deleteFrom('idempotency_key')
    .where(({ eb, refTuple, selectFrom }) =>
      eb(
        refTuple('company_id', 'subject', 'key'),
        'in',
        selectFrom('idempotency_key')
          .select(['company_id', 'subject', 'key'])
          .where('created_at', '<', sql<Date>`now() - make_interval(secs => ${retentionSeconds})`)
          .limit(batchSize)
          .forUpdate()
          .skipLocked()
          .$asTuple('company_id', 'subject', 'key'),
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
