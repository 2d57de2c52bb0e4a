import { type Kysely, sql, type Transaction } from 'kysely';
import type { DispatchCandidate } from '../domain/webhook-limits.js';
import type { NotificationDatabase } from './types.js';

type Trx = Transaction<NotificationDatabase>;

/**
 * Claims are serialised across replicas by this transaction-scoped lock: a claim reads
 * which endpoints are free and how many each company has in flight, then marks its picks,
 * and no other claim may read in between (a claim takes milliseconds; the sends happen
 * after it commits).
 */
export async function lockDispatchClaims(trx: Trx): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('notification.webhook_dispatch_claim'))`.execute(
    trx,
  );
}

/** How many candidates one claim weighs at most: the longest-waiting endpoints first. */
const CANDIDATE_LIMIT = 1000;

/**
 * Active endpoints with nothing in flight (or whose claim's lease is over) and a due
 * delivery, each with when its oldest due delivery fell due. One index probe per endpoint
 * (`webhook_delivery_endpoint_due`), whatever the size of an endpoint's backlog.
 */
export async function findDispatchCandidates(trx: Trx, now: Date): Promise<DispatchCandidate[]> {
  const rows = await trx
    .selectFrom('webhook_endpoint as e')
    .innerJoinLateral(
      (eb) =>
        eb
          .selectFrom('webhook_delivery as d')
          .select('d.next_attempt_at as due_at')
          .whereRef('d.endpoint_id', '=', 'e.id')
          .where('d.status', '=', 'pending')
          .where('d.next_attempt_at', '<=', now)
          .orderBy('d.next_attempt_at')
          .limit(1)
          .as('first_due'),
      (join) => join.onTrue(),
    )
    .select(['e.id', 'e.company_id', 'first_due.due_at'])
    .where('e.active', '=', true)
    .where((eb) => eb.or([eb('e.in_flight_until', 'is', null), eb('e.in_flight_until', '<=', now)]))
    .orderBy('first_due.due_at')
    .limit(CANDIDATE_LIMIT)
    .execute();
  return rows.map((row) => ({
    endpointId: row.id,
    companyId: row.company_id,
    dueAt: row.due_at as Date,
  }));
}

/** Per company, its endpoints in flight now (on any replica). */
export async function countInFlightByCompany(trx: Trx, now: Date): Promise<Map<string, number>> {
  const rows = await trx
    .selectFrom('webhook_endpoint')
    .select(['company_id', (eb) => eb.fn.countAll<string>().as('in_flight')])
    .where('in_flight_until', '>', now)
    .groupBy('company_id')
    .execute();
  return new Map(rows.map((row) => [row.company_id, Number(row.in_flight)]));
}

/**
 * Takes the picked endpoints, skipping any a change (PATCH, DELETE) holds locked right
 * now, and for each its oldest due delivery; marks each taken endpoint in flight until
 * `leaseUntil` with a fresh claim token. Answers the deliveries with their claim.
 */
export async function markInFlight(
  trx: Trx,
  endpointIds: readonly string[],
  now: Date,
  leaseUntil: Date,
): Promise<{ endpointId: string; deliveryId: string; claim: string }[]> {
  if (endpointIds.length === 0) return [];
  const locked = await trx
    .selectFrom('webhook_endpoint')
    .select('id')
    .where('id', 'in', endpointIds)
    .where('active', '=', true)
    .forUpdate()
    .skipLocked()
    .execute();
  if (locked.length === 0) return [];
  const oldest = await trx
    .selectFrom('webhook_delivery')
    .distinctOn('endpoint_id')
    .select(['endpoint_id', 'id'])
    .where(
      'endpoint_id',
      'in',
      locked.map((row) => row.id),
    )
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .orderBy('endpoint_id')
    .orderBy('next_attempt_at')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  if (oldest.length === 0) return [];
  const marked = await trx
    .updateTable('webhook_endpoint')
    .set({ in_flight_until: leaseUntil, in_flight_claim: sql<string>`gen_random_uuid()` })
    .where(
      'id',
      'in',
      oldest.map((row) => row.endpoint_id),
    )
    .returning(['id', 'in_flight_claim'])
    .execute();
  const claimOf = new Map(marked.map((row) => [row.id, row.in_flight_claim as string]));
  return oldest.map((row) => ({
    endpointId: row.endpoint_id,
    deliveryId: row.id,
    claim: claimOf.get(row.endpoint_id) as string,
  }));
}

/** Frees an endpoint after an attempt, unless its lease ran out and another claim took it. */
export async function releaseEndpoint(
  db: Kysely<NotificationDatabase> | Trx,
  endpointId: string,
  claim: string,
): Promise<void> {
  await db
    .updateTable('webhook_endpoint')
    .set({ in_flight_until: null, in_flight_claim: null })
    .where('id', '=', endpointId)
    .where('in_flight_claim', '=', claim)
    .execute();
}
