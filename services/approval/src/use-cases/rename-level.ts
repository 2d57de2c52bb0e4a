import type { AccessClaims, Level, UpdateLevelRequest } from '@countersign/contracts';
import { NotFoundError, newEvent } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { renameLevel as updateLevelName } from '../db/org-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { enqueue } from '../outbox/enqueue.js';

/**
 * Renames a level. Chains in flight keep the level name they were routed with; new chains
 * and the directory show the new one.
 */
export async function renameLevel(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  levelId: string,
  request: UpdateLevelRequest,
  now: Date,
): Promise<Level> {
  return db.transaction().execute(async (trx) => {
    const previous = await updateLevelName(trx, caller.company_id, levelId, request.name);
    if (!previous) throw new NotFoundError(`no level ${levelId} in your company`);
    if (previous.name !== request.name) {
      await enqueue(trx, [
        newEvent('LevelRenamed', {
          companyId: caller.company_id,
          actor: { kind: 'user', id: caller.sub },
          subject: levelId,
          occurredAt: now,
          data: {
            level_id: levelId,
            number: previous.number,
            previous_name: previous.name,
            name: request.name,
          },
        }),
      ]);
    }
    return { id: levelId, number: previous.number, name: request.name };
  });
}
