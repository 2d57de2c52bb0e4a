import { type AccessClaims, type EventOf, type EventType, Streams } from '@countersign/contracts';
import {
  createLogger,
  EventConsumer,
  ensureDurableConsumer,
  ensureStream,
  newEvent,
} from '@countersign/platform';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../services/expense/src/db/migrations/index.js';
import type { ExpenseDatabase } from '../../services/expense/src/db/types.js';
import { approvalEventsConsumer } from '../../services/expense/src/messaging/approval-events.js';
import { decideRoute } from '../../services/expense/src/use-cases/decide-route.js';
import { requestRoutingCopies } from '../../services/expense/src/use-cases/request-routing-copies.js';
import type { RoutingPort } from '../../services/expense/src/use-cases/routing-port.js';
import { freshServiceSchema } from '../support/int-database.js';

/**
 * The expense service's routing copy, fed by the approval service's events through the real
 * consumer on real NATS and PostgreSQL, with two replicas bound to one durable: a snapshot
 * makes a company's copy whole, later events move it forward, late or repeated ones change
 * nothing, and a submission is then routed from the copy without asking the approval
 * service, which is asked only while the copy cannot know the answer.
 */

const SCHEMA = 'expense_routing_copy_test';
const DURABLE = 'routing-copy-test';
const logger = createLogger('routing-copy-test', 'silent');
const company = '0197a000-0000-7000-8000-0000000000c1';
const team = '0197a000-0000-7000-8000-0000000000c2';
const levels = {
  director: { id: '0197a000-0000-7000-8000-0000000000d3', number: 3, name: 'Director' },
  manager: { id: '0197a000-0000-7000-8000-0000000000d6', number: 6, name: 'Manager' },
  staff: { id: '0197a000-0000-7000-8000-0000000000d7', number: 7, name: 'Staff' },
};
const grace = '0197a000-0000-7000-8000-0000000000e1';
const frank = '0197a000-0000-7000-8000-0000000000e2';
const dana = '0197a000-0000-7000-8000-0000000000e3';
const policyId = '0197a000-0000-7000-8000-0000000000f1';
const system = { kind: 'system', id: 'approval' } as const;

const person = (id: string, name: string, levelId: string, revision = 1, active = true) => ({
  user_id: id,
  email: `${name.toLowerCase()}@copy.example`,
  name,
  role: 'employee' as const,
  team_id: team,
  level_id: levelId,
  manager_id: null,
  active,
  revision,
});
const managerStep = (level: number) => [
  {
    priority: 1,
    condition: { field: 'amount' as const, op: 'lte' as const, value: '1000.00' },
    action: {
      type: 'require_approval' as const,
      steps: [
        {
          approver: { by: 'level' as const, level, scope: 'submitter_team' as const },
          required: true,
        },
      ],
    },
  },
];
const blockAll = [
  {
    priority: 1,
    condition: { field: 'amount' as const, op: 'gt' as const, value: '0' },
    action: { type: 'block' as const, reason: 'frozen budget' },
  },
];

const about = (subject: string, at: string) => ({
  companyId: company,
  actor: system,
  subject,
  occurredAt: new Date(at),
});
const snapshot = (at: string, overrides: { levelName?: string } = {}) =>
  newEvent('RoutingSnapshotTaken', {
    ...about(company, at),
    data: {
      taken_at: at,
      part: 1,
      parts: 1,
      levels: [
        { ...levels.director },
        { ...levels.manager, name: overrides.levelName ?? levels.manager.name },
        { ...levels.staff },
      ],
      people: [
        person(grace, 'Grace', levels.staff.id),
        person(frank, 'Frank', levels.manager.id),
        person(dana, 'Dana', levels.director.id),
      ],
      policies: [
        {
          id: policyId,
          name: 'Small',
          category: 'equipment',
          active: true,
          version: 1,
          rules: managerStep(6),
        },
      ],
    },
  });

let db: Kysely<ExpenseDatabase>;
let nc: NatsConnection;
const replicas: EventConsumer<ExpenseDatabase>[] = [];

beforeAll(async () => {
  db = await freshServiceSchema<ExpenseDatabase>(SCHEMA, migrations);
  nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(Streams.approval).catch(() => false);
  await ensureStream(jsm, 'approval');
  await ensureDurableConsumer(jsm, {
    stream: Streams.approval,
    durable: DURABLE,
    maxDeliver: 6,
    ackWaitMs: 30_000,
    maxAckPending: 512,
  });
  for (let i = 0; i < 2; i++) {
    const consumer = new EventConsumer<ExpenseDatabase>({
      js: jetstream(nc),
      db,
      logger,
      stream: Streams.approval,
      durable: DURABLE,
      maxDeliver: 6,
      retryDelaysMs: [50, 50, 50, 50, 50],
      concurrency: 1,
      handlers: approvalEventsConsumer.handlers,
    });
    consumer.start();
    replicas.push(consumer);
  }
});
afterAll(async () => {
  await Promise.all(replicas.map((c) => c.stop()));
  await nc?.close();
  await db?.destroy();
});

