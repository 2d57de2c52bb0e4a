import type { Logger } from '@countersign/platform';
import { type ProcessReceiptDeps, processNextReceipt } from '../use-cases/process-next-receipt.js';

export interface ReceiptOcrWorker {
  /** A receipt was queued on this replica: look now rather than at the next poll. */
  wake(): void;
  stop(): Promise<void>;
}

/**
 * Reads queued receipts one at a time, in the background of each replica: after a
 * receipt, straight on to the next; when none waits, it sleeps until woken or until
 * `pollMs` passes (receipts queued on other replicas, claims that lapsed). The queue is
 * the receipt table, so a restart loses nothing.
 */
export function startReceiptOcrWorker(
  deps: ProcessReceiptDeps & { logger: Logger; pollMs: number },
): ReceiptOcrWorker {
  let running = true;
  // Set by a wake that arrives while the worker is busy, so it is not slept through.
  let nudged = false;
  let wakeUp: (() => void) | undefined;
  const sleep = () =>
    new Promise<void>((resolve) => {
      if (nudged) return resolve();
      const timer = setTimeout(resolve, deps.pollMs);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const loop = (async () => {
    while (running) {
      let worked = false;
      nudged = false;
      try {
        worked = await processNextReceipt(deps);
      } catch (error) {
        // A database hiccup: the claim lapses and the receipt is taken again later.
        deps.logger.error({ err: error }, 'receipt OCR failed');
      }
      if (!worked && running) await sleep();
    }
  })();
  return {
    wake: () => {
      nudged = true;
      wakeUp?.();
    },
    async stop() {
      running = false;
      nudged = true;
      wakeUp?.();
      await loop;
      await deps.reader.stop();
    },
  };
}
