import type { AnyEvent, EventType } from '@countersign/contracts';
import type { EventHandlers } from '@countersign/platform';
import type { Kysely, Transaction } from 'kysely';
import type { NotificationDatabase } from '../db/types.js';

type Trx = Transaction<NotificationDatabase>;
type AnyHandler = (trx: Trx, event: AnyEvent) => Promise<void>;

/** One job the service does with a stream's events (notify, feed, webhooks, …). */
export interface HandlerPart {
  /**
   * The durable that did this job alone before one durable read each stream. Its inbox
   * rows say which events it already handled, for the switch-over (see composeHandlers).
   */
  legacyDurable: string;
  handlers: EventHandlers<NotificationDatabase>;
}

export interface ComposeOptions {
  /**
   * Whether to skip a part for an event its legacy durable already handled. Only needed
   * while the stream still holds events the legacy durables read (the upgrade window).
   */
  consultLegacyInbox: boolean;
}

/**
 * Merges the parts' handler maps into one: an event runs every part that handles its
 * type, in the order given, all in the consumer's one transaction.
 */
export function composeHandlers(
  parts: HandlerPart[],
  options: ComposeOptions,
): EventHandlers<NotificationDatabase> {
  const types = new Set(parts.flatMap((part) => Object.keys(part.handlers) as EventType[]));
  const composed: Partial<Record<EventType, AnyHandler>> = {};
  for (const type of types) {
    const handling = parts
      .map((part) => ({ legacyDurable: part.legacyDurable, handle: handlerOf(part, type) }))
      .filter((part): part is { legacyDurable: string; handle: AnyHandler } => !!part.handle);
    composed[type] = async (trx, event) => {
      const done = options.consultLegacyInbox
        ? await handledBy(
            trx,
            event.id,
            handling.map((part) => part.legacyDurable),
          )
        : new Set<string>();
      for (const part of handling) {
        if (!done.has(part.legacyDurable)) await part.handle(trx, event);
      }
    };
  }
  return composed as EventHandlers<NotificationDatabase>;
}

function handlerOf(part: HandlerPart, type: EventType): AnyHandler | undefined {
  return part.handlers[type] as AnyHandler | undefined;
}

/** Which of the durables recorded the event in the inbox. */
async function handledBy(trx: Trx, eventId: string, durables: string[]): Promise<Set<string>> {
  const rows = await trx
    .selectFrom('inbox')
    .select('consumer')
    .where('event_id', '=', eventId)
    .where('consumer', 'in', durables)
    .execute();
  return new Set(rows.map((row) => row.consumer));
}

/** The stream's maximum age: a legacy inbox row older than it cannot meet its event again. */
const streamMaxAgeDays = 7;

/**
 * Whether any legacy durable recorded an event recently enough for the event to be
 * delivered again to its successor: true during the upgrade window, false on a new
 * installation and once the window has passed.
 */
export async function legacyInboxIsRecent(
  db: Kysely<NotificationDatabase>,
  durables: string[],
  now: Date,
): Promise<boolean> {
  const since = new Date(now.getTime() - streamMaxAgeDays * 24 * 3600 * 1000);
  const row = await db
    .selectFrom('inbox')
    .select('event_id')
    .where('consumer', 'in', durables)
    .where('processed_at', '>', since)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
