/**
 * Small, dependency-free statistics and formatting helpers for the bench runner.
 * Percentiles are computed from every recorded sample (no histogram buckets), so the
 * figures printed are exact for the run rather than bucket-rounded.
 */

export interface LatencySummary {
  count: number;
  mean_ms: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
}

/** Rounds to 2 decimals: sub-10µs digits are noise for HTTP round trips. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * Nearest-rank percentile on an ascending array. Nearest-rank (rather than interpolation)
 * always reports a latency that some request really had.
 */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  const index = Math.min(sorted.length - 1, Math.max(0, rank - 1));
  return sorted[index] ?? 0;
}

export function summarize(samples: readonly number[]): LatencySummary {
  // Typed arrays sort numerically by default, and much faster than Array#sort with a comparator.
  const sorted = Float64Array.from(samples).sort();
  let total = 0;
  for (const value of sorted) total += value;
  return {
    count: sorted.length,
    mean_ms: round2(sorted.length === 0 ? 0 : total / sorted.length),
    p50_ms: round2(percentile(sorted, 50)),
    p95_ms: round2(percentile(sorted, 95)),
    p99_ms: round2(percentile(sorted, 99)),
    max_ms: round2(sorted.length === 0 ? 0 : (sorted[sorted.length - 1] ?? 0)),
  };
}

/** Left-aligns the first column and right-aligns the rest, like a numeric report. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) =>
    Math.max(...all.map((row) => (row[column] ?? '').length)),
  );
  const line = (row: readonly string[]): string =>
    row
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        return column === 0 ? cell.padEnd(width) : cell.padStart(width);
      })
      .join('  ');
  return all.map(line).join('\n');
}
