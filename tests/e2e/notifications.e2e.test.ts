import { randomUUID } from 'node:crypto';
import { EventCatalogue, type EventOf, type EventType, Streams } from '@countersign/contracts';
import { demoCompany, demoUsers } from '@countersign/demo-data';
import { newEvent } from '@countersign/platform';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, login, NATS_URL, TestCluster } from '../support/test-cluster.js';

let cluster: TestCluster;
let nc: NatsConnection;
const tokens: Record<string, string> = {};
const idOf = (first: string) =>
  demoUsers.find((u) => u.email.startsWith(`${first}@`))?.id ?? 'missing';
const nameOf = new Map(demoUsers.map((u) => [u.id, u.email.split('@')[0]]));
const mailOf = (first: string) => `${first}@techcorp.example`;

beforeAll(async () => {
  cluster = await TestCluster.start();
  nc = await connect({ servers: NATS_URL });
  for (const name of ['alice', 'bob', 'eve', 'frank', 'grace', 'hannah', 'ivan'])
    tokens[name] = await login(name);
  // The notification service's people directory, from the user events: Hannah is finance.
  await eventually(async () => {
    const rows = await cluster.db.query(
      `select 1 from notification.person where role = 'finance' and active`,
    );
    return rows.rowCount ? true : undefined;
  });
});
afterAll(async () => {
  await nc?.close();
  await cluster?.stop();
});

/** The notification service's one durable on the stream the event's producer writes. */
function consumerOf(type: EventType): { stream: string; durable: string } {
  const producer = EventCatalogue[type].producer;
  return { stream: Streams[producer], durable: `notification-on-${producer}` };
}

/**
 * Publishes an event as its producer would (or again, under another Nats-Msg-Id, so
 * JetStream's duplicate window does not hide it) and waits until the notification service
 * has consumed everything up to it.
 */
async function publish<T extends EventType>(event: EventOf<T>, msgID = event.id): Promise<void> {
  const ack = await jetstream(nc).publish(
    EventCatalogue[event.type].subject,
    JSON.stringify(event),
    { msgID },
  );
  const { stream, durable } = consumerOf(event.type);
  const jsm = await jetstreamManager(nc);
  await eventually(async () => {
    const info = await jsm.consumers.info(stream, durable);
    return info.delivered.stream_seq >= ack.seq && info.num_ack_pending === 0 ? true : undefined;
  });
}

function made<T extends EventType>(type: T, data: EventOf<T>['data']): EventOf<T> {
  return newEvent(type, {
    companyId: demoCompany.id,
    actor: { kind: 'system', id: 'test' },
    subject: 'expense_id' in data ? String(data.expense_id) : randomUUID(),
    data,
  });
}

/** The notifications one event produced, as (first name, kind), and their announcements. */
async function producedBy(eventId: string) {
  const rows = await cluster.db.query<{ recipient_id: string; kind: string; id: string }>(
    'select id, recipient_id, kind from notification.notification where source_event_id = $1 order by recipient_id, kind',
    [eventId],
  );
  const announced = await cluster.db.query<{ n: number }>(
    `select count(*)::int n from notification.outbox
      where payload->>'type' = 'NotificationCreated' and payload->'data'->>'notification_id' = any($1)`,
    [rows.rows.map((r) => r.id)],
  );
  return {
    notes: rows.rows.map((r) => [nameOf.get(r.recipient_id), r.kind]).sort(),
    announced: announced.rows[0]?.n ?? 0,
  };
}

async function mailQueueDrained() {
  await eventually(async () => {
    const rows = await cluster.db.query('select 1 from notification.mail_outbox limit 1');
    return rows.rowCount === 0 ? true : undefined;
  });
}

const at = new Date().toISOString();
const expense = () => randomUUID();
const grace = { id: idOf('grace'), name: 'Grace Taylor', team_id: demoUsers[6]?.teamId ?? '' };
const policy = { id: randomUUID(), name: 'Office', category: 'office', version: 1 };

