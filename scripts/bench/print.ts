/**
 * The bench's console output: one short table per question, in words a newcomer can follow.
 */
import { KINDS, type KindReport } from './load.js';
import type { Background, PerRequest, PgPerCreate } from './measure.js';
import type { LoadReport, SequentialReport } from './phases.js';
import { GROUPS } from './processes.js';
import type { RoutingReport } from './routing.js';
import { formatTable } from './stats.js';
import type { TargetVerdict } from './targets.js';

function fixed(value: number, digits = 2): string {
  return value.toFixed(digits);
}

export function heading(title: string): void {
  console.log(`\n== ${title} ==`);
}

function nonSuccessCodes(report: KindReport): string {
  return Object.entries(report.status_codes)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, n]) => `${code === '0' ? 'no answer' : code}×${n}`)
    .join(', ');
}

function latencyTable(rows: [string, KindReport][]): void {
  const header = ['endpoint', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors'];
  const body = rows.map(([name, r]) => [
    name,
    String(r.count),
    fixed(r.req_per_s, 1),
    fixed(r.p50_ms),
    fixed(r.p95_ms),
    fixed(r.p99_ms),
    String(r.errors),
  ]);
  console.log(formatTable(header, body));
  for (const [name, report] of rows) {
    const codes = nonSuccessCodes(report);
    if (codes !== '' && name !== 'overall') console.log(`  ${name} errors by status: ${codes}`);
  }
}

export function printProcesses(found: Record<string, { pids: number[]; how: string }>): void {
  heading('Processes metered (CPU from /proc/<pid>/stat)');
  for (const [group, entry] of Object.entries(found)) {
    const pids =
      entry.pids.length > 0
        ? entry.pids.join(', ')
        : group.startsWith('pg')
          ? '(each phase)'
          : 'NOT FOUND';
    console.log(`  ${group.padEnd(13)} ${pids.padEnd(14)} ${entry.how}`);
  }
}

export function printBackground(background: Background): void {
  const parts = Object.entries(background.cpuMsPerMs).map(
    ([group, perMs]) => `${group} ${fixed(perMs * 1_000, 1)}`,
  );
  const commits = background.pgPerMs
    ? `, ${fixed(background.pgPerMs.commits * 1_000, 1)} PostgreSQL commits/s`
    : '';
  console.log(
    `\nIdle background over ${fixed(background.windowMs / 1_000, 1)} s, CPU ms/s: ${parts.join(', ')}${commits}.` +
      '\n  (Timers and pollers; subtracted from every figure per request below.)',
  );
}

export function printSequential(report: SequentialReport): void {
  heading(
    'Sequential: one request at a time on an idle cluster (idle latency through the gateway)',
  );
  latencyTable(KINDS.map((kind) => [kind, report[kind].latency]));
  const refused = report.approve.routing_lag_refusals ?? 0;
  if (refused > 0) console.log(`  approves refused for want of a chain: ${refused}`);
}

function printRouting(label: string, routing: RoutingReport): void {
  console.log(
    `  submit→routed ${label}: p50 ${fixed(routing.p50_ms)} ms, p99 ${fixed(routing.p99_ms)} ms, ` +
      `max ${fixed(routing.max_ms)} ms (${routing.count} samples, ${routing.not_routed} never routed, ` +
      `${routing.probe_errors} probe errors)`,
  );
}

export function printIdleRouting(routing: RoutingReport): void {
  heading('Submit→routed on an idle cluster (201 in hand → approval accepts a decision)');
  printRouting('idle', routing);
}

export function printLoad(load: LoadReport): void {
  const shape = Object.entries(load.shape)
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
  heading(`${load.mode === 'closed' ? 'Closed' : 'Open'} loop, mix 50/30/20: ${shape}`);
  latencyTable([
    ...KINDS.map((kind): [string, KindReport] => [kind, load.endpoints[kind]]),
    ['overall', load.overall],
  ]);
  const open = load.open_loop;
  if (open !== undefined) {
    console.log(
      `  iterations: ${open.scheduled} scheduled, ${open.started} started, ${open.dropped} dropped ` +
        `(they arrived while ${load.shape.max_in_flight} requests were in flight); generator start lag p99 ${fixed(open.start_lag_p99_ms)} ms`,
    );
  }
  console.log(`  approvals refused because routing lagged: ${load.routing_lag_refusals}`);
  if (load.approve_starved > 0) {
    console.log(
      `  approve draws with nothing ready to approve, sent as status reads: ${load.approve_starved}`,
    );
  }
  printRouting('during the load', load.routed_during_load);
  console.log(
    load.backlog_drained_ms === null
      ? '  routing backlog: NOT drained within 120 s of the load ending'
      : `  routing backlog drained ${fixed(load.backlog_drained_ms, 0)} ms after the load ended`,
  );
  console.log(`  the services went quiet ${fixed(load.quiet_after_ms / 1_000, 1)} s after that`);
}

export function printCpu(rows: [string, PerRequest][], tickMs: number): void {
  if (rows.length === 0) return;
  heading('CPU ms per request, idle background subtracted (all processes = the total)');
  const header = ['phase', 'requests', ...GROUPS, 'total', 'raw total', '±'];
  const body = rows.map(([name, cpu]) => [
    name,
    String(cpu.requests),
    ...GROUPS.map((group) => fixed(cpu.cpuMs[group] ?? 0)),
    fixed(cpu.totalCpuMs),
    fixed(cpu.rawTotalCpuMs),
    fixed(cpu.resolutionMs, 3),
  ]);
  console.log(formatTable(header, body));
  console.log(
    `  ± is one clock tick (${tickMs} ms) over the requests: each process's figure is no finer.` +
      '\n  "pg shared" is PostgreSQL\'s WAL writer, checkpointer etc., which also serve other databases.' +
      "\n  A load phase's requests include the bench's routing probes.",
  );
}

export function printPg(rows: [string, PgPerCreate][]): void {
  if (rows.length === 0) return;
  heading('PostgreSQL per create (pg_stat_database deltas, idle background subtracted)');
  const header = ['phase', 'creates', 'commits', 'rollbacks', 'inserted', 'updated', 'deleted'];
  const body = rows.map(([name, pg]) => [
    name,
    String(pg.creates),
    fixed(pg.perCreate.commits, 1),
    fixed(pg.perCreate.rollbacks, 1),
    fixed(pg.perCreate.inserted, 1),
    fixed(pg.perCreate.updated, 1),
    fixed(pg.perCreate.deleted, 1),
  ]);
  console.log(formatTable(header, body));
  console.log(
    '  Under load every commit of the phase (approvals and reads too) is divided by its creates.',
  );
}

export function printTargets(verdicts: readonly TargetVerdict[]): void {
  heading('Against the targets of issue 12');
  const body = verdicts.map((v) => [
    v.measure,
    v.target,
    v.measured === null
      ? '-'
      : Number.isInteger(v.measured)
        ? String(v.measured)
        : fixed(v.measured),
    v.met === null ? 'not measured' : v.verdict,
  ]);
  console.log(formatTable(['measure', 'target', 'measured', 'verdict'], body));
  const met = verdicts.filter((v) => v.met === true).length;
  const measured = verdicts.filter((v) => v.met !== null).length;
  console.log(`  ${met} of ${measured} measured targets met.`);
}
