import type { AccessClaims, LevelList } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { listLevels as selectLevels } from '../db/org-queries.js';
import type { ApprovalDatabase } from '../db/types.js';

/** The caller's company's hierarchy levels, most senior (1) first. */
export async function listLevels(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
): Promise<LevelList> {
  return { items: await selectLevels(db, caller.company_id) };
}
