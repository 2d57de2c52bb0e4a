import { describe, expect, it } from 'vitest';
import { RoutingDecision } from './routing.js';

const decision = {
  policy: {
    id: '0197a000-0000-7000-8000-000000000201',
    name: 'Office',
    category: 'office',
    version: 1,
  },
  submitter: {
    id: '0197a000-0000-7000-8000-000000000107',
    name: 'Grace Taylor',
    team_id: '0197a000-0000-7000-8000-000000000301',
  },
};
const step = {
  step: 1,
  approver_id: '0197a000-0000-7000-8000-000000000106',
  approver_name: 'Frank Miller',
  level_number: 6,
  level_name: 'Manager',
  required: true,
  required_level: 6,
  team_scope: 'submitter',
};
const block = { reason: 'needs a purchase order', rule: { index: 0, priority: 1 } };

describe('RoutingDecision outcomes', () => {
  it('a block has no chain and says why; only a block does', () => {
    expect(
      RoutingDecision.safeParse({ ...decision, chain: [], outcome: 'block', block }).success,
    ).toBe(true);
    expect(RoutingDecision.safeParse({ ...decision, chain: [], outcome: 'block' }).success).toBe(
      false,
    );
    expect(
      RoutingDecision.safeParse({ ...decision, chain: [step], outcome: 'block', block }).success,
    ).toBe(false);
    expect(RoutingDecision.safeParse({ ...decision, chain: [step], block }).success).toBe(false);
  });

  it('auto-approval has no chain; approval by people has at least one step', () => {
    expect(
      RoutingDecision.safeParse({ ...decision, chain: [], outcome: 'auto_approve' }).success,
    ).toBe(true);
    expect(RoutingDecision.safeParse({ ...decision, chain: [step] }).success).toBe(true);
    expect(RoutingDecision.safeParse({ ...decision, chain: [] }).success).toBe(false);
  });
});
