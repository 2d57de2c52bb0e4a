import { describe, expect, it } from 'vitest';
import { changedFields, diffUser, type EditableUser, moveReason } from './user-changes.js';

const frank: EditableUser = {
  name: 'Frank Miller',
  email: 'frank@techcorp.example',
  role: 'manager',
  team_id: 'tech',
  level_id: 'l6',
  manager_id: 'eve',
};

describe('diffUser', () => {
  it('keeps only the fields whose value changes', () => {
    expect(diffUser(frank, { name: 'Frank Miller', team_id: 'finance', manager_id: null })).toEqual(
      {
        team_id: 'finance',
        manager_id: null,
      },
    );
  });

  it('compares e-mails lower-cased', () => {
    expect(diffUser(frank, { email: 'FRANK@techcorp.example' })).toEqual({});
    expect(diffUser(frank, { email: 'Frank.M@techcorp.example' })).toEqual({
      email: 'frank.m@techcorp.example',
    });
  });

  it('an absent field is no change, a null manager is one', () => {
    expect(diffUser(frank, {})).toEqual({});
    expect(diffUser({ ...frank, manager_id: null }, { manager_id: null })).toEqual({});
  });
});

describe('changedFields', () => {
  it('names each changed field once, a cleared manager included', () => {
    expect(
      changedFields(diffUser(frank, { manager_id: null, name: 'F', role: 'manager' })),
    ).toEqual(['name', 'manager_id']);
  });
});

describe('moveReason', () => {
  it('names a team, level or role change, and nothing for other fields', () => {
    expect(moveReason({ team_id: 'x' })).toBe('previous approver moved to another team');
    expect(moveReason({ level_id: 'x' })).toBe('previous approver changed level');
    // Role steps are re-checked when their holder changes role.
    expect(moveReason({ name: 'x', role: 'admin' })).toBe('previous approver changed role');
    expect(moveReason({ name: 'x', email: 'x@example.com', manager_id: 'y' })).toBeNull();
  });
});
