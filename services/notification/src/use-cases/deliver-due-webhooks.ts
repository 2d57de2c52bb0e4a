import { signWebhook } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import type { NotificationDatabase } from '../db/types.js';
import { nextRetry, type RetrySettings } from '../domain/retry-schedule.js';
import type { PostWebhook, WebhookResponse } from '../outbound/post-webhook.js';

export interface DeliveryDeps {
  db: Kysely<NotificationDatabase>;
  post: PostWebhook;
  now: () => Date;
  /** In [0, 1): the jitter's draw. */
  random: () => number;
  retry: RetrySettings;
  /** How long a claimed delivery is hidden from other replicas: past one attempt's timeout. */
  leaseMs: number;
  batchSize: number;
}

interface Claimed {
  id: string;
  attempts: number;
  created_at: Date;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  event_id: string;
  payload: string;
}

const MAX_ERROR_LENGTH = 500;

/**
 * One round of the dispatcher: claims due deliveries (SKIP LOCKED, so replicas share the
 * work and never take the same row), sends each, and records the outcome. Returns how
 * many were claimed. A claimed row's lease is its next_attempt_at: if this process dies
 * mid-attempt, the row falls due again once the lease is over.
 */
export async function deliverDueWebhooks(deps: DeliveryDeps): Promise<number> {
  const claimed = await claimDue(deps);
  await Promise.all(claimed.map((delivery) => attempt(deps, delivery)));
  return claimed.length;
}

async function claimDue(deps: DeliveryDeps): Promise<Claimed[]> {
  const now = deps.now();
  const ids = await deps.db
    .updateTable('webhook_delivery')
    .set({ next_attempt_at: new Date(now.getTime() + deps.leaseMs) })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('webhook_delivery as d')
        .innerJoin('webhook_endpoint as e', 'e.id', 'd.endpoint_id')
        .select('d.id')
        .where('d.status', '=', 'pending')
        .where('d.next_attempt_at', '<=', now)
        .where('e.active', '=', true)
        .orderBy('d.next_attempt_at')
        .limit(deps.batchSize)
        .forUpdate('d')
        .skipLocked(),
    )
    .returning('id')
    .execute();
  if (ids.length === 0) return [];
  return deps.db
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
      ids.map((row) => row.id),
    )
    .execute();
}

async function attempt(deps: DeliveryDeps, delivery: Claimed): Promise<void> {
  const sentAt = deps.now();
  const previousLive =
    delivery.previous_secret !== null &&
    delivery.previous_secret_expires_at !== null &&
    delivery.previous_secret_expires_at > sentAt;
  const secrets = previousLive
    ? [delivery.secret, delivery.previous_secret as string]
    : [delivery.secret];
  const headers = signWebhook(
    secrets,
    delivery.event_id,
    Math.floor(sentAt.getTime() / 1000),
    delivery.payload,
  );
  let response: WebhookResponse;
  try {
    response = await deps.post({ url: delivery.url, headers, body: delivery.payload });
  } catch (error) {
    response = {
      ok: false,
      status: null,
      error: error instanceof Error ? error.message : String(error),
    };
  }
  await record(deps, delivery, response);
}

/** Stores the attempt's outcome, unless another replica took the row over meanwhile. */
async function record(deps: DeliveryDeps, delivery: Claimed, response: WebhookResponse) {
  const finishedAt = deps.now();
  const attempts = delivery.attempts + 1;
  const common = {
    attempts,
    last_attempt_at: finishedAt,
    last_response_code: response.status,
  };
  const outcome = response.ok
    ? {
        // last_error stays: it tells what the attempts before this one ran into.
        status: 'succeeded' as const,
        next_attempt_at: null,
        delivered_at: finishedAt,
      }
    : failure(deps, delivery, attempts, finishedAt, response.error);
  await deps.db
    .updateTable('webhook_delivery')
    .set({ ...common, ...outcome })
    .where('id', '=', delivery.id)
    .where('attempts', '=', delivery.attempts)
    .where('status', '=', 'pending')
    .execute();
}

function failure(
  deps: DeliveryDeps,
  delivery: Claimed,
  attempts: number,
  failedAt: Date,
  error: string,
) {
  const decision = nextRetry({
    attempts,
    createdAt: delivery.created_at,
    failedAt,
    random: deps.random(),
    settings: deps.retry,
  });
  return {
    status: decision.kind === 'retry' ? ('pending' as const) : ('failed' as const),
    last_error: error.slice(0, MAX_ERROR_LENGTH),
    next_attempt_at: decision.kind === 'retry' ? decision.at : null,
  };
}
