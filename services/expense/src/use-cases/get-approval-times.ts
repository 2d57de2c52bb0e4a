import type { AccessClaims, ApprovalTimes, ReportQuery } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { approvalDurations, type DurationRow } from '../db/report-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { echoFilters, reportFilterOf } from './report-filter.js';

const stats = (row: DurationRow | undefined) => ({
  count: row?.count ?? 0,
  mean_hours: row?.mean_hours ?? null,
  p50_hours: row?.p50_hours ?? null,
  p90_hours: row?.p90_hours ?? null,
});

/** Time to approve: overall, per step and per approver, from one grouping-sets query. */
export async function getApprovalTimes(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  query: ReportQuery,
): Promise<ApprovalTimes> {
  const rows = await approvalDurations(db, reportFilterOf(caller, query));
  const perStep = rows.filter((r) => r.all_steps === 0 && r.step !== null);
  const perApprover = rows.filter((r) => r.all_approvers === 0 && r.approver_id !== null);
  return {
    filters: echoFilters(query),
    overall: stats(rows.find((r) => r.all_steps === 1 && r.all_approvers === 1)),
    by_step: perStep
      .map((r) => ({ step: r.step ?? 0, ...stats(r) }))
      .sort((a, b) => a.step - b.step),
    by_approver: perApprover
      .map((r) => ({
        approver_id: r.approver_id ?? '',
        approver_name: r.approver_name ?? '',
        ...stats(r),
      }))
      .sort(
        (a, b) =>
          a.approver_name.localeCompare(b.approver_name) ||
          a.approver_id.localeCompare(b.approver_id),
      ),
  };
}
