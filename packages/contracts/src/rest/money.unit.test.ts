import { describe, expect, it } from 'vitest';
import { IsoDate } from './money.js';

describe('IsoDate', () => {
  it('takes calendar days from 1900 on', () => {
    for (const day of ['1900-01-01', '2026-11-20', '2024-02-29', '9999-12-31'])
      expect(IsoDate.safeParse(day).success, day).toBe(true);
  });

  it('refuses days PostgreSQL cannot store or the calendar does not have', () => {
    for (const day of ['0000-01-01', '1899-12-31', '2026-02-30', '2026-13-01', '20261120', ''])
      expect(IsoDate.safeParse(day).success, day).toBe(false);
  });
});
