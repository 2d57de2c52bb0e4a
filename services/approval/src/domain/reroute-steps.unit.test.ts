import { levelRule, type Person } from '@countersign/routing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type OpenChain, type OpenStep, rerouteSteps } from './reroute-steps.js';

const tech = 'team-tech';
const finance = 'team-finance';
const levelNames = ['CTO', 'VP', 'Director', 'AD', 'SEM', 'Manager', 'SDE3'];
const person = (id: string, levelNumber: number, extra: Partial<Person> = {}): Person => ({
  id,
  name: id,
  teamId: tech,
  levelNumber,
  levelName: levelNames[levelNumber - 1] ?? `L${levelNumber}`,
  active: true,
  ...extra,
});
const techCorp = [
  ...['alice', 'bob', 'carol', 'david', 'eve', 'frank', 'grace'].map((n, i) => person(n, i + 1)),
  person('hannah', 5, { teamId: finance }),
];
const admins = new Set(['alice']);
// A level step unless a rule is given; its rule follows its level and scope.
const step = (n: number, approverId: string, extra: Partial<OpenStep> = {}): OpenStep => ({
  step: n,
  approverId,
  status: n === 1 ? 'pending' : 'waiting',
  required: true,
  requiredLevel: 6,
  teamScope: 'submitter',
  assignment: 1,
  stage: n,
  needs: 'one',
  rule: levelRule(extra.requiredLevel ?? 6, extra.teamScope ?? 'submitter'),
  ...extra,
});
const graceChain = (steps: OpenStep[]): OpenChain => ({
  expenseId: 'exp-1',
  submitter: { id: 'grace', teamId: tech },
  steps,
});
const without = (id: string, people = techCorp) =>
  people.map((p) => (p.id === id ? { ...p, active: false } : p));
const moved = (id: string, change: Partial<Person>, people = techCorp) =>
  people.map((p) => (p.id === id ? { ...p, ...change } : p));