/** Every event type the service listens to, and exactly who it tells, with which kind. */
const table: [string, () => EventOf<EventType>, [string, string][]][] = [
  [
    'ApprovalRequested: the approver',
    () =>
      made('ApprovalRequested', {
        expense_id: expense(),
        step: 1,
        approver_id: idOf('frank'),
        submitter_id: idOf('grace'),
        submitter_name: 'Grace Taylor',
        amount: '42.00',
        description: 'Keyboard',
      }),
    [['frank', 'approval_requested']],
  ],
  [
    'StepApproved: the submitter',
    () =>
      made('StepApproved', {
        expense_id: expense(),
        step: 1,
        approver_id: idOf('frank'),
        submitter_id: idOf('grace'),
        comments: null,
        approved_at: at,
        pending_required_steps: 1,
      }),
    [['grace', 'step_approved']],
  ],
  [
    'StepApproved by a delegate: the submitter and the delegator',
    () =>
      made('StepApproved', {
        expense_id: expense(),
        step: 1,
        approver_id: idOf('frank'),
        submitter_id: idOf('grace'),
        comments: null,
        approved_at: at,
        pending_required_steps: 0,
        decided_by: idOf('bob'),
      }),
    [
      ['frank', 'decided_on_your_behalf'],
      ['grace', 'step_approved'],
    ],
  ],
  [
    'ExpenseApproved: the submitter and every active finance user',
    () =>
      made('ExpenseApproved', {
        expense_id: expense(),
        submitter_id: idOf('grace'),
        amount: '42.00',
        completed_at: at,
        skipped_steps: [],
      }),
    [
      ['grace', 'expense_approved'],
      ['hannah', 'expense_ready_to_pay'],
    ],
  ],
  [
    'ExpenseAutoApproved: the submitter and finance',
    () =>
      made('ExpenseAutoApproved', {
        expense_id: expense(),
        submitter: grace,
        amount: '12.00',
        description: 'Pens',
        policy,
        approved_at: at,
      }),
    [
      ['grace', 'expense_auto_approved'],
      ['hannah', 'expense_ready_to_pay'],
    ],
  ],
  [
    'ExpenseRejected by a delegate: the submitter and the delegator',
    () =>
      made('ExpenseRejected', {
        expense_id: expense(),
        step: 1,
        approver_id: idOf('frank'),
        submitter_id: idOf('grace'),
        reason: 'no receipt',
        rejected_at: at,
        skipped_steps: [],
        decided_by: idOf('bob'),
      }),
    [
      ['frank', 'decided_on_your_behalf'],
      ['grace', 'expense_rejected'],
    ],
  ],
  [
    'ExpenseSentBack: the submitter',
    () =>
      made('ExpenseSentBack', {
        expense_id: expense(),
        round: 1,
        step: 1,
        approver_id: idOf('frank'),
        submitter_id: idOf('grace'),
        comment: 'add the receipt',
        sent_back_at: at,
      }),
    [['grace', 'expense_sent_back']],
  ],
  [
    'ExpenseRoutingFailed: the submitter',
    () =>
      made('ExpenseRoutingFailed', {
        expense_id: expense(),
        submitter_id: idOf('grace'),
        reason: 'no approver at level 6',
      }),
    [['grace', 'expense_refused']],
  ],
  [
    'ExpenseBlocked: the submitter',
    () =>
      made('ExpenseBlocked', {
        expense_id: expense(),
        round: 1,
        submitter: grace,
        amount: '9000.00',
        description: 'Sofa',
        policy,
        rule: { index: 0, priority: 1 },
        reason: 'needs a purchase order',
        blocked_at: at,
      }),
    [['grace', 'expense_blocked']],
  ],
  [
    'ExpensePaid: the submitter',
    () =>
      made('ExpensePaid', {
        expense_id: expense(),
        submitter_id: idOf('grace'),
        payout_id: randomUUID(),
        reference: 'RUN-1',
        amount: '42.00',
        money: {
          amount: '42.00',
          currency: 'USD',
          base_amount: '42.00',
          base_currency: 'USD',
          exchange_rate: '1',
          rate_date: at.slice(0, 10),
        },
        paid_by: idOf('hannah'),
        paid_at: at,
      }),
    [['grace', 'expense_paid']],
  ],
  [
    'ExpenseWithdrawn: each approver it waited for',
    () =>
      made('ExpenseWithdrawn', {
        expense_id: expense(),
        round: 1,
        submitter_id: idOf('grace'),
        pending_approver_ids: [idOf('frank'), idOf('eve')],
        reason: null,
        withdrawn_at: at,
        skipped_steps: [],
      }),
    [
      ['eve', 'expense_withdrawn'],
      ['frank', 'expense_withdrawn'],
    ],
  ],
  [
    'ApprovalDelegated: the delegate',
    () =>
      made('ApprovalDelegated', {
        delegation_id: randomUUID(),
        delegator_id: idOf('frank'),
        delegator_name: 'Frank Miller',
        delegate_id: idOf('bob'),
        delegate_name: 'Bob Smith',
        starts_on: at.slice(0, 10),
        ends_on: at.slice(0, 10),
        max_amount: null,
        categories: null,
      }),
    [['bob', 'delegation_granted']],
  ],
  [
    'ApprovalEscalated: the approver it left and the submitter',
    () =>
      made('ApprovalEscalated', {
        expense_id: expense(),
        step: 1,
        from_approver_id: idOf('frank'),
        to_approver_id: idOf('eve'),
        submitter_id: idOf('grace'),
        assignment: 2,
        reason: 'no decision in 48 hours',
        due_at: at,
      }),
    [
      ['frank', 'approval_escalated'],
      ['grace', 'approval_escalated'],
    ],
  ],
];

