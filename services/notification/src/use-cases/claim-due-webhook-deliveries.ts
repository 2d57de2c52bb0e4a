import type { Kysely } from 'kysely';
import type { NotificationDatabase } from '../db/types.js';
import {
  countInFlightByCompany,
  findDispatchCandidates,
  lockDispatchClaims,
  markInFlight,
} from '../db/webhook-dispatch-queries.js';
import { pickFairly } from '../domain/webhook-limits.js';

export interface ClaimDeps {
  db: Kysely<NotificationDatabase>;
  now: () => Date;
  /** How long a claimed endpoint is held: past one attempt's timeout. */
  leaseMs: number;
  /** Endpoints of one company in flight at once, all replicas together. */
  perCompany: number;
}

/** A delivery claimed for one attempt, with what signing and sending it needs. */
export interface ClaimedDelivery {
  id: string;
  endpointId: string;
  /** The claim's token: only it frees the endpoint afterwards. */
  claim: string;
  attempts: number;
  created_at: Date;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  event_id: string;
  payload: string;
}

/**
 * Claims up to `slots` due deliveries, at most one per endpoint and only of endpoints with
 * none in flight, dealt fairly across companies (domain/webhook-limits.ts, pickFairly).
 * Each claimed endpoint is marked in flight with a lease: if this replica dies
 * mid-attempt, the endpoint is free again once the lease is over and its delivery, still
 * pending and due, is claimed again. Nothing is held open across the sends.
 */
export async function claimDueWebhookDeliveries(
  deps: ClaimDeps,
  slots: number,
): Promise<ClaimedDelivery[]> {
  if (slots <= 0) return [];
  const now = deps.now();
  return deps.db.transaction().execute(async (trx) => {
    await lockDispatchClaims(trx);
    const candidates = await findDispatchCandidates(trx, now);
    if (candidates.length === 0) return [];
    const picked = pickFairly({
      candidates,
      busy: await countInFlightByCompany(trx, now),
      slots,
      perCompany: deps.perCompany,
    });
    const marked = await markInFlight(
      trx,
      picked.map((candidate) => candidate.endpointId),
      now,
      new Date(now.getTime() + deps.leaseMs),
    );
    if (marked.length === 0) return [];
    const details = await trx
      .selectFrom('webhook_delivery as d')
      .innerJoin('webhook_endpoint as e', 'e.id', 'd.endpoint_id')
      .innerJoin('webhook_event as v', 'v.event_id', 'd.event_id')
      .select([
        'd.id',
        'd.attempts',
        'd.created_at',
        'e.url',
        'e.secret',
        'e.previous_secret',
        'e.previous_secret_expires_at',
        'v.event_id',
        'v.payload',
      ])
      .where(
        'd.id',
        'in',
        marked.map((row) => row.deliveryId),
      )
      .execute();
    const byId = new Map(details.map((row) => [row.id, row]));
    return marked.flatMap(({ endpointId, deliveryId, claim }) => {
      const row = byId.get(deliveryId);
      return row ? [{ ...row, endpointId, claim }] : [];
    });
  });
}
