import type { AccessClaims, CreateLevelRequest, Level } from '@countersign/contracts';
import { newEvent } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { insertLevel } from '../db/org-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { enqueue } from '../outbox/enqueue.js';

/** Adds a hierarchy level; its number is unique in the company (409) and fixed for good. */
export async function createLevel(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  request: CreateLevelRequest,
  now: Date,
): Promise<Level> {
  const level = { id: uuidv7(), number: request.number, name: request.name };
  await db.transaction().execute(async (trx) => {
    await insertLevel(trx, { ...level, company_id: caller.company_id });
    await enqueue(trx, [
      newEvent('LevelCreated', {
        companyId: caller.company_id,
        actor: { kind: 'user', id: caller.sub },
        subject: level.id,
        occurredAt: now,
        data: { level },
      }),
    ]);
  });
  return level;
}
