import type { Role, UserListQuery } from '@countersign/contracts';
import { ConflictError } from '@countersign/platform';
import type { Person } from '@countersign/routing';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { ApprovalDatabase } from './types.js';

type Db = Kysely<ApprovalDatabase>;
type Trx = Transaction<ApprovalDatabase>;

/**
 * Serialises changes to one company's directory. Org changes take it exclusively, so two
 * of them never re-route chains from stale views of each other; storing a chain takes it
 * shared, so a chain is never routed to someone being deactivated at that moment.
 */
export async function lockCompanyDirectory(
  trx: Trx,
  companyId: string,
  mode: 'exclusive' | 'shared',
): Promise<boolean> {
  const query = trx.selectFrom('company').select('id').where('id', '=', companyId);
  const row = await (mode === 'exclusive'
    ? query.forUpdate()
    : query.forShare()
  ).executeTakeFirst();
  return row !== undefined;
}

/** A person with their team, level and manager, as the admin API shows them. */
export interface UserRow {
  id: string;
  company_id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  revision: number;
  team_id: string;
  team_name: string;
  level_id: string;
  level_number: number;
  level_name: string;
  manager_id: string | null;
  manager_name: string | null;
}

function usersQuery(db: Db, companyId: string) {
  return db
    .selectFrom('person')
    .innerJoin('team', 'team.id', 'person.team_id')
    .innerJoin('level', 'level.id', 'person.level_id')
    .leftJoin('person as manager', 'manager.id', 'person.manager_id')
    .select([
      'person.id',
      'person.company_id',
      'person.email',
      'person.name',
      'person.role',
      'person.active',
      'person.revision',
      'person.team_id',
      'team.name as team_name',
      'person.level_id',
      'level.number as level_number',
      'level.name as level_name',
      'person.manager_id',
      'manager.name as manager_name',
    ])
    .where('person.company_id', '=', companyId);
}

export async function findUser(
  db: Db,
  companyId: string,
  userId: string,
): Promise<UserRow | undefined> {
  return usersQuery(db, companyId).where('person.id', '=', userId).executeTakeFirst();
}

/** Escapes LIKE's wildcards so `q` matches literally. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** One page of the company's users in id order (UUIDv7: roughly the order they joined). */
export async function listUsers(
  db: Db,
  companyId: string,
  filters: Omit<UserListQuery, 'limit' | 'cursor'>,
  limit: number,
  afterId?: string,
): Promise<UserRow[]> {
  let query = usersQuery(db, companyId);
  if (filters.role) query = query.where('person.role', '=', filters.role);
  if (filters.team_id) query = query.where('person.team_id', '=', filters.team_id);
  if (filters.level_id) query = query.where('person.level_id', '=', filters.level_id);
  if (filters.active !== undefined) query = query.where('person.active', '=', filters.active);
  if (filters.q) {
    const pattern = likePattern(filters.q);
    query = query.where((eb) =>
      eb.or([eb('person.name', 'ilike', pattern), eb('person.email', 'ilike', pattern)]),
    );
  }
  if (afterId) query = query.where('person.id', '>', afterId);
  return query.orderBy('person.id').limit(limit).execute();
}

export async function findTeam(db: Db, companyId: string, teamId: string) {
  return db
    .selectFrom('team')
    .select(['id', 'name'])
    .where('company_id', '=', companyId)
    .where('id', '=', teamId)
    .executeTakeFirst();
}

export async function findLevel(db: Db, companyId: string, levelId: string) {
  return db
    .selectFrom('level')
    .select(['id', 'number', 'name'])
    .where('company_id', '=', companyId)
    .where('id', '=', levelId)
    .executeTakeFirst();
}

/** The company's people with the fields routing rules read, and who holds the admin role. */
export async function listDirectory(
  db: Db,
  companyId: string,
): Promise<{ people: Person[]; adminIds: Set<string> }> {
  const rows = await db
    .selectFrom('person')
    .innerJoin('level', 'level.id', 'person.level_id')
    .select([
      'person.id',
      'person.name',
      'person.team_id as teamId',
      'person.active',
      'person.role',
      'person.manager_id as managerId',
      'level.number as levelNumber',
      'level.name as levelName',
    ])
    .where('person.company_id', '=', companyId)
    .execute();
  return {
    // Role and manager too: re-routing finds a replacement by the step's own rule.
    people: rows,
    adminIds: new Set(rows.filter((r) => r.role === 'admin').map((r) => r.id)),
  };
}

export interface LineRow {
  id: string;
  name: string;
  active: boolean;
  level_number: number;
  level_name: string;
}

/**
 * `fromId` and everyone above them through manager_id, nearest first. The depth bound only
 * guards against a cycle written past the API; the API refuses cycles.
 */
