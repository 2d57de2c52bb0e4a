import type { EventOf, EventType } from '@countersign/contracts';
import { createDatabase, createLogger, MailRelay, newEvent } from '@countersign/platform';
import { type Kysely, sql } from 'kysely';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailSink, type ReceivedMail, startMailSink } from '../../scripts/mail-sink.js';
import { migrations } from '../../services/notification/src/db/migrations/index.js';
import type { NotificationDatabase } from '../../services/notification/src/db/types.js';
import { startDigestTimer } from '../../services/notification/src/jobs/daily-digest.js';
import { sendDailyDigests } from '../../services/notification/src/use-cases/send-daily-digests.js';
import { trackPendingApprovals } from '../../services/notification/src/use-cases/track-pending-approvals.js';
import { freshServiceSchema, INT_DATABASE_URL } from '../support/int-database.js';
import { eventually } from '../support/test-cluster.js';

/**
 * The daily digest on a real PostgreSQL and a real SMTP server on loopback: the pending
 * list kept from the approval events, and two replicas' timers with an injected clock
 * sending each opted-in approver one digest a day.
 */

const SCHEMA = 'notification_digest_test';
const company = '0197a000-0000-7000-8000-000000000001';
const frank = '0197a000-0000-7000-8000-000000000106';
const eve = '0197a000-0000-7000-8000-000000000105';
const grace = '0197a000-0000-7000-8000-000000000107';
const HOUR = 7;

let replicaA: Kysely<NotificationDatabase>;
let replicaB: Kysely<NotificationDatabase>;
let sink: MailSink;
const received: ReceivedMail[] = [];

beforeAll(async () => {
  replicaA = await freshServiceSchema<NotificationDatabase>(SCHEMA, migrations);
  replicaB = createDatabase<NotificationDatabase>({ url: INT_DATABASE_URL, schema: SCHEMA });
  const person = (user_id: string, name: string, role: 'manager' | 'employee') => ({
    user_id,
    company_id: company,
    email: `${name.toLowerCase()}@techcorp.example`,
    name,
    role,
    active: true,
    revision: 1,
  });
  await replicaA
    .insertInto('person')
    .values([
      person(frank, 'Frank', 'manager'),
      person(eve, 'Eve', 'manager'),
      person(grace, 'Grace', 'employee'),
    ])
    .execute();
  // Frank chose the digest; Eve keeps the default (each request e-mailed at once).
  await replicaA
    .insertInto('notification_preference')
    .values({
      user_id: frank,
      company_id: company,
      kind: 'approval_requested',
      in_app: true,
      email: 'daily_digest',
    })
    .execute();
  const port = Number(process.env.TEST_PORT_BASE ?? 5000) + 26;
  sink = await startMailSink(port, (mail) => received.push(mail));
});
afterAll(async () => {
  await replicaA?.destroy();
  await replicaB?.destroy();
  await sink?.close();
});

function event<T extends EventType>(type: T, data: EventOf<T>['data']): EventOf<T> {
  return newEvent(type, {
    companyId: company,
    actor: { kind: 'system', id: 'test' },
    subject: 'expense_id' in data ? String(data.expense_id) : company,
    data,
  });
}

/** Applies an approval event to the pending list, as the consumer does. */
async function apply<T extends EventType>(given: EventOf<T>): Promise<void> {
  const handler = trackPendingApprovals[given.type] as
    | ((trx: unknown, e: EventOf<T>) => Promise<void>)
    | undefined;
  if (!handler) throw new Error(`no handler for ${given.type}`);
  await replicaA.transaction().execute((trx) => handler(trx, given));
}

const requested = (expenseId: string, approver: string, description: string, step = 1) =>
  event('ApprovalRequested', {
    expense_id: expenseId,
    step,
    approver_id: approver,
    submitter_id: grace,
    submitter_name: 'Grace Taylor',
    amount: '42.00',
    description,
  });

const pendingOf = async (approver: string) =>
  (
    await replicaA
      .selectFrom('pending_approval')
      .select('description')
      .where('approver_id', '=', approver)
      .orderBy('description')
      .execute()
  ).map((r) => r.description);

const queuedTo = async () =>
  (await replicaA.selectFrom('mail_outbox').select('to_address').execute()).map(
    (r) => r.to_address,
  );

const expenses = {
  keyboard: crypto.randomUUID(),
  monitor: crypto.randomUUID(),
  withdrawn: crypto.randomUUID(),
  eves: crypto.randomUUID(),
};

