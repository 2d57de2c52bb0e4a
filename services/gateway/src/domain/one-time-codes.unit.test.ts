import { describe, expect, it } from 'vitest';
import { checkCode, MAX_CODE_ATTEMPTS, newCode } from './one-time-codes.js';

const now = new Date('2026-11-24T12:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);

describe('one-time codes', () => {
  it('are six digits that verify against their secret only', async () => {
    const a = await newCode();
    const b = await newCode();
    expect(a.code).toMatch(/^\d{6}$/);
    expect(a.secret).not.toBe(b.secret);
    const stored = { secret: a.secret, attempts: 0, expiresAt: later(60_000), consumedAt: null };
    expect(await checkCode(stored, a.code, now)).toBe('valid');
    const offByOne = `${a.code.slice(0, 5)}${(Number(a.code[5]) + 1) % 10}`;
    expect(await checkCode(stored, offByOne, now)).toBe('wrong');
  });

  it('refuse a spent, expired or exhausted code before comparing, even a right guess', async () => {
    const { secret, code } = await newCode();
    const fresh = { secret, attempts: 0, expiresAt: later(60_000), consumedAt: null };
    expect(await checkCode({ ...fresh, consumedAt: now }, code, now)).toBe('used');
    expect(await checkCode({ ...fresh, expiresAt: now }, code, now)).toBe('expired');
    expect(await checkCode({ ...fresh, attempts: MAX_CODE_ATTEMPTS }, code, now)).toBe('locked');
    expect(await checkCode({ ...fresh, attempts: MAX_CODE_ATTEMPTS - 1 }, code, now)).toBe('valid');
  });
});
