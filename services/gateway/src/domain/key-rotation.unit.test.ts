import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideRotation,
  type KeyTimes,
  publishedKeys,
  type RotationMode,
  retiredKeys,
  rotationDue,
  signingKey,
  withdrawnKeys,
} from './key-rotation.js';

const HOUR = 3_600_000;
const policy = { maxAgeMs: 168 * HOUR, publishLeadMs: 180_000, tokenLifetimeMs: 900_000 };
const t0 = new Date('2026-11-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const key = (kid: string, createdMs: number, activatesMs = createdMs): KeyTimes => ({
  kid,
  createdAt: at(createdMs),
  activatesAt: at(activatesMs),
});

/** Applies a decision the way rotateSigningKey does: add the key, drop the retired ones. */
function apply(keys: KeyTimes[], now: Date, mode: RotationMode, kid: string): KeyTimes[] {
  const decision = decideRotation(keys, now, policy, mode);
  if (!decision.rotate) return keys;
  const added = { kid, createdAt: decision.createdAt, activatesAt: decision.activatesAt };
  const all = [added, ...keys];
  const removed = new Set([...retiredKeys(all), ...withdrawnKeys(keys, mode)].map((k) => k.kid));
  return all.filter((k) => !removed.has(k.kid));
}

describe('which key signs', () => {
  it('is the newest key whose activation time has come', () => {
    const keys = [key('a', 0), key('b', 10 * HOUR, 10 * HOUR + 180_000)];
    expect(signingKey(keys, at(10 * HOUR))?.kid).toBe('a');
    expect(signingKey(keys, at(10 * HOUR + 179_999))?.kid).toBe('a');
    expect(signingKey(keys, at(10 * HOUR + 180_000))?.kid).toBe('b');
  });

  it('is none before the first key activates', () => {
    expect(signingKey([key('a', 0, 1000)], at(0))).toBeUndefined();
    expect(signingKey([], at(0))).toBeUndefined();
  });
});

describe('which keys are published', () => {
  it('is the two newest, whatever order they come in', () => {
    const keys = [key('b', HOUR), key('c', 2 * HOUR), key('a', 0)];
    expect(publishedKeys(keys).map((k) => k.kid)).toEqual(['c', 'b']);
    expect(retiredKeys(keys).map((k) => k.kid)).toEqual(['a']);
  });

  it('publishes a waiting key beside the key still signing (publish before sign)', () => {
    const keys = [key('a', 0), key('b', HOUR), key('c', 2 * HOUR, 2 * HOUR + 180_000)];
    const now = at(2 * HOUR + 1);
    expect(publishedKeys(keys).map((k) => k.kid)).toEqual(['c', 'b']);
    expect(signingKey(keys, now)?.kid).toBe('b');
  });
});

