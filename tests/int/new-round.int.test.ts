import type { ChainStep } from '@countersign/contracts';
import { demoCompany, demoPolicies, demoTeam, demoUsers } from '@countersign/demo-data';
import { createDatabase, migrateSchema, newEvent } from '@countersign/platform';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../services/approval/src/db/migrations/index.js';
import type { ApprovalDatabase } from '../../services/approval/src/db/types.js';
import { seedDemoCompany } from '../../services/approval/src/use-cases/seed-demo-company.js';
import { startNewRound } from '../../services/approval/src/use-cases/start-new-round.js';
import { storeChain } from '../../services/approval/src/use-cases/store-chain.js';
import { ensureIntDatabase, INT_DATABASE_URL } from '../support/int-database.js';

/**
 * A resubmitted round is re-checked against the directory by the rules its steps were
 * decided with: a role step goes to another person of that role, not to whoever holds the
 * departed approver's level.
 */
const SCHEMA = 'approval';
const idOf = (first: string) =>
  demoUsers.find((u) => u.email.startsWith(`${first}@`))?.id ?? 'missing';
const now = new Date();
let db: Kysely<ApprovalDatabase>;

beforeAll(async () => {
  await ensureIntDatabase();
  db = createDatabase<ApprovalDatabase>({ url: INT_DATABASE_URL, schema: SCHEMA });
  await sql`drop schema if exists ${sql.id(SCHEMA)} cascade`.execute(db);
  await migrateSchema(db, SCHEMA, migrations);
  await seedDemoCompany(db);
});
afterAll(async () => db?.destroy());

const financeStep: ChainStep = {
  step: 1,
  approver_id: idOf('hannah'),
  approver_name: 'Hannah Lee',
  level_number: 5,
  level_name: 'SEM',
  required: true,
  required_level: 5,
  team_scope: 'company',
  approver_rule: { by: 'role', role: 'finance' },
};

describe('a new round after a send back', () => {
  it('re-resolves a role step among people of that role', async () => {
    const expenseId = crypto.randomUUID();
    const policy = demoPolicies[0];
    if (!policy) throw new Error('no demo policy');
    const expense = {
      expense_id: expenseId,
      submitter: { id: idOf('grace'), name: 'Grace Taylor', team_id: demoTeam.id },
      amount: '120.00',
      description: 'Keyboard',
      policy: { id: policy.id, name: policy.name, category: policy.category },
      chain: [financeStep],
    };
    const about = {
      companyId: demoCompany.id,
      actor: { kind: 'user' as const, id: idOf('grace') },
    };
    await db.transaction().execute((trx) =>
      storeChain(
        trx,
        newEvent('ExpenseSubmitted', {
          ...about,
          subject: expenseId,
          data: { ...expense, submitted_at: now.toISOString() },
        }),
        now,
      ),
    );
    // Sent back; meanwhile Hannah leaves and Ivan becomes the company's finance person.
    await db
      .updateTable('chain')
      .set({ status: 'sent_back' })
      .where('expense_id', '=', expenseId)
      .execute();
    await db
      .updateTable('person')
      .set({ active: false })
      .where('id', '=', idOf('hannah'))
      .execute();
    await db
      .updateTable('person')
      .set({ role: 'finance' })
      .where('id', '=', idOf('ivan'))
      .execute();
    await db.transaction().execute((trx) =>
      startNewRound(
        trx,
        newEvent('ExpenseResubmitted', {
          ...about,
          subject: expenseId,
          data: { ...expense, round: 2, resubmitted_at: now.toISOString() },
        }),
        now,
      ),
    );
    const steps = await db
      .selectFrom('chain_step')
      .select(['step', 'approver_id', 'status'])
      .where('expense_id', '=', expenseId)
      .execute();
    // By level it would have gone to Eve (level 5, company-wide); by role it is Ivan's.
    expect(steps).toEqual([{ step: 1, approver_id: idOf('ivan'), status: 'pending' }]);
  });
});
