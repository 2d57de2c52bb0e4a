import { FeedItemV1, FeedStream } from '@countersign/contracts';
import { type Logger, UpstreamError } from '@countersign/platform';
import {
  type Consumer,
  type ConsumerMessages,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { FeedStreamState } from '../domain/feed-resume.js';

export interface FeedEntry {
  /** The feed stream's sequence: the SSE `id`, and what `Last-Event-ID` resumes from. */
  seq: number;
  item: FeedItemV1;
}

/** One client's read of one person's feed subject; `close` removes its NATS consumer. */
export interface FeedSubscription extends AsyncIterable<FeedEntry> {
  close(): Promise<void>;
}

export interface FeedReader {
  state(): Promise<FeedStreamState>;
  /** Reads `subject` from `startSeq`, or only items published from now on (`'new'`). */
  open(subject: string, start: number | 'new'): Promise<FeedSubscription>;
}

/**
 * Reads the feed straight from JetStream with an ordered consumer: ephemeral, unacked,
 * filtered to one person's subject, so the gateway holds nothing between requests and
 * any replica can serve any client. The consumer is deleted when the client goes; one
 * left by a crashed gateway is removed by the server after its inactivity threshold.
 */
export function createFeedReader(
  nats: NatsConnection,
  logger: Logger,
  /** Whether NATS is reachable now: while it is not, a stream is refused at once. */
  natsConnected: () => boolean = () => !nats.isClosed(),
): FeedReader {
  const js = jetstream(nats);
  return {
    async state() {
      // Asked while NATS is down, JetStream would answer only with its request timeout.
      if (!natsConnected())
        throw new UpstreamError('the message bus is not answering; try again shortly');
      const jsm = await jetstreamManager(nats);
      const info = await jsm.streams.info(FeedStream.name);
      return { firstSeq: info.state.first_seq, lastSeq: info.state.last_seq };
    },
    async open(subject, start) {
      const consumer = await js.consumers.get(FeedStream.name, {
        filter_subjects: subject,
        ...(start === 'new'
          ? { deliver_policy: DeliverPolicy.New }
          : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start }),
      });
      const messages = await consumer.consume();
      return {
        async *[Symbol.asyncIterator]() {
          for await (const msg of messages) {
            const item = parseFeedItem(msg.string());
            if (!item) {
              logger.warn(
                { seq: msg.seq, subject },
                'feed item does not match FeedItem.v1; skipped',
              );
              continue;
            }
            yield { seq: msg.seq, item };
          }
        },
        close: () => closeConsumer(consumer, messages),
      };
    },
  };
}

function parseFeedItem(text: string): FeedItemV1 | undefined {
  try {
    const parsed = FeedItemV1.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

async function closeConsumer(consumer: Consumer, messages: ConsumerMessages): Promise<void> {
  await messages.close();
  await consumer.delete().catch(() => false);
}
