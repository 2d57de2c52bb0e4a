/**
 * The approval flow through two replicas of every service on a three-node NATS cluster
 * with R3 streams (`npm start -- --replicas 2 --nats-cluster 3`): requests and events are
 * spread over both replicas, each event is handled once, and kill -9 of a replica under
 * load loses and duplicates nothing.
 */
import { Streams } from '@countersign/contracts';
import { natsServers } from '@countersign/platform';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName } from '../../scripts/cluster.js';
import { openSse, type SseConnection } from '../support/sse.js';
import {
  type ApiResponse,
  api,
  eventually,
  gatewayUrl,
  login,
  policies,
  type RecordedSpan,
  TestCluster,
} from '../support/test-cluster.js';

const REPLICAS = 2;
const SERVICES: ServiceName[] = ['gateway', 'expense', 'approval', 'notification'];
const HTTP_SERVICES: ServiceName[] = ['gateway', 'expense', 'approval'];
const CONSUMING_SERVICES: ServiceName[] = ['expense', 'approval', 'notification'];
/** SpanKind.SERVER and SpanKind.CONSUMER, as the span file records them. */
const SERVER_SPAN = 1;
const CONSUMER_SPAN = 4;

let cluster: TestCluster;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  cluster = await TestCluster.start({}, { replicas: REPLICAS, natsNodes: 3 });
  for (const name of ['alice', 'david', 'eve', 'frank', 'grace', 'ivan'])
    tokens[name] = await login(name);
  // Eight processes start, two at a time: longer than the default hook timeout allows.
}, 300_000);
afterAll(async () => cluster?.stop());

const rows = async <T>(sql: string, params: unknown[] = []) =>
  (await cluster.db.query<T & Record<string, unknown>>(sql, params)).rows;

async function submit(policy: string, amount: number, description: string): Promise<string> {
  const response = await api('POST', '/api/expenses', tokens.grace, {
    policy_id: policy,
    amount,
    description,
  });
  expect(response.status).toBe(201);
  return String(response.body.expense_id);
}

/**
 * Approves or rejects once routing has stored the chain (404: not routed yet). A 503 means
 * the replica that had the request died: the decision may or may not have committed, so
 * it is sent again, and a 409 to that retry means the first one did.
 */
async function decide(
  verb: 'approve' | 'reject',
  expenseId: string,
  as: string,
): Promise<ApiResponse> {
  let retried = false;
  return eventually(async () => {
    const response = await api('POST', `/api/expenses/${verb}`, tokens[as], {
      expense_id: expenseId,
      ...(verb === 'reject' ? { reason: 'Over budget' } : { comments: 'fine' }),
    });
    if (response.status === 404 || response.status >= 500) {
      retried ||= response.status >= 500;
      return undefined;
    }
    if (response.status === 409 && retried) return { ...response, status: 200 };
    return response;
  }, 90_000);
}

/** Large equipment: Frank, Eve, then David approve. */
async function approveAllSteps(expenseId: string): Promise<void> {
  for (const approver of ['frank', 'eve', 'david'])
    expect((await decide('approve', expenseId, approver)).status).toBe(200);
}

/** Travel: Frank approves, Eve rejects. */
async function approveThenReject(expenseId: string): Promise<void> {
  expect((await decide('approve', expenseId, 'frank')).status).toBe(200);
  expect((await decide('reject', expenseId, 'eve')).status).toBe(200);
}

async function statuses(ids: string[]): Promise<Map<string, string>> {
  const found = await rows<{ id: string; status: string }>(
    'select id, status from expense.expense where id = any($1)',
    [ids],
  );
  return new Map(found.map((r) => [r.id, r.status]));
}

/** Every notification about the expenses: expense → the kinds, one entry per row. */
async function notificationKinds(ids: string[]): Promise<Map<string, string[]>> {
  const found = await rows<{ expense_id: string; kind: string }>(
    'select expense_id, kind from notification.notification where expense_id = any($1) order by kind',
    [ids],
  );
  const kinds = new Map<string, string[]>();
  for (const row of found)
    kinds.set(row.expense_id, [...(kinds.get(row.expense_id) ?? []), row.kind]);
  return kinds;
}

/** What each expense must have led to, once every event is handled. */
interface Expected {
  large: string[];
  travel: string[];
}

/**
 * Waits until every expense ended as it should and every consumer is idle, then checks
 * each event was handled exactly once: one chain and the right steps per expense, each
 * notification once, no dead letter, nothing left in an outbox, the audit chains intact.
 */
