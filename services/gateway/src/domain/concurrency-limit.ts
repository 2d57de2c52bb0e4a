import { TooManyRequestsError } from '@countersign/platform';

/**
 * Runs at most `maxActive` tasks at once; up to `maxWaiting` more wait their turn in
 * arrival order, and a task arriving when that queue is full is refused at once
 * (TooManyRequestsError, retry after a second) rather than queued without bound. For work
 * that saturates a CPU core each, such as a memory-hard password hash: a burst of requests
 * then costs a bounded queue, not every core and the memory of every hash at once.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    readonly maxActive: number,
    readonly maxWaiting: number,
  ) {
    if (!Number.isInteger(maxActive) || maxActive < 1) throw new RangeError('maxActive < 1');
    if (!Number.isInteger(maxWaiting) || maxWaiting < 0) throw new RangeError('maxWaiting < 0');
  }

  /** Tasks running now. */
  get active(): number {
    return this.running;
  }

  /** Tasks waiting for a turn. */
  get waiting(): number {
    return this.queue.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxActive) {
      if (this.queue.length >= this.maxWaiting) {
        throw new TooManyRequestsError(
          'the server is busy checking passwords; try again in 1 s',
          1,
        );
      }
      // The finishing task hands its slot over, so `running` stays counted for us.
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
