/**
 * What `npm run bench:scenario` measures, named as k6 names it, so the shared thresholds
 * (deploy/k6/scenarios.ts) judge both drivers' figures alike: every request's duration and
 * whether it failed (no answer, or a status of 400 and up, as k6's http_req_failed), every
 * check's outcome, approvals refused because routing lagged, and dropped iterations.
 */
import type { CheckOutcome, StepName } from '../../deploy/k6/journey.js';
import type { MeasuredStatistics } from '../../deploy/k6/scenarios.js';
import { type LatencySummary, percentile, summarize } from './stats.js';

export interface StepReport extends LatencySummary {
  failed: number;
  /** Answers by HTTP status (0: no answer). */
  status_codes: Record<string, number>;
}

interface StepSamples {
  durations: number[];
  failed: number;
  statusCodes: Map<number, number>;
}

function report(samples: StepSamples): StepReport {
  return {
    ...summarize(samples.durations),
    failed: samples.failed,
    status_codes: Object.fromEntries(
      [...samples.statusCodes].map(([code, count]) => [String(code), count]),
    ),
  };
}

export interface CheckCount {
  passed: number;
  failed: number;
}

export class ScenarioMetrics {
  private readonly all: StepSamples = { durations: [], failed: 0, statusCodes: new Map() };
  private readonly byStep = new Map<StepName, StepSamples>();
  readonly checks = new Map<string, CheckCount>();
  routingLagRefusals = 0;
  droppedIterations = 0;
  iterations = 0;

  /** One answered (or unanswered: status 0) request and the check made of it. */
  record(step: StepName, status: number, ms: number, outcome: CheckOutcome): void {
    const failed = status === 0 || status >= 400;
    const forStep: StepSamples = this.byStep.get(step) ?? {
      durations: [],
      failed: 0,
      statusCodes: new Map(),
    };
    this.byStep.set(step, forStep);
    for (const samples of [this.all, forStep]) {
      samples.durations.push(ms);
      if (failed) samples.failed += 1;
      samples.statusCodes.set(status, (samples.statusCodes.get(status) ?? 0) + 1);
    }
    const count = this.checks.get(outcome.check) ?? { passed: 0, failed: 0 };
    if (outcome.passed) count.passed += 1;
    else count.failed += 1;
    this.checks.set(outcome.check, count);
    if (outcome.routingLag) this.routingLagRefusals += 1;
  }

  requests(): number {
    return this.all.durations.length;
  }

  /** The statistics the thresholds name; a metric with no sample yet is left out. */
  statistics(): MeasuredStatistics {
    const sorted = Float64Array.from(this.all.durations).sort();
    const checks = [...this.checks.values()];
    const passed = checks.reduce((sum, count) => sum + count.passed, 0);
    const judged = checks.reduce((sum, count) => sum + count.passed + count.failed, 0);
    const result: MeasuredStatistics = {
      routing_lag_refusals: { count: this.routingLagRefusals },
      dropped_iterations: { count: this.droppedIterations },
    };
    if (sorted.length > 0) {
      result.http_req_duration = {
        'p(95)': percentile(sorted, 95),
        'p(99)': percentile(sorted, 99),
      };
      result.http_req_failed = { rate: this.all.failed / sorted.length };
    }
    if (judged > 0) result.checks = { rate: passed / judged };
    return result;
  }

  stepReports(): Partial<Record<StepName, StepReport>> {
    const result: Partial<Record<StepName, StepReport>> = {};
    for (const [step, samples] of this.byStep) result[step] = report(samples);
    return result;
  }

  overall(): StepReport {
    return report(this.all);
  }
}