async function expectHandledExactlyOnce({ large, travel }: Expected, withinMs: number) {
  const all = [...large, ...travel];
  await eventually(async () => {
    const now = await statuses(all);
    const done =
      large.every((id) => now.get(id) === 'approved') &&
      travel.every((id) => now.get(id) === 'rejected');
    return done && (await consumersIdle()) ? true : undefined;
  }, withinMs);
  const chains = await rows<{ expense_id: string; n: number }>(
    'select expense_id, count(*)::int n from approval.chain_step where expense_id = any($1) group by 1',
    [all],
  );
  expect(new Map(chains.map((r) => [r.expense_id, r.n]))).toEqual(
    new Map([...large.map((id) => [id, 3] as const), ...travel.map((id) => [id, 2] as const)]),
  );
  // An event handled twice would show as a second row of its kind: each approver is asked
  // once per step, the submitter told of each step approved and of the outcome once, and
  // finance of an approved expense to pay once.
  const kinds = await notificationKinds(all);
  for (const id of large) {
    expect({ id, kinds: kinds.get(id) }).toEqual({
      id,
      kinds: [
        ...Array(3).fill('approval_requested'),
        'expense_approved',
        'expense_ready_to_pay',
        ...Array(3).fill('step_approved'),
      ],
    });
  }
  for (const id of travel) {
    expect({ id, kinds: kinds.get(id) }).toEqual({
      id,
      kinds: ['approval_requested', 'approval_requested', 'expense_rejected', 'step_approved'],
    });
  }
  for (const schema of ['expense', 'approval', 'notification', 'identity']) {
    const [dead] = await rows<{ n: number }>(`select count(*)::int n from ${schema}.dead_letter`);
    expect({ schema, dead: dead?.n }).toEqual({ schema, dead: 0 });
  }
  // Every step asked for and every decision is one audit entry in approval's chain.
  const decided = await rows<{ entity_id: string; action: string; step: string; n: number }>(
    `select entity_id, action, after->>'step' step, count(*)::int n from approval.audit_log
      where entity_id = any($1) group by 1, 2, 3 having count(*) > 1`,
    [all],
  );
  expect(decided).toEqual([]);
  const verified = await eventually(async () => {
    const response = await api('GET', '/api/audit-logs/verify', tokens.ivan);
    const services = response.body.services as { unchained: number }[];
    return services.every((s) => s.unchained === 0) ? response : undefined;
  }, 30_000);
  expect(verified.body).toMatchObject({ intact: true, first_broken: null });
}

/** Nothing unsent in any outbox and every durable consumer has handled what it was given. */
async function consumersIdle(): Promise<boolean> {
  for (const schema of ['expense', 'approval', 'notification', 'identity']) {
    const [unsent] = await rows<{ n: number }>(
      `select count(*)::int n from ${schema}.outbox where sent_at is null`,
    );
    if ((unsent?.n ?? 0) > 0) return false;
  }
  const nc = await connect({ servers: natsServers(cluster.natsUrl) });
  try {
    const jsm = await jetstreamManager(nc);
    for (const stream of Object.values(Streams)) {
      for await (const info of jsm.consumers.list(stream)) {
        if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
      }
    }
    return true;
  } finally {
    await nc.close();
  }
}

/** Which processes recorded spans of the kind, by service. */
function pidsByService(spans: RecordedSpan[], kind: number): Map<string, Set<number>> {
  const pids = new Map<string, Set<number>>();
  for (const span of spans.filter((s) => s.kind === kind)) {
    const set = pids.get(span.service) ?? new Set<number>();
    set.add(span.pid);
    pids.set(span.service, set);
  }
  return pids;
}

