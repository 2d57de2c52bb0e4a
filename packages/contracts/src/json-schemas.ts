import { z } from 'zod';
import { EventCatalogue, Streams } from './events/catalogue.js';
import { FeedItemV1, FeedResyncV1, FeedStream } from './feed/feed-item.v1.js';

/**
 * The JSON Schemas a subscriber can rely on, generated from the zod contracts: one file per
 * event type and version (`<Type>.v<version>.json`), plus the feed's item and resync
 * bodies. `npm run schemas` writes them to packages/contracts/schemas; a unit test fails
 * when the committed files differ from what the contracts generate.
 */
export function publicJsonSchemas(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [type, entry] of Object.entries(EventCatalogue)) {
    const version = Number(/\.v(\d+)$/.exec(entry.subject)?.[1]);
    files.set(
      `${type}.v${version}.json`,
      render(entry.schema, {
        title: `${type} v${version}`,
        description: `Event envelope published on NATS subject ${entry.subject} (stream ${Streams[entry.producer]}), by the ${entry.producer} service.`,
      }),
    );
  }
  files.set(
    'FeedItem.v1.json',
    render(FeedItemV1, {
      title: 'FeedItem v1',
      description: `One item of a person's feed: NATS subject countersign.feed.<company_id>.<user_id> (stream ${FeedStream.name}), and the data of the notification and expense.status events of GET /api/stream.`,
    }),
  );
  files.set(
    'FeedResync.v1.json',
    render(FeedResyncV1, {
      title: 'FeedResync v1',
      description:
        'The data of the resync event of GET /api/stream: the Last-Event-ID sent cannot be resumed.',
    }),
  );
  return files;
}

function render(schema: z.ZodType, about: { title: string; description: string }): string {
  // The wire format is what producers emit: the output side of any transform.
  const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output' });
  const { $schema, ...rest } = generated;
  return `${JSON.stringify({ $schema, ...about, ...rest }, null, 2)}\n`;
}
