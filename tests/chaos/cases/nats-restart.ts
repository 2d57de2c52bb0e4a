/**
 * Fault case (b): kill -9 of nats-server (the cluster's one node), held down a moment,
 * restarted on its store. Submitting only writes PostgreSQL, so it goes on; the relays
 * hold their rows back and publish them when the server is back.
 */
import type { TestCluster } from '../../support/test-cluster.js';
import { type ChaosCase, chaosScale } from '../harness.js';

export function natsRestarts(cluster: TestCluster): ChaosCase {
  const restarts = chaosScale(1, 5);
  const nats = cluster.nats;
  const node = nats?.nodes[0]?.name;
  if (!nats || node === undefined) throw new Error('the NATS case needs a test-owned node');
  return {
    name: `kill -9 of nats-server ×${restarts}`,
    faults: async (run) => {
      for (let i = 0; i < restarts; i++) {
        await run.fault('kill -9 nats-server', {
          inject: () => nats.kill(node),
          holdMs: 2_000,
          heal: () => nats.restart(node, 60_000),
        });
        await run.loadProgress(5);
      }
    },
  };
}