describe('each event notifies exactly the people it concerns', () => {
  it.each(table)('%s, once even when redelivered', async (_name, build, expected) => {
    const event = build();
    await publish(event);
    const first = await producedBy(event.id);
    expect(first.notes).toEqual([...expected].sort());
    expect(first.announced).toBe(expected.length);
    // The same event again, past JetStream's duplicate window: the inbox drops it.
    await publish(event, `${event.id}-redelivered`);
    expect(await producedBy(event.id)).toEqual(first);
  });
});

describe('reading and marking notifications', () => {
  const expenseIds: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 3; i += 1) {
      const event = made('ExpenseSentBack', {
        expense_id: expense(),
        round: 1,
        step: 1,
        approver_id: idOf('frank'),
        submitter_id: idOf('ivan'),
        comment: `fix ${i}`,
        sent_back_at: at,
      });
      expenseIds.push(event.data.expense_id);
      await publish(event);
    }
  });

  it('pages newest first with a cursor, counts the unread, filters unread only', async () => {
    const first = await api('GET', '/api/notifications?limit=2', tokens.ivan);
    expect(first.status).toBe(200);
    expect(first.body.unread_count).toBe(3);
    expect(first.body.items?.map((n) => n.expense_id)).toEqual([expenseIds[2], expenseIds[1]]);
    const second = await api(
      'GET',
      `/api/notifications?limit=2&cursor=${String(first.body.next_cursor)}`,
      tokens.ivan,
    );
    expect(second.body.items?.map((n) => n.expense_id)).toEqual([expenseIds[0]]);
    expect(second.body.next_cursor).toBeNull();
    expect((await api('GET', '/api/notifications?unread_only=maybe', tokens.ivan)).status).toBe(
      400,
    );
  });

  it('marks one read, idempotently; someone else’s is not found', async () => {
    const items = (await api('GET', '/api/notifications', tokens.ivan)).body.items ?? [];
    const target = String(items[0]?.id);
    const marked = await api('POST', `/api/notifications/${target}/read`, tokens.ivan);
    expect(marked.status).toBe(200);
    const readAt = (marked.body.notification as { read_at: string }).read_at;
    expect(readAt).toEqual(expect.any(String));
    // A bare POST (above) or an empty JSON body; a body that tries to set anything is refused.
    const again = await api('POST', `/api/notifications/${target}/read`, tokens.ivan, {});
    const smuggled = await api('POST', `/api/notifications/${target}/read`, tokens.ivan, {
      read_at: null,
    });
    expect(smuggled.status).toBe(400);
    expect(JSON.stringify(smuggled.body.errors)).toContain('read_at');
    expect((again.body.notification as { read_at: string }).read_at).toBe(readAt);
    const theirs = await api('POST', `/api/notifications/${target}/read`, tokens.grace);
    expect(theirs.status).toBe(404);
    expect(theirs.contentType).toContain('application/problem+json');
    expect((await api('POST', '/api/notifications/not-a-uuid/read', tokens.ivan)).status).toBe(400);
    const unread = await api('GET', '/api/notifications?unread_only=true', tokens.ivan);
    expect(unread.body.unread_count).toBe(2);
    expect(unread.body.items?.map((n) => n.id)).not.toContain(target);
  });

  it('marks all read, answering how many were unread', async () => {
    const all = await api('POST', '/api/notifications/read-all', tokens.ivan);
    expect(all.status).toBe(200);
    expect(all.body).toEqual({ marked: 2 });
    expect((await api('POST', '/api/notifications/read-all', tokens.ivan)).body).toEqual({
      marked: 0,
    });
    expect((await api('GET', '/api/notifications', tokens.ivan)).body.unread_count).toBe(0);
  });

  it('needs a token', async () => {
    expect((await api('POST', '/api/notifications/read-all')).status).toBe(401);
    expect((await api('GET', '/api/notification-preferences')).status).toBe(401);
  });
});

