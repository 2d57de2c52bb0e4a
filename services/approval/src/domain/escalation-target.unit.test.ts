import type { Person } from '@countersign/routing';
import { describe, expect, it } from 'vitest';
import { escalationTarget } from './escalation-target.js';

const tech = 'team-tech';
const finance = 'team-finance';
const person = (id: string, levelNumber: number, teamId = tech, active = true): Person => ({
  id,
  name: id,
  teamId,
  levelNumber,
  levelName: `L${levelNumber}`,
  active,
});
const people = [
  person('alice', 1),
  person('bob', 2),
  person('carol', 3),
  person('david', 4),
  person('eve', 5),
  person('frank', 6),
  person('grace', 7),
  person('hannah', 5, finance),
];
const admins = new Set(['alice']);
const grace = { id: 'grace', teamId: tech };
const frankStep = { approverId: 'frank', levelNumber: 6, teamScope: 'submitter' as const };

describe('escalationTarget', () => {
  it('moves the step one level up', () => {
    expect(escalationTarget(frankStep, grace, new Set(['frank']), people, admins)).toMatchObject({
      kind: 'senior',
      person: { id: 'eve' },
    });
  });

  it('skips people already in the chain and inactive people', () => {
    const withEveInactive = people.map((p) => (p.id === 'eve' ? { ...p, active: false } : p));
    expect(
      escalationTarget(frankStep, grace, new Set(['frank', 'david']), withEveInactive, admins),
    ).toMatchObject({ kind: 'senior', person: { id: 'carol' } });
  });

  it('stays in the submitter’s team unless the step is company-wide', () => {
    const eveStep = { approverId: 'eve', levelNumber: 5, teamScope: 'submitter' as const };
    const onlyFinanceAbove = people.filter(
      (p) => !['alice', 'bob', 'carol', 'david'].includes(p.id),
    );
    expect(escalationTarget(eveStep, grace, new Set(['eve']), onlyFinanceAbove, admins)).toEqual({
      kind: 'nobody',
    });
    const senior = [...onlyFinanceAbove, person('fiona', 4, finance)];
    expect(
      escalationTarget(
        { ...eveStep, teamScope: 'company' },
        grace,
        new Set(['eve']),
        senior,
        admins,
      ),
    ).toMatchObject({ kind: 'senior', person: { id: 'fiona' } });
  });

  it('never picks the submitter, even when they are the only one more senior', () => {
    const submitter = { id: 'eve', teamId: tech };
    const few = [person('eve', 5), person('frank', 6), person('zed', 8)];
    expect(escalationTarget(frankStep, submitter, new Set(['frank']), few, new Set())).toEqual({
      kind: 'nobody',
    });
  });

  it('falls back to an active admin when nobody is more senior', () => {
    const aliceStep = { approverId: 'bob', levelNumber: 2, teamScope: 'submitter' as const };
    const noAlice = people.map((p) => (p.id === 'alice' ? { ...p, levelNumber: 3 } : p));
    expect(
      escalationTarget(aliceStep, grace, new Set(['bob']), noAlice, new Set(['alice'])),
    ).toMatchObject({ kind: 'admin', person: { id: 'alice' } });
  });

  it('finds nobody when the admin is in the chain too', () => {
    const top = { approverId: 'alice', levelNumber: 1, teamScope: 'company' as const };
    expect(escalationTarget(top, grace, new Set(['alice']), people, admins)).toEqual({
      kind: 'nobody',
    });
  });

  it('hands the step to its named fallback first, even a junior one in another team', () => {
    const toHannah = { ...frankStep, fallbackId: 'hannah' };
    expect(escalationTarget(toHannah, grace, new Set(['frank']), people, admins)).toMatchObject({
      kind: 'fallback',
      person: { id: 'hannah' },
    });
  });

  it('climbs as usual when the fallback may not hold the step', () => {
    const up = { kind: 'senior', person: { id: 'eve' } };
    const inactive = people.map((p) => (p.id === 'hannah' ? { ...p, active: false } : p));
    const toHannah = { ...frankStep, fallbackId: 'hannah' };
    // inactive, already in the chain, the submitter, the holder, or not in the company
    expect(escalationTarget(toHannah, grace, new Set(['frank']), inactive, admins)).toMatchObject(
      up,
    );
    expect(
      escalationTarget(toHannah, grace, new Set(['frank', 'hannah']), people, admins),
    ).toMatchObject(up);
    const toGrace = { ...frankStep, fallbackId: 'grace' };
    expect(escalationTarget(toGrace, grace, new Set(['frank']), people, admins)).toMatchObject(up);
    const toFrank = { ...frankStep, fallbackId: 'frank' };
    expect(escalationTarget(toFrank, grace, new Set(['frank']), people, admins)).toMatchObject(up);
    const toStranger = { ...frankStep, fallbackId: 'zed' };
    expect(escalationTarget(toStranger, grace, new Set(['frank']), people, admins)).toMatchObject(
      up,
    );
  });
});
