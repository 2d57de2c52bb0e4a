const HOUR_MS = 3_600_000;

export interface DeadlineRule {
  /** The company-wide default (ESCALATION_AFTER_HOURS); 0 means steps never escalate. */
  companyHours: number;
  /** A step's own deadline, when its policy names one; it wins over the default (0: never). */
  stepHours?: number | null;
}

/**
 * When a step requested at `requestedAt` escalates, or null when it never does. The one
 * place deadlines are computed, so per-step deadlines from policies plug in here.
 */
export function deadlineFor(requestedAt: Date, rule: DeadlineRule): Date | null {
  const hours = rule.stepHours ?? rule.companyHours;
  if (!(hours > 0)) return null;
  return new Date(requestedAt.getTime() + hours * HOUR_MS);
}
