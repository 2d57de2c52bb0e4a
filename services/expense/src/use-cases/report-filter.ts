import type { AccessClaims, ReportQuery } from '@countersign/contracts';
import type { ReportFilter } from '../db/report-queries.js';

/** Reports read the whole company's expenses: the caller's role was checked at the door. */
export function reportFilterOf(caller: AccessClaims, query: ReportQuery): ReportFilter {
  return {
    companyId: caller.company_id,
    from: query.from,
    to: query.to,
    teamId: query.team_id,
    workspaceId: query.workspace_id,
  };
}

/** The filters as the answer echoes them. */
export function echoFilters(query: ReportQuery) {
  return {
    from: query.from ?? null,
    to: query.to ?? null,
    team_id: query.team_id ?? null,
    workspace_id: query.workspace_id ?? null,
  };
}
