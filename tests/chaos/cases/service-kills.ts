/** Fault case (a): kill -9 of each service in turn, restarted each time, several rounds. */
import type { ServiceName } from '../../../scripts/cluster.js';
import type { TestCluster } from '../../support/test-cluster.js';
import { type ChaosCase, chaosScale } from '../harness.js';

const services: ServiceName[] = ['gateway', 'expense', 'approval', 'notification'];

export function serviceKills(cluster: TestCluster): ChaosCase & { expectedFaults: number } {
  const rounds = chaosScale(1, 3);
  return {
    name: `kill -9 of each service ×${rounds}`,
    expectedFaults: rounds * services.length,
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
  };
}
