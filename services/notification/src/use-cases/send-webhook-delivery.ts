import { signWebhook } from '@countersign/contracts';
import type { Kysely, Transaction } from 'kysely';
import type { NotificationDatabase } from '../db/types.js';
import { releaseEndpoint } from '../db/webhook-dispatch-queries.js';
import { nextRetry, type RetrySettings } from '../domain/retry-schedule.js';
import type { PostWebhook, WebhookResponse } from '../outbound/post-webhook.js';
import type { ClaimedDelivery } from './claim-due-webhook-deliveries.js';

export interface SendDeps {
  db: Kysely<NotificationDatabase>;
  post: PostWebhook;
  now: () => Date;
  /** In [0, 1): the jitter's draw. */
  random: () => number;
  retry: RetrySettings;
}

const MAX_ERROR_LENGTH = 500;

/**
 * One attempt at a claimed delivery: signs it, POSTs it (within the poster's own
 * timeout), records the outcome and frees the endpoint for its next delivery, in one
 * transaction. Never throws for the receiver's failures: those are the outcome.
 */
export async function sendWebhookDelivery(
  deps: SendDeps,
  delivery: ClaimedDelivery,
): Promise<void> {
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
  await deps.db.transaction().execute(async (trx) => {
    await record(deps, trx, delivery, response);
    await releaseEndpoint(trx, delivery.endpointId, delivery.claim);
  });
}

/** Stores the attempt's outcome, unless another replica took the row over meanwhile. */
async function record(
  deps: SendDeps,
  trx: Transaction<NotificationDatabase>,
  delivery: ClaimedDelivery,
  response: WebhookResponse,
) {
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
  await trx
    .updateTable('webhook_delivery')
    .set({ ...common, ...outcome })
    .where('id', '=', delivery.id)
    .where('attempts', '=', delivery.attempts)
    .where('status', '=', 'pending')
    .execute();
}

function failure(
  deps: SendDeps,
  delivery: ClaimedDelivery,
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
