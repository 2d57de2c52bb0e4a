import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DispatchCandidate,
  endpointCapVerdict,
  pickFairly,
  slidingQuotaVerdict,
} from './webhook-limits.js';

describe('endpointCapVerdict', () => {
  it('allows up to the cap and refuses at it, saying what to do', () => {
    expect(endpointCapVerdict(0, 20)).toEqual({ ok: true });
    expect(endpointCapVerdict(19, 20)).toEqual({ ok: true });
    expect(endpointCapVerdict(20, 20)).toEqual({
      ok: false,
      detail:
        'your company has 20 webhooks, the most allowed is 20: delete one before registering another',
    });
    expect(endpointCapVerdict(25, 20).ok).toBe(false);
  });
});

describe('slidingQuotaVerdict', () => {
  const now = new Date('2026-12-07T12:00:00Z');
  const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
  const quota = (recent: Date[], limit = 3) =>
    slidingQuotaVerdict({ recent, limit, windowMs: 3_600_000, now, what: 'redeliveries' });

  it('allows while fewer than the limit fall inside the window', () => {
    expect(quota([])).toEqual({ ok: true });
    expect(quota([ago(1), ago(2)])).toEqual({ ok: true });
    // The third is older than the window: it no longer counts.
    expect(quota([ago(1), ago(2), ago(3600)])).toEqual({ ok: true });
  });

  it('refuses at the limit, with Retry-After until the limit-th newest leaves the window', () => {
    expect(quota([ago(10), ago(20), ago(3000)])).toEqual({
      ok: false,
      detail: '3 redeliveries per hour allowed; try again in 600 s',
      retryAfterSeconds: 600,
    });
    // More than the limit counted: the limit-th newest decides, not the oldest.
    expect(quota([ago(10), ago(20), ago(30), ago(3500)])).toMatchObject({
      retryAfterSeconds: 3570,
    });
    // Never less than a second, even a few milliseconds before it frees.
    const almost = new Date(now.getTime() - 3_600_000 + 5);
    expect(quota([ago(1), ago(2), almost])).toMatchObject({ retryAfterSeconds: 1 });
  });

  it('after waiting Retry-After, the same history is allowed (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 7_200_000 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 10 }),
        (agesMs, limit) => {
          const recent = agesMs.sort((a, b) => a - b).map((ms) => new Date(now.getTime() - ms));
          const verdict = slidingQuotaVerdict({
            recent,
            limit,
            windowMs: 3_600_000,
            now,
            what: 'x',
          });
          const counted = agesMs.filter((ms) => ms < 3_600_000).length;
          expect(verdict.ok).toBe(counted < limit);
          if (verdict.ok) return;
          const later = new Date(now.getTime() + verdict.retryAfterSeconds * 1000);
          const after = slidingQuotaVerdict({
            recent,
            limit,
            windowMs: 3_600_000,
            now: later,
            what: 'x',
          });
          expect(after.ok).toBe(true);
          // And not a second sooner (unless the refusal was for the minimum of 1 s).
          if (verdict.retryAfterSeconds > 1) {
            const sooner = new Date(later.getTime() - 1000);
            expect(
              slidingQuotaVerdict({ recent, limit, windowMs: 3_600_000, now: sooner, what: 'x' })
                .ok,
            ).toBe(false);
          }
        },
      ),
    );
  });
});

describe('pickFairly', () => {
  const at = (second: number) => new Date(Date.UTC(2026, 11, 7, 12, 0, second));
  const candidate = (companyId: string, endpointId: string, second: number): DispatchCandidate => ({
    companyId,
    endpointId,
    dueAt: at(second),
  });

  it('deals slots round-robin across companies, longest-waiting first within a turn', () => {
    const candidates = [
      candidate('A', 'a1', 0),
      candidate('A', 'a2', 1),
      candidate('A', 'a3', 2),
      candidate('B', 'b1', 5),
      candidate('C', 'c1', 3),
      candidate('C', 'c2', 4),
    ];
    const picked = pickFairly({ candidates, busy: new Map(), slots: 4, perCompany: 10 });
    expect(picked.map((c) => c.endpointId)).toEqual(['a1', 'c1', 'b1', 'a2']);
  });

  it('counts what a company already has in flight against its share', () => {
    const candidates = [candidate('A', 'a4', 0), candidate('A', 'a5', 1), candidate('B', 'b1', 9)];
    const busy = new Map([['A', 3]]);
    expect(
      pickFairly({ candidates, busy, slots: 10, perCompany: 4 }).map((c) => c.endpointId),
    ).toEqual(['b1', 'a4']);
    expect(pickFairly({ candidates, busy: new Map([['A', 4]]), slots: 10, perCompany: 4 })).toEqual(
      [candidates[2]],
    );
  });

  it('never exceeds the slots or a company share, and leaves no slot idle that it could fill (property)', () => {
    const arbitraryCandidates = fc.uniqueArray(
      fc.record({
        companyId: fc.constantFrom('A', 'B', 'C', 'D'),
        endpointId: fc.uuid(),
        dueAt: fc.integer({ min: 0, max: 59 }).map(at),
      }),
      { selector: (c) => c.endpointId, maxLength: 40 },
    );
    const arbitraryBusy = fc
      .record({
        A: fc.nat(5),
        B: fc.nat(5),
        C: fc.nat(5),
        D: fc.nat(5),
      })
      .map((counts) => new Map(Object.entries(counts)));
    fc.assert(
      fc.property(
        arbitraryCandidates,
        arbitraryBusy,
        fc.nat(20),
        fc.integer({ min: 1, max: 6 }),
        (candidates, busy, slots, perCompany) => {
          const picked = pickFairly({ candidates, busy, slots, perCompany });
          expect(picked.length).toBeLessThanOrEqual(slots);
          const taken = new Map<string, number>();
          for (const c of picked) taken.set(c.companyId, (taken.get(c.companyId) ?? 0) + 1);
          for (const [company, count] of taken)
            expect(count + (busy.get(company) ?? 0)).toBeLessThanOrEqual(perCompany);
          // Every company left out while slots remained had reached its share.
          const room = [...new Set(candidates.map((c) => c.companyId))].reduce(
            (sum, company) =>
              sum +
              Math.min(
                candidates.filter((c) => c.companyId === company).length,
                Math.max(0, perCompany - (busy.get(company) ?? 0)),
              ),
            0,
          );
          expect(picked.length).toBe(Math.min(slots, room));
          // Round-robin: a company never gets a turn past another's unserved earlier turn.
          const turnOf = (c: DispatchCandidate) =>
            (busy.get(c.companyId) ?? 0) +
            picked.filter((p) => p.companyId === c.companyId).indexOf(c) +
            1;
          const lastTurn = Math.max(0, ...picked.map(turnOf));
          for (const company of new Set(candidates.map((c) => c.companyId))) {
            const offered = candidates.filter((c) => c.companyId === company).length;
            const served = taken.get(company) ?? 0;
            const reached = (busy.get(company) ?? 0) + served;
            if (served < offered && reached < perCompany)
              expect(reached).toBeGreaterThanOrEqual(lastTurn - 1);
          }
        },
      ),
    );
  });
});
