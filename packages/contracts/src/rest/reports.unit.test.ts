import { describe, expect, it } from 'vitest';
import { JournalQuery, RecentExpensesQuery, ReportQuery, TrendsQuery } from './reports.js';

describe('report queries', () => {
  it('take optional dates, team and workspace, and refuse a range that ends before it starts', () => {
    expect(ReportQuery.parse({})).toEqual({});
    expect(ReportQuery.parse({ from: '2026-01-01', to: '2026-01-01' })).toEqual({
      from: '2026-01-01',
      to: '2026-01-01',
    });
    const backwards = ReportQuery.safeParse({ from: '2026-02-01', to: '2026-01-31' });
    expect(backwards.success).toBe(false);
    expect(backwards.error?.issues[0]?.path).toEqual(['from']);
    expect(ReportQuery.safeParse({ from: '2026-02-30' }).success).toBe(false);
    expect(ReportQuery.safeParse({ team_id: 'team-1' }).success).toBe(false);
  });

  it('bound a trend to 24 months when both ends are given', () => {
    expect(TrendsQuery.safeParse({ from: '2024-01-31', to: '2025-12-01' }).success).toBe(true);
    expect(TrendsQuery.safeParse({ from: '2024-01-01', to: '2026-01-01' }).success).toBe(false);
    expect(TrendsQuery.safeParse({ from: '1900-01-01' }).success).toBe(true);
    expect(TrendsQuery.safeParse({ from: '2026-03-01', to: '2026-02-01' }).success).toBe(false);
  });

  it('default the recent list to 10 and the journal to JSON', () => {
    expect(RecentExpensesQuery.parse({}).limit).toBe(10);
    expect(RecentExpensesQuery.parse({ limit: '100' }).limit).toBe(100);
    expect(RecentExpensesQuery.safeParse({ limit: '101' }).success).toBe(false);
    expect(JournalQuery.parse({}).format).toBe('json');
    expect(JournalQuery.parse({ format: 'csv' }).format).toBe('csv');
    expect(JournalQuery.safeParse({ format: 'xlsx' }).success).toBe(false);
  });
});
