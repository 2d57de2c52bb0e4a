import type { Logger } from './logger.js';

/**
 * Runs `stop` once on SIGTERM or SIGINT, or when the parent that spawned the service
 * over IPC goes away: the service stops taking work, finishes what is in flight,
 * flushes, then exits. Repeated signals do not cut the shutdown short (a terminal's
 * Ctrl-C and a supervisor's SIGTERM often arrive together); a supervisor that wants it
 * gone at once sends SIGKILL.
 */
export function onShutdown(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (reason: string) => {
    if (stopping) {
      logger.info({ reason }, 'already shutting down');
      return;
    }
    stopping = true;
    logger.info({ reason }, 'shutting down');
    stop()
      .then(() => {
        logger.info('stopped cleanly');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
  if (process.send) process.on('disconnect', () => handler('parent exited'));
}

/**
 * Ends a run started with MIGRATE_ONLY (a deployment's migration Job): the schema is
 * migrated by now, so close what the start opened and exit 0 before the service connects
 * to NATS, starts its loops or listens.
 */
export async function exitAfterMigrating(
  logger: Logger,
  close: () => Promise<void>,
): Promise<never> {
  await close();
  logger.info('migrations done; MIGRATE_ONLY is set, so exiting');
  process.exit(0);
}
