import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backoffCeilingMs,
  DEFAULT_RETRY_SETTINGS,
  nextRetry,
  type RetrySettings,
} from './retry-schedule.js';

const settings = DEFAULT_RETRY_SETTINGS;
const created = new Date('2026-11-24T00:00:00Z');
const DAY = 86_400_000;
const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

/** Runs a delivery that always fails, drawing jitter from `draws`; returns attempt times. */
function failForever(draws: number[], s: RetrySettings): Date[] {
  const times: Date[] = [created];
  for (let attempts = 1; ; attempts += 1) {
    const failedAt = times.at(-1) as Date;
    const decision = nextRetry({
      attempts,
      createdAt: created,
      failedAt,
      random: draws[attempts % draws.length] ?? 0.5,
      settings: s,
    });
    if (decision.kind === 'give-up') return times;
    times.push(decision.at);
  }
}

describe('the webhook retry schedule', () => {
  it('grows exponentially from the base and stops at the cap', () => {
    expect(backoffCeilingMs(1, settings)).toBe(20_000);
    expect(backoffCeilingMs(2, settings)).toBe(40_000);
    expect(backoffCeilingMs(10, settings)).toBe(10_240_000);
    expect(backoffCeilingMs(11, settings)).toBe(20_480_000);
    expect(backoffCeilingMs(12, settings)).toBe(settings.capMs);
    expect(backoffCeilingMs(1_000, settings)).toBe(settings.capMs);
  });

  it('gives up only once an attempt fails after the window', () => {
    const justBefore = new Date(created.getTime() + DAY - 1);
    expect(
      nextRetry({ attempts: 30, createdAt: created, failedAt: justBefore, random: 0, settings })
        .kind,
    ).toBe('retry');
    const atTheEnd = new Date(created.getTime() + DAY);
    expect(
      nextRetry({ attempts: 30, createdAt: created, failedAt: atTheEnd, random: 0, settings }),
    ).toEqual({ kind: 'give-up' });
  });

  it('every delay lies between the base and the ceiling of its attempt', () => {
    fc.assert(
      fc.property(fc.nat({ max: 200 }), unit, (attempts, random) => {
        const failedAt = new Date(created.getTime() + 1000);
        const decision = nextRetry({ attempts, createdAt: created, failedAt, random, settings });
        expect(decision.kind).toBe('retry');
        if (decision.kind !== 'retry') return;
        const delay = decision.at.getTime() - failedAt.getTime();
        expect(delay).toBeGreaterThanOrEqual(settings.baseMs);
        expect(delay).toBeLessThanOrEqual(
          Math.max(settings.baseMs, backoffCeilingMs(attempts, settings)),
        );
      }),
    );
  });

  it('whatever the jitter, retries span at least a day and end within a cap after it', () => {
    fc.assert(
      fc.property(fc.array(unit, { minLength: 1, maxLength: 50 }), (draws) => {
        const times = failForever(draws, settings);
        const last = (times.at(-1) as Date).getTime() - created.getTime();
        expect(last).toBeGreaterThanOrEqual(DAY);
        expect(last).toBeLessThan(DAY + settings.capMs);
        for (let i = 1; i < times.length; i += 1) {
          expect((times[i] as Date).getTime()).toBeGreaterThan((times[i - 1] as Date).getTime());
        }
      }),
      { numRuns: 50 },
    );
  });

  it('with typical jitter a day of failures is a couple of dozen attempts, not thousands', () => {
    const times = failForever([0.5], settings);
    expect(times.length).toBeGreaterThan(10);
    expect(times.length).toBeLessThan(40);
  });
});
