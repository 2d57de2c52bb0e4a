import type { AccessClaims, CreateTeamRequest, Team } from '@countersign/contracts';
import { newEvent } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { insertTeam } from '../db/org-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { enqueue } from '../outbox/enqueue.js';

/** Adds a team to the caller's company (names are unique per company: 409). */
export async function createTeam(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  request: CreateTeamRequest,
  now: Date,
): Promise<Team> {
  const team = { id: uuidv7(), name: request.name };
  await db.transaction().execute(async (trx) => {
    await insertTeam(trx, { ...team, company_id: caller.company_id });
    await enqueue(trx, [
      newEvent('TeamCreated', {
        companyId: caller.company_id,
        actor: { kind: 'user', id: caller.sub },
        subject: team.id,
        occurredAt: now,
        data: { team },
      }),
    ]);
  });
  return team;
}
