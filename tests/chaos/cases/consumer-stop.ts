/**
 * Fault case (e): a consumer frozen with SIGSTOP for longer than its ack wait, then let go
 * with SIGCONT. A second notification replica takes the messages the frozen one held once
 * their ack wait is over; the frozen one then finishes its batch too. The inbox and the
 * unique notification key must leave one effect of each: the ledger checks it.
 */
import { deliveryPolicy } from '@countersign/platform';
import { stopProcess } from '../../../scripts/cluster.js';
import { ports, type TestCluster } from '../../support/test-cluster.js';
import { type ChaosCase, chaosScale } from '../harness.js';

/** Past the ack wait, so the server hands what the frozen consumer held to another. */
const frozenMs = deliveryPolicy.ackWaitMs + 5_000;

export function consumerStops(cluster: TestCluster): ChaosCase {
  const stops = chaosScale(1, 3);
  return {
    name: `SIGSTOP of the notification consumer past its ack wait ×${stops}`,
    faults: async (run) => {
      const replica = await cluster.startReplica('notification', ports.notification + 10);
      try {
        for (let i = 0; i < stops; i++) {
          const pid = cluster.children.get('notification')?.pid;
          if (pid === undefined) throw new Error('no notification process to stop');
          await run.fault('SIGSTOP notification', {
            inject: async () => void process.kill(pid, 'SIGSTOP'),
            holdMs: frozenMs,
            heal: async () => void process.kill(pid, 'SIGCONT'),
          });
          await run.loadProgress(5);
        }
      } finally {
        await stopProcess(replica.process);
      }
    },
  };
}
