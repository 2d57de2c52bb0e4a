import type { ApprovalRequestedV1 } from '@countersign/contracts';
import { demoCompany, demoPolicies, demoTeam, demoUsers } from '@countersign/demo-data';
import { createDatabase, createLogger, migrateSchema, newEvent } from '@countersign/platform';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../services/approval/src/db/migrations/index.js';
import type { ApprovalDatabase } from '../../services/approval/src/db/types.js';
import { escalateOverdueStep } from '../../services/approval/src/use-cases/escalate-overdue-step.js';
import { recordStepDeadline } from '../../services/approval/src/use-cases/record-step-deadline.js';
import { seedDemoCompany } from '../../services/approval/src/use-cases/seed-demo-company.js';
import { storeChain } from '../../services/approval/src/use-cases/store-chain.js';
import { ensureIntDatabase, INT_DATABASE_URL } from '../support/int-database.js';

// The approval service's own migrations name their schema 'approval'; this database is the
// run's own integration database, so the schema is free.
const SCHEMA = 'approval';
const logger = createLogger('escalation-test', 'silent');
const HOUR = 3_600_000;
const idOf = (first: string) =>
  demoUsers.find((u) => u.email.startsWith(`${first}@`))?.id ?? 'missing';
// Routing stamps its ApprovalRequested with the real time, so the injected clock starts there
// and moves ahead in whole hours; no assertion reads the wall clock.
const t0 = new Date();
const at = (hours: number) => new Date(t0.getTime() + hours * HOUR);

let db: Kysely<ApprovalDatabase>;

beforeAll(async () => {
  await ensureIntDatabase();
  db = createDatabase<ApprovalDatabase>({ url: INT_DATABASE_URL, schema: SCHEMA });
  await sql`drop schema if exists ${sql.id(SCHEMA)} cascade`.execute(db);
  await migrateSchema(db, SCHEMA, migrations);
  await seedDemoCompany(db);
});
afterAll(async () => db?.destroy());

/** Grace's Small Equipment expense, stored as the ExpenseSubmitted consumer would, at t0. */
async function routeExpense(): Promise<string> {
  const expenseId = crypto.randomUUID();
  const policy = demoPolicies[0];
  if (!policy) throw new Error('no demo policy');
  const submitted = newEvent('ExpenseSubmitted', {
    companyId: demoCompany.id,
    actor: { kind: 'user', id: idOf('grace') },
    subject: expenseId,
    occurredAt: t0,
    data: {
      expense_id: expenseId,
      submitter: { id: idOf('grace'), name: 'Grace Taylor', team_id: demoTeam.id },
      amount: '120.00',
      description: 'Keyboard',
      policy: { id: policy.id, name: policy.name, category: policy.category },
      chain: [
        {
          step: 1,
          approver_id: idOf('frank'),
          approver_name: 'Frank Miller',
          level_number: 6,
          level_name: 'Manager',
          required: true,
          required_level: 6,
          team_scope: 'submitter',
        },
      ],
      submitted_at: t0.toISOString(),
    },
  });
  await db.transaction().execute((trx) => storeChain(trx, submitted, t0));
  await startTimersFromOutbox(expenseId);
  return expenseId;
}

/** Plays the service's ApprovalRequested events for the expense into the deadline consumer. */
async function startTimersFromOutbox(expenseId: string): Promise<void> {
  const rows = await sql<{ payload: ApprovalRequestedV1 }>`
    select payload from approval.outbox
    where payload->>'type' = 'ApprovalRequested' and payload->>'subject' = ${expenseId}`.execute(
    db,
  );
  for (const { payload } of rows.rows) {
    // Twice: a redelivery must leave the first timer as it is.
    await db.transaction().execute((trx) => recordStepDeadline(trx, payload, 48));
    await db.transaction().execute((trx) => recordStepDeadline(trx, payload, 48));
  }
}

const approverOf = async (expenseId: string) =>
  (
    await db
      .selectFrom('chain_step')
      .select('approver_id')
      .where('expense_id', '=', expenseId)
      .where('step', '=', 1)
      .executeTakeFirstOrThrow()
  ).approver_id;

