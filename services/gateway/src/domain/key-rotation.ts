/**
 * Which signing key signs, which keys are published and when to rotate: pure rules over
 * the keys' times, with the clock passed in.
 *
 * Publish before sign: a new key is published at once but signs only from its
 * `activatesAt`, a lead time later. By then every gateway replica has reloaded its key
 * ring and serves it in the JWKS, so a service that sees the new kid either has it
 * already or is allowed to refetch (its refetch cooldown has passed).
 *
 * The JWKS always holds the two newest keys: while a new key waits, that is the new key
 * and the one signing; once it signs, the one signing and the one before it. Older keys
 * are retired, and tokens they signed are refused.
 */

export interface KeyTimes {
  kid: string;
  createdAt: Date;
  /** Signing starts here; published from `createdAt`. */
  activatesAt: Date;
}

export interface RotationPolicy {
  /** A key that has signed for this long is replaced. */
  maxAgeMs: number;
  /** How long a new key is published before it signs. */
  publishLeadMs: number;
  /**
   * How long an access token lives. The key before the signing one stays published that
   * long after the hand-over, since tokens it signed until then are still good.
   */
  tokenLifetimeMs: number;
}

/** How many keys the JWKS holds: the signing key and its neighbour (next or previous). */
export const PUBLISHED_KEY_COUNT = 2;

export function newestFirst<K extends KeyTimes>(keys: readonly K[]): K[] {
  return [...keys].sort(
    (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.kid.localeCompare(a.kid),
  );
}

/** The newest key whose activation time has come. */
export function signingKey<K extends KeyTimes>(keys: readonly K[], now: Date): K | undefined {
  return newestFirst(keys).find((k) => k.activatesAt.getTime() <= now.getTime());
}

/** The keys the JWKS serves: the two newest. */
export function publishedKeys<K extends KeyTimes>(keys: readonly K[]): K[] {
  return newestFirst(keys).slice(0, PUBLISHED_KEY_COUNT);
}

/** Keys past the published two: nothing verifies against them any more. */
export function retiredKeys<K extends KeyTimes>(keys: readonly K[]): K[] {
  return newestFirst(keys).slice(PUBLISHED_KEY_COUNT);
}

/** A key is waiting while it is published but its activation time has not come. */
export function waitingKey<K extends KeyTimes>(keys: readonly K[], now: Date): K | undefined {
  const newest = newestFirst(keys)[0];
  return newest && newest.activatesAt.getTime() > now.getTime() ? newest : undefined;
}

/**
 * A scheduled rotation is due when no key is waiting and the newest key has existed for
 * the policy's maximum age (or there is no key at all).
 */
export function rotationDue(keys: readonly KeyTimes[], now: Date, policy: RotationPolicy): boolean {
  const newest = newestFirst(keys)[0];
  if (!newest) return true;
  if (waitingKey(keys, now)) return false;
  return now.getTime() - newest.createdAt.getTime() >= policy.maxAgeMs;
}

export type RotationMode =
  /** Periodic check: rotate only when due; the new key waits for the publish lead. */
  | 'scheduled'
  /** Operator's command: rotate now; the new key still waits for the publish lead. */
  | 'manual'
  /**
   * Incident: the new key signs at once and every earlier key is withdrawn (see
   * withdrawnKeys); services may refuse the new key's tokens until they refetch.
   */
  | 'immediate';

export type RotationDecision =
  | { rotate: false; reason: string }
  | { rotate: true; createdAt: Date; activatesAt: Date };

/**
 * Whether to add a key now, and when it starts signing. The first key signs at once
 * (nothing can be waiting for it). A key never starts waiting behind another waiting
 * key: the signing key would then drop out of the published two.
 */
export function decideRotation(
  keys: readonly KeyTimes[],
  now: Date,
  policy: RotationPolicy,
  mode: RotationMode,
): RotationDecision {
  const immediately = { rotate: true, createdAt: now, activatesAt: now } as const;
  if (keys.length === 0) return immediately;
  if (mode === 'immediate') return immediately;
  const waiting = waitingKey(keys, now);
  if (waiting) {
    return {
      rotate: false,
      reason: `key ${waiting.kid} is already published and starts signing at ${waiting.activatesAt.toISOString()}`,
    };
  }
  if (mode === 'scheduled' && !rotationDue(keys, now, policy)) {
    return { rotate: false, reason: 'the signing key is younger than the rotation age' };
  }
  const current = signingKey(keys, now);
  const tokensOfPreviousUntil = current && current.activatesAt.getTime() + policy.tokenLifetimeMs;
  if (
    keys.length >= PUBLISHED_KEY_COUNT &&
    tokensOfPreviousUntil &&
    tokensOfPreviousUntil > now.getTime()
  ) {
    return {
      rotate: false,
      reason: `tokens signed by the previous key stay valid until ${new Date(tokensOfPreviousUntil).toISOString()}; rotating before then would refuse them (rotate with --now for a leaked key)`,
    };
  }
  return {
    rotate: true,
    createdAt: now,
    activatesAt: new Date(now.getTime() + policy.publishLeadMs),
  };
}

/**
 * Keys an incident's rotation (`immediate`) withdraws at once: every key but the new one.
 * The signing key may have leaked, and with it any key whose private half sat beside it,
 * so none stays published and every token they signed is refused (SigningKeyWithdrawn).
 * Other rotations withdraw nothing: their old keys retire after their tokens expired.
 */
export function withdrawnKeys<K extends KeyTimes>(previous: readonly K[], mode: RotationMode): K[] {
  return mode === 'immediate' ? [...previous] : [];
}
