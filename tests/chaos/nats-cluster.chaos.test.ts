// The services on a three-node JetStream cluster (R3 streams) whose third node runs in a
// network namespace of its own, joined to the others by a veth pair. Under steady load:
// kill -9 of the node leading the expense stream and a restart on its store; then, on the
// namespaced node's link, delay, packet loss and a partition longer than JetStream's
// election timeouts, each healed. Every case ends with the ledger check (0 violations)
// and prints its figures. CHAOS_FULL=1 (npm run chaos) holds each fault longer and kills
// more often.
import { Streams } from '@countersign/contracts';
import { natsServers } from '@countersign/platform';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsCluster } from '../../scripts/nats-cluster.js';
import { type LinkFault, NetNamespace, netnsProblem } from '../support/netns.js';
import { eventually, natsClusterPort, TestCluster } from '../support/test-cluster.js';
import { ledgerViolations, SteadyLoad } from './stub-harness.js';

const full = process.env.CHAOS_FULL === '1';
/** How long each link fault is held (the partition: past JetStream's election timeouts). */
const holdMs = full
  ? { delay: 30_000, loss: 30_000, partition: 45_000 }
  : { delay: 5_000, loss: 5_000, partition: 10_000 };
const kills = full ? 3 : 1;
const concurrency = 4;
/** Requests answered 2xx that show the load going on (not a length of time). */
const progressStep = 5;

// One namespace per NATS cluster port, so two runs on one machine do not meet.
const namespaceName = `cs-nats-${natsClusterPort}`;
const subnet = (natsClusterPort % 16_384) * 4;
const address = (host: number) => `10.231.${subnet >> 8}.${(subnet & 255) + host}`;

const problem = await netnsProblem();
if (problem) console.warn(`NATS partition chaos skipped: ${problem}`);

let namespace: NetNamespace;
let cluster: TestCluster;
let nats: NatsCluster;
let nc: NatsConnection;
/** The node in the namespace. */
let outsider: string;

describe.skipIf(problem !== undefined)('a NATS node cut off in a network namespace', () => {
  beforeAll(async () => {
    namespace = await NetNamespace.create({
      name: namespaceName,
      rootAddress: address(1),
      insideAddress: address(2),
    });
    const root = { host: namespace.rootAddress };
    cluster = await TestCluster.start(
      { LOG_LEVEL: 'error' },
      {
        natsNodes: 3,
        natsPlacement: [root, root, { host: namespace.insideAddress, netns: namespace.name }],
      },
    );
    if (!cluster.nats) throw new Error('no NATS cluster');
    nats = cluster.nats;
    outsider = nats.nodes[2]?.name ?? '';
    nc = await connect({ servers: natsServers(cluster.natsUrl), maxReconnectAttempts: -1 });
    console.info(
      `fault injection on ${outsider}'s link: netem ${(await NetNamespace.netemAvailable()) ? 'available' : 'NOT available in this kernel'}`,
    );
  }, 180_000);

  afterAll(async () => {
    await nc?.close();
    await cluster?.stop();
    await namespace?.destroy();
  });

  it('kill -9 of the expense stream leader, restarted on its store', async () => {
    const load = await SteadyLoad.start(concurrency);
    const figures: string[] = [];
    try {
      await progress(load);
      for (let kill = 0; kill < kills; kill++) {
        const victim = await eventually(() => streamLeader(Streams.expense), 60_000);
        const killedAt = performance.now();
        await nats.kill(victim);
        const leader = await eventually(async () => {
          const now = await streamLeader(Streams.expense, victim);
          return now && now !== victim ? now : undefined;
        }, 90_000);
        const newLeaderMs = performance.now() - killedAt;
        await progress(load);
        const restartedAt = performance.now();
        await nats.restart(victim, 90_000);
        await progress(load);
        figures.push(
          `${victim} killed: new leader ${leader} after ${ms(newLeaderMs)}, restarted and caught up, load going after ${ms(performance.now() - restartedAt)}`,
        );
      }
    } finally {
      await load.stop();
    }
    await expectLedgerClean('kill -9 of the stream leader', load, kills, figures);
  }, 300_000);

  it('delay on the namespaced node', async () => {
    await underFault({ kind: 'delay', delayMs: 200, jitterMs: 50 }, holdMs.delay);
  }, 300_000);

  it('packet loss on the namespaced node', async () => {
    await underFault({ kind: 'loss', percent: 25 }, holdMs.loss);
  }, 300_000);

  it('partition of the namespaced node, leading the expense stream, past the election timeouts', async () => {
    const leading = await leadWith(Streams.expense, outsider);
    await underFault({ kind: 'partition' }, holdMs.partition, async (cutAt) => {
      if (!leading) return `${outsider} was not the stream leader`;
      const leader = await eventually(async () => {
        const now = await streamLeader(Streams.expense, outsider);
        return now && now !== outsider ? now : undefined;
      }, 60_000);
      return `expense stream leader ${outsider} -> ${leader} after ${ms(performance.now() - cutAt)}`;
    });
  }, 300_000);
});

