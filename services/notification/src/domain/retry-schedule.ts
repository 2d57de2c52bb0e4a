/**
 * When a failed webhook delivery is tried again: exponential backoff with full jitter,
 * never sooner than the base delay, never later than the cap, and retried until an
 * attempt fails after the window has passed since the delivery was created. So every
 * delivery is retried for at least the whole window (a day by default) and gives up at
 * most one cap later, whatever the jitter draws.
 */
export interface RetrySettings {
  baseMs: number;
  capMs: number;
  windowMs: number;
}

export const DEFAULT_RETRY_SETTINGS: RetrySettings = {
  baseMs: 10_000,
  capMs: 6 * 60 * 60 * 1000,
  windowMs: 24 * 60 * 60 * 1000,
};

export type RetryDecision = { kind: 'retry'; at: Date } | { kind: 'give-up' };

/** The ceiling of the jitter after the `attempts`-th failure: base·2^attempts, capped. */
export function backoffCeilingMs(attempts: number, settings: RetrySettings): number {
  // 2^40 is far past any cap; clamping the exponent keeps the arithmetic finite.
  const exponential = settings.baseMs * 2 ** Math.min(Math.max(attempts, 0), 40);
  return Math.min(settings.capMs, exponential);
}

/**
 * After the `attempts`-th attempt failed at `failedAt`: retry at a random point in
 * [base, ceiling] (`random` in [0, 1)), or give up once the window since `createdAt` is over.
 */
export function nextRetry(input: {
  attempts: number;
  createdAt: Date;
  failedAt: Date;
  random: number;
  settings: RetrySettings;
}): RetryDecision {
  const { attempts, createdAt, failedAt, random, settings } = input;
  if (failedAt.getTime() - createdAt.getTime() >= settings.windowMs) return { kind: 'give-up' };
  const ceiling = backoffCeilingMs(attempts, settings);
  const delay = settings.baseMs + Math.floor(random * (ceiling - settings.baseMs));
  return { kind: 'retry', at: new Date(failedAt.getTime() + delay) };
}
