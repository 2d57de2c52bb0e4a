import {
  type Condition,
  PolicyRule,
  type PolicyStep,
  type PolicyRule as Rule,
} from '@countersign/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conditionMatches, type ExpenseFacts, evaluatePolicy } from './evaluate-policy.js';

const team = '0197a000-0000-7000-8000-000000000301';
const otherTeam = '0197a000-0000-7000-8000-000000000302';
const workspace = '0197a000-0000-7000-8000-000000000401';

function facts(overrides: Partial<ExpenseFacts> = {}): ExpenseFacts {
  return {
    amount: '100.00',
    category: 'travel',
    currency: 'USD',
    vendor: undefined,
    workspaceId: undefined,
    receiptPresent: false,
    submitter: { teamId: team, levelNumber: 7, role: 'employee' },
    ...overrides,
  };
}

const manager: PolicyStep = {
  approver: { by: 'level', level: 6, scope: 'submitter_team' },
  required: true,
};

describe('conditions', () => {
  it('compares amounts exactly, as cents', () => {
    const over = { field: 'amount', op: 'gt', value: '1999.99' } as const;
    expect(conditionMatches(over, facts({ amount: '1999.99' }))).toBe(false);
    expect(conditionMatches(over, facts({ amount: '2000.00' }))).toBe(true);
    const band = { field: 'amount', op: 'between', min: '0.1', max: '0.30' } as const;
    // 0.1 + 0.2 is not 0.3 in floats; it is 30 cents here.
    expect(conditionMatches(band, facts({ amount: '0.30' }))).toBe(true);
    expect(conditionMatches(band, facts({ amount: '0.09' }))).toBe(false);
  });

  it('tests category, currency, team, level, role, workspace, receipt and vendor', () => {
    const f = facts({ workspaceId: workspace });
    expect(conditionMatches({ field: 'category', op: 'in', values: ['Meals', 'TRAVEL'] }, f)).toBe(
      true,
    );
    expect(conditionMatches({ field: 'currency', op: 'eq', value: 'usd' }, f)).toBe(true);
    expect(conditionMatches({ field: 'submitter_team', op: 'in', values: [otherTeam] }, f)).toBe(
      false,
    );
    expect(conditionMatches({ field: 'submitter_level', op: 'gte', value: 5 }, f)).toBe(true);
    expect(conditionMatches({ field: 'submitter_role', op: 'in', values: ['finance'] }, f)).toBe(
      false,
    );
    expect(conditionMatches({ field: 'workspace', op: 'present', value: true }, f)).toBe(true);
    expect(conditionMatches({ field: 'workspace', op: 'in', values: [workspace] }, f)).toBe(true);
    expect(conditionMatches({ field: 'workspace', op: 'present', value: true }, facts())).toBe(
      false,
    );
    expect(conditionMatches({ field: 'receipt', op: 'present', value: false }, f)).toBe(true);
    // An expense without a vendor: a vendor test never matches, even under "in".
    expect(conditionMatches({ field: 'vendor', op: 'eq', value: 'Acme' }, f)).toBe(false);
  });

  it("tests the expense's own currency and its vendor, case-insensitively", () => {
    const euro = facts({ currency: 'EUR', vendor: 'Lufthansa' });
    expect(conditionMatches({ field: 'currency', op: 'eq', value: 'eur' }, euro)).toBe(true);
    expect(conditionMatches({ field: 'currency', op: 'eq', value: 'USD' }, euro)).toBe(false);
    expect(
      conditionMatches({ field: 'vendor', op: 'in', values: ['LUFTHANSA', 'Dell'] }, euro),
    ).toBe(true);
    expect(conditionMatches({ not: { field: 'vendor', op: 'eq', value: 'Dell' } }, euro)).toBe(
      true,
    );
  });

  it('combines with all, any and not', () => {
    const big: Condition = { field: 'amount', op: 'gte', value: '1000' };
    const travel: Condition = { field: 'category', op: 'eq', value: 'travel' };
    expect(conditionMatches({ all: [big, travel] }, facts())).toBe(false);
    expect(conditionMatches({ any: [big, travel] }, facts())).toBe(true);
    expect(conditionMatches({ not: { any: [big, travel] } }, facts())).toBe(false);
  });
});

describe('evaluating a policy', () => {
  const rules: Rule[] = [
    {
      priority: 30,
      condition: { field: 'amount', op: 'gte', value: '0' },
      action: { type: 'require_approval', steps: [manager] },
    },
    {
      priority: 10,
      condition: { field: 'amount', op: 'gt', value: '10000' },
      action: { type: 'block', reason: 'too much' },
    },
    {
      priority: 20,
      condition: { field: 'amount', op: 'lt', value: '25' },
      action: { type: 'auto_approve' },
    },
    {
      priority: 5,
      condition: { field: 'category', op: 'eq', value: 'travel' },
      action: { type: 'flag', message: 'travel' },
    },
    {
      priority: 40,
      condition: { field: 'receipt', op: 'present', value: false },
      action: { type: 'flag', message: 'no receipt' },
    },
  ];

  it('lets the first matching non-flag rule decide and collects every matching flag', () => {
    const small = evaluatePolicy(rules, facts({ amount: '20.00' }));
    expect(small.outcome).toEqual({ kind: 'auto_approve' });
    expect(small.decidingRule?.priority).toBe(20);
    expect(small.flags).toEqual(['travel', 'no receipt']);
    expect(evaluatePolicy(rules, facts({ amount: '20000.00' })).outcome).toEqual({
      kind: 'block',
      reason: 'too much',
    });
    expect(evaluatePolicy(rules, facts()).outcome).toEqual({
      kind: 'require_approval',
      steps: [manager],
    });
    expect(evaluatePolicy(rules, facts()).rules.map((r) => [r.priority, r.matched])).toEqual([
      [5, true],
      [10, false],
      [20, false],
      [30, true],
      [40, true],
    ]);
  });

  it('reports no match when no deciding rule matches', () => {
    const only = evaluatePolicy([rules[1] as Rule], facts());
    expect(only.outcome).toEqual({ kind: 'no_match' });
    expect(only.decidingRule).toBeUndefined();
  });
});

