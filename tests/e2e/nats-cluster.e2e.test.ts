// The services on a three-node JetStream cluster with R3 streams: one node is killed with
// kill -9 under load (the one leading the expense stream), restarted on its old store, and
// every accepted request has its effects exactly once.
import { FeedStream, Streams } from '@countersign/contracts';
import { ensureStream, natsServers } from '@countersign/platform';
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, login, policies, TestCluster } from '../support/test-cluster.js';

let cluster: TestCluster;
let nc: NatsConnection;
let jsm: JetStreamManager;
let grace: string;
let frank: string;

beforeAll(async () => {
  // The relays' warnings while a stream has no leader are expected here: errors only.
  cluster = await TestCluster.start({ LOG_LEVEL: 'error' }, { natsNodes: 3 });
  nc = await connect({ servers: natsServers(cluster.natsUrl), maxReconnectAttempts: -1 });
  // A loaded machine and a cluster busy electing leaders: JetStream API calls get longer.
  jsm = await jetstreamManager(nc, { timeout: 20_000 });
  grace = await login('grace');
  frank = await login('frank');
}, 120_000);
afterAll(async () => {
  await nc?.close();
  await cluster?.stop();
});

const count = async (sql: string, params: unknown[] = []) =>
  Number((await cluster.db.query<{ n: string }>(sql, params)).rows[0]?.n ?? 0);

const maxOpenExpenses = 24;
const retryPauseMs = 100;

/** Requests through the gateway and what they answered; 0 stands for no answer at all. */
class Load {
  readonly accepted: string[] = [];
  readonly approved: string[] = [];
  readonly failedSubmits = new Map<number, number>();
  /** Approvals answered otherwise than 200 (most: not routed yet, so tried again later). */
  readonly unapproved = new Map<number, number>();
  completed = 0;
  private readonly toApprove: string[] = [];
  private running = true;
  private readonly workers: Promise<void>[];

