import { describe, expect, it } from 'vitest';
import { digestDayDue } from './digest-schedule.js';

describe('digestDayDue', () => {
  it('is nothing before the hour, then the UTC day until midnight', () => {
    expect(digestDayDue(new Date('2026-12-01T06:59:59Z'), 7)).toBeNull();
    expect(digestDayDue(new Date('2026-12-01T07:00:00Z'), 7)).toBe('2026-12-01');
    expect(digestDayDue(new Date('2026-12-01T23:59:59Z'), 7)).toBe('2026-12-01');
    expect(digestDayDue(new Date('2026-12-02T00:30:00Z'), 0)).toBe('2026-12-02');
  });
});
