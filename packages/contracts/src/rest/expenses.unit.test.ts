import { describe, expect, it } from 'vitest';
import { ExpenseListQuery } from './expenses.js';

/** The paths of the issues a query is refused with. */
function refusedPaths(query: Record<string, string>): string[] {
  const parsed = ExpenseListQuery.safeParse(query);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.'));
}

describe('expense list query', () => {
  it('defaults to 20 rows, newest first, no filters', () => {
    expect(ExpenseListQuery.parse({})).toEqual({ limit: 20, sort: '-submitted_at' });
  });

  it('reads a comma-separated status list, trimmed and without repeats', () => {
    expect(ExpenseListQuery.parse({ status: 'pending, sent_back,pending' }).status).toEqual([
      'pending',
      'sent_back',
    ]);
    expect(refusedPaths({ status: 'pending,paidd' })).toEqual(['status']);
    expect(refusedPaths({ status: '' })).toEqual(['status']);
    expect(refusedPaths({ status: 'pending,' })).toEqual(['status']);
  });

  it('keeps amount bounds as exact decimal strings and refuses floats beyond cents', () => {
    const parsed = ExpenseListQuery.parse({ amount_min: '0.10', amount_max: '100' });
    expect(parsed).toMatchObject({ amount_min: '0.10', amount_max: '100' });
    expect(refusedPaths({ amount_min: '1.005' })).toEqual(['amount_min']);
    expect(refusedPaths({ amount_max: '1e3' })).toEqual(['amount_max']);
    expect(refusedPaths({ amount_max: '-5' })).toEqual(['amount_max']);
  });

  it('refuses empty ranges, naming the upper bound', () => {
    expect(refusedPaths({ amount_min: '10.01', amount_max: '10.00' })).toEqual(['amount_max']);
    expect(refusedPaths({ amount_min: '10.00', amount_max: '10' })).toEqual([]);
    // 9.5 < 10.05 as decimals although "9.5" > "10.05" as text.
    expect(refusedPaths({ amount_min: '9.5', amount_max: '10.05' })).toEqual([]);
    expect(refusedPaths({ spend_from: '2026-02-02', spend_to: '2026-02-01' })).toEqual([
      'spend_to',
    ]);
    expect(refusedPaths({ submitted_from: '2026-02-02', submitted_to: '2026-02-01' })).toEqual([
      'submitted_to',
    ]);
    expect(refusedPaths({ spend_from: '2026-02-01', spend_to: '2026-02-01' })).toEqual([]);
  });

  it('names a malformed bound beside a good one instead of throwing (was a 500)', () => {
    expect(refusedPaths({ amount_min: '=/8', amount_max: '10.00' })).toEqual(['amount_min']);
    expect(refusedPaths({ amount_min: '5', amount_max: '\u2066x' })).toEqual(['amount_max']);
    expect(refusedPaths({ amount_min: 'a', amount_max: 'b' })).toEqual([
      'amount_min',
      'amount_max',
    ]);
  });

  it('names each bad parameter', () => {
    expect(refusedPaths({ limit: '101' })).toEqual(['limit']);
    expect(refusedPaths({ limit: '0' })).toEqual(['limit']);
    expect(refusedPaths({ sort: 'description' })).toEqual(['sort']);
    expect(refusedPaths({ submitter_id: 'me' })).toEqual(['submitter_id']);
    expect(refusedPaths({ workspace_id: '42' })).toEqual(['workspace_id']);
    expect(refusedPaths({ spend_from: '2026-13-01' })).toEqual(['spend_from']);
    expect(refusedPaths({ q: '   ' })).toEqual(['q']);
    expect(refusedPaths({ q: 'x'.repeat(101) })).toEqual(['q']);
  });

  it('refuses an unknown parameter, so a misspelt filter cannot widen the list', () => {
    const parsed = ExpenseListQuery.safeParse({ stauts: 'pending' });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('stauts');
  });
});