async function publish(...events: EventOf<EventType>[]): Promise<void> {
  const js = jetstream(nc);
  for (const event of events) {
    const subject = `countersign.approval.${subjectOf(event.type)}`;
    await js.publish(subject, JSON.stringify(event), { msgID: event.id });
  }
}

function subjectOf(type: EventType): string {
  const subjects: Partial<Record<EventType, string>> = {
    RoutingSnapshotTaken: 'company.routing-snapshot-taken.v1',
    PolicyCreated: 'policy.created.v1',
    PolicyVersioned: 'policy.versioned.v1',
    PolicyDeactivated: 'policy.deactivated.v1',
    LevelRenamed: 'level.renamed.v1',
    UserChanged: 'user.changed.v1',
    UserAdded: 'user.added.v1',
  };
  const subject = subjects[type];
  if (!subject) throw new Error(`no subject for ${type}`);
  return subject;
}

/** Waits until every published message was handled (the inbox holds its id). */
async function handled(...events: EventOf<EventType>[]): Promise<void> {
  const ids = events.map((e) => e.id);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const rows = await db
      .selectFrom('inbox')
      .select('event_id')
      .where('consumer', '=', DURABLE)
      .where('event_id', 'in', ids)
      .execute();
    if (rows.length === new Set(ids).size) return;
    if (Date.now() > deadline) throw new Error('events not handled in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const caller = (sub: string): AccessClaims => ({
  sub,
  company_id: company,
  role: 'employee',
  name: 'Grace',
  email: 'grace@copy.example',
});
const asked: string[] = [];
const approvalService: RoutingPort = async (_token, request) => {
  asked.push(request.policy_id ?? request.category ?? '?');
  throw new Error('asked the approval service');
};
const route = (amount = '100.00', policy = policyId) =>
  decideRoute({ db, route: approvalService }, caller(grace), 'token', {
    policy_id: policy,
    amount,
    has_receipt: false,
  });

async function policyRow() {
  return db
    .selectFrom('routing_policy')
    .select(['version', 'active', 'name'])
    .where('id', '=', policyId)
    .executeTakeFirstOrThrow();
}

