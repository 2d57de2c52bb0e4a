// Issue 15, fault case (a): kill -9 of each service, several times, under steady load; the
// ledger finds every accepted request's effects exactly once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ServiceName } from '../../scripts/cluster.js';
import { TestCluster } from '../support/test-cluster.js';
import { chaosScale, runChaosCase } from './harness.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({ LOG_LEVEL: 'error' });
});
afterAll(async () => {
  await cluster?.stop();
});

const services: ServiceName[] = ['gateway', 'expense', 'approval', 'notification'];

it('kill -9 of each service, restarted each time: nothing lost, nothing twice', async () => {
  const rounds = chaosScale(1, 3);
  const figures = await runChaosCase(cluster, {
    name: `kill -9 of each service ×${rounds}`,
    faults: async (run) => {
      for (let round = 0; round < rounds; round++) {
        for (const service of services) {
          await run.fault(`kill -9 ${service}`, {
            inject: () => cluster.crash(service),
            heal: () => cluster.startService(service),
          });
          await run.loadProgress(5);
        }
      }
    },
  });
  expect(figures.faults).toBe(rounds * services.length);
  expect(figures.violations).toEqual([]);
}, 900_000);
