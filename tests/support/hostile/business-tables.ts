/**
 * What the hostile run must leave untouched: every table of the four services' schemas,
 * less the bookkeeping that rightly changes on a refused request. Measured as a
 * fingerprint of each table's rows (its row count and a hash of every row): exact at
 * once, as any committed insert, update or delete changes it. (pg_stat_user_tables'
 * n_tup_* counters are not used: other sessions flush them up to 10 s late, so a
 * before/after comparison of them either waits that long or flakes.)
 */
import type pg from 'pg';

const SCHEMAS = ['identity', 'expense', 'approval', 'notification'];

/**
 * Tables a refused request may change by design, each with why:
 * - identity.rate_limit_counter: the account routes count an attempt per client address
 *   before it runs, so a refused guess is never checked (auth-attempt-limits.ts); the
 *   invitation quota takes a slot before forwarding and gives it back after a refusal.
 * - identity.idempotency_key: a caller's Idempotency-Key is claimed before forwarding and
 *   the final answer stored for replays, refusals included (docs/ARCHITECTURE.md,
 *   "Idempotent submission": the draft's "success or an error").
 * - <schema>.audit_checkpoint_round and audit_checkpoint_due: the signed-checkpoint loop
 *   moves its round on its own clock and clears the companies it signed for; requests
 *   play no part (an audit entry that made a company due would show in audit_log, which
 *   stays checked).
 */
const BOOKKEEPING = new Set(['identity.rate_limit_counter', 'identity.idempotency_key']);
const CLOCK_DRIVEN = new Set(['audit_checkpoint_round', 'audit_checkpoint_due']);

export function isBookkeeping(name: string): boolean {
  return BOOKKEEPING.has(name) || CLOCK_DRIVEN.has(name.slice(name.indexOf('.') + 1));
}

/** `schema.table` → its row count and a hash of its rows. */
export type TableState = Map<string, string>;

async function businessTables(db: pg.Pool): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `select schemaname || '.' || relname as name from pg_stat_user_tables
      where schemaname = any($1) order by 1`,
    [SCHEMAS],
  );
  return rows.map((row) => row.name).filter((name) => !isBookkeeping(name));
}

export async function tableState(db: pg.Pool): Promise<TableState> {
  const state: TableState = new Map();
  for (const name of await businessTables(db)) {
    const [schema, table] = name.split('.');
    const { rows } = await db.query<{ fingerprint: string }>(
      `select count(*) || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as fingerprint
         from ${quoteIdent(schema)}.${quoteIdent(table)} t`,
    );
    state.set(name, rows[0]?.fingerprint ?? '');
  }
  return state;
}

/** The tables whose rows differ between two states. */
export function changedTables(before: TableState, after: TableState): string[] {
  return [...after]
    .filter(([name, fingerprint]) => before.get(name) !== fingerprint)
    .map(([name]) => name);
}

function quoteIdent(name: string | undefined): string {
  return `"${(name ?? '').replace(/"/g, '""')}"`;
}