  constructor(concurrency: number) {
    this.workers = Array.from({ length: concurrency }, (_, worker) => this.work(worker));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  /**
   * Grace submits and Frank approves the oldest of her open expenses, in turn. Like people
   * who wait for their expenses to be routed, she stops submitting while many are open, so
   * a stall in routing shows as approvals tried again rather than as an ever-longer backlog.
   */
  private async work(worker: number): Promise<void> {
    for (let i = 0; this.running; i++) {
      if (this.toApprove.length < maxOpenExpenses) await this.submit(worker, i);
      if (!(await this.approveOldest())) await new Promise((r) => setTimeout(r, retryPauseMs));
    }
  }

  private async submit(worker: number, i: number): Promise<void> {
    const response = await call('POST', '/api/expenses', grace, {
      policy_id: policies.small,
      amount: 10 + (i % 90),
      description: `cluster load ${worker}-${i}`,
    });
    this.completed += 1;
    if (response.status === 201) {
      const id = String(response.body.expense_id);
      this.accepted.push(id);
      this.toApprove.push(id);
    } else tally(this.failedSubmits, response.status);
  }

  /** Whether an approval answered 200. */
  private async approveOldest(): Promise<boolean> {
    const id = this.toApprove.shift();
    if (!id) return false;
    const response = await call('POST', '/api/expenses/approve', frank, { expense_id: id });
    this.completed += 1;
    if (response.status === 200) {
      this.approved.push(id);
      return true;
    }
    tally(this.unapproved, response.status);
    // Not routed yet (its event still on its way): try again after the others.
    if (response.status === 404 || response.status === 409 || response.status >= 500)
      this.toApprove.push(id);
    return false;
  }
}

function tally(counts: Map<number, number>, status: number): void {
  counts.set(status, (counts.get(status) ?? 0) + 1);
}

/** Like `api`, but a request the gateway never answered is status 0, not a thrown error. */
async function call(method: string, path: string, token: string, body: unknown) {
  try {
    return await api(method, path, token, body);
  } catch {
    return { status: 0, body: {} as Record<string, unknown> };
  }
}

/** Waits for the load to make progress (never for a length of time). */
async function progress(check: () => boolean, timeoutMs = 90_000): Promise<void> {
  await eventually(async () => (check() ? true : undefined), timeoutMs);
}

async function streamLeader(stream: string): Promise<string | undefined> {
  try {
    return (await jsm.streams.info(stream)).cluster?.leader;
  } catch {
    return undefined; // no leader to answer while it is being elected
  }
}

const allOutboxes = ['identity', 'expense', 'approval', 'notification']
  .map((schema) => `select subject from ${schema}.outbox`)
  .join(' union all ');

describe('a three-node NATS cluster', () => {
  it('keeps every stream, and the durable consumers on them, on three nodes', async () => {
    for (const stream of [...Object.values(Streams), FeedStream.name]) {
      const info = await jsm.streams.info(stream);
      expect(info.config.num_replicas, stream).toBe(3);
      expect(info.cluster?.replicas, stream).toHaveLength(2);
    }
    // Created without a replica count, a durable follows its stream.
    const consumer = await jsm.consumers.info(Streams.expense, 'approval-on-expense-events');
    expect(consumer.cluster?.replicas).toHaveLength(2);
  });

  it('kill -9 of the node leading the expense stream under load: nothing lost, nothing twice', async () => {
    const load = new Load(4);
    try {
      await progress(() => load.accepted.length >= 20 && load.approved.length >= 5);

      const victim = await streamLeader(Streams.expense);
      expect(victim).toBeDefined();
      const wasMetaLeader = (await cluster.nats?.metaLeader()) === victim;
      await cluster.nats?.kill(String(victim));
      const atKill = { accepted: load.accepted.length, completed: load.completed };

      // Load goes on while two nodes elect a new leader, and after they have.
      await eventually(async () => {
        const leader = await streamLeader(Streams.expense);
        return leader && leader !== victim ? leader : undefined;
      }, 90_000);
      await progress(() => load.accepted.length >= atKill.accepted + 20);

      await cluster.nats?.restart(String(victim), 90_000);
      const atRestart = { accepted: load.accepted.length, approved: load.approved.length };
      await progress(
        () =>
          load.accepted.length >= atRestart.accepted + 20 &&
          load.approved.length >= atRestart.approved + 5,
      );
      console.info(
        `killed ${victim}${wasMetaLeader ? ' (also the meta leader)' : ''} after ` +
          `${atKill.completed} requests; ${load.completed} in all: ` +
          `${load.accepted.length} submits and ${load.approved.length} approvals answered 2xx, ` +
          `submits otherwise ${JSON.stringify([...load.failedSubmits])}, ` +
          `approvals otherwise ${JSON.stringify([...load.unapproved])}`,
      );
    } finally {
      await load.stop();
    }

    // Submitting writes PostgreSQL only (the outbox): it never waits on NATS.
    expect(load.failedSubmits.size).toBe(0);
    await expectEffectsExactlyOnce(load.accepted, load.approved);
  }, 300_000);

  it('a stream kept with another number of copies is brought to NATS_STREAM_REPLICAS at start', async () => {
    await ensureStream(jsm, 'gateway', { replicas: 1 });
    expect((await jsm.streams.info(Streams.gateway)).config.num_replicas).toBe(1);
    await ensureStream(jsm, 'gateway', { replicas: 3 });
    // While copies are added the cluster may answer "temporarily unavailable": ask again.
    await eventually(async () => {
      const info = await jsm.streams.info(Streams.gateway).catch(() => undefined);
      return info?.config.num_replicas === 3 && info.cluster?.replicas?.length === 2
        ? true
        : undefined;
    }, 60_000);
    // Its durable consumers follow it (the revocation feed's ordered readers are not durable).
    const consumers = await jsm.consumers.list(Streams.gateway).next();
    const durable = consumers.find((consumer) => consumer.config.durable_name !== undefined);
    expect(durable?.config.durable_name).toBeDefined();
    await eventually(async () => {
      const info = await jsm.consumers
        .info(Streams.gateway, String(durable?.config.durable_name))
        .catch(() => undefined);
      return info?.cluster?.replicas?.length === 2 ? true : undefined;
    }, 60_000);
  }, 150_000);
});

/**
 * Once the cluster has caught up: each accepted expense has one chain with one step and
 * one approval request, each approved one is approved with one notification, nothing is
 * audited or notified twice, and each stream holds each outbox row exactly once.
 */
async function expectEffectsExactlyOnce(accepted: string[], approved: string[]): Promise<void> {
  await eventually(async () => {
    const unsent = await count(
      `select count(*) n from (${allOutboxes.replaceAll('subject from', 'subject, sent_at from')}) o where sent_at is null`,
    );
    const routed = await count(
      "select count(*) n from notification.notification where kind = 'approval_requested' and expense_id = any($1)",
      [accepted],
    );
    const done = await count(
      "select count(*) n from expense.expense where status = 'approved' and id = any($1)",
      [approved],
    );
    const told = await count(
      "select count(*) n from notification.notification where kind = 'expense_approved' and expense_id = any($1)",
      [approved],
    );
    return unsent === 0 &&
      routed === accepted.length &&
      done === approved.length &&
      told === approved.length
      ? true
      : undefined;
  }, 120_000);

  expect(new Set(accepted).size).toBe(accepted.length);
  expect(await count('select count(*) n from expense.expense')).toBe(accepted.length);
  for (const table of ['approval.chain', 'approval.chain_step']) {
    expect(
      await count(`select count(*) n from ${table} where expense_id = any($1)`, [accepted]),
      table,
    ).toBe(accepted.length);
  }
  // No notification of any kind twice for one expense and person.
  expect(
    await count(
      'select count(*) n from (select 1 from notification.notification where expense_id = any($1) group by expense_id, recipient_id, kind having count(*) > 1) d',
      [accepted],
    ),
  ).toBe(0);
  // No audit entry twice: one per expense and action in each service.
  for (const schema of ['expense', 'approval']) {
    expect(
      await count(
        `select count(*) n from (select 1 from ${schema}.audit_log where entity_id = any($1) group by entity_id, action having count(*) > 1) d`,
        [accepted],
      ),
      schema,
    ).toBe(0);
  }
  // Every outbox row is in its stream once: relay re-publishes after the failover were dropped.
  for (const [service, stream] of Object.entries(Streams)) {
    const rows = await count(`select count(*) n from (${allOutboxes}) o where subject like $1`, [
      `countersign.${service}.%`,
    ]);
    expect((await jsm.streams.info(stream)).state.messages, stream).toBe(rows);
  }
  // No consumer gave up on a message in the meantime.
  for (const schema of ['identity', 'expense', 'approval', 'notification']) {
    expect(await count(`select count(*) n from ${schema}.dead_letter`), schema).toBe(0);
  }
}
