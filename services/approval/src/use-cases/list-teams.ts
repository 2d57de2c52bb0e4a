import type { AccessClaims, TeamList } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { listTeams as selectTeams } from '../db/org-queries.js';
import type { ApprovalDatabase } from '../db/types.js';

/** The caller's company's teams, by name. */
export async function listTeams(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
): Promise<TeamList> {
  return { items: await selectTeams(db, caller.company_id) };
}
