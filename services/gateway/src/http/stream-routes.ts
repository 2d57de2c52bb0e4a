import {
  type AccessClaims,
  FeedItemV1,
  FeedResyncV1,
  FeedStream,
  feedSubject,
  ProblemDetails,
  StreamTicket,
} from '@countersign/contracts';
import {
  type Logger,
  requireAuth,
  requirePermission,
  type ServiceEnv,
  type TokenVerifier,
  TooManyRequestsError,
  UnauthorizedError,
  ValidationError,
} from '@countersign/platform';
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import { decodeJwt } from 'jose';
import {
  LAST_EVENT_ID_PATTERN,
  planResume,
  type ResumePlan,
  streamDeadline,
} from '../domain/feed-resume.js';
import type { FeedReader, FeedSubscription } from '../messaging/feed-reader.js';

export interface StreamTickets {
  /** Signs a ticket for the caller, for the stream's own audience. */
  issue(caller: AccessClaims): Promise<string>;
  /** Checks a ticket: signature, issuer, the stream audience and its expiry. */
  verify: TokenVerifier;
  /** Spends a verified ticket: throws when it was used before (on any replica). */
  use(ticket: { jti?: string | undefined; exp?: number | undefined }): Promise<void>;
  ttlSeconds: number;
}

export interface StreamRouteDeps {
  verifyToken: TokenVerifier;
  tickets: StreamTickets;
  /** A stream ends when the credential it was opened with would have: see streamDeadline. */
  accessTtlSeconds: number;
  feed: FeedReader;
  logger: Logger;
  /** A comment line this often keeps proxies and clients from taking the stream for dead. */
  heartbeatMs: number;
  /** Streams one person may have open on one replica at a time. */
  maxPerUser: number;
  /** Aborted when the gateway shuts down: open streams end, so the server can close. */
  shutdown: AbortSignal;
}

/** How long a client waits before reconnecting (the SSE `retry:` field). */
const RECONNECT_MS = 3000;

/**
 * `GET /api/stream`: the caller's feed as Server-Sent Events. Every event's `id` is the
 * item's feed-stream sequence; a reconnect with `Last-Event-ID` (or `?last_event_id=`)
 * picks up right after it, on any replica, because the feed lives in JetStream.
 */
export function mountStreamRoutes(app: OpenAPIHono<ServiceEnv>, deps: StreamRouteDeps): void {
  documentStreamRoute(app, deps.tickets.ttlSeconds);
  const open = new OpenStreams(deps.maxPerUser);
  const bearer = requireAuth(deps.verifyToken);
  app.post('/api/stream/tickets', bearer, requirePermission('notifications.read'), async (c) => {
    const ticket = await deps.tickets.issue(c.var.caller);
    const body: StreamTicket = { ticket, expires_in: deps.tickets.ttlSeconds };
    return c.json(body, 201, { 'cache-control': 'no-store' });
  });
  app.get(
    '/api/stream',
    bearerOrTicket(deps),
    requirePermission('notifications.read'),
    async (c) => {
      const lastEventId = parseLastEventId(c);
      const { sub, company_id } = c.var.caller;
      const release = open.claim(sub);
      let plan: ResumePlan;
      let subscription: FeedSubscription;
      try {
        plan = planResume(lastEventId, await deps.feed.state());
        subscription = await deps.feed.open(
          feedSubject(company_id, sub),
          plan.kind === 'from' ? plan.startSeq : 'new',
        );
      } catch (error) {
        release();
        throw error;
      }
      // Not buffered by proxies (nginx): each event must go out as it happens. streamSSE
      // itself sets the content type and `Cache-Control: no-cache`.
      c.header('x-accel-buffering', 'no');
      // Already verified: decoding only reads its times.
      const endsAt = streamDeadline(
        decodeJwt(c.var.token),
        c.req.query('ticket') !== undefined ? 'ticket' : 'access_token',
        deps.accessTtlSeconds,
      );
      return streamSSE(c, (stream) =>
        pump(stream, { plan, subscription, endsAt, owner: c.var.caller }, deps).finally(
          async () => {
            await subscription.close();
            release();
          },
        ),
      );
    },
  );
}

interface OpenedStream {
  plan: ResumePlan;
  subscription: FeedSubscription;
  /** When the credential the stream was opened with runs out (ms since the epoch). */
  endsAt: number;
  owner: Pick<AccessClaims, 'sub' | 'company_id'>;
}

async function pump(
  stream: SSEStreamingApi,
  { plan, subscription, endsAt, owner }: OpenedStream,
  deps: StreamRouteDeps,
): Promise<void> {
  // The client going away (or the gateway stopping) ends the consumer's iterator, which
  // ends this loop; a reconnecting client resumes on another replica with Last-Event-ID.
  stream.onAbort(() => subscription.close());
  const stop = () => void subscription.close();
  deps.shutdown.addEventListener('abort', stop, { once: true });
  // A stream is not a way around token expiry: it ends when its credential would have,
  // and the client reconnects with a fresh one (and Last-Event-ID).
  const expiry = setTimeout(stop, Math.max(0, endsAt - Date.now()));
  await stream.write(`retry: ${RECONNECT_MS}\n\n`);
  if (plan.kind === 'resync') await stream.writeSSE(resyncEvent(plan.reason));
  const heartbeat = setInterval(() => {
    stream.write(': heartbeat\n\n').catch(() => subscription.close());
  }, deps.heartbeatMs);
  try {
    for await (const { seq, item } of subscription) {
      // The subject already is the caller's; an item naming someone else was misaddressed.
      if (item.user_id !== owner.sub || item.company_id !== owner.company_id) {
        deps.logger.error(
          { seq, item_id: item.id },
          'feed item on another person’s subject; skipped',
        );
        continue;
      }
      await stream.writeSSE({ id: String(seq), event: item.type, data: JSON.stringify(item) });
    }
  } catch (error) {
    if (!stream.aborted) deps.logger.warn({ err: error }, 'feed stream ended by an error');
  } finally {
    clearInterval(heartbeat);
    clearTimeout(expiry);
    deps.shutdown.removeEventListener('abort', stop);
  }
}

