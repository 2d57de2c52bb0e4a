import type { PolicyStep, Role } from '@countersign/contracts';
import type { Person } from '@countersign/routing';
import { resolveSteps } from '@countersign/routing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ChainState, decide, evolve, evolveResubmitted } from './decide.js';

const tech = 'team-tech';
const finance = 'team-finance';
const person = (id: string, levelNumber: number, extra: Partial<Person> = {}): Person => ({
  id,
  name: id,
  teamId: tech,
  levelNumber,
  levelName: `L${levelNumber}`,
  active: true,
  role: 'manager',
  managerId: null,
  ...extra,
});
// TechCorp: alice (admin, 1) … grace (employee, 7) in Technology, each reporting upwards;
// hannah (finance, 5) and ivan (auditor, 7) in Finance, reporting to alice.
const names = ['alice', 'bob', 'carol', 'david', 'eve', 'frank', 'grace'];
const techCorp: Person[] = [
  ...names.map((n, i) =>
    person(n, i + 1, {
      role: i === 0 ? 'admin' : i === 6 ? 'employee' : 'manager',
      managerId: i === 0 ? null : (names[i - 1] ?? null),
    }),
  ),
  person('hannah', 5, { teamId: finance, role: 'finance', managerId: 'alice' }),
  person('ivan', 7, { teamId: finance, role: 'auditor', managerId: 'alice' }),
];
const grace = { id: 'grace', teamId: tech };
const level = (
  n: number,
  scope: 'submitter_team' | 'company' = 'submitter_team',
  required = true,
): PolicyStep => ({
  approver: { by: 'level', level: n, scope },
  required,
});
const role = (r: Role, required = true): PolicyStep => ({
  approver: { by: 'role', role: r },
  required,
});
const user = (id: string): PolicyStep => ({
  approver: { by: 'user', user_id: id },
  required: true,
});

describe('resolveSteps', () => {
  it('resolves level, role and named-user steps and explains each candidate', () => {
    const { chain, steps } = resolveSteps(
      [level(6), role('finance'), user('carol')],
      grace,
      techCorp,
    );
    expect(chain.map((s) => [s.step, s.approverId])).toEqual([
      [1, 'frank'],
      [2, 'hannah'],
      [3, 'carol'],
    ]);
    const first = steps[0]?.candidates ?? [];
    expect(first.find((c) => c.chosen)?.person_id).toBe('frank');
    expect(first.find((c) => c.person_id === 'grace')?.reason).toBe('is the submitter');
    expect(first.find((c) => c.person_id === 'eve')?.reason).toMatch(/ranked after/);
  });

  it('hands a named user who cannot approve to their manager', () => {
    const { chain, steps } = resolveSteps([level(6), user('frank')], grace, techCorp);
    expect(chain.map((s) => s.approverId)).toEqual(['frank', 'eve']);
    expect(steps[1]?.candidates.find((c) => c.person_id === 'frank')?.reason).toMatch(
      /earlier step/,
    );
    expect(resolveSteps([user('grace')], grace, techCorp).chain[0]?.approverId).toBe('frank');
    // A named user who has left hands over to their manager too.
    const withoutCarol = techCorp.map((p) => (p.id === 'carol' ? { ...p, active: false } : p));
    const handed = resolveSteps([user('carol')], grace, withoutCarol);
    expect(handed.chain[0]?.approverId).toBe('bob');
    expect(handed.steps[0]?.candidates.find((c) => c.person_id === 'carol')?.reason).toBe(
      'inactive',
    );
  });

  it('prefers a role holder in the submitter team, then the most senior', () => {
    expect(resolveSteps([role('manager')], grace, techCorp).chain[0]?.approverId).toBe('bob');
    const hannahsView = resolveSteps(
      [role('manager')],
      { id: 'hannah', teamId: finance },
      techCorp,
    );
    expect(hannahsView.chain[0]?.approverId).toBe('bob');
  });

  it('leaves out an optional step nobody can hold and refuses a required one', () => {
    const { chain } = resolveSteps(
      [role('auditor', false), level(6)],
      { id: 'ivan', teamId: finance },
      techCorp,
    );
    expect(chain).toHaveLength(1);
    expect(chain[0]).toMatchObject({ step: 1 });
    expect(() =>
      resolveSteps([role('auditor')], { id: 'ivan', teamId: finance }, techCorp),
    ).toThrow(/there is none/);
  });

  it('keeps a preferred approver who is still eligible and reports a replaced one', () => {
    const kept = resolveSteps([level(6)], grace, techCorp, new Map([[1, ['eve']]]));
    expect(kept.chain[0]?.approverId).toBe('eve');
    expect(kept.adjustments).toEqual([]);
    const gone = techCorp.map((p) => (p.id === 'eve' ? { ...p, active: false } : p));
    const replaced = resolveSteps([level(6)], grace, gone, new Map([[1, ['eve']]]));
    expect(replaced.adjustments).toMatchObject([
      { step: 1, previousApproverId: 'eve', approverId: 'frank' },
    ]);
  });
});

