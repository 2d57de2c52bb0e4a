import { type Logger, type RepeatedRounds, repeatRounds } from '@countersign/platform';
import { type DeliveryDeps, deliverDueWebhooks } from '../use-cases/deliver-due-webhooks.js';

/**
 * Sends due webhook deliveries, a door like a consumer: every `pollMs` it takes a batch
 * and, while batches come back full, the next one at once. Every replica runs one; the
 * claim's SKIP LOCKED keeps them off each other's rows. A failed round is logged and the
 * next one tries again.
 */
export function startWebhookDispatcher(
  deps: DeliveryDeps & { logger: Logger; pollMs: number },
): RepeatedRounds {
  return repeatRounds({
    name: 'webhook delivery',
    logger: deps.logger,
    intervalMs: deps.pollMs,
    round: () => runRound(deps),
  });
}

/** One round; answers the delay before the next (none when the batch was full). */
async function runRound(deps: DeliveryDeps & { logger: Logger; pollMs: number }): Promise<number> {
  try {
    const claimed = await deliverDueWebhooks(deps);
    return claimed >= deps.batchSize ? 0 : deps.pollMs;
  } catch (error) {
    deps.logger.error({ err: error }, 'webhook delivery round failed; retrying next round');
    return deps.pollMs;
  }
}
