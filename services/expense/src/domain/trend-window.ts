import { TREND_MONTHS_AHEAD, TREND_YEARS_BACK } from '@countersign/contracts';
import type { FieldError } from '@countersign/platform';

/** The spend dates a trends answer may cover at all, both inclusive, `YYYY-MM-DD`. */
export interface TrendBounds {
  earliest: string;
  latest: string;
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/**
 * From the first day of the month TREND_YEARS_BACK years before today's to the last day
 * of the month TREND_MONTHS_AHEAD after today's (UTC): whatever spend dates a company
 * typed, a trend never lists more months than these, and never reads rows outside them.
 */
export function trendBounds(now: Date): TrendBounds {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  return {
    earliest: isoDay(new Date(Date.UTC(year - TREND_YEARS_BACK, month, 1))),
    // Day 0 of the month after: the last day of the month TREND_MONTHS_AHEAD ahead.
    latest: isoDay(new Date(Date.UTC(year, month + TREND_MONTHS_AHEAD + 1, 0))),
  };
}

/** What is wrong with a trends range as of `now`, one entry per end (empty when nothing). */
export function trendRangeIssues(
  query: { from?: string | undefined; to?: string | undefined },
  now: Date,
): FieldError[] {
  const { earliest, latest } = trendBounds(now);
  const issues: FieldError[] = [];
  if (query.from !== undefined && query.from < earliest) {
    issues.push({
      path: 'from',
      message: `a trend starts on ${earliest} at the earliest (${TREND_YEARS_BACK} years back)`,
    });
  }
  if (query.to !== undefined && query.to > latest) {
    issues.push({
      path: 'to',
      message: `a trend ends on ${latest} at the latest (the end of the month after this one)`,
    });
  }
  return issues;
}
