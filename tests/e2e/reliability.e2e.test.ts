import { EventCatalogue, Streams } from '@countersign/contracts';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  eventually,
  gatewayUrl,
  login,
  NATS_URL,
  policies,
  ports,
  TestCluster,
} from '../support/test-cluster.js';

let cluster: TestCluster;
let grace: string;
let frank: string;

beforeAll(async () => {
  cluster = await TestCluster.start();
  grace = await login('grace');
  frank = await login('frank');
});
afterAll(async () => cluster?.stop());

const count = async (sql: string, params: unknown[] = []) =>
  Number((await cluster.db.query<{ n: string }>(sql, params)).rows[0]?.n ?? 0);

async function submitBurst(size: number): Promise<{ created: string[]; refused: number }> {
  const results = await Promise.all(
    Array.from({ length: size }, (_, i) =>
      api('POST', '/api/expenses', grace, {
        policy_id: policies.small,
        amount: 10 + i,
        description: `burst ${i}`,
      }),
    ),
  );
  return {
    created: results.filter((r) => r.status === 201).map((r) => String(r.body.expense_id)),
    refused: results.filter((r) => r.status !== 201).length,
  };
}

/** Every created expense has exactly one chain, one first-step notification, and no orphans exist. */
async function expectRoutedExactlyOnce(created: string[], withinMs = 30_000) {
  await eventually(async () => {
    const chains = await count('select count(*) n from approval.chain where expense_id = any($1)', [
      created,
    ]);
    const notes = await count(
      "select count(*) n from notification.notification where kind = 'approval_requested' and expense_id = any($1)",
      [created],
    );
    return chains === created.length && notes === created.length ? true : undefined;
  }, withinMs);
  expect(
    await count('select count(*) n from approval.chain_step where expense_id = any($1)', [created]),
  ).toBe(created.length);
  // No half-written expense: every stored expense has its chain (or was refused by event).
  expect(await count("select count(*) n from expense.expense where status <> 'refused'")).toBe(
    await count('select count(*) n from approval.chain'),
  );
  // The relay marks what it published with its next claim, or within a moment when idle.
  await eventually(async () =>
    (await count('select count(*) n from expense.outbox where sent_at is null')) === 0
      ? true
      : undefined,
  );
}

describe('crashes lose nothing and duplicate nothing', () => {
  it('kill -9 of the approval service after submit: submitting goes on, each expense is routed exactly once', async () => {
    // Routing answered every 201; the events are still flowing when approval dies.
    const first = await submitBurst(40);
    await cluster.crash('approval');
    // Expense routes from its own copy of approval's data: submitting goes on meanwhile,
    // and approval stores those chains once it is back.
    const during = await submitBurst(5);
    expect(during.refused).toBe(0);
    await cluster.startService('approval');
    expect(first.created.length).toBeGreaterThan(0);
    // A message the killed process had taken comes back only after the consumer's ack
    // wait (30 s), so allow that plus the time to handle it.
    await expectRoutedExactlyOnce([...first.created, ...during.created], 60_000);
  }, 120_000);

  it('kill -9 of the expense service mid-burst: committed expenses still get routed', async () => {
    const burst = submitBurst(40);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await cluster.crash('expense');
    const { created } = await burst;
    await cluster.startService('expense');
    const all = (await cluster.db.query<{ id: string }>('select id from expense.expense')).rows.map(
      (r) => r.id,
    );
    expect(all).toEqual(expect.arrayContaining(created));
    await expectRoutedExactlyOnce(all);
  });
});

