import type { UserSnapshot } from '@countersign/contracts';
import type { Kysely, Transaction } from 'kysely';
import type { ApprovalDatabase } from './types.js';

type Db = Kysely<ApprovalDatabase> | Transaction<ApprovalDatabase>;

export async function companyExists(db: Db, companyId: string): Promise<boolean> {
  const row = await db
    .selectFrom('company')
    .select('id')
    .where('id', '=', companyId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Every person of the company as user events carry them (revision included). */
export async function listUserSnapshots(db: Db, companyId: string): Promise<UserSnapshot[]> {
  const rows = await db
    .selectFrom('person')
    .select([
      'id',
      'email',
      'name',
      'role',
      'team_id',
      'level_id',
      'manager_id',
      'active',
      'revision',
    ])
    .where('company_id', '=', companyId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    user_id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    team_id: r.team_id,
    level_id: r.level_id,
    manager_id: r.manager_id,
    active: r.active,
    revision: r.revision,
  }));
}
