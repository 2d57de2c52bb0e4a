/**
 * Where a feed stream starts for a client: new items only, the items after the last one
 * it saw (`Last-Event-ID` = the feed stream's sequence of that item), or a resync when
 * that id cannot be resumed. Pure: the stream's state is read by the caller.
 */
export type ResumePlan =
  | { kind: 'new' }
  | { kind: 'from'; startSeq: number }
  | { kind: 'resync'; reason: 'expired' | 'unknown_id' };

export interface FeedStreamState {
  /** The oldest sequence the stream still holds (last + 1 when it holds none). */
  firstSeq: number;
  /** The newest sequence the stream ever assigned. */
  lastSeq: number;
}

export function planResume(lastEventId: number | undefined, state: FeedStreamState): ResumePlan {
  if (lastEventId === undefined) return { kind: 'new' };
  // A sequence the stream never assigned: an id from another (since recreated) stream.
  if (lastEventId > state.lastSeq) return { kind: 'resync', reason: 'unknown_id' };
  // Items after the client's id have aged out (or were purged): some may have been its own.
  if (lastEventId + 1 < state.firstSeq) return { kind: 'resync', reason: 'expired' };
  return { kind: 'from', startSeq: lastEventId + 1 };
}

/** Sequences are positive integers; 0 means "from the start of what is kept". */
export const LAST_EVENT_ID_PATTERN = /^\d{1,15}$/;

/**
 * When an open stream must end (ms since the epoch): at the access token's own expiry,
 * or, for a ticket (short-lived, for opening a stream only), one access-token lifetime
 * after the ticket was issued. A stream never outlives what the credential allowed.
 */
export function streamDeadline(
  times: { exp?: number; iat?: number },
  credential: 'access_token' | 'ticket',
  accessTtlSeconds: number,
): number {
  const { exp = 0, iat = 0 } = times;
  return (credential === 'ticket' ? iat + accessTtlSeconds : exp) * 1000;
}
