import { EventCatalogue, type EventOf, type EventType, Streams } from '@countersign/contracts';
import {
  createLogger,
  deleteIgnoringMissing,
  type MessagingRuntime,
  newEvent,
  startMessaging,
} from '@countersign/platform';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../services/gateway/src/db/migrations/index.js';
import type { IdentityDatabase } from '../../services/gateway/src/db/types.js';
import {
  directoryEventHandlers,
  directoryEventsConsumer,
} from '../../services/gateway/src/messaging/directory-events.js';
import { freshServiceSchema, INT_DATABASE_URL } from '../support/int-database.js';

// The gateway's directory consumer on a real NATS and PostgreSQL, fed events as a service
// that holds approval's credentials (or an attacker on a bus without them) could forge.
const schema = 'identity_forged';
const logger = createLogger('forged-test', 'silent');
const victimCompany = '0197a000-0000-7000-8000-00000000f001';
const otherCompany = '0197a000-0000-7000-8000-00000000f002';
const victimAdmin = '0197a000-0000-7000-8000-00000000f101';
const victimEmployee = '0197a000-0000-7000-8000-00000000f102';
const team = '0197a000-0000-7000-8000-00000000f201';
const level = '0197a000-0000-7000-8000-00000000f301';

let db: Kysely<IdentityDatabase>;
let nc: NatsConnection;
let messaging: MessagingRuntime;

beforeAll(async () => {
  db = await freshServiceSchema<IdentityDatabase>(schema, migrations);
  await db
    .insertInto('credential')
    .values([
      login(victimAdmin, 'admin@victim.example', 'admin'),
      login(victimEmployee, 'erin@victim.example', 'employee'),
    ])
    .execute();
  nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
  const jsm = await jetstreamManager(nc);
  // A durable left by an earlier run would hold its events; none on a fresh server.
  await deleteIgnoringMissing(jsm, Streams.approval, directoryEventsConsumer.durable).catch(
    () => undefined,
  );
  messaging = await startMessaging({
    natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    databaseUrl: INT_DATABASE_URL,
    schema,
    service: 'gateway',
    db,
    logger,
    consumers: [
      { ...directoryEventsConsumer, handlers: directoryEventHandlers(() => new Date(), logger) },
    ],
  });
});
afterAll(async () => {
  await messaging?.stop();
  const jsm = nc ? await jetstreamManager(nc) : undefined;
  if (jsm) await deleteIgnoringMissing(jsm, Streams.approval, directoryEventsConsumer.durable);
  await nc?.close();
  await db?.destroy();
});

function login(userId: string, email: string, role: 'admin' | 'employee') {
  return {
    user_id: userId,
    company_id: victimCompany,
    email,
    name: email,
    role,
    password_hash: '$argon2id$stand-in',
    active: true,
    email_verified_at: new Date(),
    directory_revision: 1,
  };
}

function snapshot(userId: string, email: string, role: 'admin' | 'employee', revision: number) {
  return {
    user_id: userId,
    email,
    name: 'Mallory',
    role,
    team_id: team,
    level_id: level,
    manager_id: null,
    active: true,
    revision,
  };
}

async function publish<T extends EventType>(type: T, event: EventOf<T>): Promise<void> {
  await jetstream(nc).publish(EventCatalogue[type].subject, JSON.stringify(event), {
    msgID: event.id,
  });
}

async function until<T>(read: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const deadLetterOf = (eventId: string) =>
  until(() =>
    db.selectFrom('dead_letter').selectAll().where('event_id', '=', eventId).executeTakeFirst(),
  );

describe('a forged directory event is dead-lettered, never applied', () => {
  it('an invitation into a victim company that none of its users asked for: no login, no mail', async () => {
    const mallory = crypto.randomUUID();
    const forged = newEvent('UserAdded', {
      companyId: victimCompany,
      // Someone of another company, or a made-up user: not a login of the victim company.
      actor: { kind: 'user', id: crypto.randomUUID() },
      subject: mallory,
      data: { user: snapshot(mallory, 'mallory@attacker.example', 'admin', 1), invited: true },
    });
    await publish('UserAdded', forged);
    const dead = await deadLetterOf(forged.id);
    expect(dead.error).toMatch(/not asked for by a user of that company/);
    const created = await db
      .selectFrom('credential')
      .select('user_id')
      .where('email', '=', 'mallory@attacker.example')
      .execute();
    expect(created).toEqual([]);
    const mailed = await db.selectFrom('mail_outbox').selectAll().execute();
    expect(mailed.filter((mail) => JSON.stringify(mail).includes('attacker.example'))).toEqual([]);
  });

  it('an event naming another company for a stored login: the login is not touched', async () => {
    const forged = newEvent('UserChanged', {
      companyId: otherCompany,
      actor: { kind: 'system', id: 'approval' },
      subject: victimEmployee,
      data: {
        user: snapshot(victimEmployee, 'mallory@attacker.example', 'admin', 7),
        changed: ['role', 'email'],
      },
    });
    await publish('UserChanged', forged);
    const dead = await deadLetterOf(forged.id);
    expect(dead.error).toMatch(/belongs to another company/);
    const stored = await db
      .selectFrom('credential')
      .selectAll()
      .where('user_id', '=', victimEmployee)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({
      company_id: victimCompany,
      email: 'erin@victim.example',
      role: 'employee',
      directory_revision: 1,
    });
  });

  it("an invitation made by the company's own admin is applied and mailed", async () => {
    const newcomer = crypto.randomUUID();
    // Unique per run: the durable re-reads the stream's earlier runs from its start.
    const address = `nina-${newcomer}@victim.example`;
    const invited = newEvent('UserAdded', {
      companyId: victimCompany,
      actor: { kind: 'user', id: victimAdmin },
      subject: newcomer,
      data: { user: snapshot(newcomer, address, 'employee', 1), invited: true },
    });
    await publish('UserAdded', invited);
    const created = await until(() =>
      db.selectFrom('credential').selectAll().where('user_id', '=', newcomer).executeTakeFirst(),
    );
    expect(created.company_id).toBe(victimCompany);
    const mail = await until(async () => {
      const rows = await db.selectFrom('mail_outbox').selectAll().execute();
      return rows.find((row) => JSON.stringify(row).includes(address));
    });
    expect(mail).toBeDefined();
  });
});
