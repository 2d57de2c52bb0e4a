import { DomainError } from '@countersign/platform';
import { describe, expect, it } from 'vitest';
import { assertManagerAllowed, type LineMember } from './reporting-line.js';

const member = (id: string, active = true): LineMember => ({ id, name: id, active });

function refusal(run: () => void): { code: string; type: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) {
      return { code: error.code, type: error.type, message: error.message };
    }
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('assertManagerAllowed', () => {
  it('accepts an active manager whose own line does not reach the user', () => {
    expect(() =>
      assertManagerAllowed('grace', 'frank', [member('frank'), member('eve'), member('alice')]),
    ).not.toThrow();
  });

  it('refuses a user as their own manager', () => {
    expect(refusal(() => assertManagerAllowed('frank', 'frank', [member('frank')]))).toMatchObject({
      code: 'unprocessable',
      type: 'invalid-manager',
    });
  });

  it('refuses a manager who is not in the company (empty line)', () => {
    expect(refusal(() => assertManagerAllowed('grace', 'nobody', []))).toMatchObject({
      code: 'unprocessable',
      type: 'invalid-manager',
    });
  });

  it('refuses an inactive manager', () => {
    expect(
      refusal(() => assertManagerAllowed('grace', 'frank', [member('frank', false)])).message,
    ).toContain('deactivated');
  });

  it('refuses a direct cycle: the manager reports to the user', () => {
    const result = refusal(() =>
      assertManagerAllowed('eve', 'frank', [member('frank'), member('eve'), member('alice')]),
    );
    expect(result).toMatchObject({ code: 'unprocessable', type: 'reporting-cycle' });
    expect(result.message).toContain('frank already reports to this user');
  });

  it('refuses an indirect cycle, naming the people in it', () => {
    const result = refusal(() =>
      assertManagerAllowed('alice', 'grace', [
        member('grace'),
        member('frank'),
        member('eve'),
        member('alice'),
      ]),
    );
    expect(result.type).toBe('reporting-cycle');
    expect(result.message).toContain('grace → frank → eve already report to this user');
  });
});
