import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRate, type Rate, RateLimiter, replicaShare } from './gcra.js';

const tenPerMinute: Rate = { limit: 10, periodMs: 60_000 };

/** Checks `key` at each time in turn; returns the verdicts. */
function run(limiter: RateLimiter, times: readonly number[], key = 'k') {
  return times.map((t) => limiter.check(key, t));
}

describe('checkRate (GCRA)', () => {
  it('allows a burst of the whole limit at once, counting down what is left, then refuses', () => {
    const verdicts = run(new RateLimiter(tenPerMinute), Array(11).fill(1_000));
    expect(verdicts.slice(0, 10).map((v) => v.remaining)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(verdicts.slice(0, 10).every((v) => v.allowed)).toBe(true);
    expect(verdicts[10]).toEqual({
      allowed: false,
      limit: 10,
      remaining: 0,
      // One emission interval (6 s) until one more request fits.
      resetSeconds: 6,
      retryAfterSeconds: 6,
    });
  });

  it('says when the whole limit is back: one interval per request spent', () => {
    const first = checkRate(tenPerMinute, undefined, 0);
    expect(first.verdict).toMatchObject({ allowed: true, remaining: 9, resetSeconds: 6 });
    const second = checkRate(tenPerMinute, first.tat, 0);
    expect(second.verdict).toMatchObject({ remaining: 8, resetSeconds: 12 });
  });

  it('refills one request per interval', () => {
    const limiter = new RateLimiter(tenPerMinute);
    run(limiter, Array(10).fill(0));
    expect(limiter.check('k', 5_999).allowed).toBe(false);
    expect(limiter.check('k', 6_000)).toMatchObject({ allowed: true, remaining: 0 });
    expect(limiter.check('k', 6_001).allowed).toBe(false);
    // After a whole period idle, the whole burst is back.
    expect(limiter.check('k', 66_000)).toMatchObject({ allowed: true, remaining: 9 });
  });

  it('keeps keys apart', () => {
    const limiter = new RateLimiter({ limit: 1, periodMs: 1_000 });
    expect(limiter.check('a', 0).allowed).toBe(true);
    expect(limiter.check('a', 0).allowed).toBe(false);
    expect(limiter.check('b', 0).allowed).toBe(true);
  });

  const rates = fc.record({
    limit: fc.integer({ min: 1, max: 200 }),
    periodMs: fc.integer({ min: 1, max: 120_000 }),
  });
  const arrivals = fc
    .array(fc.integer({ min: 0, max: 300_000 }), { maxLength: 300 })
    .map((ts) => [...ts].sort((a, b) => a - b));

  it('never lets more through than the burst plus what the elapsed time refills', () => {
    fc.assert(
      fc.property(rates, arrivals, (rate, times) => {
        const verdicts = run(new RateLimiter(rate), times);
        const span = times.length > 0 ? (times.at(-1) ?? 0) - (times[0] ?? 0) : 0;
        const allowed = verdicts.filter((v) => v.allowed).length;
        expect(allowed).toBeLessThanOrEqual(
          rate.limit + Math.floor((span * rate.limit) / rate.periodMs),
        );
      }),
    );
  });

  it('is exact: `remaining` more are allowed at that instant, and a refused client is let in after Retry-After', () => {
    fc.assert(
      fc.property(rates, arrivals, fc.integer({ min: 0, max: 300_000 }), (rate, times, probe) => {
        const limiter = new RateLimiter(rate);
        run(limiter, times);
        const at = (times.at(-1) ?? 0) + (probe % rate.periodMs);
        const verdict = limiter.check('k', at);
        if (verdict.allowed) {
          const more = run(limiter, Array(verdict.remaining + 1).fill(at));
          expect(more.slice(0, verdict.remaining).every((v) => v.allowed)).toBe(true);
          expect(more.at(-1)?.allowed).toBe(false);
        } else {
          expect(limiter.check('k', at + verdict.retryAfterSeconds * 1000).allowed).toBe(true);
        }
      }),
    );
  });
});

describe('RateLimiter memory', () => {
  it('forgets keys whose bucket is full again', () => {
    const limiter = new RateLimiter({ limit: 5, periodMs: 1_000 });
    for (let i = 0; i < 100; i++) limiter.check(`client-${i}`, i);
    expect(limiter.size).toBeGreaterThan(90);
    // A second later every one of them is full again; other traffic sweeps them out.
    for (let i = 0; i < 60; i++) limiter.check('busy', 2_000 + i);
    expect(limiter.size).toBe(1);
  });

  it('holds at most maxKeys keys, forgetting the least recently allowed first', () => {
    const limiter = new RateLimiter({ limit: 1, periodMs: 60_000 }, 3);
    for (const key of ['a', 'b', 'c', 'd']) limiter.check(key, 0);
    expect(limiter.size).toBe(3);
    expect(limiter.check('a', 0).allowed).toBe(true);
    expect(limiter.check('d', 0).allowed).toBe(false);
  });
});

describe('replicaShare', () => {
  it('splits a limit between replicas, never below 1', () => {
    expect(replicaShare(120, 1)).toBe(120);
    expect(replicaShare(120, 4)).toBe(30);
    expect(replicaShare(10, 3)).toBe(3);
    expect(replicaShare(2, 5)).toBe(1);
  });
});
