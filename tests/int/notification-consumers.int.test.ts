import { newEvent } from '@countersign/platform';
import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NotificationDatabase } from '../../services/notification/src/db/types.js';
import {
  composeHandlers,
  type HandlerPart,
  legacyInboxIsRecent,
} from '../../services/notification/src/messaging/compose-handlers.js';
import { freshMessagingSchema } from '../support/int-database.js';

const company = '0197a000-0000-7000-8000-000000000001';
let db: Kysely<NotificationDatabase>;

beforeAll(async () => {
  // The composed handlers only read the inbox: the messaging tables are enough.
  db = (await freshMessagingSchema('compose_test')) as unknown as Kysely<NotificationDatabase>;
});
beforeEach(async () => {
  await db.deleteFrom('inbox').execute();
});
afterAll(async () => {
  await db?.destroy();
});

function teamCreated() {
  return newEvent('TeamCreated', {
    companyId: company,
    actor: { kind: 'system', id: 'test' },
    subject: crypto.randomUUID(),
    data: { team: { id: crypto.randomUUID(), name: 'Ops' } },
  });
}

/** Parts that record, in order, which of them ran for which event. */
function recordingParts(ran: string[]): HandlerPart[] {
  const part = (name: string): HandlerPart => ({
    legacyDurable: `legacy-${name}`,
    handlers: {
      TeamCreated: async (_trx, event) => {
        ran.push(`${name}:${event.id}`);
      },
    },
  });
  return [
    part('notify'),
    part('feed'),
    { legacyDurable: 'legacy-other', handlers: {} },
    part('webhooks'),
  ];
}

async function handle(parts: HandlerPart[], consultLegacyInbox: boolean, event = teamCreated()) {
  const handlers = composeHandlers(parts, { consultLegacyInbox });
  const handler = handlers.TeamCreated;
  if (!handler) throw new Error('no composed handler for TeamCreated');
  await db.transaction().execute((trx: Transaction<NotificationDatabase>) => handler(trx, event));
  return event;
}

describe('one consumer per stream, every job in its transaction', () => {
  it('runs every part that handles the type, in the order given', async () => {
    const ran: string[] = [];
    const event = await handle(recordingParts(ran), false);
    expect(ran).toEqual([`notify:${event.id}`, `feed:${event.id}`, `webhooks:${event.id}`]);
    expect(
      composeHandlers(recordingParts([]), { consultLegacyInbox: false }).UserAdded,
    ).toBeUndefined();
  });

  it('in the upgrade window, skips the jobs a replaced durable already did for the event', async () => {
    const ran: string[] = [];
    const event = teamCreated();
    await db.insertInto('inbox').values({ consumer: 'legacy-feed', event_id: event.id }).execute();
    await handle(recordingParts(ran), true, event);
    expect(ran).toEqual([`notify:${event.id}`, `webhooks:${event.id}`]);
  });

  it('the upgrade window is open while a replaced durable recorded an event within the stream age', async () => {
    const durables = ['legacy-notify', 'legacy-feed'];
    const now = new Date();
    expect(await legacyInboxIsRecent(db, durables, now)).toBe(false);
    await db
      .insertInto('inbox')
      .values({ consumer: 'legacy-notify', event_id: crypto.randomUUID() })
      .execute();
    await db
      .updateTable('inbox')
      .set({ processed_at: sql<Date>`now() - interval '8 days'` })
      .execute();
    expect(await legacyInboxIsRecent(db, durables, now)).toBe(false);
    await db
      .insertInto('inbox')
      .values({ consumer: 'legacy-feed', event_id: crypto.randomUUID() })
      .execute();
    expect(await legacyInboxIsRecent(db, durables, now)).toBe(true);
    expect(await legacyInboxIsRecent(db, ['someone-else'], now)).toBe(false);
  });
});
