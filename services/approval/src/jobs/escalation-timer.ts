import { type Logger, type RepeatedRounds, repeatRounds } from '@countersign/platform';
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

/**
 * A door like a consumer: every `intervalMs` it handles the deadlines that are due, one
 * transaction each. The deadline rows are the timers, so nothing is lost on a restart and
 * replicas share the work without firing a deadline twice.
 */
export function startEscalationTimer(options: EscalationTimerOptions): RepeatedRounds {
  const batch = options.batch ?? 100;
  return repeatRounds({
    name: 'escalation',
    logger: options.logger,
    intervalMs: options.intervalMs,
    round: async (stopping) => {
      for (let handled = 0; handled < batch && !stopping(); handled += 1) {
        const outcome = await escalateOverdueStep(options.db, options.now(), options.logger);
        if (outcome === 'none') return;
      }
    },
  });
}