export async function listManagerLine(
  db: Db,
  companyId: string,
  fromId: string,
): Promise<LineRow[]> {
  return db
    .withRecursive('line(id, name, active, level_id, manager_id, depth)', (qb) =>
      qb
        .selectFrom('person')
        .select(['id', 'name', 'active', 'level_id', 'manager_id', sql<number>`0`.as('depth')])
        .where('id', '=', fromId)
        .where('company_id', '=', companyId)
        .unionAll((eb) =>
          eb
            .selectFrom('person as above')
            .innerJoin('line', 'line.manager_id', 'above.id')
            .select([
              'above.id',
              'above.name',
              'above.active',
              'above.level_id',
              'above.manager_id',
              sql<number>`line.depth + 1`.as('depth'),
            ])
            .where('above.company_id', '=', companyId)
            .where('line.depth', '<', 100),
        ),
    )
    .selectFrom('line')
    .innerJoin('level', 'level.id', 'line.level_id')
    .select([
      'line.id',
      'line.name',
      'line.active',
      'level.number as level_number',
      'level.name as level_name',
    ])
    .orderBy('line.depth')
    .execute();
}

export async function countOtherActiveAdmins(
  trx: Trx,
  companyId: string,
  exceptId: string,
): Promise<number> {
  const row = await trx
    .selectFrom('person')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('company_id', '=', companyId)
    .where('role', '=', 'admin')
    .where('active', '=', true)
    .where('id', '<>', exceptId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface NewPerson {
  id: string;
  company_id: string;
  team_id: string;
  level_id: string;
  name: string;
  email: string;
  role: Role;
  manager_id: string | null;
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    error.code === '23505' &&
    'constraint' in error &&
    error.constraint === constraint
  );
}

/** Turns a unique-constraint violation into a 409 that says which value is taken. */
export async function conflictOnDuplicate<T>(
  constraint: string,
  detail: string,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isUniqueViolation(error, constraint)) throw new ConflictError(detail, 'duplicate');
    throw error;
  }
}

export async function insertPerson(trx: Trx, person: NewPerson): Promise<void> {
  await conflictOnDuplicate(
    'person_email_unique',
    `a user with e-mail ${person.email} already exists in your company`,
    () =>
      trx
        .insertInto('person')
        .values({ ...person, active: true })
        .execute(),
  );
}

export type PersonChanges = Partial<
  Pick<NewPerson, 'name' | 'email' | 'role' | 'team_id' | 'level_id' | 'manager_id'> & {
    active: boolean;
    deactivated_at: Date;
  }
>;

/** Applies changes and bumps the revision, so readers of UserChanged keep the newest. */
export async function updatePerson(
  trx: Trx,
  companyId: string,
  personId: string,
  changes: PersonChanges,
  now: Date,
): Promise<void> {
  await conflictOnDuplicate(
    'person_email_unique',
    `a user with e-mail ${changes.email ?? ''} already exists in your company`,
    () =>
      trx
        .updateTable('person')
        .set((eb) => ({ ...changes, revision: eb('revision', '+', 1), updated_at: now }))
        .where('company_id', '=', companyId)
        .where('id', '=', personId)
        .execute(),
  );
}

export async function listDirectReports(trx: Trx, companyId: string, managerId: string) {
  return trx
    .selectFrom('person')
    .select('id')
    .where('company_id', '=', companyId)
    .where('manager_id', '=', managerId)
    .where('active', '=', true)
    .orderBy('id')
    .execute();
}

export async function listTeams(db: Db, companyId: string) {
  return db
    .selectFrom('team')
    .select(['id', 'name'])
    .where('company_id', '=', companyId)
    .orderBy('name')
    .orderBy('id')
    .execute();
}

export async function listLevels(db: Db, companyId: string) {
  return db
    .selectFrom('level')
    .select(['id', 'number', 'name'])
    .where('company_id', '=', companyId)
    .orderBy('number')
    .execute();
}

export async function insertTeam(trx: Trx, team: { id: string; company_id: string; name: string }) {
  await conflictOnDuplicate(
    'team_name_unique',
    `your company already has a team named ${team.name}`,
    () => trx.insertInto('team').values(team).execute(),
  );
}

/** Renames a team; returns its previous name, or undefined when it is not the company's. */
export async function renameTeam(
  trx: Trx,
  companyId: string,
  teamId: string,
  name: string,
): Promise<string | undefined> {
  const current = await trx
    .selectFrom('team')
    .select('name')
    .where('company_id', '=', companyId)
    .where('id', '=', teamId)
    .forUpdate()
    .executeTakeFirst();
  if (!current) return undefined;
  await conflictOnDuplicate(
    'team_name_unique',
    `your company already has a team named ${name}`,
    () => trx.updateTable('team').set({ name }).where('id', '=', teamId).execute(),
  );
  return current.name;
}

export async function insertLevel(
  trx: Trx,
  level: { id: string; company_id: string; number: number; name: string },
) {
  await conflictOnDuplicate(
    'level_number_unique',
    `your company already has a level number ${level.number}`,
    () => trx.insertInto('level').values(level).execute(),
  );
}

/** Renames a level; returns it as it was, or undefined when it is not the company's. */
export async function renameLevel(trx: Trx, companyId: string, levelId: string, name: string) {
  const current = await trx
    .selectFrom('level')
    .select(['number', 'name'])
    .where('company_id', '=', companyId)
    .where('id', '=', levelId)
    .forUpdate()
    .executeTakeFirst();
  if (!current) return undefined;
  await trx.updateTable('level').set({ name }).where('id', '=', levelId).execute();
  return current;
}
