import { EventCatalogue, Streams } from '@countersign/contracts';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  eventually,
  login,
  NATS_URL,
  policies,
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
async function expectRoutedExactlyOnce(created: string[]) {
  await eventually(async () => {
    const chains = await count('select count(*) n from approval.chain where expense_id = any($1)', [
      created,
    ]);
    const notes = await count(
      "select count(*) n from notification.notification where kind = 'approval_requested' and expense_id = any($1)",
      [created],
    );
    return chains === created.length && notes === created.length ? true : undefined;
  }, 30_000);
  expect(
    await count('select count(*) n from approval.chain_step where expense_id = any($1)', [created]),
  ).toBe(created.length);
  // No half-written expense: everything stored was answered 201, and vice versa.
  expect(await count('select count(*) n from expense.expense')).toBe(
    await count('select count(*) n from approval.chain'),
  );
  expect(await count('select count(*) n from expense.outbox where sent_at is null')).toBe(0);
}

describe('crashes lose nothing and duplicate nothing', () => {
  it('kill -9 of the approval service after submit: each expense is routed exactly once', async () => {
    // Routing answered every 201; the events are still flowing when approval dies.
    const first = await submitBurst(40);
    await cluster.crash('approval');
    const after = await submitBurst(5); // approval is down: refused with 503, nothing stored
    expect(after.created).toEqual([]);
    await cluster.startService('approval');
    expect(first.created.length).toBeGreaterThan(0);
    await expectRoutedExactlyOnce(first.created);
  });

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
    await nc.close();
    await new Promise((resolve) => setTimeout(resolve, 1000));
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
  });

  it('the relay publishes with the event id as Nats-Msg-Id, so JetStream drops a re-publish', async () => {
    const nc = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(nc);
    const js = (await import('@nats-io/jetstream')).jetstream(nc);
    const sent = await cluster.db.query<{ event_id: string; payload: unknown }>(
      'select event_id, payload from expense.outbox order by id limit 1',
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

describe('tracing', () => {
  it('one submit → approve flow is one trace across all four services', async () => {
    const created = await api('POST', '/api/expenses', grace, {
      policy_id: policies.small,
      amount: 11,
      description: 'traced',
    });
    const id = String(created.body.expense_id);
    await expectRoutedExactlyOnce([id]);
    const traced = await eventually(async () => {
      const byTrace = new Map<string, Set<string>>();
      for (const span of cluster.spans()) {
        const services = byTrace.get(span.trace_id) ?? new Set<string>();
        services.add(span.service);
        byTrace.set(span.trace_id, services);
      }
      return [...byTrace.values()].find((services) => services.size === 4);
    });
    expect([...traced].sort()).toEqual(['approval', 'expense', 'gateway', 'notification']);
    const names = new Set(cluster.spans().map((s) => s.name));
    expect(names).toContain(`send ${EventCatalogue.ExpenseSubmitted.subject}`);
    expect(names).toContain(`process ${EventCatalogue.ApprovalRequested.subject}`);
    expect(frank).toBeTruthy();
  });
});