describe('parallel steps', () => {
  const parallel = (step: PolicyStep, count: number, needs: 'one' | 'all'): PolicyStep => ({
    ...step,
    parallel: { count, needs },
  });

  it('one-of-N takes up to N eligible people in rank order, each a seat of the same stage', () => {
    const { chain, steps } = resolveSteps(
      [parallel(level(5), 3, 'one'), level(4, 'company')],
      grace,
      techCorp,
    );
    expect(chain.map((s) => [s.step, s.stage, s.needs, s.approverId])).toEqual([
      [1, 1, 'one', 'eve'],
      [2, 1, 'one', 'david'],
      [3, 1, 'one', 'carol'],
      [4, 2, 'one', 'bob'],
    ]);
    expect(steps[0]).toMatchObject({ approver_id: 'eve', approver_ids: ['eve', 'david', 'carol'] });
  });

  it('one-of-N settles for fewer people when fewer are eligible, but at least one', () => {
    const { chain } = resolveSteps([parallel(role('finance'), 3, 'one')], grace, techCorp);
    expect(chain.map((s) => s.approverId)).toEqual(['hannah']);
    expect(() =>
      resolveSteps(
        [parallel(role('finance'), 2, 'one')],
        { id: 'hannah', teamId: finance },
        techCorp,
      ),
    ).toThrow(/there is none/);
  });

  it('all-of-N needs N people: a required step refuses, an optional one is left out', () => {
    const twoFinance = [...techCorp, person('jane', 6, { teamId: finance, role: 'finance' })];
    const { chain } = resolveSteps([parallel(role('finance'), 2, 'all')], grace, twoFinance);
    expect(chain.map((s) => [s.approverId, s.needs])).toEqual([
      ['hannah', 'all'],
      ['jane', 'all'],
    ]);
    expect(() => resolveSteps([parallel(role('finance'), 2, 'all')], grace, techCorp)).toThrow(
      /needs 2 approvers \(all must approve\).*only 1/,
    );
    const optional = resolveSteps(
      [parallel(role('finance', false), 2, 'all'), level(6)],
      grace,
      techCorp,
    );
    expect(optional.chain.map((s) => [s.step, s.stage, s.approverId])).toEqual([[1, 1, 'frank']]);
    expect(optional.steps[0]).toMatchObject({ approver_id: null, approver_ids: [] });
  });

  it('never puts anyone on two seats nor the submitter on one', () => {
    const { chain } = resolveSteps(
      [parallel(level(6), 2, 'all'), parallel(level(6), 2, 'one')],
      { id: 'frank', teamId: tech },
      techCorp,
    );
    expect(chain.map((s) => s.approverId)).toEqual(['eve', 'david', 'carol', 'bob']);
  });

  it('re-checks a stage by its seats: kept seats stay, a gone seat goes to the next eligible', () => {
    const gone = techCorp.map((p) => (p.id === 'eve' ? { ...p, active: false } : p));
    const { chain, adjustments } = resolveSteps(
      [parallel(level(5), 2, 'all')],
      grace,
      gone,
      new Map([[1, ['eve', 'david']]]),
    );
    expect(chain.map((s) => [s.step, s.approverId])).toEqual([
      [1, 'carol'],
      [2, 'david'],
    ]);
    expect(adjustments).toEqual([
      expect.objectContaining({ step: 1, previousApproverId: 'eve', approverId: 'carol' }),
    ]);
  });
});

// Random org charts: people in two teams, random levels, roles, managers and activity.
const roles: Role[] = ['employee', 'manager', 'finance', 'admin', 'auditor'];
const orgArb = fc
  .array(
    fc.record({
      levelNumber: fc.integer({ min: 1, max: 8 }),
      teamId: fc.constantFrom(tech, finance),
      role: fc.constantFrom(...roles),
      active: fc.boolean(),
      manager: fc.nat(),
    }),
    { minLength: 1, maxLength: 12 },
  )
  .map((rows) =>
    rows.map((r, i) =>
      person(`p${i}`, r.levelNumber, {
        teamId: r.teamId,
        role: r.role,
        active: r.active,
        managerId: i === 0 ? null : `p${r.manager % i}`,
      }),
    ),
  );
const stepArb = (people: number): fc.Arbitrary<PolicyStep> =>
  fc.oneof(
    fc.record({
      approver: fc.record({
        by: fc.constant('level' as const),
        level: fc.integer({ min: 1, max: 8 }),
        scope: fc.constantFrom('submitter_team', 'company' as const),
      }),
      required: fc.boolean(),
    }),
    fc.record({
      approver: fc.record({ by: fc.constant('role' as const), role: fc.constantFrom(...roles) }),
      required: fc.boolean(),
    }),
    fc.record({
      approver: fc.record({
        by: fc.constant('user' as const),
        user_id: fc.integer({ min: 0, max: people }).map((i) => `p${i}`),
      }),
      required: fc.boolean(),
    }),
  );
