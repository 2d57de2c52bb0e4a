import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Person, PolicyStep } from './org.js';
import { resolveChain } from './resolve-chain.js';

const team = 'team-tech';
const levelNames = ['CTO', 'VP', 'Director', 'AD', 'SEM', 'Manager', 'SDE3'];
const person = (id: string, levelNumber: number, extra: Partial<Person> = {}): Person => ({
  id,
  name: id,
  teamId: team,
  levelNumber,
  levelName: levelNames[levelNumber - 1] ?? `L${levelNumber}`,
  active: true,
  ...extra,
});
const techCorp = ['alice', 'bob', 'carol', 'david', 'eve', 'frank', 'grace'].map((n, i) =>
  person(n, i + 1),
);
const step = (
  order: number,
  requiredLevel: number,
  extra: Partial<PolicyStep> = {},
): PolicyStep => ({
  order,
  requiredLevel,
  teamScope: 'submitter',
  required: true,
  ...extra,
});
const grace = { id: 'grace', teamId: team };

describe('resolveChain', () => {
  it('routes Large Equipment from Grace to Frank, Eve and David', () => {
    const { chain } = resolveChain([step(1, 6), step(2, 5), step(3, 4)], grace, techCorp);
    expect(chain.map((s) => [s.approverName, s.levelName])).toEqual([
      ['frank', 'Manager'],
      ['eve', 'SEM'],
      ['david', 'AD'],
    ]);
  });

  it('falls through to the next more senior level when nobody holds the required one', () => {
    const withoutFrank = techCorp.map((p) => (p.id === 'frank' ? { ...p, active: false } : p));
    const { chain } = resolveChain([step(1, 6)], grace, withoutFrank);
    expect(chain[0]?.approverName).toBe('eve');
  });

  it('never picks the submitter, even at the required level', () => {
    const { chain } = resolveChain([step(1, 6)], { id: 'frank', teamId: team }, techCorp);
    expect(chain[0]?.approverName).toBe('eve');
  });

  it('never names the same approver twice in one chain', () => {
    const { chain } = resolveChain(
      [step(1, 6), step(2, 5)],
      { id: 'frank', teamId: team },
      techCorp,
    );
    expect(chain.map((s) => s.approverName)).toEqual(['eve', 'david']);
  });

  it('ignores people of other teams unless the step is company-wide', () => {
    const others = [person('zed', 6, { teamId: 'team-sales' }), grace && person('grace', 7)];
    expect(() => resolveChain([step(1, 6)], grace, others)).toThrow(
      /no(ne| eligible)|there is none/,
    );
    const { chain } = resolveChain([step(1, 6, { teamScope: 'company' })], grace, others);
    expect(chain[0]?.approverName).toBe('zed');
  });

  it('refuses with a reason when nobody at all is eligible', () => {
    expect(() =>
      resolveChain([step(1, 6)], { id: 'alice', teamId: team }, [person('alice', 1)]),
    ).toThrow(/step 1 needs an approver at level 6 or more senior/);
  });

  it('keeps a preferred approver who is still eligible and reports one who is not', () => {
    const kept = resolveChain([step(1, 6)], grace, techCorp, new Map([[1, 'frank']]));
    expect(kept.adjustments).toEqual([]);
    const gone = techCorp.filter((p) => p.id !== 'frank');
    const moved = resolveChain([step(1, 6)], grace, gone, new Map([[1, 'frank']]));
    expect(moved.chain[0]?.approverId).toBe('eve');
    expect(moved.adjustments).toEqual([
      expect.objectContaining({ step: 1, previousApproverId: 'frank', approverId: 'eve' }),
    ]);
  });

  const orgChart = fc
    .array(
      fc.record({
        levelNumber: fc.integer({ min: 1, max: 7 }),
        active: fc.boolean(),
        sameTeam: fc.boolean(),
      }),
      { minLength: 1, maxLength: 25 },
    )
    .map((rows) =>
      rows.map((r, i) =>
        person(`p${i}`, r.levelNumber, { active: r.active, teamId: r.sameTeam ? team : 'other' }),
      ),
    );
  const policySteps = fc
    .array(fc.record({ requiredLevel: fc.integer({ min: 1, max: 7 }), company: fc.boolean() }), {
      minLength: 1,
      maxLength: 4,
    })
    .map((rows) =>
      rows.map((r, i) =>
        step(i + 1, r.requiredLevel, { teamScope: r.company ? 'company' : 'submitter' }),
      ),
    );

  it('for any org chart and policy: eligible, distinct approvers, never the submitter, or a refusal', () => {
    fc.assert(
      fc.property(orgChart, policySteps, fc.nat(24), (people, steps, submitterIndex) => {
        const submitterPerson = people[submitterIndex % people.length] as Person;
        const submitter = { id: submitterPerson.id, teamId: submitterPerson.teamId };
        let chain: ReturnType<typeof resolveChain>['chain'];
        try {
          chain = resolveChain(steps, submitter, people).chain;
        } catch (error) {
          expect(String(error)).toMatch(/there is none/);
          return;
        }
        expect(chain).toHaveLength(steps.length);
        expect(new Set(chain.map((s) => s.approverId)).size).toBe(chain.length);
        for (const [index, resolved] of chain.entries()) {
          const policyStep = steps[index] as PolicyStep;
          const approver = people.find((p) => p.id === resolved.approverId) as Person;
          expect(approver.id).not.toBe(submitter.id);
          expect(approver.active).toBe(true);
          expect(approver.levelNumber).toBeLessThanOrEqual(policyStep.requiredLevel);
          if (policyStep.teamScope === 'submitter') expect(approver.teamId).toBe(submitter.teamId);
        }
      }),
    );
  });
});
