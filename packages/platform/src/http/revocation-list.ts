/**
 * The revocations a process knows of, as pure rules over times in milliseconds (the clock
 * is passed in). A person's entry refuses their tokens issued at or before its `notBefore`; a
 * withdrawn kid refuses every token it signed. An entry is kept only while a token it
 * refuses could still be alive: `retainMs` (an access token's lifetime plus clock skew)
 * after it was made. So the list stays as small as the revocations of the last quarter
 * of an hour, and `capacity` is a guard against a flood, not a working limit.
 */
export interface TokenFacts {
  /** The person (`sub`). */
  userId: string;
  /** When it was issued, in ms (`iat` × 1000; `iat` may carry milliseconds). */
  issuedAtMs: number;
  /** The key that signed it. */
  kid: string;
}

export interface RevocationListOptions {
  /** How long an entry is kept after it was made: the token lifetime plus clock skew. */
  retainMs: number;
  now?: () => number;
  /** At most this many entries of each kind; past it the soonest to expire goes first. */
  capacity?: number;
}

interface Entry {
  notBeforeMs: number;
  keepUntilMs: number;
}

export class RevocationList {
  private readonly users = new Map<string, Entry>();
  private readonly kids = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly capacity: number;

  constructor(private readonly options: RevocationListOptions) {
    this.now = options.now ?? Date.now;
    this.capacity = options.capacity ?? 100_000;
  }

  /**
   * Refuses the person's tokens issued at or before `notBeforeMs`. A later revocation of the
   * same person moves the line forward; an older one (a replay) changes nothing.
   */
  revokeUser(userId: string, notBeforeMs: number): void {
    this.remember(this.users, userId, notBeforeMs);
  }

  /** Refuses every token the key signed, whenever it was issued. */
  withdrawKey(kid: string, atMs: number): void {
    this.remember(this.kids, kid, atMs);
  }

  /** Why the token must be refused, or undefined when no revocation touches it. */
  refusal(token: TokenFacts): 'key-withdrawn' | 'access-revoked' | undefined {
    const now = this.now();
    if (live(this.kids.get(token.kid), now)) return 'key-withdrawn';
    const user = this.users.get(token.userId);
    // At or before: a token signed in the very millisecond the revocation read its clock
    // may have been made from the old login (see the gateway's access lock).
    if (live(user, now) && token.issuedAtMs <= user.notBeforeMs) return 'access-revoked';
    return undefined;
  }

  isWithdrawn(kid: string): boolean {
    return live(this.kids.get(kid), this.now());
  }

  /** Forgets entries whose tokens have all expired anyway. */
  prune(): void {
    const now = this.now();
    for (const map of [this.users, this.kids]) {
      for (const [key, entry] of map) if (!live(entry, now)) map.delete(key);
    }
  }

  get size(): number {
    return this.users.size + this.kids.size;
  }

  private remember(map: Map<string, Entry>, key: string, notBeforeMs: number): void {
    const keepUntilMs = notBeforeMs + this.options.retainMs;
    const existing = map.get(key);
    if (existing && existing.notBeforeMs >= notBeforeMs) return;
    if (keepUntilMs <= this.now()) return; // every token it could refuse has expired
    if (!existing && map.size >= this.capacity) {
      this.prune();
      if (map.size >= this.capacity) evictSoonestToExpire(map);
    }
    map.set(key, { notBeforeMs, keepUntilMs });
  }
}

function live(entry: Entry | undefined, now: number): entry is Entry {
  return entry !== undefined && entry.keepUntilMs > now;
}

function evictSoonestToExpire(map: Map<string, Entry>): void {
  let soonest: [string, Entry] | undefined;
  for (const pair of map)
    if (!soonest || pair[1].keepUntilMs < soonest[1].keepUntilMs) soonest = pair;
  if (soonest) map.delete(soonest[0]);
}
