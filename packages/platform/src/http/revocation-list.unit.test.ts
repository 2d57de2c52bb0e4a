import { describe, expect, it } from 'vitest';
import { RevocationList } from './revocation-list.js';

const MINUTE = 60_000;
const retainMs = 16 * MINUTE; // a 15-minute token plus a minute of skew

function listAt(start = 1_000_000) {
  let now = start;
  const list = new RevocationList({ retainMs, now: () => now, capacity: 3 });
  return { list, advance: (ms: number) => (now += ms), now: () => now };
}

const token = (userId: string, issuedAtMs: number, kid = 'k1') => ({ userId, issuedAtMs, kid });

describe('revoking a person', () => {
  it('refuses their tokens issued at or before not_before, and only theirs', () => {
    const { list, now } = listAt();
    list.revokeUser('u1', now());
    expect(list.refusal(token('u1', now() - 5 * MINUTE))).toBe('access-revoked');
    expect(list.refusal(token('u1', now()))).toBe('access-revoked');
    expect(list.refusal(token('u1', now() + 1))).toBeUndefined();
    expect(list.refusal(token('u2', now() - 5 * MINUTE))).toBeUndefined();
  });

  it('keeps the latest not_before: a replayed older revocation changes nothing', () => {
    const { list, now } = listAt();
    list.revokeUser('u1', now());
    list.revokeUser('u1', now() - MINUTE);
    expect(list.refusal(token('u1', now() - 1))).toBe('access-revoked');
    list.revokeUser('u1', now() + MINUTE);
    expect(list.refusal(token('u1', now() + 30_000))).toBe('access-revoked');
  });

  it('forgets a revocation once every token it could refuse has expired', () => {
    const { list, now, advance } = listAt();
    const at = now();
    list.revokeUser('u1', at);
    advance(retainMs - 1);
    expect(list.refusal(token('u1', at - 1))).toBe('access-revoked');
    advance(1);
    expect(list.refusal(token('u1', at - 1))).toBeUndefined();
    list.prune();
    expect(list.size).toBe(0);
  });

  it('ignores a revocation read back after its tokens all expired', () => {
    const { list, now } = listAt();
    list.revokeUser('u1', now() - retainMs);
    expect(list.size).toBe(0);
  });

  it('stays bounded: past its capacity the entry soonest to expire goes first', () => {
    const { list, now } = listAt();
    list.revokeUser('old', now() - 10 * MINUTE);
    list.revokeUser('u2', now() - MINUTE);
    list.revokeUser('u3', now());
    list.revokeUser('u4', now());
    expect(list.size).toBe(3);
    expect(list.refusal(token('old', now() - 11 * MINUTE))).toBeUndefined();
    expect(list.refusal(token('u2', now() - 2 * MINUTE))).toBe('access-revoked');
  });
});

describe('withdrawing a key', () => {
  it('refuses every token the key signed, whenever issued, of anyone', () => {
    const { list, now } = listAt();
    list.withdrawKey('leaked', now());
    expect(list.isWithdrawn('leaked')).toBe(true);
    expect(list.refusal(token('u1', now() + MINUTE, 'leaked'))).toBe('key-withdrawn');
    expect(list.refusal(token('u1', now() - MINUTE, 'leaked'))).toBe('key-withdrawn');
    expect(list.refusal(token('u1', now(), 'fresh'))).toBeUndefined();
  });

  it('is forgotten after a token lifetime plus skew, when the key is long out of the JWKS', () => {
    const { list, now, advance } = listAt();
    list.withdrawKey('leaked', now());
    advance(retainMs);
    expect(list.isWithdrawn('leaked')).toBe(false);
  });
});
