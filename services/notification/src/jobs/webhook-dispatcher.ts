import type { Logger } from '@countersign/platform';
import { type DeliveryDeps, deliverDueWebhooks } from '../use-cases/deliver-due-webhooks.js';

/**
 * Sends due webhook deliveries, a door like a consumer: every `pollMs` it takes a batch
 * and, while batches come back full, the next one at once. Every replica runs one; the
 * claim's SKIP LOCKED keeps them off each other's rows. A failed round is logged and the
 * next one tries again.
 */
export function startWebhookDispatcher(deps: DeliveryDeps & { logger: Logger; pollMs: number }): {
  stop: () => Promise<void>;
} {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runRound(deps).then(schedule);
    }, delayMs);
    timer.unref();
  };
  schedule(deps.pollMs);
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
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
