/**
 * The console report of one scenario run: latency per step, every check's count, and the
 * thresholds' verdicts, in the order k6's end-of-test summary gives them.
 */
import type { StepName } from '../../deploy/k6/journey.js';
import type { Scenario, ThresholdVerdict } from '../../deploy/k6/scenarios.js';
import { heading } from './print.js';
import type { CheckCount, StepReport } from './scenario-metrics.js';
import { formatTable } from './stats.js';

export interface ScenarioReport {
  scenario: Scenario;
  duration_s: number;
  iterations: number;
  dropped_iterations: number;
  requests: number;
  overall: StepReport;
  steps: Partial<Record<StepName, StepReport>>;
  checks: Record<string, CheckCount>;
  routing_lag_refusals: number;
  thresholds: ThresholdVerdict[];
  /** The abortOnFail threshold that stopped the run early, if one did. */
  aborted_by: string | undefined;
}

function codes(report: StepReport): string {
  return Object.entries(report.status_codes)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, n]) => `${code === '0' ? 'no answer' : code}×${n}`)
    .join(', ');
}

function latencyRow(name: string, report: StepReport): string[] {
  return [
    name,
    String(report.count),
    report.p50_ms.toFixed(1),
    report.p95_ms.toFixed(1),
    report.p99_ms.toFixed(1),
    report.max_ms.toFixed(1),
    String(report.failed),
    codes(report),
  ];
}

function formatMeasured(verdict: ThresholdVerdict): string {
  const { measured } = verdict;
  if (measured === undefined) return '-';
  return Number.isInteger(measured) ? String(measured) : measured.toFixed(4);
}

export function printScenarioReport(report: ScenarioReport): void {
  heading(`Scenario ${report.scenario.name}: requests by step (ms)`);
  const rows = Object.entries(report.steps).map(([step, stats]) => latencyRow(step, stats));
  rows.push(latencyRow('all', report.overall));
  const header = ['step', 'requests', 'p50', 'p95', 'p99', 'max', 'failed', 'non-2xx'];
  console.log(formatTable(header, rows));
  console.log(
    `  ${report.iterations} journeys, ${report.requests} requests in ${report.duration_s.toFixed(1)} s ` +
      `(${(report.requests / report.duration_s).toFixed(1)} req/s), ${report.dropped_iterations} dropped, ` +
      `${report.routing_lag_refusals} decisions refused because routing lagged`,
  );
  heading('Checks');
  const checkRows = Object.entries(report.checks).map(([name, count]) => [
    name,
    String(count.passed),
    String(count.failed),
  ]);
  console.log(formatTable(['check', 'passed', 'failed'], checkRows));
  heading('Thresholds (issue 12 targets)');
  const thresholdRows = report.thresholds.map((verdict) => [
    `${verdict.threshold.metric} ${verdict.expression}`,
    formatMeasured(verdict),
    verdict.passed === undefined ? 'not measured' : verdict.passed ? 'passed' : 'FAILED',
  ]);
  console.log(formatTable(['threshold', 'measured', 'verdict'], thresholdRows));
  if (report.aborted_by !== undefined) console.log(`  Stopped early: ${report.aborted_by} failed.`);
}
