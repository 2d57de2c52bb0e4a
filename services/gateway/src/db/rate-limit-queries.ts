import { type Kysely, sql } from 'kysely';
import type { IdentityDatabase } from './types.js';

export interface WindowCount {
  /** Hits in the current window, this one included. */
  hits: number;
  /** Seconds until the window ends (at least 1). */
  resetSeconds: number;
  /** Epoch seconds where the counted window starts (pg's bigint, as a string). */
  windowStart: string;
}

/**
 * Counts one hit for `key` in the current fixed window and returns the new total: one
 * atomic upsert, so replicas share the count. Windows are cut from the database's clock,
 * the one clock every replica shares.
 */
export async function countHit(
  db: Kysely<IdentityDatabase>,
  key: string,
  windowSeconds: number,
): Promise<WindowCount> {
  const row = await db
    .insertInto('rate_limit_counter')
    .values({
      key,
      window_seconds: windowSeconds,
      window_start: sql<string>`floor(extract(epoch from now()) / ${windowSeconds})::bigint * ${windowSeconds}`,
      hits: 1,
    })
    .onConflict((oc) =>
      oc
        .columns(['key', 'window_seconds', 'window_start'])
        .doUpdateSet((eb) => ({ hits: eb('rate_limit_counter.hits', '+', 1) })),
    )
    .returning([
      'hits',
      'window_start',
      sql<number>`greatest(1, ceil(window_start + window_seconds - extract(epoch from now())))::int`.as(
        'reset_seconds',
      ),
    ])
    .executeTakeFirstOrThrow();
  return { hits: row.hits, resetSeconds: row.reset_seconds, windowStart: row.window_start };
}

/**
 * Takes back one hit counted by `countHit` in the window it was counted in (a sign-in
 * attempt is counted before its password is checked and given back when it succeeds).
 */
export async function giveBackHit(
  db: Kysely<IdentityDatabase>,
  key: string,
  windowSeconds: number,
  windowStart: string,
): Promise<void> {
  await db
    .updateTable('rate_limit_counter')
    .set((eb) => ({ hits: eb('hits', '-', 1) }))
    .where('key', '=', key)
    .where('window_seconds', '=', windowSeconds)
    .where('window_start', '=', windowStart)
    .where('hits', '>', 0)
    .execute();
}

/** Deletes windows that ended before now; returns how many rows went. */
export async function deleteEndedWindows(db: Kysely<IdentityDatabase>): Promise<number> {
  const result = await db
    .deleteFrom('rate_limit_counter')
    .where(sql<boolean>`window_start + window_seconds < extract(epoch from now())`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
