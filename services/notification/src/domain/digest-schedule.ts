/**
 * The UTC day whose digest is due at `now`, or null before the day's digest hour. A digest
 * is sent once per person per day, at the first timer tick at or after the hour.
 */
export function digestDayDue(now: Date, hourUtc: number): string | null {
  if (now.getUTCHours() < hourUtc) return null;
  return now.toISOString().slice(0, 10);
}
