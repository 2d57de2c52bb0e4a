import { describe, expect, it } from 'vitest';
import { signInLocked } from './sign-in-lockout.js';

describe('signInLocked', () => {
  it('lets attempts through up to the limit of failed checks', () => {
    expect(signInLocked({ account: 10, fromAddress: 10, knownAddress: false }, 10)).toBe(false);
    expect(signInLocked({ account: 11, fromAddress: 1, knownAddress: false }, 10)).toBe(true);
  });

  it("lets an address with a good record through past the account's limit", () => {
    expect(signInLocked({ account: 500, fromAddress: 0, knownAddress: true }, 10)).toBe(false);
  });

  it('still limits failed checks from a known address', () => {
    expect(signInLocked({ account: 500, fromAddress: 11, knownAddress: true }, 10)).toBe(true);
  });
});
