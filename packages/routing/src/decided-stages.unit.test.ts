import type { ChainStep } from '@countersign/contracts';
import { describe, expect, it } from 'vitest';
import { decidedStages } from './decided-stages.js';

const seat = (step: number, approverId: string, extra: Partial<ChainStep> = {}): ChainStep => ({
  step,
  approver_id: approverId,
  approver_name: approverId,
  level_number: 5,
  level_name: 'SEM',
  required: true,
  required_level: 6,
  team_scope: 'submitter',
  ...extra,
});

describe('decidedStages', () => {
  it('groups seats into their stages, with the rule, needs and how many were decided', () => {
    const finance = { by: 'role', role: 'finance' } as const;
    const { steps, preferred } = decidedStages([
      seat(1, 'frank'),
      seat(3, 'fiona', { stage: 2, needs: 'all', approver_rule: finance, required_level: 5 }),
      seat(2, 'hannah', { stage: 2, needs: 'all', approver_rule: finance, required_level: 5 }),
    ]);
    expect(steps).toEqual([
      { approver: { by: 'level', level: 6, scope: 'submitter_team' }, required: true },
      { approver: finance, required: true, parallel: { count: 2, needs: 'all' } },
    ]);
    expect([...preferred]).toEqual([
      [1, ['frank']],
      [2, ['hannah', 'fiona']],
    ]);
  });

  it('reads a chain decided before stages as one stage per step', () => {
    const { steps } = decidedStages([
      seat(1, 'frank'),
      seat(2, 'eve', { team_scope: 'company', escalate_after_hours: 4 }),
    ]);
    expect(steps).toEqual([
      { approver: { by: 'level', level: 6, scope: 'submitter_team' }, required: true },
      {
        approver: { by: 'level', level: 6, scope: 'company' },
        required: true,
        escalate_after_hours: 4,
      },
    ]);
  });
});