describe('through the whole flow, in-app and by e-mail', () => {
  it('asks the approver by e-mail (text and escaped HTML), then tells the submitter and finance', async () => {
    await mailQueueDrained(); // mail of the tests above is out, not counted as this one's
    const mailBefore = cluster.mail.length;
    const created = await api('POST', '/api/expenses', tokens.grace, {
      category: 'equipment',
      amount: 64,
      description: 'Mouse <b>wireless</b>',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = String(created.body.expense_id);
    const asked = await cluster.waitForMail(mailOf('frank'), /waits for your approval/, mailBefore);
    expect(asked.text).toContain('Mouse <b>wireless</b>');
    expect(asked.html).toContain('Mouse &#60;b&#62;wireless&#60;/b&#62;');
    expect(asked.html).not.toContain('<b>wireless');
    const approved = await eventually(async () => {
      const r = await api('POST', '/api/expenses/approve', tokens.frank, { expense_id: id });
      return r.status === 404 ? undefined : r;
    });
    expect(approved.status).toBe(200);
    const ready = await cluster.waitForMail(mailOf('hannah'), /ready to pay/, mailBefore);
    expect(ready.text).toContain('64.00');
    const kindsFor = async (token: string | undefined) =>
      ((await api('GET', '/api/notifications?limit=100', token)).body.items ?? [])
        .filter((n) => n.expense_id === id)
        .map((n) => n.kind)
        .sort();
    await eventually(async () => ((await kindsFor(tokens.grace)).length === 2 ? true : undefined));
    expect(await kindsFor(tokens.grace)).toEqual(['expense_approved', 'step_approved']);
    expect(await kindsFor(tokens.hannah)).toEqual(['expense_ready_to_pay']);
    expect(await kindsFor(tokens.frank)).toEqual(['approval_requested']);
    // Informational kinds are in-app only by default: Grace got no mail about this expense.
    await mailQueueDrained();
    expect(cluster.mail.slice(mailBefore).filter((m) => m.to === mailOf('grace'))).toEqual([]);
  });
});

describe('preferences', () => {
  it('lists every kind with its default', async () => {
    const response = await api('GET', '/api/notification-preferences', tokens.eve);
    expect(response.status).toBe(200);
    const prefs = response.body.preferences as { kind: string; in_app: boolean; email: string }[];
    expect(prefs).toContainEqual({
      kind: 'approval_requested',
      in_app: true,
      email: 'immediately',
    });
    expect(prefs).toContainEqual({ kind: 'expense_paid', in_app: true, email: 'off' });
  });

  it.each([
    [
      'a digest for a kind other than approval requests',
      [{ kind: 'expense_paid', email: 'daily_digest' }],
    ],
    ['an unknown kind', [{ kind: 'weather', in_app: false }]],
    ['no channel', [{ kind: 'expense_paid' }]],
    [
      'a kind twice',
      [
        { kind: 'expense_paid', in_app: false },
        { kind: 'expense_paid', email: 'off' },
      ],
    ],
    ['an unknown field', [{ kind: 'expense_paid', in_app: false, sms: true }]],
    ['nothing', []],
  ])('refuses %s with a 400 naming it', async (_name, preferences) => {
    const response = await api('PUT', '/api/notification-preferences', tokens.eve, { preferences });
    expect(response.status).toBe(400);
    expect(response.contentType).toContain('application/problem+json');
    expect(response.body.errors).toEqual(expect.any(Array));
  });

  it('honours them: in-app off stores nothing, e-mail on sends one, other channels kept', async () => {
    const changed = await api('PUT', '/api/notification-preferences', tokens.eve, {
      preferences: [
        { kind: 'expense_withdrawn', in_app: false, email: 'immediately' },
        { kind: 'approval_requested', email: 'off' },
      ],
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const prefs = changed.body.preferences as { kind: string }[];
    expect(prefs).toContainEqual({
      kind: 'expense_withdrawn',
      in_app: false,
      email: 'immediately',
    });
    expect(prefs).toContainEqual({ kind: 'approval_requested', in_app: true, email: 'off' });
    expect((await api('GET', '/api/notification-preferences', tokens.eve)).body).toEqual(
      changed.body,
    );

    await mailQueueDrained();
    const mailBefore = cluster.mail.length;
    const withdrawn = made('ExpenseWithdrawn', {
      expense_id: expense(),
      round: 1,
      submitter_id: idOf('grace'),
      pending_approver_ids: [idOf('eve'), idOf('frank')],
      reason: 'bought it <myself>',
      withdrawn_at: at,
      skipped_steps: [],
    });
    await publish(withdrawn);
    expect((await producedBy(withdrawn.id)).notes).toEqual([['frank', 'expense_withdrawn']]);
    const mail = await cluster.waitForMail(mailOf('eve'), /withdrawn/, mailBefore);
    expect(mail.text).toContain('bought it <myself>');
    expect(mail.html).toContain('bought it &#60;myself&#62;');

    const requested = made('ApprovalRequested', {
      expense_id: expense(),
      step: 1,
      approver_id: idOf('eve'),
      submitter_id: idOf('grace'),
      submitter_name: 'Grace Taylor',
      amount: '42.00',
      description: 'No mail for this one',
    });
    await publish(requested);
    expect((await producedBy(requested.id)).notes).toEqual([['eve', 'approval_requested']]);
    // Mail is queued in the transaction the consumer commits before it acks: once the queue
    // is empty, whatever was queued has reached the SMTP server.
    await mailQueueDrained();
    expect(cluster.mail.slice(mailBefore).map((m) => [m.to, m.subject])).toEqual([
      [mailOf('eve'), expect.stringMatching(/withdrawn/)],
      // Frank's defaults mail nothing for a withdrawal.
    ]);
  });
});
