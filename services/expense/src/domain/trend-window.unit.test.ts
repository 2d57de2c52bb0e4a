import { describe, expect, it } from 'vitest';
import { trendBounds, trendRangeIssues } from './trend-window.js';

const now = new Date('2026-12-07T16:00:00Z');

describe('the trend window', () => {
  it('reaches ten years back to the month’s first day and to the end of next month', () => {
    expect(trendBounds(now)).toEqual({ earliest: '2016-12-01', latest: '2027-01-31' });
    expect(trendBounds(new Date('2026-01-31T23:59:59Z'))).toEqual({
      earliest: '2016-01-01',
      latest: '2026-02-28',
    });
  });

  it('refuses either end beyond it, saying which', () => {
    expect(trendRangeIssues({}, now)).toEqual([]);
    expect(trendRangeIssues({ from: '2016-12-01', to: '2027-01-31' }, now)).toEqual([]);
    expect(trendRangeIssues({ from: '1900-01-01', to: '9999-12-31' }, now)).toEqual([
      { path: 'from', message: expect.stringContaining('2016-12-01 at the earliest') },
      { path: 'to', message: expect.stringContaining('2027-01-31 at the latest') },
    ]);
    expect(trendRangeIssues({ to: '2027-02-01' }, now).map((i) => i.path)).toEqual(['to']);
  });
});