describe('when to rotate', () => {
  it('rotates once the newest key reaches the maximum age', () => {
    const keys = [key('a', 0)];
    expect(rotationDue(keys, at(168 * HOUR - 1), policy)).toBe(false);
    expect(rotationDue(keys, at(168 * HOUR), policy)).toBe(true);
  });

  it('always rotates when there is no key, and the first key signs at once', () => {
    expect(rotationDue([], t0, policy)).toBe(true);
    expect(decideRotation([], t0, policy, 'scheduled')).toEqual({
      rotate: true,
      createdAt: t0,
      activatesAt: t0,
    });
  });

  it('gives a scheduled or manual key the publish lead before it signs', () => {
    const now = at(200 * HOUR);
    for (const mode of ['scheduled', 'manual'] as const) {
      expect(decideRotation([key('a', 0)], now, policy, mode)).toEqual({
        rotate: true,
        createdAt: now,
        activatesAt: at(200 * HOUR + 180_000),
      });
    }
  });

  it('skips a scheduled rotation for a young key, but not a manual one', () => {
    const now = at(HOUR);
    expect(decideRotation([key('a', 0)], now, policy, 'scheduled').rotate).toBe(false);
    expect(decideRotation([key('a', 0)], now, policy, 'manual').rotate).toBe(true);
  });

  it('does not queue a key behind a waiting one, unless immediately', () => {
    const keys = [key('a', 0), key('b', 200 * HOUR, 200 * HOUR + 180_000)];
    // Even a zero maximum age does not make a rotation due while b waits.
    const waitingNow = at(200 * HOUR + 1);
    expect(rotationDue(keys, waitingNow, { ...policy, maxAgeMs: 0 })).toBe(false);
    expect(decideRotation(keys, waitingNow, policy, 'manual').rotate).toBe(false);
    expect(decideRotation(keys, waitingNow, policy, 'immediate')).toEqual({
      rotate: true,
      createdAt: waitingNow,
      activatesAt: waitingNow,
    });
  });

  it('retires the key before the previous one: a token it signed is no longer verifiable', () => {
    let keys = [key('a', 0)];
    keys = apply(keys, at(168 * HOUR), 'scheduled', 'b');
    expect(publishedKeys(keys).map((k) => k.kid)).toEqual(['b', 'a']);
    keys = apply(keys, at(336 * HOUR), 'scheduled', 'c');
    expect(keys.map((k) => k.kid).sort()).toEqual(['b', 'c']);
  });
});

describe('invariant over any sequence of rotations', () => {
  it('the signing key is always published, and exactly two keys are once there are two', () => {
    const step = fc.record({
      advanceMs: fc.integer({ min: 0, max: 400 * HOUR }),
      mode: fc.constantFrom<RotationMode>('scheduled', 'manual', 'immediate'),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        let now = t0;
        let keys = apply([], now, 'scheduled', 'k0');
        steps.forEach(({ advanceMs, mode }, i) => {
          now = new Date(now.getTime() + advanceMs);
          keys = apply(keys, now, mode, `k${i + 1}`);
          const signer = signingKey(keys, now);
          expect(signer).toBeDefined();
          expect(publishedKeys(keys).map((k) => k.kid)).toContain(signer?.kid);
          expect(publishedKeys(keys).length).toBe(Math.min(2, keys.length));
        });
      }),
    );
  });
});

describe('a rotation never withdraws a key whose tokens are still good', () => {
  const keys = [key('a', 0), key('b', 10 * HOUR, 10 * HOUR + 180_000)];
  const handover = 10 * HOUR + 180_000;

  it('waits until the tokens of the key before the signing one have expired', () => {
    const early = decideRotation(keys, at(handover + 60_000), policy, 'manual');
    expect(early.rotate).toBe(false);
    if (!early.rotate) expect(early.reason).toMatch(/stay valid until/);
    expect(decideRotation(keys, at(handover + 900_000), policy, 'manual').rotate).toBe(true);
  });

  it('except in an incident, which may end those sessions on purpose', () => {
    expect(decideRotation(keys, at(handover + 60_000), policy, 'immediate').rotate).toBe(true);
  });
});

describe('an incident rotation withdraws the leaked keys at once', () => {
  const keys = [key('a', 0), key('b', 10 * HOUR, 10 * HOUR + 180_000)];

  it('withdraws every earlier key, so the JWKS holds the new key alone', () => {
    const after = apply(keys, at(10 * HOUR + 200_000), 'immediate', 'c');
    expect(after.map((k) => k.kid)).toEqual(['c']);
    expect(publishedKeys(after).map((k) => k.kid)).toEqual(['c']);
    expect(signingKey(after, at(10 * HOUR + 200_000))?.kid).toBe('c');
  });

  it('a scheduled or manual rotation withdraws nothing', () => {
    expect(withdrawnKeys(keys, 'scheduled')).toEqual([]);
    expect(withdrawnKeys(keys, 'manual')).toEqual([]);
    expect(withdrawnKeys(keys, 'immediate').map((k) => k.kid)).toEqual(['a', 'b']);
  });
});