// Random conditions and facts, generated beside the schemas (no zod bridge exists).
const centsArb = fc.integer({ min: 0, max: 500_000 });
const asAmount = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
const amountArb = centsArb.map(asAmount);
const testArb: fc.Arbitrary<Condition> = fc.oneof(
  fc.record({
    field: fc.constant('amount' as const),
    op: fc.constantFrom('gt', 'gte', 'lt', 'lte', 'eq' as const),
    value: amountArb,
  }),
  fc.tuple(centsArb, centsArb).map(([a, b]) => ({
    field: 'amount' as const,
    op: 'between' as const,
    min: asAmount(Math.min(a, b)),
    max: asAmount(Math.max(a, b)),
  })),
  fc.record({
    field: fc.constant('category' as const),
    op: fc.constant('in' as const),
    values: fc.array(fc.constantFrom('travel', 'meals', 'equipment'), { minLength: 1 }),
  }),
  fc.record({
    field: fc.constant('submitter_level' as const),
    op: fc.constantFrom('gt', 'gte', 'lt', 'lte', 'eq' as const),
    value: fc.integer({ min: 1, max: 20 }),
  }),
  fc.record({
    field: fc.constant('workspace' as const),
    op: fc.constant('present' as const),
    value: fc.boolean(),
  }),
  fc.record({
    field: fc.constant('vendor' as const),
    op: fc.constant('eq' as const),
    value: fc.constant('Acme'),
  }),
);
const conditionArb: fc.Arbitrary<Condition> = fc.letrec<{ c: Condition }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    testArb,
    fc.record({ all: fc.array(tie('c'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('c'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie('c') }),
  ),
})).c;
const factsArb = fc.record({
  amount: amountArb,
  category: fc.option(fc.constantFrom('travel', 'meals', 'equipment'), { nil: undefined }),
  currency: fc.constant('USD'),
  vendor: fc.constant(undefined),
  workspaceId: fc.option(fc.constant(workspace), { nil: undefined }),
  receiptPresent: fc.constant(false),
  submitter: fc.record({
    teamId: fc.constantFrom(team, otherTeam),
    levelNumber: fc.integer({ min: 1, max: 20 }),
    role: fc.constantFrom('employee', 'manager', 'finance' as const),
  }),
});
const actions: Rule['action'][] = [
  { type: 'require_approval', steps: [manager] },
  { type: 'auto_approve' },
  { type: 'block', reason: 'no' },
  { type: 'flag', message: 'look' },
];
const actionArb = fc.constantFrom(...actions);
const rulesArb = fc
  .uniqueArray(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 8 })
  .chain((priorities) =>
    fc.tuple(
      ...priorities.map((priority) =>
        fc.record({ priority: fc.constant(priority), condition: conditionArb, action: actionArb }),
      ),
    ),
  );

describe('properties', () => {
  it('the generated rules are valid rules of the contract', () => {
    fc.assert(
      fc.property(rulesArb, (rules) => rules.every((r) => PolicyRule.safeParse(r).success)),
    );
  });

  it('a condition and its negation never both match, and one of them always does', () => {
    fc.assert(
      fc.property(conditionArb, factsArb, (condition, f) => {
        expect(conditionMatches(condition, f)).toBe(!conditionMatches({ not: condition }, f));
      }),
    );
  });

  it('evaluation is deterministic and ignores the order rules are listed in', () => {
    fc.assert(
      fc.property(rulesArb, factsArb, (rules, f) => {
        const once = evaluatePolicy(rules, f);
        expect(evaluatePolicy(rules, f)).toEqual(once);
        const reversed = evaluatePolicy([...rules].reverse(), f);
        expect(reversed.outcome).toEqual(once.outcome);
        expect(reversed.flags).toEqual(once.flags);
        expect(reversed.decidingRule?.priority).toBe(once.decidingRule?.priority);
      }),
    );
  });

  it('the deciding rule is the highest-priority matching non-flag rule', () => {
    fc.assert(
      fc.property(rulesArb, factsArb, (rules, f) => {
        const { decidingRule } = evaluatePolicy(rules, f);
        const candidates = rules
          .filter((r) => r.action.type !== 'flag' && conditionMatches(r.condition, f))
          .map((r) => r.priority);
        expect(decidingRule?.priority).toBe(
          candidates.length ? Math.min(...candidates) : undefined,
        );
      }),
    );
  });
});