describe('messaging', () => {
  it('a redelivered event (new message id, same event id) changes nothing', async () => {
    const created = await api('POST', '/api/expenses', grace, {
      policy_id: policies.small,
      amount: 7,
      description: 'dup',
    });
    const id = String(created.body.expense_id);
    await expectRoutedExactlyOnce([id]);
    const row = await cluster.db.query<{ payload: unknown }>(
      "select payload from expense.outbox where payload->'data'->>'expense_id' = $1",
      [id],
    );
    const nc = await connect({ servers: NATS_URL });
    const js = (await import('@nats-io/jetstream')).jetstream(nc);
    await js.publish(
      EventCatalogue.ExpenseSubmitted.subject,
      JSON.stringify(row.rows[0]?.payload),
      {
        msgID: `replay-${id}`,
      },
    );
    // Wait until approval has acked the replay, then check it was skipped by the inbox:
    // handled again, it would have tried a second chain and ended as a dead letter.
    const jsm = await jetstreamManager(nc);
    await eventually(async () => {
      const info = await jsm.consumers.info(Streams.expense, 'approval-on-expense-events');
      return info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
    });
    await nc.close();
    const replayed = row.rows[0]?.payload as { id: string } | undefined;
    expect(replayed).toBeDefined();
    expect(
      await count('select count(*) n from approval.dead_letter where event_id = $1', [
        replayed?.id,
      ]),
    ).toBe(0);
    expect(
      await count('select count(*) n from approval.chain_step where expense_id = $1', [id]),
    ).toBe(1);
    expect(
      await count(
        "select count(*) n from approval.outbox where subject like '%routed%' and payload->>'subject' = $1",
        [id],
      ),
    ).toBe(1);
    expect(
      await count('select count(*) n from notification.notification where expense_id = $1', [id]),
    ).toBe(1);
  });

  it('a malformed event is dead-lettered, kept and not retried forever', async () => {
    const nc = await connect({ servers: NATS_URL });
    const js = (await import('@nats-io/jetstream')).jetstream(nc);
    const h = headers();
    await js.publish(
      EventCatalogue.ExpenseSubmitted.subject,
      '{"type":"ExpenseSubmitted","garbage":true}',
      { headers: h },
    );
    await nc.close();
    const row = await eventually(async () => {
      const result = await cluster.db.query<{ error: string; deliveries: number }>(
        "select error, deliveries from approval.dead_letter where payload like '%garbage%'",
      );
      return result.rows[0];
    });
    expect(row.error).toMatch(/does not match ExpenseSubmitted/);
    expect(row.deliveries).toBe(1);
    const ready = (await (await fetch(`http://127.0.0.1:${ports.approval}/readyz`)).json()) as {
      figures: { dead_letters: number };
    };
    expect(ready.figures.dead_letters).toBeGreaterThanOrEqual(1);
  });

  it('the relay publishes with the event id as Nats-Msg-Id, so JetStream drops a re-publish', async () => {
    const nc = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(nc);
    const js = (await import('@nats-io/jetstream')).jetstream(nc);
    const sent = await cluster.db.query<{ event_id: string; payload: unknown }>(
      'select event_id, payload from expense.outbox where sent_at is not null order by id desc limit 1',
    );
    const event = sent.rows[0];
    const before = (await jsm.streams.info(Streams.expense)).state.messages;
    const ack = await js.publish(
      EventCatalogue.ExpenseSubmitted.subject,
      JSON.stringify(event?.payload),
      {
        msgID: event?.event_id ?? '',
      },
    );
    expect(ack.duplicate).toBe(true);
    expect((await jsm.streams.info(Streams.expense)).state.messages).toBe(before);
    await nc.close();
  });
});

describe('the org changes between the routing decision and the event', () => {
  /** Submits a Small Equipment expense as Grace and waits until it is routed. */
  async function submitRouted(amount: number, description: string): Promise<string> {
    const created = await api('POST', '/api/expenses', grace, {
      policy_id: policies.small,
      amount,
      description,
    });
    expect(created.status).toBe(201);
    const id = String(created.body.expense_id);
    await expectRoutedExactlyOnce([id]);
    return id;
  }

  /** Takes an expense back to "submitted, not yet routed" and delivers its event again. */
  async function rerouteFromScratch(expenseId: string) {
    await cluster.db.query('delete from approval.chain_step where expense_id = $1', [expenseId]);
    await cluster.db.query('delete from approval.chain where expense_id = $1', [expenseId]);
    const row = await cluster.db.query<{ payload: { id: string } }>(
      "select payload from expense.outbox where payload->'data'->>'expense_id' = $1",
      [expenseId],
    );
    const payload = { ...(row.rows[0]?.payload as object), id: crypto.randomUUID() };
    const nc = await connect({ servers: NATS_URL });
    await (await import('@nats-io/jetstream'))
      .jetstream(nc)
      .publish(EventCatalogue.ExpenseSubmitted.subject, JSON.stringify(payload));
    await nc.close();
  }

  it('a decided approver who left is replaced by the next eligible one, and the expense shows it', async () => {
    const id = await submitRouted(15, 'org change');
    await cluster.db.query(
      "update approval.person set active = false where email = 'frank@techcorp.example'",
    );
    try {
      await rerouteFromScratch(id);
      const status = await eventually(async () => {
        const response = await api('GET', `/api/expenses/${id}/status`, grace);
        const approvals = response.body.approvals as { approver_name: string }[];
        return approvals[0]?.approver_name === 'Eve Davis' ? response.body : undefined;
      });
      expect(status.approvals).toMatchObject([
        { step_number: 1, approver_name: 'Eve Davis', approver_level: 'SEM', status: 'pending' },
      ]);
      const routed = await cluster.db.query<{ payload: { data: { adjustments: unknown[] } } }>(
        "select payload from approval.outbox where subject = $1 and payload->>'subject' = $2 order by id desc limit 1",
        [EventCatalogue.ExpenseRouted.subject, id],
      );
      expect(routed.rows[0]?.payload.data.adjustments).toEqual([
        expect.objectContaining({
          step: 1,
          previous_approver_id: '0197a000-0000-7000-8000-000000000106',
        }),
      ]);
    } finally {
      await cluster.db.query(
        "update approval.person set active = true where email = 'frank@techcorp.example'",
      );
    }
  });

  it('when nobody eligible is left, the expense is refused by event and the submitter told', async () => {
    const id = await submitRouted(16, 'nobody left');
    await cluster.db.query(
      "update approval.person set active = false where email <> 'grace@techcorp.example'",
    );
    try {
      await rerouteFromScratch(id);
      const status = await eventually(async () => {
        const response = await api('GET', `/api/expenses/${id}/status`, grace);
        return response.body.status === 'refused' ? response.body : undefined;
      });
      expect(String(status.refusal_reason)).toMatch(/there is none/);
      await eventually(async () => {
        const items = (await api('GET', '/api/notifications', grace)).body.items ?? [];
        return items.find((n) => n.expense_id === id && n.kind === 'expense_refused');
      });
    } finally {
      await cluster.db.query('update approval.person set active = true');
    }
  });
});

