import { type Logger, type RepeatedRounds, repeatRounds } from '@countersign/platform';
import type { Kysely } from 'kysely';
import type { NotificationDatabase } from '../db/types.js';
import { sendDailyDigests } from '../use-cases/send-daily-digests.js';

export interface DigestTimerDeps {
  db: Kysely<NotificationDatabase>;
  logger: Logger;
  now: () => Date;
  /** The UTC hour from which each day's digests go out. */
  hourUtc: number;
  /** How often to look for digests due. */
  intervalMs: number;
  /** Told after a pass queued mail, so it goes out at once. */
  mailQueued?: () => void;
}

/**
 * The daily digest timer, a door like an HTTP route. Every replica runs one; the (person,
 * day) claim in sendDailyDigests makes each digest go out once. One pass at a time; a
 * failed pass is logged and the next one tries again.
 */
export function startDigestTimer(deps: DigestTimerDeps): RepeatedRounds {
  return repeatRounds({
    name: 'daily digest',
    logger: deps.logger,
    intervalMs: deps.intervalMs,
    round: () => runOnce(deps),
  });
}

async function runOnce(deps: DigestTimerDeps): Promise<void> {
  try {
    const queued = await sendDailyDigests(deps.db, deps.now(), deps.hourUtc);
    if (queued > 0) {
      deps.logger.info({ queued }, 'daily digests queued');
      deps.mailQueued?.();
    }
  } catch (error) {
    deps.logger.warn({ err: error }, 'daily digest pass failed; retrying next round');
  }
}
