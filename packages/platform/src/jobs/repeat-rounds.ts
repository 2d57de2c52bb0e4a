import type { Logger } from '../logger.js';

export interface RepeatedRounds {
  /** No new round starts; resolves once the round in flight has ended. */
  stop(): Promise<void>;
}

export interface RepeatRoundsOptions {
  /** Named in the log line of a failed round. */
  name: string;
  logger: Logger;
  /** The wait before the first round, after a failed one, and when a round names none. */
  intervalMs: number;
  /**
   * One round of work. It may answer a number, the wait before the next round (0: at
   * once, as a round that found a full batch would); anything else means the interval.
   * It may look at `stopping` to end a long round early.
   */
  round: (stopping: () => boolean) => Promise<unknown>;
}

/**
 * A timer door (like a consumer, but driven by the clock): rounds run one at a time, so a
 * slow round never overlaps the next, and a failed round is logged and tried again after
 * the interval. What makes a round safe with several replicas is the round's own business
 * (SKIP LOCKED, claimed rows), not this loop.
 */
export function repeatRounds(options: RepeatRoundsOptions): RepeatedRounds {
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let stopped = false;
  const stopping = () => stopped;
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      inFlight = options
        .round(stopping)
        .then(
          (next) => (typeof next === 'number' ? next : options.intervalMs),
          (error: unknown) => {
            options.logger.error({ err: error }, `${options.name} round failed; trying again`);
            return options.intervalMs;
          },
        )
        .then(schedule);
    }, delayMs);
    timer.unref();
  };
  schedule(options.intervalMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