describe('escalation with an injected clock', () => {
  it('fires a deadline only once it is due, once, and climbs one level each time', async () => {
    const expenseId = await routeExpense();
    expect(await escalateOverdueStep(db, at(47.9), logger)).toBe('none');
    // Two replicas' timers racing on the same due deadline: one escalates, one finds nothing.
    const raced = await Promise.all([
      escalateOverdueStep(db, at(49), logger),
      escalateOverdueStep(db, at(49), logger),
    ]);
    expect(raced.sort()).toEqual(['escalated', 'none']);
    expect(await approverOf(expenseId)).toBe(idOf('eve'));
    expect(await escalateOverdueStep(db, at(49), logger)).toBe('none');
    // The escalation's own ApprovalRequested gives Eve 48 hours from the escalation.
    await startTimersFromOutbox(expenseId);
    expect(await escalateOverdueStep(db, at(49 + 47), logger)).toBe('none');
    expect(await escalateOverdueStep(db, at(49 + 48), logger)).toBe('escalated');
    expect(await approverOf(expenseId)).toBe(idOf('david'));
    const escalated = await sql<{ data: { from_approver_id: string; to_approver_id: string } }>`
      select payload->'data' as data from approval.outbox
      where payload->>'type' = 'ApprovalEscalated' and payload->>'subject' = ${expenseId}
      order by id`.execute(db);
    expect(escalated.rows.map((r) => [r.data.from_approver_id, r.data.to_approver_id])).toEqual([
      [idOf('frank'), idOf('eve')],
      [idOf('eve'), idOf('david')],
    ]);
  });

  it('settles the deadline of a step decided in time, without escalating', async () => {
    const expenseId = await routeExpense();
    await db
      .updateTable('chain_step')
      .set({ status: 'approved', decided_at: at(1) })
      .where('expense_id', '=', expenseId)
      .execute();
    await db
      .updateTable('chain')
      .set({ status: 'approved', completed_at: at(1) })
      .where('expense_id', '=', expenseId)
      .execute();
    expect(await escalateOverdueStep(db, at(100), logger)).toBe('settled');
    expect(await approverOf(expenseId)).toBe(idOf('frank'));
  });

  it('marks the deadline exhausted when nobody more senior and no admin is free', async () => {
    const expenseId = await routeExpense();
    // Everyone above Frank, admins included, already holds a step of this chain.
    const above = ['alice', 'bob', 'carol', 'david', 'eve'];
    await db
      .insertInto('chain_step')
      .values(
        above.map((name, index) => ({
          expense_id: expenseId,
          step: index + 2,
          approver_id: idOf(name),
          approver_name: name,
          level_number: 5 - index,
          level_name: 'x',
          required: true,
          required_level: 5 - index,
          team_scope: 'company' as const,
          status: 'waiting' as const,
          requested_at: null,
          decided_at: null,
          comments: null,
          stage: index + 2,
          needs: 'one' as const,
          approver_rule: JSON.stringify({ by: 'level', level: 5 - index, scope: 'company' }),
        })),
      )
      .execute();
    expect(await escalateOverdueStep(db, at(500), logger)).toBe('exhausted');
    expect(await approverOf(expenseId)).toBe(idOf('frank'));
    expect(await escalateOverdueStep(db, at(500), logger)).toBe('none');
  });
});

describe('a step asked again starts its timer again', () => {
  it('a redelivery keeps the timer; a newer request of the same step reopens it', async () => {
    const expenseId = await routeExpense();
    const request = (occurredAt: Date) =>
      newEvent('ApprovalRequested', {
        companyId: demoCompany.id,
        actor: { kind: 'system', id: 'approval' },
        subject: expenseId,
        occurredAt,
        data: {
          expense_id: expenseId,
          step: 1,
          approver_id: idOf('frank'),
          submitter_id: idOf('grace'),
          submitter_name: 'Grace Taylor',
          amount: '120.00',
          description: 'Keyboard',
        },
      }) as ApprovalRequestedV1;
    const timer = async () =>
      db
        .selectFrom('step_deadline')
        .select(['due_at', 'state'])
        .where('expense_id', '=', expenseId)
        .where('approver_id', '=', idOf('frank'))
        .executeTakeFirstOrThrow();
    await db.transaction().execute((trx) => recordStepDeadline(trx, request(at(0)), 48));
    const first = await timer();
    await db
      .updateTable('step_deadline')
      .set({ state: 'settled', closed_at: at(1) })
      .where('expense_id', '=', expenseId)
      .execute();
    await db.transaction().execute((trx) => recordStepDeadline(trx, request(at(0)), 48));
    expect(await timer()).toEqual({ due_at: first.due_at, state: 'settled' });
    await db.transaction().execute((trx) => recordStepDeadline(trx, request(at(40)), 48));
    expect(await timer()).toEqual({ due_at: at(88), state: 'open' });
  });
});
