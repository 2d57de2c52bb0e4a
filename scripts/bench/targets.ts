/**
 * Issue 12's targets and the verdict of a run against each: met, missed by how much, or not
 * measured because its phase did not run.
 */

export interface MeasuredFigures {
  closed?: { req_per_s: number; p99_ms: number; errors: number };
  open?: { dropped: number; p99_ms: number; errors: number; routing_lag_refusals: number };
  routedIdleP99Ms?: number;
  routedLoadP99Ms?: number;
  /** null: the backlog did not drain within the probe's timeout. */
  backlogDrainMs?: number | null;
  cpuPerRequestMs?: { create?: number; approve?: number; status?: number };
  idleP50Ms?: { create?: number; status?: number };
  commitsPerCreate?: { idle?: number; load?: number };
}

type Comparison = 'at-most' | 'at-least' | 'zero' | 'below';

export interface TargetVerdict {
  measure: string;
  target: string;
  measured: number | null;
  /** null: not measured in this run. */
  met: boolean | null;
  /** Plain words: "met", "missed by 12.3 ms (2.1× the target)", "not measured". */
  verdict: string;
}

function format(value: number, unit: string): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit}`;
}

function judge(
  measure: string,
  comparison: Comparison,
  target: number,
  unit: string,
  measured: number | null | undefined,
): TargetVerdict {
  const targetText = {
    'at-most': `≤ ${format(target, unit)}`,
    'at-least': `≥ ${format(target, unit)}`,
    zero: '0',
    below: Number.isNaN(target) ? '< the idle figure' : `< ${format(target, unit)}`,
  }[comparison];
  if (measured === undefined || measured === null || Number.isNaN(measured)) {
    const why = measured === null ? 'never reached' : 'not measured';
    return {
      measure,
      target: targetText,
      measured: null,
      met: measured === null ? false : null,
      verdict: why,
    };
  }
  const met = {
    'at-most': measured <= target,
    'at-least': measured >= target,
    zero: measured === 0,
    below: measured < target,
  }[comparison];
  let verdict = 'met';
  if (!met && comparison === 'zero') verdict = `missed: ${format(measured, unit)}`;
  else if (!met && comparison === 'at-least') {
    verdict = `missed by ${format(target - measured, unit)} (${format((measured / target) * 100, '%')} of the target)`;
  } else if (!met) {
    const ratio = target > 0 ? ` (${(measured / target).toFixed(1)}× the target)` : '';
    verdict = `missed by ${format(measured - target, unit)}${ratio}`;
  }
  return { measure, target: targetText, measured, met, verdict };
}

export function judgeTargets(figures: MeasuredFigures): TargetVerdict[] {
  const { closed, open } = figures;
  const cpu = figures.cpuPerRequestMs ?? {};
  const idle = figures.idleP50Ms ?? {};
  const commits = figures.commitsPerCreate ?? {};
  return [
    judge('closed loop: req/s', 'at-least', 1_000, ' req/s', closed?.req_per_s),
    judge('closed loop: p99', 'at-most', 100, ' ms', closed?.p99_ms),
    judge('closed loop: errors', 'zero', 0, '', closed?.errors),
    judge('open loop: dropped iterations', 'zero', 0, '', open?.dropped),
    judge('open loop: p99', 'at-most', 100, ' ms', open?.p99_ms),
    judge('open loop: errors', 'zero', 0, '', open?.errors),
    judge(
      'open loop: approvals refused, routing lagged',
      'zero',
      0,
      '',
      open?.routing_lag_refusals,
    ),
    judge('submit→routed p99, idle', 'at-most', 50, ' ms', figures.routedIdleP99Ms),
    judge(
      'submit→routed p99, under open-loop load',
      'at-most',
      250,
      ' ms',
      figures.routedLoadP99Ms,
    ),
    judge('routing backlog drained after load', 'at-most', 1_000, ' ms', figures.backlogDrainMs),
    judge('CPU per create, all processes', 'at-most', 4, ' ms', cpu.create),
    judge('CPU per approve, all processes', 'at-most', 3, ' ms', cpu.approve),
    judge('CPU per status, all processes', 'at-most', 0.6, ' ms', cpu.status),
    judge('idle latency status (p50)', 'at-most', 3, ' ms', idle.status),
    judge('idle latency create (p50)', 'at-most', 8, ' ms', idle.create),
    judge('PostgreSQL commits per create, idle', 'at-most', 8, '', commits.idle),
    judge(
      'PostgreSQL commits per create, under load (< idle)',
      'below',
      commits.idle ?? Number.NaN,
      '',
      commits.idle === undefined ? undefined : commits.load,
    ),
  ];
}
