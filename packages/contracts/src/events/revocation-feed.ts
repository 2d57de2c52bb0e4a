import { Streams } from './catalogue.js';

/**
 * Who publishes and who reads the revocations (AccessRevoked, SigningKeyWithdrawn).
 *
 * - Publisher: the gateway only, through its outbox, on `countersign.gateway.access.>` in
 *   its stream (COUNTERSIGN_GATEWAY).
 * - Subscribers: every process of every service (gateway, expense, approval, notification,
 *   each replica): each must see every revocation, so each reads with an ephemeral
 *   ordered consumer of its own, never a shared durable, and acks nothing. NATS
 *   permissions must let every service create and read such a consumer on this subject
 *   (`$JS.API.CONSUMER.CREATE.COUNTERSIGN_GATEWAY` and its deliveries).
 * - Catch-up: on start a process reads back `lookbackMs` (an access token's lifetime plus
 *   clock skew), so it knows every revocation whose tokens may still be alive; the
 *   ordered consumer resumes after the last message seen when the connection comes
 *   back. The stream keeps events for 7 days, far longer than a token lives.
 */
export const RevocationFeed = {
  stream: Streams.gateway,
  /** One filter subject for both events (nats-server 2.9 takes a single filter). */
  subjects: 'countersign.gateway.access.>',
  publisher: 'gateway',
  subscribers: ['gateway', 'expense', 'approval', 'notification'],
  eventTypes: ['AccessRevoked', 'SigningKeyWithdrawn'],
} as const;

/** How far back a starting process reads revocations: the token lifetime plus this skew. */
export const REVOCATION_CLOCK_SKEW_MS = 60_000;