describe('two replicas of every service', () => {
  it('runs each service as two processes on one port', () => {
    for (const service of SERVICES) expect(cluster.replicaPids(service)).toHaveLength(REPLICAS);
  });

  it('submit, three-step approvals and rejections in parallel: each handled exactly once', async () => {
    // Several at once, as several people would: the gateway opens several connections to
    // each service, and the replicas take turns at them.
    const large = await Promise.all(
      Array.from({ length: 6 }, (_, i) => submit(policies.large, 2000 + i, `workstation ${i}`)),
    );
    const travel = await Promise.all(
      Array.from({ length: 6 }, (_, i) => submit(policies.travel, 1000 + i, `trip ${i}`)),
    );
    await Promise.all([...large.map(approveAllSteps), ...travel.map(approveThenReject)]);
    await expectHandledExactlyOnce({ large, travel }, 30_000);

    // Grace's feed has every outcome, whichever replica handled which event.
    const feed = await api('GET', '/api/notifications?limit=100', tokens.grace);
    const outcomes = (feed.body.items ?? []).filter(
      (n) => n.kind === 'expense_approved' || n.kind === 'expense_rejected',
    );
    expect(outcomes.map((n) => n.expense_id).sort()).toEqual([...large, ...travel].sort());
  }, 120_000);

  it('spread the work: both replicas of every service served requests and handled events', async () => {
    const expected = new Map(SERVICES.map((s) => [s, new Set(cluster.replicaPids(s))]));
    // Requests: the gateway and the services it calls here (the flow's reads of notification
    // record no server span, so its share shows in events). Spans are exported in batches:
    // wait until each replica's are in.
    const served = await eventually(async () => {
      const pids = pidsByService(cluster.spans(), SERVER_SPAN);
      return HTTP_SERVICES.every((s) => pids.get(s)?.size === REPLICAS) ? pids : undefined;
    });
    for (const service of HTTP_SERVICES) expect(served.get(service)).toEqual(expected.get(service));
    // Events: every service that consumes them had both replicas take some. Which replica's
    // pull gets a message is JetStream's choice (a waiting pull can take a whole burst), so
    // more expenses are submitted, one at a time, until both have, or 20 have gone by.
    const consumersSpread = () => {
      const pids = pidsByService(cluster.spans(), CONSUMER_SPAN);
      return CONSUMING_SERVICES.every((s) => pids.get(s)?.size === REPLICAS) ? pids : undefined;
    };
    for (let extra = 0; extra < 20 && consumersSpread() === undefined; extra += 1) {
      await submit(policies.travel, 100 + extra, `spread ${extra}`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const handled = await eventually(async () => consumersSpread());
    for (const service of CONSUMING_SERVICES)
      expect(handled.get(service)).toEqual(expected.get(service));
  }, 120_000);

  it('a feed item reaches streams open on either gateway replica', async () => {
    // Four streams, four connections: the gateway's replicas take turns at new connections.
    const streams: SseConnection[] = [];
    for (let i = 0; i < 4; i += 1) streams.push(await openSse(gatewayUrl, tokens.grace));
    try {
      for (const stream of streams) expect(stream.status).toBe(200);
      const id = await submit(policies.travel, 300, 'streamed');
      await decide('approve', id, 'frank');
      for (const stream of streams)
        await stream.waitFor((event) => event.data.includes(id) && event.data.includes('step'));
    } finally {
      for (const stream of streams) stream.close();
    }
    // The streams' server spans end when they close: they came from both replicas.
    const streamPids = await eventually(async () => {
      const pids = new Set(
        cluster
          .spans()
          .filter((s) => s.service === 'gateway' && s.kind === SERVER_SPAN)
          .filter((s) => s.attributes['url.path'] === '/api/stream')
          .map((s) => s.pid),
      );
      return pids.size === REPLICAS ? pids : undefined;
    });
    expect(streamPids).toEqual(new Set(cluster.replicaPids('gateway')));
  });
});

describe('kill -9 of a replica under load', () => {
  it('approval and notification each lose a replica mid-load: nothing lost, nothing twice', async () => {
    const large: string[] = [];
    const travel: string[] = [];
    const inFlight: Promise<void>[] = [];
    // Four people at a time submit and see their expenses through, for 24 expenses.
    const worker = async (lane: number) => {
      for (let i = 0; i < 6; i += 1) {
        const isLarge = (lane + i) % 2 === 0;
        const id = isLarge
          ? await submit(policies.large, 3000 + lane * 10 + i, `load ${lane}.${i}`)
          : await submit(policies.travel, 500 + lane * 10 + i, `load ${lane}.${i}`);
        (isLarge ? large : travel).push(id);
        inFlight.push(isLarge ? approveAllSteps(id) : approveThenReject(id));
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(worker));
    // Once the load is under way, one replica of each goes, with no chance to clean up.
    await eventually(async () => (large.length + travel.length >= 6 ? true : undefined));
    const [approvalVictim] = cluster.replicaPids('approval');
    const [notificationVictim] = cluster.replicaPids('notification');
    if (approvalVictim === undefined || notificationVictim === undefined)
      throw new Error('no replica to kill');
    cluster.crashReplica('approval', approvalVictim);
    cluster.crashReplica('notification', notificationVictim);
    // Killed mid-load: people were still submitting.
    expect(large.length + travel.length).toBeLessThan(24);
    await load;
    await Promise.all(inFlight);
    // The launchers replaced what was killed; the other replicas carried on meanwhile.
    for (const service of ['approval', 'notification'] as const) {
      const now = await eventually(async () => {
        const pids = cluster.replicaPids(service);
        return pids.length === REPLICAS ? pids : undefined;
      });
      expect(now).not.toContain(service === 'approval' ? approvalVictim : notificationVictim);
    }
    expect(large.length + travel.length).toBe(24);
    // A message the killed process had taken comes back only after the consumer's ack
    // wait (30 s), so allow that plus the time to handle it.
    await expectHandledExactlyOnce({ large, travel }, 90_000);
  }, 240_000);
});