/**
 * Load, then `fault` on the outsider's link for `holdMs` (`during` reports what it sees
 * meanwhile), then healed: the cluster must become healthy again, the load go on, and the
 * ledger hold.
 */
async function underFault(
  fault: LinkFault,
  holdMs: number,
  during?: (cutAt: number) => Promise<string>,
): Promise<void> {
  const load = await SteadyLoad.start(concurrency);
  const figures: string[] = [];
  try {
    await progress(load);
    figures.push(`clients on ${outsider}: ${(await clientsOf(outsider)).join(', ')}`);
    const before = load.accepted.length + load.approved.length;
    const stalls = load.watchStalls();
    const cutAt = performance.now();
    figures.push(await namespace.apply(fault));
    const held = new Promise((resolve) => setTimeout(resolve, holdMs));
    if (during) figures.push(await during(cutAt));
    await held;
    const answeredDuring = load.accepted.length + load.approved.length - before;
    await namespace.heal();
    const healedAt = performance.now();
    figures.push(
      `${answeredDuring} requests answered 2xx during ${ms(healedAt - cutAt)} of fault; longest time without one ${ms(stalls.longest())}`,
    );
    await nats.waitHealthy(120_000);
    await progress(load);
    figures.push(
      `after healing: every node healthy and load going after ${ms(performance.now() - healedAt)}`,
    );
  } finally {
    await namespace.heal();
    await load.stop();
  }
  await expectLedgerClean(fault.kind, load, 1, figures);
}

async function expectLedgerClean(
  name: string,
  load: SteadyLoad,
  faults: number,
  figures: string[],
): Promise<void> {
  const violations = await ledgerViolations(cluster, load.accepted, load.approved);
  console.info(
    [
      `[chaos] ${name}: ${load.accepted.length} requests accepted (${load.approved.length} approvals), ${faults} fault(s), ${violations.length} violation(s)`,
      ...figures.map((line) => `  ${line}`),
      `  answers: ${JSON.stringify(Object.fromEntries(load.statuses))}`,
      ...violations.map((line) => `  VIOLATION ${line}`),
    ].join('\n'),
  );
  expect(violations).toEqual([]);
}

/** Waits until the load has had `progressStep` more submissions and approvals accepted. */
async function progress(load: SteadyLoad): Promise<void> {
  const target = {
    accepted: load.accepted.length + progressStep,
    approved: load.approved.length + progressStep,
  };
  await eventually(
    async () =>
      load.accepted.length >= target.accepted && load.approved.length >= target.approved
        ? true
        : undefined,
    120_000,
  );
}

/**
 * The expense stream's leader as the nodes other than `apart` see it (a node cut off may
 * still believe it leads): read from their monitoring ports, so a client connection stuck
 * on a cut-off node does not slow the answer down.
 */
async function streamLeader(stream: string, apart?: string): Promise<string | undefined> {
  for (const node of nats.nodes.filter((n) => n.name !== apart)) {
    try {
      const response = await fetch(`${node.monitorUrl}/jsz?streams=true`, {
        signal: AbortSignal.timeout(1_500),
      });
      const jsz = (await response.json()) as {
        account_details?: { stream_detail?: { name: string; cluster?: { leader?: string } }[] }[];
      };
      const leader = jsz.account_details
        ?.flatMap((account) => account.stream_detail ?? [])
        .find((detail) => detail.name === stream)?.cluster?.leader;
      if (leader) return leader;
    } catch {
      // that node is down or cut off: ask the next
    }
  }
  return undefined;
}

/** The names of the clients (services, this test) connected to `node`. */
async function clientsOf(node: string): Promise<string[]> {
  const response = await fetch(`${nats.node(node).monitorUrl}/connz?limit=1000`, {
    signal: AbortSignal.timeout(5_000),
  });
  const connz = (await response.json()) as { connections?: { name?: string }[] };
  return (connz.connections ?? []).map((connection) => connection.name ?? '?').sort();
}

/** Asks the stream's leader to step down until `node` leads it; whether it came to. */
async function leadWith(stream: string, node: string): Promise<boolean> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const leader = await eventually(() => streamLeader(stream), 30_000);
    if (leader === node) return true;
    await nc
      .request(`$JS.API.STREAM.LEADER.STEPDOWN.${stream}`, undefined, { timeout: 10_000 })
      .catch(() => undefined);
    await eventually(async () => {
      const now = await streamLeader(stream);
      return now && now !== leader ? now : undefined;
    }, 30_000).catch(() => undefined);
  }
  return false;
}

function ms(duration: number): string {
  return `${Math.round(duration)} ms`;
}
