import type { Logger } from '@countersign/platform';
import type { Kysely } from 'kysely';
import type { ApprovalDatabase } from '../db/types.js';
import { escalateOverdueStep } from '../use-cases/escalate-overdue-step.js';

export interface EscalationTimerOptions {
  db: Kysely<ApprovalDatabase>;
  logger: Logger;
  now: () => Date;
  /** How often the due deadlines are looked for. */
  intervalMs: number;
  /** At most this many deadlines are handled per round, so one round never runs long. */
  batch?: number;
}

export interface EscalationTimer {
  stop(): Promise<void>;
}

/**
 * A door like a consumer: every `intervalMs` it handles the deadlines that are due, one
 * transaction each. The deadline rows are the timers, so nothing is lost on a restart and
 * replicas share the work without firing a deadline twice.
 */
export function startEscalationTimer(options: EscalationTimerOptions): EscalationTimer {
  const batch = options.batch ?? 100;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();

  async function runRound(): Promise<void> {
    for (let handled = 0; handled < batch && !stopped; handled += 1) {
      const outcome = await escalateOverdueStep(options.db, options.now(), options.logger);
      if (outcome === 'none') return;
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      round = runRound()
        .catch((error: unknown) => options.logger.error({ err: error }, 'escalation round failed'))
        .finally(schedule);
    }, options.intervalMs);
  }

  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await round;
    },
  };
}
