import { UnprocessableError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findLevel, findTeam, listManagerLine } from '../db/org-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { assertManagerAllowed } from '../domain/reporting-line.js';

export interface OrgReferences {
  team_id?: string | undefined;
  level_id?: string | undefined;
  manager_id?: string | null | undefined;
}

/**
 * Refuses (422) a body that names a team, level or manager the caller's company does not
 * have, or a manager the user may not report to. Another company's id reads as unknown.
 */
export async function assertOrgReferences(
  db: Kysely<ApprovalDatabase>,
  companyId: string,
  userId: string,
  refs: OrgReferences,
): Promise<void> {
  const [team, level, line] = await Promise.all([
    refs.team_id ? findTeam(db, companyId, refs.team_id) : null,
    refs.level_id ? findLevel(db, companyId, refs.level_id) : null,
    refs.manager_id ? listManagerLine(db, companyId, refs.manager_id) : null,
  ]);
  if (refs.team_id && !team) {
    throw new UnprocessableError(
      `team_id ${refs.team_id} is not a team of your company`,
      'unknown-team',
    );
  }
  if (refs.level_id && !level) {
    throw new UnprocessableError(
      `level_id ${refs.level_id} is not a level of your company`,
      'unknown-level',
    );
  }
  if (refs.manager_id && line) assertManagerAllowed(userId, refs.manager_id, line);
}
