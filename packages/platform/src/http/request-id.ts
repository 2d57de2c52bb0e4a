import { randomUUID } from 'node:crypto';

/** What an X-Request-Id may be: word characters, `.`, `:`, `=` and `-`, at most 128 of them. */
const FORWARDED_ID = /^[\w.:=-]{1,128}$/;
/** What a client may choose at the public door: shorter, and without our `:` marker. */
const CLIENT_ID = /^[\w.=-]{1,64}$/;

/** The prefix that marks a request id the client chose, in logs and the audit trail. */
export const CLIENT_REQUEST_ID_PREFIX = 'client:';

/**
 * The id a request goes by. At the public door (the gateway) a client's well-formed
 * X-Request-Id is kept, marked `client:<id>` so the audit trail never takes it for one
 * the gateway made (those are UUIDs, never marked); anything else is replaced by a new
 * UUID. Behind it, a service keeps a well-formed id as forwarded (marked or not).
 */
export function requestIdFor(header: string | undefined, publicDoor: boolean): string {
  if (header === undefined) return randomUUID();
  if (publicDoor) {
    return CLIENT_ID.test(header) ? `${CLIENT_REQUEST_ID_PREFIX}${header}` : randomUUID();
  }
  return FORWARDED_ID.test(header) ? header : randomUUID();
}
