import { type Logger, repeatRounds } from '@countersign/platform';
import {
  type ClaimDeps,
  type ClaimedDelivery,
  claimDueWebhookDeliveries,
} from '../use-cases/claim-due-webhook-deliveries.js';
import { type SendDeps, sendWebhookDelivery } from '../use-cases/send-webhook-delivery.js';

export interface DispatcherDeps extends ClaimDeps, SendDeps {
  logger: Logger;
  pollMs: number;
  /** Attempts this replica runs at once, all companies together. */
  concurrency: number;
}

export interface WebhookDispatcher {
  /** Claims nothing more and waits for the attempts in flight (each within its timeout). */
  stop(): Promise<void>;
}

/**
 * Sends due webhook deliveries, a door like a consumer; every replica runs one. Each
 * delivery runs on its own, with its own timeout: a round claims as many deliveries as
 * there are free slots (`concurrency`), starts them and ends without waiting for them,
 * so one slow receiver holds its one slot and nothing else. When every slot is taken,
 * the next round starts as soon as one frees. Which deliveries get the slots is the
 * claim's business: one per endpoint, dealt fairly across companies.
 */
export function startWebhookDispatcher(deps: DispatcherDeps): WebhookDispatcher {
  const running = new Set<Promise<void>>();
  const start = (delivery: ClaimedDelivery) => {
    const attempt: Promise<void> = sendWebhookDelivery(deps, delivery)
      .catch((error: unknown) => {
        // Its endpoint stays marked until the lease ends; then the delivery is tried again.
        deps.logger.error(
          { err: error, delivery_id: delivery.id },
          'webhook delivery attempt could not be recorded',
        );
      })
      .finally(() => running.delete(attempt));
    running.add(attempt);
  };
  const rounds = repeatRounds({
    name: 'webhook delivery',
    logger: deps.logger,
    intervalMs: deps.pollMs,
    round: async (stopping) => {
      // Every slot taken: wait for one to free (an attempt ends within its timeout).
      if (running.size >= deps.concurrency) await Promise.race(running);
      if (stopping()) return deps.pollMs;
      const free = deps.concurrency - running.size;
      const claimed = await claimDueWebhookDeliveries(deps, free);
      for (const delivery of claimed) start(delivery);
      // A full claim may have left more due: look again at once.
      return claimed.length >= free ? 0 : deps.pollMs;
    },
  });
  return {
    async stop() {
      await rounds.stop();
      await Promise.allSettled([...running]);
    },
  };
}
