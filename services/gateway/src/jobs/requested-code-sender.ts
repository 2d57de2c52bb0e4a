import type { Logger } from '@countersign/platform';
import type { Kysely } from 'kysely';
import type { IdentityDatabase } from '../db/types.js';
import { CODE_REQUEST_BATCH, sendRequestedCodes } from '../use-cases/send-requested-codes.js';

export interface RequestedCodeSender {
  /** Runs the queue now (after a request was stored); a run in progress runs once more. */
  wake(): void;
  stop(): Promise<void>;
}

/**
 * A door like the mail relay: issues queued code requests when woken by the route that
 * stored one, and every `intervalMs` for requests a crashed replica left behind.
 */
export function startRequestedCodeSender(deps: {
  db: Kysely<IdentityDatabase>;
  now: () => Date;
  logger: Logger;
  mailQueued: () => void;
  intervalMs: number;
}): RequestedCodeSender {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const drain = async () => {
    do {
      again = false;
      let taken = 0;
      do {
        taken = await sendRequestedCodes(deps);
        if (taken > 0) deps.mailQueued();
      } while (taken === CODE_REQUEST_BATCH && !stopped);
    } while (again && !stopped);
  };
  const wake = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = drain()
      .catch((error: unknown) =>
        deps.logger.warn({ err: error }, 'requested codes not sent; trying again'),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(wake, deps.intervalMs);
  timer.unref();
  return {
    wake,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