describe('tracing', () => {
  /**
   * Waits until spans of the trace include every expected name and come from all four
   * services (each process exports in its own batches), then names those services; if
   * that never happens, `eventually` fails the test.
   */
  async function traceOf(traceId: string, expectedNames: string[]): Promise<string[]> {
    return eventually(async () => {
      const spans = cluster.spans().filter((s) => s.trace_id === traceId);
      const names = new Set(spans.map((s) => s.name));
      if (!expectedNames.every((name) => names.has(name))) return undefined;
      const services = [...new Set(spans.map((s) => s.service))].sort();
      // The gateway's server span ends last and may arrive in a later export batch.
      return services.length === 4 ? services : undefined;
    });
  }

  /**
   * Calls the gateway as a traced client would: with a W3C traceparent of our choosing,
   * which says whether the caller sampled the trace.
   */
  async function tracedCall(
    traceId: string,
    path: string,
    token: string,
    body: unknown,
    sampled = true,
  ) {
    const response = await fetch(`${gatewayUrl}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        traceparent: `00-${traceId}-00f067aa0ba902b7-${sampled ? '01' : '00'}`,
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('a submit, and then its approval, are each one trace across all four services', async () => {
    const submitTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const created = await tracedCall(submitTrace, '/api/expenses', grace, {
      policy_id: policies.small,
      amount: 11,
      description: 'traced',
    });
    expect(created.status).toBe(201);
    const id = String(created.body.expense_id);
    const submitServices = await traceOf(submitTrace, [
      `send ${EventCatalogue.ExpenseSubmitted.subject}`,
      `process ${EventCatalogue.ExpenseSubmitted.subject}`,
      `process ${EventCatalogue.ApprovalRequested.subject}`,
    ]);
    expect(submitServices).toEqual(['approval', 'expense', 'gateway', 'notification']);

    const approveTrace = '5ce0a1b2c3d4e5f60718293a4b5c6d7e';
    const approved = await tracedCall(approveTrace, '/api/expenses/approve', frank, {
      expense_id: id,
    });
    expect(approved.status).toBe(200);
    const approveServices = await traceOf(approveTrace, [
      `send ${EventCatalogue.ExpenseApproved.subject}`,
      `process ${EventCatalogue.ExpenseApproved.subject}`,
    ]);
    expect(approveServices).toEqual(['approval', 'expense', 'gateway', 'notification']);
  });

  it('a submit its caller did not sample goes all the way through and records no span', async () => {
    const unsampledTrace = '6a7b8c9d0e1f20314253647586970a1b';
    const created = await tracedCall(
      unsampledTrace,
      '/api/expenses',
      grace,
      { policy_id: policies.small, amount: 12, description: 'not sampled' },
      false,
    );
    expect(created.status).toBe(201);
    const id = String(created.body.expense_id);
    // It was relayed, routed and notified like any other submit...
    await eventually(async () => {
      const notes = await count(
        "select count(*) n from notification.notification where kind = 'approval_requested' and expense_id = $1",
        [id],
      );
      return notes === 1 ? true : undefined;
    });
    // ...and a sampled submit after it, once its own trace is complete in all four
    // services, shows their exporters flushed past the unsampled one.
    const laterTrace = '7b8c9d0e1f20314253647586970a1b2c';
    expect(
      (
        await tracedCall(laterTrace, '/api/expenses', grace, {
          policy_id: policies.small,
          amount: 13,
          description: 'sampled after',
        })
      ).status,
    ).toBe(201);
    await traceOf(laterTrace, [
      `send ${EventCatalogue.ExpenseSubmitted.subject}`,
      `process ${EventCatalogue.ExpenseSubmitted.subject}`,
      `process ${EventCatalogue.ApprovalRequested.subject}`,
    ]);
    expect(cluster.spans().filter((s) => s.trace_id === unsampledTrace)).toEqual([]);
  });
});
