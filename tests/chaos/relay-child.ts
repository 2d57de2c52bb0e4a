/**
 * A relay that dies between the broker's ack and marking the row sent (fault case d).
 * It runs the platform's own OutboxRelay over one service's outbox, beside that service's
 * relay; its JetStream client SIGKILLs this process right after the `killAfterAcks`-th
 * publish is acked, which is before the relay's next statement marks the rows sent. First it
 * prints the ids of the events acked, so the test knows which rows it left leased, unmarked.
 * With no row to publish within `idleExitMs` it exits 0 and prints nothing.
 *
 * Usage (compiled by cases/relay-kills.ts): node relay-child.mjs <databaseUrl> <schema> <natsUrl> <killAfterAcks>
 */
import { writeSync } from 'node:fs';
import {
  createDatabase,
  createLogger,
  type MessagingTables,
  natsServers,
  OutboxRelay,
} from '@countersign/platform';
import { type JetStreamClient, jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const [databaseUrl = '', schema = '', natsUrl = '', killAfter = '1'] = process.argv.slice(2);
const killAfterAcks = Number(killAfter);
const idleExitMs = 5_000;
/** Short, so the service's own relay takes the orphaned rows over soon after the death. */
const leaseMs = 1_000;

const nc = await connect({ servers: natsServers(natsUrl) });
const js = jetstream(nc);
const acked: string[] = [];

/** The real client, except that the process dies right after the chosen ack. */
const dyingClient = new Proxy(js, {
  get(target, property, receiver) {
    if (property !== 'publish') return Reflect.get(target, property, receiver);
    const publish: JetStreamClient['publish'] = async (subject, payload, options) => {
      const ack = await target.publish(subject, payload, options);
      acked.push(options?.msgID ?? '');
      if (acked.length >= killAfterAcks) {
        writeSync(1, `${JSON.stringify({ acked })}\n`);
        process.kill(process.pid, 'SIGKILL');
      }
      return ack;
    };
    return publish;
  },
});

const relay = new OutboxRelay({
  db: createDatabase<MessagingTables>({ url: databaseUrl, schema, maxConnections: 2 }),
  js: dyingClient,
  logger: createLogger('dying-relay', 'silent'),
  databaseUrl,
  schema,
  pollIntervalMs: 10,
  leaseMs,
});
await relay.start();
setTimeout(() => process.exit(0), idleExitMs);