describe('rerouteSteps', () => {
  it('gives a deactivated approver’s pending step to the next eligible one (Frank → Eve)', () => {
    const outcome = rerouteSteps(graceChain([step(1, 'frank')]), 'frank', without('frank'), admins);
    expect(outcome).toMatchObject({
      kind: 'reassigned',
      reassignments: [
        {
          step: 1,
          previousApproverId: 'frank',
          approver: { approverId: 'eve', levelName: 'SEM', requiredLevel: 6 },
          assignment: 2,
          wasPending: true,
          adminFallback: false,
        },
      ],
    });
  });

  it('never picks someone already in the chain: a waiting step skips Eve, who holds step 2', () => {
    const chain = graceChain([
      step(1, 'frank'),
      step(2, 'eve', { requiredLevel: 5 }),
      step(3, 'david', { requiredLevel: 4 }),
    ]);
    const outcome = rerouteSteps(chain, 'frank', without('frank'), admins);
    expect(outcome.kind === 'reassigned' && outcome.reassignments[0]?.approver.approverId).toBe(
      'carol',
    );
  });

  it('keeps a waiting step out of the queue: it moves without asking anyone yet', () => {
    const chain = graceChain([
      step(1, 'frank', { status: 'approved' }),
      step(2, 'eve', { status: 'pending', requiredLevel: 5 }),
      step(3, 'david', { requiredLevel: 4 }),
    ]);
    const outcome = rerouteSteps(chain, 'david', without('david'), admins);
    expect(outcome).toMatchObject({
      kind: 'reassigned',
      reassignments: [{ step: 3, approver: { approverId: 'carol' }, wasPending: false }],
    });
  });

  it('a team move out of the submitter’s team makes the approver ineligible', () => {
    const outcome = rerouteSteps(
      graceChain([step(1, 'frank')]),
      'frank',
      moved('frank', { teamId: finance }),
      admins,
    );
    expect(outcome.kind === 'reassigned' && outcome.reassignments[0]?.approver.approverId).toBe(
      'eve',
    );
  });

  it('a level change that keeps the approver senior enough changes nothing', () => {
    const promoted = moved('frank', { levelNumber: 5, levelName: 'SEM' });
    expect(rerouteSteps(graceChain([step(1, 'frank')]), 'frank', promoted, admins)).toEqual({
      kind: 'kept',
    });
  });

  it('a demotion below the required level re-routes', () => {
    const demoted = moved('frank', { levelNumber: 7, levelName: 'SDE3' });
    const outcome = rerouteSteps(graceChain([step(1, 'frank')]), 'frank', demoted, admins);
    expect(outcome.kind).toBe('reassigned');
  });

  it('company-scoped steps reach other teams', () => {
    const onlyFinance = [
      person('grace', 7),
      person('frank', 6),
      person('hannah', 5, { teamId: finance }),
    ];
    const chain = graceChain([step(1, 'frank', { teamScope: 'company' })]);
    const outcome = rerouteSteps(chain, 'frank', without('frank', onlyFinance), new Set());
    expect(outcome.kind === 'reassigned' && outcome.reassignments[0]?.approver.approverId).toBe(
      'hannah',
    );
  });

  it('falls back to an active admin when nobody meets the rules', () => {
    const small = [person('grace', 7), person('frank', 6), person('zed', 7, { teamId: finance })];
    const outcome = rerouteSteps(
      graceChain([step(1, 'frank')]),
      'frank',
      without('frank', small),
      new Set(['zed']),
    );
    expect(outcome).toMatchObject({
      kind: 'reassigned',
      reassignments: [{ approver: { approverId: 'zed', levelNumber: 7 }, adminFallback: true }],
    });
  });

  it('never falls back to an admin who is the submitter or already in the chain', () => {
    const small = [person('alice', 1), person('frank', 6)];
    const bySubmitterAlice: OpenChain = {
      expenseId: 'exp-2',
      submitter: { id: 'alice', teamId: tech },
      steps: [step(1, 'frank')],
    };
    expect(rerouteSteps(bySubmitterAlice, 'frank', without('frank', small), admins)).toEqual({
      kind: 'unassignable',
      steps: [1],
    });
  });

  it('reports the step unassignable when there is no admin to fall back to', () => {
    const small = [person('grace', 7), person('frank', 6)];
    expect(
      rerouteSteps(graceChain([step(1, 'frank')]), 'frank', without('frank', small), new Set()),
    ).toEqual({ kind: 'unassignable', steps: [1] });
  });

  it('leaves decided steps alone', () => {
    const chain = graceChain([
      step(1, 'frank', { status: 'approved' }),
      step(2, 'eve', { requiredLevel: 5, status: 'pending' }),
    ]);
    expect(rerouteSteps(chain, 'frank', without('frank'), admins)).toEqual({ kind: 'kept' });
  });

  it('property: the new approver is active, never the submitter, never already in the chain', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: techCorp.length, maxLength: techCorp.length }),
        fc.integer({ min: 1, max: 7 }),
        (activeFlags, requiredLevel) => {
          const people = techCorp.map((p, i) =>
            p.id === 'frank' ? { ...p, active: false } : { ...p, active: activeFlags[i] ?? true },
          );
          const chain = graceChain([
            step(1, 'frank', { requiredLevel }),
            step(2, 'eve', { requiredLevel: 5 }),
          ]);
          const outcome = rerouteSteps(chain, 'frank', people, admins);
          if (outcome.kind !== 'reassigned') return;
          for (const r of outcome.reassignments) {
            const chosen = people.find((p) => p.id === r.approver.approverId);
            expect(chosen?.active).toBe(true);
            expect(r.approver.approverId).not.toBe('grace');
            expect(r.approver.approverId).not.toBe('eve');
            if (!r.adminFallback) expect(chosen?.levelNumber).toBeLessThanOrEqual(requiredLevel);
          }
        },
      ),
    );
  });

  describe('by the step’s own rule', () => {
    // Roles and reporting lines: hannah and ivan are finance, jane is finance too but left;
    // frank reports to eve, eve to david.
    const org = [
      ...techCorp.map((p) => ({
        ...p,
        role: 'manager' as const,
        managerId:
          p.id === 'frank' ? 'eve' : p.id === 'eve' ? 'david' : p.id === 'grace' ? 'frank' : null,
      })),
      person('ivan', 6, { teamId: finance, role: 'finance' }),
      person('jane', 3, { teamId: finance, role: 'finance', active: false }),
    ].map((p) => (p.id === 'hannah' ? { ...p, role: 'finance' as const } : p));

    it('a role step goes to another active person of that role, whatever their level', () => {
      const chain = graceChain([
        step(1, 'hannah', { rule: { by: 'role', role: 'finance' }, teamScope: 'company' }),
      ]);
      const outcome = rerouteSteps(chain, 'hannah', without('hannah', org), admins);
      expect(outcome).toMatchObject({
        kind: 'reassigned',
        reassignments: [
          {
            step: 1,
            approver: { approverId: 'ivan', rule: { by: 'role', role: 'finance' } },
            adminFallback: false,
          },
        ],
      });
    });

    it('a role step whose holder changes role moves; a level change keeps them', () => {
      const chain = graceChain([
        step(1, 'hannah', { rule: { by: 'role', role: 'finance' }, teamScope: 'company' }),
      ]);
      expect(
        rerouteSteps(chain, 'hannah', moved('hannah', { levelNumber: 7 }, org), admins),
      ).toEqual({ kind: 'kept' });
      expect(
        rerouteSteps(chain, 'hannah', moved('hannah', { role: 'employee' }, org), admins),
      ).toMatchObject({
        kind: 'reassigned',
        reassignments: [{ approver: { approverId: 'ivan' } }],
      });
    });

    it('a role step with nobody else of the role falls back to an admin', () => {
      const chain = graceChain([
        step(1, 'hannah', { rule: { by: 'role', role: 'finance' }, teamScope: 'company' }),
        step(2, 'ivan', { rule: { by: 'role', role: 'finance' }, teamScope: 'company' }),
      ]);
      expect(rerouteSteps(chain, 'hannah', without('hannah', org), admins)).toMatchObject({
        kind: 'reassigned',
        reassignments: [{ approver: { approverId: 'alice' }, adminFallback: true }],
      });
    });

    it('a named-user step goes up the named user’s reporting line', () => {
      const chain = graceChain([step(1, 'frank', { rule: { by: 'user', user_id: 'frank' } })]);
      expect(rerouteSteps(chain, 'frank', without('frank', org), admins)).toMatchObject({
        kind: 'reassigned',
        reassignments: [{ approver: { approverId: 'eve' } }],
      });
      // Eve holds the step for Frank; when she leaves it goes to her manager, David.
      const handed = graceChain([step(1, 'eve', { rule: { by: 'user', user_id: 'frank' } })]);
      const gone = without('eve', without('frank', org));
      expect(rerouteSteps(handed, 'eve', gone, admins)).toMatchObject({
        kind: 'reassigned',
        reassignments: [{ approver: { approverId: 'david' } }],
      });
      // A team move does not matter to a named-user step.
      expect(
        rerouteSteps(chain, 'frank', moved('frank', { teamId: finance }, org), admins),
      ).toEqual({ kind: 'kept' });
    });

    it('never goes to a delegate who decided another seat in its approver’s name', () => {
      const finance2 = { by: 'role', role: 'finance' } as const;
      const seat = {
        rule: finance2,
        stage: 1,
        needs: 'all' as const,
        teamScope: 'company' as const,
      };
      const chain = graceChain([
        step(1, 'hannah', { ...seat, status: 'approved', decidedBy: 'kate' }),
        step(2, 'ivan', seat),
      ]);
      const financeTeam = [
        ...org,
        person('kate', 7, { teamId: finance, role: 'finance' }),
        person('lena', 7, { teamId: finance, role: 'finance' }),
      ];
      expect(rerouteSteps(chain, 'ivan', without('ivan', financeTeam), admins)).toMatchObject({
        kind: 'reassigned',
        reassignments: [{ step: 2, approver: { approverId: 'lena' } }],
      });
    });

    it('a seat of a parallel stage never goes to a sibling seat’s approver', () => {
      const finance2 = { by: 'role', role: 'finance' } as const;
      const chain = graceChain([
        step(1, 'hannah', { rule: finance2, stage: 1, needs: 'all', teamScope: 'company' }),
        step(2, 'ivan', { rule: finance2, stage: 1, needs: 'all', teamScope: 'company' }),
      ]);
      const withKate = [...org, person('kate', 7, { teamId: finance, role: 'finance' })];
      expect(rerouteSteps(chain, 'hannah', without('hannah', withKate), admins)).toMatchObject({
        kind: 'reassigned',
        reassignments: [
          { step: 1, approver: { approverId: 'kate', stage: 1, needs: 'all' }, seats: 2 },
        ],
      });
    });
  });
});
