import { randomUUID } from 'node:crypto';
import { EventCatalogue, type EventOf } from '@countersign/contracts';
import { ensureStream, newEvent } from '@countersign/platform';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribe } from '../../packages/contracts/examples/subscribe.js';
import { eventually } from '../support/test-cluster.js';

let nc: NatsConnection;
const company = '0197a000-0000-7000-8000-000000000001';
const person = '0197a000-0000-7000-8000-000000000107';

beforeAll(async () => {
  nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
  await ensureStream(await jetstreamManager(nc), 'approval');
});
afterAll(async () => {
  await nc?.close();
});

const approved = (expenseId: string) =>
  newEvent('ExpenseApproved', {
    companyId: company,
    actor: { kind: 'user', id: person },
    subject: expenseId,
    data: {
      expense_id: expenseId,
      submitter_id: person,
      amount: '12.00',
      completed_at: new Date().toISOString(),
      skipped_steps: [],
    },
  });

async function publish(subject: string, body: unknown): Promise<void> {
  await jetstream(nc).publish(subject, typeof body === 'string' ? body : JSON.stringify(body));
}

describe('the subscriber example (packages/contracts/examples/subscribe.ts)', () => {
  it('hands over typed, validated events and reports messages that do not match', async () => {
    const received: EventOf<'ExpenseApproved' | 'ExpenseRejected'>[] = [];
    const invalid: string[] = [];
    const subscription = await subscribe(nc, {
      types: ['ExpenseApproved', 'ExpenseRejected'],
      onEvent: (event) => {
        received.push(event);
      },
      onInvalid: (subject, problem) => invalid.push(`${subject}: ${problem}`),
    });
    const expenseId = randomUUID();
    await publish(EventCatalogue.ExpenseApproved.subject, {
      id: randomUUID(),
      type: 'ExpenseApproved',
    });
    await publish(EventCatalogue.ExpenseApproved.subject, 'not json');
    // Same stream, not asked for: skipped, never reported.
    await publish(EventCatalogue.StepApproved.subject, { whatever: true });
    await publish(EventCatalogue.ExpenseApproved.subject, approved(expenseId));
    await eventually(async () => (received.length >= 1 && invalid.length >= 2 ? true : undefined));
    await subscription.stop();

    expect(received).toHaveLength(1);
    const [event] = received;
    expect(event?.type).toBe('ExpenseApproved');
    if (event?.type === 'ExpenseApproved') expect(event.data.expense_id).toBe(expenseId);
    expect(invalid).toHaveLength(2);
    expect(invalid[0]).toMatch(/countersign\.approval\.expense\.approved\.v1: .*company_id/);
    expect(invalid[1]).toMatch(/not JSON/);
  });

  it('with a durable consumer, resumes after a restart where it left off', async () => {
    const durable = `example-${randomUUID().slice(-8)}`;
    const seen: string[] = [];
    const options = {
      types: ['ExpenseApproved'] as const,
      durable,
      onEvent: (event: EventOf<'ExpenseApproved'>) => {
        seen.push(event.data.expense_id);
      },
    };
    const first = await subscribe(nc, options);
    const before = randomUUID();
    await publish(EventCatalogue.ExpenseApproved.subject, approved(before));
    await eventually(async () => (seen.includes(before) ? true : undefined));
    await first.stop();

    const whileAway = randomUUID();
    await publish(EventCatalogue.ExpenseApproved.subject, approved(whileAway));
    const second = await subscribe(nc, options);
    await eventually(async () => (seen.includes(whileAway) ? true : undefined));
    await second.stop();
    // Acked before the restart, so not delivered again.
    expect(seen.filter((id) => id === before)).toHaveLength(1);
    await (await jetstreamManager(nc)).consumers.delete(
      'COUNTERSIGN_APPROVAL',
      `${durable}-approval`,
    );
  });
});