describe('the pending list from the approval events', () => {
  it('adds requests, settles approved seats and closed rounds, and keeps them settled', async () => {
    await apply(requested(expenses.keyboard, frank, 'Keyboard'));
    await apply(requested(expenses.monitor, frank, 'Monitor <27">'));
    await apply(requested(expenses.withdrawn, frank, 'Withdrawn'));
    await apply(requested(expenses.eves, eve, 'For Eve'));
    const approvedKeyboard = event('StepApproved', {
      expense_id: expenses.keyboard,
      step: 1,
      approver_id: frank,
      submitter_id: grace,
      comments: null,
      approved_at: new Date().toISOString(),
      pending_required_steps: 1,
    });
    await apply(approvedKeyboard);
    await apply(
      event('ExpenseWithdrawn', {
        expense_id: expenses.withdrawn,
        round: 1,
        submitter_id: grace,
        pending_approver_ids: [frank],
        reason: null,
        withdrawn_at: new Date().toISOString(),
        skipped_steps: [],
      }),
    );
    expect(await pendingOf(frank)).toEqual(['Monitor <27">']);
    // A request redelivered after its seat was settled, or its round closed, adds nothing.
    await apply(requested(expenses.keyboard, frank, 'Keyboard'));
    await apply(requested(expenses.withdrawn, frank, 'Withdrawn'));
    expect(await pendingOf(frank)).toEqual(['Monitor <27">']);
    // The keyboard's next step goes to Eve.
    await apply(requested(expenses.keyboard, eve, 'Keyboard', 2));
    expect(await pendingOf(eve)).toEqual(['For Eve', 'Keyboard']);
  });
});

describe('the daily digest across two replicas', () => {
  const at = (iso: string) => new Date(iso);
  /** Both replicas' timers fire at the same instant, several times. */
  const bothFire = async (now: Date) => {
    const counts = await Promise.all([
      sendDailyDigests(replicaA, now, HOUR),
      sendDailyDigests(replicaB, now, HOUR),
      sendDailyDigests(replicaA, now, HOUR),
      sendDailyDigests(replicaB, now, HOUR),
    ]);
    return counts.reduce((a, b) => a + b, 0);
  };

  it('sends nothing before the hour', async () => {
    expect(await bothFire(at('2026-12-01T06:59:00Z'))).toBe(0);
    expect(await queuedTo()).toEqual([]);
  });

  it('queues exactly one digest, for the approver who chose it, once the hour comes', async () => {
    expect(await bothFire(at('2026-12-01T07:00:30Z'))).toBe(1);
    expect(await bothFire(at('2026-12-01T18:00:00Z'))).toBe(0);
    expect(await queuedTo()).toEqual(['frank@techcorp.example']);
    const claims = await replicaA
      .selectFrom('digest_sent')
      .select(['user_id', 'pending_count'])
      .execute();
    expect(claims).toEqual([{ user_id: frank, pending_count: 1 }]);
  });

  it('delivers it over SMTP, in text and escaped HTML, listing what waits', async () => {
    const relay = new MailRelay({
      db: replicaB,
      logger: createLogger('notification-test', 'silent'),
      smtpUrl: `smtp://127.0.0.1:${Number(process.env.TEST_PORT_BASE ?? 5000) + 26}`,
      from: 'Countersign <no-reply@countersign.local>',
    });
    try {
      expect(await relay.sendOnce()).toBe(1);
    } finally {
      await relay.stop();
    }
    const mail = await eventually(async () =>
      received.find((m) => m.to === 'frank@techcorp.example'),
    );
    expect(mail.subject).toBe('Countersign: 1 expense waiting for your approval');
    expect(mail.text).toContain('• Grace Taylor: "Monitor <27">" (42.00)');
    expect(mail.html).toContain('Monitor &#60;27&#34;&#62;');
    expect(mail.html).not.toContain('<27">');
    expect(await queuedTo()).toEqual([]);
  });

  it('sends the next one the next day, and none with nothing pending', async () => {
    expect(await bothFire(at('2026-12-02T07:05:00Z'))).toBe(1);
    await apply(
      event('ExpenseRejected', {
        expense_id: expenses.monitor,
        step: 1,
        approver_id: frank,
        submitter_id: grace,
        reason: 'too big',
        rejected_at: new Date().toISOString(),
        skipped_steps: [],
      }),
    );
    expect(await pendingOf(frank)).toEqual([]);
    expect(await bothFire(at('2026-12-03T07:05:00Z'))).toBe(0);
  });
});

describe('the digest timers of two replicas', () => {
  it('fire many times in the hour and queue one digest between them', async () => {
    await replicaA.deleteFrom('mail_outbox').execute();
    await apply(requested(crypto.randomUUID(), frank, 'Chair'));
    const ticks = { a: 0, b: 0 };
    const clock = (replica: 'a' | 'b') => () => {
      ticks[replica] += 1;
      return new Date('2026-12-04T09:00:00Z');
    };
    const logger = createLogger('notification-test', 'silent');
    const timers = [
      startDigestTimer({ db: replicaA, logger, now: clock('a'), hourUtc: HOUR, intervalMs: 10 }),
      startDigestTimer({ db: replicaB, logger, now: clock('b'), hourUtc: HOUR, intervalMs: 10 }),
    ];
    // Each timer has run several passes before both stop (stop waits for a pass in flight).
    await eventually(async () => (ticks.a >= 5 && ticks.b >= 5 ? true : undefined));
    await Promise.all(timers.map((t) => t.stop()));
    const claims = await replicaA
      .selectFrom('digest_sent')
      .select('user_id')
      .where('day', '=', sql<Date>`'2026-12-04'::date`)
      .execute();
    expect(claims).toEqual([{ user_id: frank }]);
    expect(await queuedTo()).toEqual(['frank@techcorp.example']);
  });
});