// Level and role steps may ask several people at once.
const maybeParallelArb = (people: number): fc.Arbitrary<PolicyStep> =>
  fc
    .tuple(
      stepArb(people),
      fc.option(
        fc.record({
          count: fc.integer({ min: 2, max: 4 }),
          needs: fc.constantFrom('one' as const, 'all' as const),
        }),
        { nil: undefined },
      ),
    )
    .map(([step, parallel]) =>
      parallel && step.approver.by !== 'user' ? { ...step, parallel } : step,
    );
const caseArb = orgArb.chain((people) =>
  fc.record({
    people: fc.constant(people),
    submitter: fc.constantFrom(...people),
    steps: fc.array(maybeParallelArb(people.length), { minLength: 1, maxLength: 6 }),
  }),
);

function attempt(c: { people: Person[]; submitter: Person; steps: PolicyStep[] }) {
  try {
    return resolveSteps(c.steps, { id: c.submitter.id, teamId: c.submitter.teamId }, c.people);
  } catch {
    return undefined;
  }
}

describe('properties over random org charts and policies', () => {
  it('never routes to the submitter, never names anyone twice, only active people', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const result = attempt(c);
        if (!result) return;
        const ids = result.chain.map((s) => s.approverId);
        expect(ids).not.toContain(c.submitter.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const id of ids) expect(c.people.find((p) => p.id === id)?.active).toBe(true);
        expect(result.chain.map((s) => s.step)).toEqual(ids.map((_, i) => i + 1));
        // Stages are numbered 1..k in order, without gaps.
        const stages = [...new Set(result.chain.map((s) => s.stage))];
        expect(stages).toEqual(stages.map((_, i) => i + 1));
      }),
      { numRuns: 500 },
    );
  });

  it('is deterministic, and refuses only when a required step has nobody', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const once = attempt(c);
        expect(attempt(c)).toEqual(once);
        if (once) {
          for (const s of once.steps) if (s.required) expect(s.approver_id).not.toBeNull();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('all-of-N gets exactly N approvers or none; one-of-N between 1 and N', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const result = attempt(c);
        if (!result) return;
        result.steps.forEach((trace, index) => {
          const step = c.steps[index];
          const seats = trace.approver_ids.length;
          if (step?.parallel?.needs === 'all') expect([0, step.parallel.count]).toContain(seats);
          else expect(seats).toBeLessThanOrEqual(step?.parallel?.count ?? 1);
          if (trace.required) expect(seats).toBeGreaterThan(0);
        });
        const stageSizes = result.steps.map((t) => t.approver_ids.length).filter((n) => n > 0);
        const stored = [...new Set(result.chain.map((s) => s.stage))].map(
          (stage) => result.chain.filter((s) => s.stage === stage).length,
        );
        expect(stored).toEqual(stageSizes);
      }),
      { numRuns: 500 },
    );
  });

  it('always reaches a terminal state from a routed chain, whoever acts first', () => {
    const routed = (c: { submitter: Person }, chain: ReturnType<typeof resolveSteps>['chain']) =>
      evolveResubmitted(
        { status: 'pending', round: 1, submitterId: c.submitter.id, steps: [] },
        1,
        chain.map((s) => ({
          approverId: s.approverId,
          required: s.required,
          stage: s.stage,
          needs: s.needs,
        })),
      );
    fc.assert(
      fc.property(caseArb, fc.array(fc.nat(), { minLength: 40, maxLength: 40 }), (c, picks) => {
        const result = attempt(c);
        if (!result || result.chain.length === 0) return;
        // Approvals only: each one settles a seat, so the chain ends approved within n.
        let state: ChainState = routed(c, result.chain);
        let decisions = 0;
        while (state.status === 'pending') {
          const pending = state.steps.filter((s) => s.status === 'pending');
          expect(pending.length).toBeGreaterThan(0);
          expect(() => decide(state, { kind: 'approve', actorId: c.submitter.id })).toThrow();
          const actor = pending[(picks[decisions] ?? 0) % pending.length];
          if (!actor) throw new Error('no pending seat');
          state = evolve(state, decide(state, { kind: 'approve', actorId: actor.approverId }));
          decisions += 1;
          expect(decisions).toBeLessThanOrEqual(result.chain.length);
        }
        expect(state.status).toBe('approved');
        // A reject by any first-stage seat ends the chain at once.
        const fresh = routed(c, result.chain);
        const first = fresh.steps.filter((s) => s.status === 'pending');
        const rejecter = first[(picks[0] ?? 0) % first.length];
        if (!rejecter) throw new Error('no pending seat');
        const rejected = evolve(
          fresh,
          decide(fresh, { kind: 'reject', actorId: rejecter.approverId }),
        );
        expect(rejected.status).toBe('rejected');
        expect(rejected.steps.some((s) => s.status === 'pending')).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
