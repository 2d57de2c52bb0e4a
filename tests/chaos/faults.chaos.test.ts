// Issue 15's fault suite on one cluster (one NATS node and one PostgreSQL of the test's own,
// both of which it kills): each case runs under steady load from the bench driver, ends
// with the ledger check and prints its figures. The short form runs in `npm test`;
// `npm run chaos` (CHAOS_FULL=1) runs more faults of each. One ledger for the whole file:
// each check covers everything since the cluster started. PostgreSQL's case comes last: a
// service it kills would fail the cases after it.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startOrder } from '../../scripts/cluster.js';
import { Ledger } from '../support/ledger.js';
import { PrivatePostgres } from '../support/private-postgres.js';
import { TestCluster } from '../support/test-cluster.js';
import { consumerStops } from './cases/consumer-stop.js';
import { natsRestarts } from './cases/nats-restart.js';
import { poisonMessages } from './cases/poison-message.js';
import { postgresRestarts } from './cases/postgres-restart.js';
import { relayKills } from './cases/relay-kills.js';
import { serviceKills } from './cases/service-kills.js';
import { type ChaosCase, type ChaosFigures, runChaosCase } from './harness.js';

/** The PostgreSQL this file stops and starts (TEST_PRIVATE_POSTGRES_PORT moves it). */
const postgresPort = Number(process.env.TEST_PRIVATE_POSTGRES_PORT ?? 5540);
const caseTimeoutMs = 1_800_000;

let postgres: PrivatePostgres;
let cluster: TestCluster;
const ledger = new Ledger();

beforeAll(async () => {
  postgres = await PrivatePostgres.start(postgresPort);
  cluster = await TestCluster.start(
    { LOG_LEVEL: 'error' },
    {
      natsNodes: 1,
      postgres: { adminUrl: postgres.adminUrl, databaseUrl: postgres.urlFor('countersign_chaos') },
    },
  );
  // The test's own pool loses its connections when PostgreSQL is stopped: not an error here.
  cluster.db.on('error', () => undefined);
}, 300_000);
afterAll(async () => {
  await cluster?.stop();
  postgres?.destroy();
});

/** A case starts on a whole cluster, even after one that left a service dead. */
beforeEach(async () => {
  for (const name of startOrder) {
    const child = cluster?.children.get(name);
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      await cluster.startService(name);
    }
  }
}, 300_000);

async function run(spec: ChaosCase): Promise<ChaosFigures> {
  const figures = await runChaosCase(cluster, { ...spec, ledger });
  expect(figures.violations).toEqual([]);
  return figures;
}

it(
  'kill -9 of each service, restarted each time: nothing lost, nothing twice',
  async () => {
    const spec = serviceKills(cluster);
    expect((await run(spec)).faults).toBe(spec.expectedFaults);
  },
  caseTimeoutMs,
);

it(
  'kill -9 of nats-server, restarted on its store: nothing lost, nothing twice',
  async () => {
    expect((await run(natsRestarts(cluster))).faults).toBeGreaterThan(0);
  },
  caseTimeoutMs,
);

it(
  'the relay killed between the ack and marking the row: each event once',
  async () => {
    const spec = relayKills(cluster);
    expect((await run(spec)).faults).toBe(spec.expectedFaults);
  },
  caseTimeoutMs,
);

it(
  'a consumer stopped past its ack wait: nothing lost, nothing twice',
  async () => {
    expect((await run(consumerStops(cluster))).faults).toBeGreaterThan(0);
  },
  caseTimeoutMs,
);

it(
  'poison among thousands: dead-lettered after its retries, the rest handled',
  async () => {
    expect((await run(poisonMessages(cluster))).faults).toBe(2);
  },
  caseTimeoutMs,
);

it(
  'PostgreSQL stopped -m immediate and started: the services recover by themselves',
  async () => {
    expect((await run(postgresRestarts(postgres))).faults).toBeGreaterThan(0);
  },
  caseTimeoutMs,
);
