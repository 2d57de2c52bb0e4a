import { isIPv6 } from 'node:net';
/** Rate-limit rules: what a window's count means, and whose address a request is from. */

export interface RateLimitVerdict {
  allowed: boolean;
  limit: number;
  /** Requests left in this window after this one. */
  remaining: number;
  /** Seconds until the window ends and the count starts again. */
  resetSeconds: number;
  /** When refused: seconds to wait before trying again; 0 when allowed. */
  retryAfterSeconds: number;
}

export function rateLimitVerdict(count: {
  hits: number;
  limit: number;
  resetSeconds: number;
}): RateLimitVerdict {
  const allowed = count.hits <= count.limit;
  const resetSeconds = Math.max(1, Math.ceil(count.resetSeconds));
  return {
    allowed,
    limit: count.limit,
    remaining: Math.max(0, count.limit - count.hits),
    resetSeconds,
    retryAfterSeconds: allowed ? 0 : resetSeconds,
  };
}

/**
 * The verdict a client should be told about when several limits apply: a refusal first
 * (the one that lasts longest), else the limit with the fewest requests left.
 */
export function tightestVerdict(
  verdicts: readonly RateLimitVerdict[],
): RateLimitVerdict | undefined {
  const refused = verdicts.filter((v) => !v.allowed);
  if (refused.length > 0) {
    return refused.reduce((a, b) => (b.retryAfterSeconds > a.retryAfterSeconds ? b : a));
  }
  return verdicts.reduce<RateLimitVerdict | undefined>(
    (a, b) => (a === undefined || b.remaining < a.remaining ? b : a),
    undefined,
  );
}

/**
 * The client's address. With no trusted proxy it is the socket's peer: X-Forwarded-For
 * is whatever the client wrote. Behind `trustedProxies` proxies, each of which appends
 * the address it received from, the client is the entry that many places from the
 * right; anything left of it is the client's own claim. A header shorter than that
 * means a request that did not come through the proxies: the socket peer is used.
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  trustedProxies: number,
): string {
  const peer = normaliseAddress(socketAddress ?? 'unknown');
  if (trustedProxies <= 0 || !forwardedFor) return peer;
  const hops = forwardedFor
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  const client = hops[hops.length - trustedProxies];
  return client ? normaliseAddress(client) : peer;
}

/**
 * One key per client: `::ffff:10.0.0.1` and `10.0.0.1` count together, and an IPv6 client
 * counts by its /64, the block one subscriber gets, so rotating addresses inside it does
 * not escape the limit.
 */
function normaliseAddress(address: string): string {
  const lower = address.toLowerCase().split('%')[0] ?? '';
  if (lower.startsWith('::ffff:') && lower.includes('.')) return lower.slice(7);
  return isIPv6(lower) ? ipv6Prefix64(lower) : lower;
}

function ipv6Prefix64(address: string): string {
  const [head = '', tail] = address.split('::');
  const groupsOf = (part: string) =>
    part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : [];
  const left = groupsOf(head);
  const right = tail === undefined ? [] : groupsOf(tail);
  const zeros = Array.from({ length: 8 - left.length - right.length }, () => '0');
  const groups = [...left, ...zeros, ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
