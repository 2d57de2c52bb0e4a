import type { PolicyRule } from '@countersign/contracts';
import { describe, expect, it } from 'vitest';
import { collectReferences, findRuleProblems } from './policy-references.js';

const team = '0197a000-0000-7000-8000-000000000301';
const user = '0197a000-0000-7000-8000-000000000101';
const rules: PolicyRule[] = [
  {
    priority: 1,
    condition: {
      all: [
        { not: { field: 'submitter_team', op: 'in', values: [team] } },
        { field: 'amount', op: 'between', min: '10.00', max: '9.99' },
      ],
    },
    action: {
      type: 'require_approval',
      steps: [
        { approver: { by: 'level', level: 6, scope: 'company' }, required: true },
        { approver: { by: 'user', user_id: user }, required: false },
      ],
    },
  },
];

describe('policy checks on save', () => {
  it('names an inverted amount range by its path', () => {
    expect(findRuleProblems(rules)).toEqual([
      { path: 'rules.0.condition.all.1', message: 'between needs min ≤ max, got 10.00 > 9.99' },
    ]);
    expect(
      findRuleProblems([
        {
          ...rules[0],
          condition: { field: 'amount', op: 'between', min: '1', max: '1.00' },
        } as PolicyRule,
      ]),
    ).toEqual([]);
  });

  it('collects every level, user and team named, with paths', () => {
    expect(collectReferences(rules)).toEqual({
      levels: [{ path: 'rules.0.action.steps.0.approver.level', level: 6 }],
      users: [{ path: 'rules.0.action.steps.1.approver.user_id', id: user }],
      teams: [{ path: 'rules.0.condition.all.0.not.values', id: team }],
    });
  });
});
