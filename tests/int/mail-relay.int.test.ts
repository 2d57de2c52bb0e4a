import { createDatabase, createLogger, MailRelay, queueMail } from '@countersign/platform';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailSink, type ReceivedMail, startMailSink } from '../../scripts/mail-sink.js';
import { migrations } from '../../services/notification/src/db/migrations/index.js';
import type { NotificationDatabase } from '../../services/notification/src/db/types.js';
import { freshServiceSchema, INT_DATABASE_URL } from '../support/int-database.js';

/**
 * The shared mail relay on a real PostgreSQL and a real SMTP server on loopback: two
 * replicas draining one queue send each message once, and a message the SMTP server does
 * not take waits, with its attempt and error recorded, and goes out once it can.
 */

const SCHEMA = 'notification_mail_test';
const port = Number(process.env.TEST_PORT_BASE ?? 5000) + 27;
const smtpUrl = `smtp://127.0.0.1:${port}`;
const logger = createLogger('mail-test', 'silent');

let replicaA: Kysely<NotificationDatabase>;
let replicaB: Kysely<NotificationDatabase>;
let sink: MailSink | undefined;
const received: ReceivedMail[] = [];

beforeAll(async () => {
  replicaA = await freshServiceSchema<NotificationDatabase>(SCHEMA, migrations);
  replicaB = createDatabase<NotificationDatabase>({ url: INT_DATABASE_URL, schema: SCHEMA });
});
afterAll(async () => {
  await replicaA?.destroy();
  await replicaB?.destroy();
  await sink?.close();
});

const relay = (db: Kysely<NotificationDatabase>) =>
  new MailRelay({ db, logger, smtpUrl, from: 'Countersign <no-reply@countersign.local>' });

async function queue(count: number, prefix: string) {
  await replicaA.transaction().execute(async (trx) => {
    for (let i = 0; i < count; i += 1) {
      await queueMail(trx, {
        to: `${prefix}${i}@example.com`,
        subject: `${prefix} ${i}`,
        text: `message ${i}`,
        html: `<p>message ${i}</p>`,
      });
    }
  });
}

describe('the mail relay', () => {
  it('keeps a message the SMTP server does not take, counting the attempt and pushing it back', async () => {
    await queue(1, 'early');
    const nobodyListening = relay(replicaA);
    try {
      expect(await nobodyListening.sendOnce()).toBe(0);
    } finally {
      await nobodyListening.stop();
    }
    const row = await replicaA
      .selectFrom('mail_outbox')
      .select(['attempts', 'last_error', sql<boolean>`lease_until > now()`.as('deferred')])
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ attempts: 1, deferred: true });
    expect(row.last_error).toEqual(expect.any(String));
    // Its retry time comes (made to come now), and the server is back: it goes out once.
    await replicaA.updateTable('mail_outbox').set({ lease_until: null }).execute();
    sink = await startMailSink(port, (mail) => received.push(mail));
    const again = relay(replicaA);
    try {
      expect(await again.sendOnce()).toBe(1);
    } finally {
      await again.stop();
    }
    expect(received.map((m) => m.subject)).toEqual(['early 0']);
  });

  it('shares the queue between two replicas: every message is sent once', async () => {
    received.length = 0;
    await queue(25, 'shared');
    const relays = [relay(replicaA), relay(replicaB)];
    try {
      let sent = 0;
      while (sent < 25) {
        const passes = await Promise.all(relays.map((r) => r.sendOnce()));
        const passed = passes.reduce((a, b) => a + b, 0);
        expect(passed).toBeGreaterThan(0);
        sent += passed;
      }
      expect(sent).toBe(25);
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
    }
    const subjects = received.map((m) => m.subject).sort();
    expect(subjects).toHaveLength(25);
    expect(new Set(subjects).size).toBe(25);
    expect(await replicaA.selectFrom('mail_outbox').select('id').execute()).toEqual([]);
  });
});
