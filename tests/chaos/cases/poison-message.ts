/**
 * Fault case (f): poison among thousands of good messages, published straight to the
 * expense stream under load. One is not an event at all (its schema fails: dead-lettered at
 * its first delivery); the other is a well-formed ExpenseSubmitted that approval can never
 * store (its amount overflows the chain's numeric(12,2)), so it fails as a transient error
 * would: retried to the limit, then dead-lettered. Everything else is handled (the ledger).
 */
import { randomUUID } from 'node:crypto';
import { EventCatalogue } from '@countersign/contracts';
import { deliveryPolicy, natsServers } from '@countersign/platform';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { expect } from 'vitest';
import { eventually, type TestCluster } from '../../support/test-cluster.js';
import type { ChaosCase } from '../harness.js';

const submitted = EventCatalogue.ExpenseSubmitted.subject;
const consumer = 'approval-on-expense-events';

/** A copy of a real submission under new ids, whose amount approval cannot store. */
async function unstorableSubmission(cluster: TestCluster): Promise<Record<string, unknown>> {
  const { rows } = await cluster.db.query<{ payload: Record<string, unknown> }>(
    'select payload from expense.outbox where subject = $1 order by id desc limit 1',
    [submitted],
  );
  const real = rows[0]?.payload;
  if (!real) throw new Error('no submission to copy yet');
  const expenseId = randomUUID();
  const data = { ...(real.data as Record<string, unknown>), expense_id: expenseId };
  return {
    ...real,
    id: randomUUID(),
    subject: expenseId,
    data: { ...data, amount: '100000000000.00' },
  };
}

interface Poison {
  id: string;
  body: string;
  deliveries: number;
}

async function publish(cluster: TestCluster, poison: Poison): Promise<void> {
  const nc = await connect({ servers: natsServers(cluster.natsUrl), ...cluster.natsCredentials });
  try {
    await jetstream(nc).publish(submitted, poison.body, { msgID: poison.id });
  } finally {
    await nc.close();
  }
}

/** Waits until the poison is a dead letter, and checks it was delivered as often as it should. */
async function deadLettered(cluster: TestCluster, poison: Poison): Promise<void> {
  const letter = await eventually(async () => {
    const { rows } = await cluster.db.query<{ consumer: string; deliveries: number }>(
      'select consumer, deliveries from approval.dead_letter where event_id = $1',
      [poison.id],
    );
    return rows[0];
  }, 120_000);
  expect(letter).toEqual({ consumer, deliveries: poison.deliveries });
}

export function poisonMessages(cluster: TestCluster): ChaosCase {
  return {
    name: 'poison among thousands: one malformed, one retried to the limit',
    faults: async (run) => {
      const malformedId = randomUUID();
      const unstorable = await unstorableSubmission(cluster);
      const poisons: [string, Poison][] = [
        [
          'malformed ExpenseSubmitted',
          {
            id: malformedId,
            body: JSON.stringify({ id: malformedId, type: 'ExpenseSubmitted', data: 'poison' }),
            deliveries: 1,
          },
        ],
        [
          'unstorable ExpenseSubmitted',
          {
            id: String(unstorable.id),
            body: JSON.stringify(unstorable),
            // The last retry that fails is recorded: max_deliver keeps one spare.
            deliveries: deliveryPolicy.maxDeliver - 1,
          },
        ],
      ];
      for (const [name, poison] of poisons) {
        run.ledger.expectForeignMessage(poison.id);
        run.ledger.expectDeadLetter(poison.id);
        await run.fault(name, {
          inject: () => publish(cluster, poison),
          heal: () => deadLettered(cluster, poison),
        });
      }
    },
  };
}
