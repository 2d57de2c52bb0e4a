import { describe, expect, it } from 'vitest';
import {
  actingFor,
  type DelegationTerms,
  type ExpenseScope,
  isInForce,
  limitRefusal,
  rangesOverlap,
  utcDay,
} from './delegation.js';

const terms = (overrides: Partial<DelegationTerms> = {}): DelegationTerms => ({
  id: 'd1',
  delegatorId: 'frank',
  delegateId: 'bob',
  startsOn: '2026-12-01',
  endsOn: '2026-12-05',
  maxAmount: null,
  categories: null,
  revokedAt: null,
  ...overrides,
});

const expense = (overrides: Partial<ExpenseScope> = {}): ExpenseScope => ({
  submitterId: 'grace',
  amount: '100.00',
  category: 'equipment',
  steps: [
    { step: 1, approverId: 'frank', status: 'pending' },
    { step: 2, approverId: 'eve', status: 'waiting' },
  ],
  ...overrides,
});

const at = (iso: string) => new Date(iso);

describe('a delegation in force', () => {
  it('covers its first and last UTC day, not the day before or after', () => {
    const d = terms();
    expect(isInForce(d, at('2026-11-30T23:59:59.999Z'))).toBe(false);
    expect(isInForce(d, at('2026-12-01T00:00:00.000Z'))).toBe(true);
    expect(isInForce(d, at('2026-12-05T23:59:59.999Z'))).toBe(true);
    expect(isInForce(d, at('2026-12-06T00:00:00.000Z'))).toBe(false);
  });

  it('is over once revoked', () => {
    expect(
      isInForce(terms({ revokedAt: at('2026-12-02T10:00:00Z') }), at('2026-12-03T10:00:00Z')),
    ).toBe(false);
  });

  it('reads the day in UTC whatever the offset the instant was written with', () => {
    expect(utcDay(at('2026-12-01T23:30:00-02:00'))).toBe('2026-12-02');
  });
});

describe('limits', () => {
  it('compares amounts exactly, in cents', () => {
    expect(limitRefusal(terms({ maxAmount: '500.00' }), expense({ amount: '500.00' }))).toBeNull();
    expect(limitRefusal(terms({ maxAmount: '500.00' }), expense({ amount: '500.01' }))).toContain(
      'up to 500.00',
    );
    expect(limitRefusal(terms({ maxAmount: '0.10' }), expense({ amount: '0.09' }))).toBeNull();
  });

  it('covers only the listed categories', () => {
    expect(limitRefusal(terms({ categories: ['equipment'] }), expense())).toBeNull();
    expect(
      limitRefusal(terms({ categories: ['equipment'] }), expense({ category: 'travel' })),
    ).toContain('only equipment');
  });

  it('finds overlapping ranges, ends included', () => {
    const a = { startsOn: '2026-12-01', endsOn: '2026-12-05' };
    expect(rangesOverlap(a, { startsOn: '2026-12-05', endsOn: '2026-12-09' })).toBe(true);
    expect(rangesOverlap(a, { startsOn: '2026-11-20', endsOn: '2026-12-01' })).toBe(true);
    expect(rangesOverlap(a, { startsOn: '2026-12-06', endsOn: '2026-12-09' })).toBe(false);
  });
});

describe('actingFor', () => {
  const now = at('2026-12-03T12:00:00Z');

  it('lets the approver act for themselves', () => {
    expect(actingFor(expense(), 'frank', [], now)).toEqual({
      approverId: 'frank',
      decidedBy: null,
    });
  });

  it('lets a delegate act in the pending approver’s name', () => {
    expect(actingFor(expense(), 'bob', [terms()], now)).toEqual({
      approverId: 'frank',
      decidedBy: 'bob',
    });
  });

  it('leaves someone without a delegation in force to the decision rule', () => {
    const expired = terms({ endsOn: '2026-12-02' });
    expect(actingFor(expense(), 'bob', [expired], now)).toEqual({
      approverId: 'bob',
      decidedBy: null,
    });
    const fromSomeoneElse = terms({ delegatorId: 'eve' });
    expect(actingFor(expense(), 'bob', [fromSomeoneElse], now).decidedBy).toBeNull();
  });

  it('never lets a delegate decide their own expense', () => {
    expect(() => actingFor(expense({ submitterId: 'bob' }), 'bob', [terms()], now)).toThrow(
      /own expense/,
    );
  });

  it('never lets a delegate who holds another step of the chain decide for its approver', () => {
    const inChain = expense({
      steps: [
        { step: 1, approverId: 'frank', status: 'pending' },
        { step: 2, approverId: 'bob', status: 'waiting' },
      ],
    });
    expect(() => actingFor(inChain, 'bob', [terms()], now)).toThrow(/another step/);
  });

  it('acts for the pending seat of a parallel stage whose approver delegated, once per chain', () => {
    const parallel = expense({
      steps: [
        { step: 1, approverId: 'eve', status: 'pending' },
        { step: 2, approverId: 'frank', status: 'pending' },
        { step: 3, approverId: 'david', status: 'waiting' },
      ],
    });
    expect(actingFor(parallel, 'bob', [terms()], now)).toEqual({
      approverId: 'frank',
      decidedBy: 'bob',
    });
    // Bob already decided Eve's seat in her name: not Frank's too (one person, one say).
    const decidedOne = expense({
      steps: [
        { step: 1, approverId: 'eve', status: 'approved', decidedBy: 'bob' },
        { step: 2, approverId: 'frank', status: 'pending' },
      ],
    });
    expect(() => actingFor(decidedOne, 'bob', [terms()], now)).toThrow(/already decided/);
  });

  it('acts for the seat the caller named when it is covered (seed 002 approval id)', () => {
    const twoSeats = expense({
      steps: [
        { step: 1, approverId: 'eve', status: 'pending' },
        { step: 2, approverId: 'frank', status: 'pending' },
      ],
    });
    const fromBoth = [terms({ delegatorId: 'eve' }), terms()];
    expect(actingFor(twoSeats, 'bob', fromBoth, now)).toEqual({
      approverId: 'eve',
      decidedBy: 'bob',
    });
    expect(actingFor(twoSeats, 'bob', fromBoth, now, 2)).toEqual({
      approverId: 'frank',
      decidedBy: 'bob',
    });
  });

  it('refuses an expense outside the delegation’s limits', () => {
    expect(() =>
      actingFor(expense({ amount: '900.00' }), 'bob', [terms({ maxAmount: '500.00' })], now),
    ).toThrow(/does not cover this expense/);
    expect(() =>
      actingFor(
        expense({ category: 'travel' }),
        'bob',
        [terms({ categories: ['equipment'] })],
        now,
      ),
    ).toThrow(/only equipment/);
  });
});