describe('the routing copy, from approval events on real NATS and PostgreSQL', () => {
  it('asks the approval service until a snapshot made the company whole', async () => {
    // A user event alone does not make the copy whole.
    const added = newEvent('UserAdded', {
      ...about(grace, '2026-12-07T09:00:00Z'),
      data: { user: person(grace, 'Grace', levels.staff.id), invited: false },
    });
    await publish(added);
    await handled(added);
    await expect(route()).rejects.toThrow('asked the approval service');
    expect(asked).toEqual([policyId]);
  });

  it('routes from the copy once the snapshot is in, exactly once per delivered part', async () => {
    const first = snapshot('2026-12-07T10:00:00Z');
    // The relay may publish twice; both replicas are bound: the inbox keeps it once.
    await publish(first, first);
    await handled(first);
    const decision = await route();
    expect(decision).toMatchObject({
      policy: { id: policyId, version: 1, name: 'Small', category: 'equipment' },
      submitter: { id: grace, name: 'Grace', team_id: team },
      chain: [{ step: 1, approver_id: frank, approver_name: 'Frank', level_name: 'Manager' }],
      rule_trace: { policy: { id: policyId, version: 1 }, outcome: 'require_approval' },
    });
    expect(asked).toHaveLength(1);
  });

  it('moves forward with newer events and ignores late or older ones, on any replica', async () => {
    const versioned = newEvent('PolicyVersioned', {
      ...about(policyId, '2026-12-07T10:05:00Z'),
      data: {
        policy: {
          id: policyId,
          name: 'Small',
          category: 'equipment',
          version: 2,
          rules: managerStep(3),
        },
      },
    });
    const lateCreated = newEvent('PolicyCreated', {
      ...about(policyId, '2026-12-07T09:30:00Z'),
      data: {
        policy: {
          id: policyId,
          name: 'Small',
          category: 'equipment',
          version: 1,
          rules: managerStep(6),
        },
      },
    });
    const renamed = newEvent('LevelRenamed', {
      ...about(levels.director.id, '2026-12-07T10:06:00Z'),
      data: { level_id: levels.director.id, number: 3, previous_name: 'Director', name: 'Head' },
    });
    // A snapshot taken before the rename, delivered after it, must not undo it.
    const olderSnapshot = snapshot('2026-12-07T10:01:00Z');
    await publish(versioned, lateCreated, renamed, olderSnapshot);
    await handled(versioned, lateCreated, renamed, olderSnapshot);
    expect(await policyRow()).toMatchObject({ version: 2, active: true });
    const decision = await route();
    expect(decision.policy.version).toBe(2);
    expect(decision.chain).toMatchObject([{ approver_id: dana, level_name: 'Head' }]);
  });

  it('follows a person whose level changed (newest revision wins)', async () => {
    const promoted = newEvent('UserChanged', {
      ...about(frank, '2026-12-07T10:07:00Z'),
      data: { user: person(frank, 'Frank', levels.director.id, 2), changed: ['level_id'] },
    });
    const stale = newEvent('UserChanged', {
      ...about(frank, '2026-12-07T10:02:00Z'),
      data: { user: person(frank, 'Frank', levels.manager.id, 1), changed: ['name'] },
    });
    await publish(promoted, stale);
    await handled(promoted, stale);
    // Frank and Dana are both at level 3 now: the name decides.
    expect((await route()).chain).toMatchObject([{ approver_id: dana }]);
    const people = await db
      .selectFrom('person')
      .select(['level_id', 'revision'])
      .where('id', '=', frank)
      .executeTakeFirstOrThrow();
    expect(people).toEqual({ level_id: levels.director.id, revision: 2 });
  });

  it('answers refusals from the copy as the approval service would, and stays deactivated', async () => {
    await expect(route('5000.00')).rejects.toMatchObject({
      code: 'unprocessable',
      type: 'amount-out-of-range',
    });
    const blocked = newEvent('PolicyVersioned', {
      ...about(policyId, '2026-12-07T10:08:00Z'),
      data: {
        policy: { id: policyId, name: 'Small', category: 'equipment', version: 3, rules: blockAll },
      },
    });
    await publish(blocked);
    await handled(blocked);
    expect(await route()).toMatchObject({
      outcome: 'block',
      chain: [],
      block: { reason: 'frozen budget' },
      policy: { version: 3 },
    });
    const deactivated = newEvent('PolicyDeactivated', {
      ...about(policyId, '2026-12-07T10:09:00Z'),
      data: { policy_id: policyId, version: 3 },
    });
    // A replayed older version after the deactivation must not revive the policy.
    const replayed = newEvent('PolicyVersioned', {
      ...about(policyId, '2026-12-07T10:05:00Z'),
      data: {
        policy: {
          id: policyId,
          name: 'Small',
          category: 'equipment',
          version: 2,
          rules: managerStep(3),
        },
      },
    });
    await publish(deactivated, replayed);
    await handled(deactivated, replayed);
    expect(await policyRow()).toMatchObject({ version: 3, active: false });
    // Unknown to the copy now: the approval service, the owner, answers.
    const before = asked.length;
    await expect(route()).rejects.toThrow('asked the approval service');
    expect(asked).toHaveLength(before + 1);
  });

  it('keeps a policy deactivated whose deactivation arrived before its creation', async () => {
    const lateId = '0197a000-0000-7000-8000-0000000000f2';
    const deactivated = newEvent('PolicyDeactivated', {
      ...about(lateId, '2026-12-07T10:11:00Z'),
      data: { policy_id: lateId, version: 1 },
    });
    const created = newEvent('PolicyCreated', {
      ...about(lateId, '2026-12-07T10:10:00Z'),
      data: {
        policy: {
          id: lateId,
          name: 'Brief',
          category: 'equipment',
          version: 1,
          rules: managerStep(6),
        },
      },
    });
    await publish(deactivated, created);
    await handled(deactivated, created);
    const row = await db
      .selectFrom('routing_policy')
      .select(['active', 'version'])
      .where('id', '=', lateId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ active: false, version: 1 });
  });

  it('asks once, on any replica, for each known company without a copy (an upgrade)', async () => {
    const other = '0197a000-0000-7000-8000-0000000000c9';
    await db
      .insertInto('company_currency')
      .values([
        { company_id: company, base_currency: 'USD' },
        { company_id: other, base_currency: 'EUR' },
      ])
      .execute();
    // Two replicas starting at once: the company with a copy is not asked for, the other once.
    const asked = await Promise.all([
      requestRoutingCopies(db, new Date()),
      requestRoutingCopies(db, new Date()),
    ]);
    expect(asked.sort()).toEqual([0, 1]);
    expect(await requestRoutingCopies(db, new Date())).toBe(0);
    const requests = await db
      .selectFrom('outbox')
      .select(['subject', 'payload'])
      .where('subject', '=', 'countersign.expense.routing.snapshot-requested.v1')
      .execute();
    expect(requests).toHaveLength(1);
    expect(JSON.stringify(requests[0]?.payload)).toContain(other);
  });
});