function resyncEvent(reason: FeedResyncV1['reason']) {
  const body: FeedResyncV1 = {
    reason,
    message:
      reason === 'expired'
        ? `items after that Last-Event-ID are no longer kept (the feed keeps ${FeedStream.maxAgeDays} days): reload your notifications and expenses`
        : 'that Last-Event-ID is not from this feed: reload your notifications and expenses',
  };
  return { event: 'resync', data: JSON.stringify(body) };
}

/** The access token as for every route, or, for an EventSource, a ticket in the query. */
function bearerOrTicket(deps: StreamRouteDeps): MiddlewareHandler<ServiceEnv> {
  return async (c, next) => {
    const ticket = c.req.query('ticket');
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const token = ticket ?? bearer;
    if (!token) {
      throw new UnauthorizedError(
        'send an access token as "Authorization: Bearer <token>", or a stream ticket as ?ticket=',
      );
    }
    const verify = ticket !== undefined ? deps.tickets.verify : deps.verifyToken;
    c.set('caller', await verify(token));
    // Single-use: a ticket leaks more easily than a header (URLs are logged by proxies).
    if (ticket !== undefined) await deps.tickets.use(decodeJwt(ticket));
    c.set('token', token);
    await next();
  };
}

/** The header a reconnecting EventSource sends, or a query parameter for other clients. */
function parseLastEventId(c: Context<ServiceEnv>): number | undefined {
  const header = c.req.header('last-event-id');
  const raw = header ?? c.req.query('last_event_id');
  if (raw === undefined || raw === '') return undefined;
  if (!LAST_EVENT_ID_PATTERN.test(raw)) {
    throw new ValidationError([
      {
        path: header !== undefined ? 'Last-Event-ID' : 'last_event_id',
        message: 'must be the id of an event this stream sent (a whole number)',
      },
    ]);
  }
  return Number(raw);
}

/**
 * Counts this replica's open streams per person, so one account cannot hold many NATS
 * consumers open. Per replica only: a bound on resources here, not state about the person.
 */
class OpenStreams {
  private readonly counts = new Map<string, number>();

  constructor(private readonly maxPerUser: number) {}

  claim(userId: string): () => void {
    const count = this.counts.get(userId) ?? 0;
    if (count >= this.maxPerUser) {
      throw new TooManyRequestsError(
        `at most ${this.maxPerUser} streams may be open at once; close one first`,
        RECONNECT_MS / 1000,
      );
    }
    this.counts.set(userId, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(userId) ?? 1) - 1;
      if (left === 0) this.counts.delete(userId);
      else this.counts.set(userId, left);
    };
  }
}

/** The route in the OpenAPI document; the events' schemas are listed as the body's. */
function documentStreamRoute(app: OpenAPIHono<ServiceEnv>, ticketTtlSeconds: number): void {
  const problem = (description: string) => ({
    description,
    content: { 'application/problem+json': { schema: ProblemDetails } },
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/api/stream',
    tags: ['Notifications'],
    summary:
      'Real-time feed of my notifications and my expenses’ status (Server-Sent Events) [notifications.read]',
    description: `An \`text/event-stream\`. Events: \`notification\` and \`expense.status\` (data: FeedItem.v1, id: the feed sequence), \`resync\` (data: FeedResync.v1, when a Last-Event-ID cannot be resumed: reload over REST), and \`: heartbeat\` comments. Reconnect with \`Last-Event-ID\` (or \`?last_event_id=\`) to get what was missed, up to ${FeedStream.maxAgeDays} days back.`,
    security: [{ bearer: [] }],
    request: {
      headers: z.object({
        'last-event-id': z.string().regex(LAST_EVENT_ID_PATTERN).optional(),
      }),
      query: z.object({
        last_event_id: z.string().regex(LAST_EVENT_ID_PATTERN).optional(),
        ticket: z.string().optional().openapi({
          description:
            'Instead of the Authorization header (for EventSource): a ticket from POST /api/stream/tickets',
        }),
      }),
    },
    responses: {
      200: {
        description: 'The stream; it stays open until the client closes it',
        content: { 'text/event-stream': { schema: z.union([FeedItemV1, FeedResyncV1]) } },
      },
      400: problem('Last-Event-ID is not a whole number'),
      401: problem('No valid access token'),
      403: problem('Not allowed for the caller'),
      429: problem('Too many streams open for this person, or too many requests'),
    },
  });
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/api/stream/tickets',
    tags: ['Notifications'],
    summary: 'A ticket to open my stream from a browser EventSource [notifications.read]',
    description: `Valid for ${ticketTtlSeconds} s, for opening GET /api/stream?ticket=… once (no other route accepts it, and a used ticket is refused with 401). The stream it opens ends one access-token lifetime after the ticket was issued; then get a new ticket and reconnect with ?last_event_id=.`,
    security: [{ bearer: [] }],
    responses: {
      201: {
        description: 'The ticket',
        content: { 'application/json': { schema: StreamTicket } },
      },
      401: problem('No valid access token'),
      403: problem('Not allowed for the caller'),
      429: problem('Too many requests'),
    },
  });
}
