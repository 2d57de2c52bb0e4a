/**
 * Wraps a costly read (a query, a JetStream request) so that scrapes arriving together,
 * or more often than `maxAgeMs`, share one read: a scrape storm costs one query, not one
 * per scraper. A failed read is not cached; the next call reads again.
 */
export function cachedReading<T>(
  read: () => Promise<T>,
  maxAgeMs: number,
  nowMs: () => number = () => performance.now(),
): () => Promise<T> {
  let last: { at: number; value: T } | undefined;
  let inFlight: Promise<T> | undefined;
  return () => {
    if (last && nowMs() - last.at < maxAgeMs) return Promise.resolve(last.value);
    inFlight ??= read()
      .then((value) => {
        last = { at: nowMs(), value };
        return value;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
}
