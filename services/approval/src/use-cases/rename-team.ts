import type { AccessClaims, Team, UpdateTeamRequest } from '@countersign/contracts';
import { NotFoundError, newEvent } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { renameTeam as updateTeamName } from '../db/org-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { enqueue } from '../outbox/enqueue.js';

/** Renames one of the caller's company's teams; the same name again changes nothing. */
export async function renameTeam(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  teamId: string,
  request: UpdateTeamRequest,
  now: Date,
): Promise<Team> {
  return db.transaction().execute(async (trx) => {
    const previous = await updateTeamName(trx, caller.company_id, teamId, request.name);
    if (previous === undefined) throw new NotFoundError(`no team ${teamId} in your company`);
    if (previous !== request.name) {
      await enqueue(trx, [
        newEvent('TeamRenamed', {
          companyId: caller.company_id,
          actor: { kind: 'user', id: caller.sub },
          subject: teamId,
          occurredAt: now,
          data: { team_id: teamId, previous_name: previous, name: request.name },
        }),
      ]);
    }
    return { id: teamId, name: request.name };
  });
}
