import {
  type AccessRevokedV1,
  EventCatalogue,
  REVOCATION_CLOCK_SKEW_MS,
  RevocationFeed,
  type SigningKeyWithdrawnV1,
} from '@countersign/contracts';
import { type ConsumerMessages, DeliverPolicy, type JsMsg, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { RevocationList } from '../http/revocation-list.js';
import type { Logger } from '../logger.js';

export interface RevocationFollowerOptions {
  nats: NatsConnection;
  revocations: RevocationList;
  logger: Logger;
  /** How far back to read at start: an access token's lifetime plus clock skew. */
  lookbackMs: number;
  /** Called after a withdrawn key is refused (the gateway reloads its key ring then). */
  onKeyWithdrawn?: (kid: string) => Promise<void>;
}

export interface RevocationFollower {
  /** Settles once the revocations of the look-back window are applied. */
  caughtUp: Promise<void>;
  stop(): Promise<void>;
}

const PRUNE_EVERY_MS = 60_000;

/**
 * Applies every revocation the gateway publishes to this process's revocation list. Each
 * process reads with an ephemeral ordered consumer of its own (never a shared durable:
 * every replica must see every revocation). It starts `lookbackMs` back, so a process that
 * starts late still knows every revocation whose tokens may be alive; when the connection
 * is lost and comes back, the ordered consumer resumes after the last message it saw, so
 * what was published meanwhile is applied then.
 */
export async function followRevocations(
  options: RevocationFollowerOptions,
): Promise<RevocationFollower> {
  const js = jetstream(options.nats);
  const consumer = await js.consumers.get(RevocationFeed.stream, {
    filter_subjects: RevocationFeed.subjects,
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: new Date(Date.now() - options.lookbackMs).toISOString(),
  });
  const messages = await consumer.consume();
  let markCaughtUp: () => void = () => {};
  const caughtUp = new Promise<void>((resolve) => {
    markCaughtUp = resolve;
  });
  const info = await consumer.info(true).catch(() => undefined);
  if (info && info.num_pending === 0 && info.delivered.stream_seq === 0) markCaughtUp();
  const reading = read(messages, options, markCaughtUp);
  const pruning = setInterval(() => options.revocations.prune(), PRUNE_EVERY_MS);
  pruning.unref();
  return {
    caughtUp,
    async stop() {
      clearInterval(pruning);
      markCaughtUp();
      await messages.close().catch(() => undefined);
      await reading;
    },
  };
}

async function read(
  messages: ConsumerMessages,
  options: RevocationFollowerOptions,
  markCaughtUp: () => void,
): Promise<void> {
  try {
    for await (const msg of messages) {
      await apply(msg, options);
      if (msg.info.pending === 0) markCaughtUp();
    }
  } catch (error) {
    options.logger.error({ err: error }, 'the revocation feed stopped');
  }
}

async function apply(msg: JsMsg, options: RevocationFollowerOptions): Promise<void> {
  const event = parseRevocation(msg);
  if (!event) {
    options.logger.warn({ subject: msg.subject, seq: msg.seq }, 'not a revocation; skipped');
    return;
  }
  if (event.type === 'AccessRevoked') {
    options.revocations.revokeUser(event.data.user_id, Date.parse(event.data.not_before));
    options.logger.info(
      { user_id: event.data.user_id, reason: event.data.reason },
      'access revoked',
    );
    return;
  }
  options.revocations.withdrawKey(event.data.kid, Date.parse(event.data.withdrawn_at));
  options.logger.warn({ kid: event.data.kid }, 'signing key withdrawn; its tokens are refused');
  await options.onKeyWithdrawn?.(event.data.kid).catch((error: unknown) => {
    options.logger.error({ err: error, kid: event.data.kid }, 'reacting to a withdrawn key failed');
  });
}

function parseRevocation(msg: JsMsg): AccessRevokedV1 | SigningKeyWithdrawnV1 | undefined {
  let body: unknown;
  try {
    body = msg.json();
  } catch {
    return undefined;
  }
  if (msg.subject === EventCatalogue.AccessRevoked.subject) {
    const parsed = EventCatalogue.AccessRevoked.schema.safeParse(body);
    return parsed.success ? parsed.data : undefined;
  }
  if (msg.subject === EventCatalogue.SigningKeyWithdrawn.subject) {
    const parsed = EventCatalogue.SigningKeyWithdrawn.schema.safeParse(body);
    return parsed.success ? parsed.data : undefined;
  }
  return undefined;
}

/**
 * A process's revocation list, fed from the bus: what main.ts hands to its token
 * verifiers. Revocations are kept (and read back at start) for a token's lifetime plus
 * clock skew. Resolves once the look-back window is applied, or after `catchUpWaitMs`
 * (logged) so a slow stream cannot keep the service from starting.
 */
export async function startRevocations(options: {
  nats: NatsConnection;
  logger: Logger;
  accessTokenTtlSeconds: number;
  onKeyWithdrawn?: (kid: string) => Promise<void>;
  catchUpWaitMs?: number;
}): Promise<{ revocations: RevocationList; follower: RevocationFollower }> {
  const retainMs = options.accessTokenTtlSeconds * 1000 + REVOCATION_CLOCK_SKEW_MS;
  const revocations = new RevocationList({ retainMs });
  const follower = await followRevocations({
    nats: options.nats,
    revocations,
    logger: options.logger,
    lookbackMs: retainMs,
    ...(options.onKeyWithdrawn ? { onKeyWithdrawn: options.onKeyWithdrawn } : {}),
  });
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), options.catchUpWaitMs ?? 10_000);
  });
  const outcome = await Promise.race([follower.caughtUp.then(() => 'caught-up' as const), waited]);
  clearTimeout(timer);
  if (outcome === 'late') {
    options.logger.warn('revocations of the last token lifetime not read yet; starting anyway');
  } else {
    options.logger.info({ known: revocations.size }, 'revocations caught up');
  }
  return { revocations, follower };
}
