/**
 * The SQL part of `npm run bench:prefill`: copies the rows the seeded expenses left in
 * every service's schema, `copies` times, each copy further in the past.
 *
 * Copy k of a row moves every timestamp back by k·shift and gives it new ids: each
 * history id (expense, event, entry, step, notification) has its leading 48 bits, a
 * uuidv7's milliseconds, moved back by k·shift too. The mapping is one pure function, so
 * a row and the rows that point at it (chain → expense, inbox → event) stay linked; the
 * shift is longer than the seed took, so copies never collide and keep their time order.
 * Dates (spend date, rate date) move back a day per copy.
 * Reference ids (company, people, policies) are kept. Event payloads and audit
 * before/after keep the seed's contents: they are read, never joined on.
 *
 * Audit entries are copied into `audit_log` only: its trigger queues them and the
 * chainer links them, so the chain verifies like any other.
 */
import type pg from 'pg';

/** Columns holding an id of the history itself, remapped in every copy. */
const HISTORY_ID_COLUMNS = new Set(['id', 'expense_id', 'event_id', 'source_event_id', 'entry_id']);

export interface CopiedTable {
  table: string;
  /** Which rows are the seed's: a condition on the table (alias `src`), given $1 = seed start. */
  seedRows: string;
}

/** Every table a submitted and decided expense leaves rows in, per schema. */
export const HISTORY_TABLES: readonly CopiedTable[] = [
  { table: 'expense.expense', seedRows: 'src.submitted_at >= $1' },
  {
    table: 'expense.expense_step',
    seedRows: 'src.expense_id in (select id from expense.expense where submitted_at >= $1)',
  },
  { table: 'expense.inbox', seedRows: 'src.processed_at >= $1' },
  { table: 'expense.outbox', seedRows: 'src.created_at >= $1' },
  { table: 'expense.audit_log', seedRows: 'src.occurred_at >= $1' },
  { table: 'approval.chain', seedRows: 'src.created_at >= $1' },
  {
    table: 'approval.chain_step',
    seedRows: 'src.expense_id in (select expense_id from approval.chain where created_at >= $1)',
  },
  {
    table: 'approval.step_deadline',
    seedRows: 'src.expense_id in (select expense_id from approval.chain where created_at >= $1)',
  },
  { table: 'approval.inbox', seedRows: 'src.processed_at >= $1' },
  { table: 'approval.outbox', seedRows: 'src.created_at >= $1' },
  { table: 'approval.audit_log', seedRows: 'src.occurred_at >= $1' },
  { table: 'notification.notification', seedRows: 'src.created_at >= $1' },
  {
    table: 'notification.pending_approval',
    seedRows: 'src.expense_id in (select id from expense.expense where submitted_at >= $1)',
  },
  { table: 'notification.settled_approval', seedRows: 'src.settled_at >= $1' },
  { table: 'notification.inbox', seedRows: 'src.processed_at >= $1' },
  { table: 'notification.outbox', seedRows: 'src.created_at >= $1' },
  { table: 'notification.audit_log', seedRows: 'src.occurred_at >= $1' },
];

/** Moves a uuid's leading 48 bits (a uuidv7's milliseconds) back by `ms`, modulo 2^48. */
const SHIFT_FUNCTION = `
  create or replace function pg_temp.prefill_shift(u uuid, ms bigint) returns uuid
  language sql immutable as $$
    select (lpad(to_hex(((('x' || lpad(left(replace(u::text, '-', ''), 12), 16, '0'))::bit(64)::bigint
      - ms) & 281474976710655)), 12, '0') || substr(replace(u::text, '-', ''), 13))::uuid
  $$`;

interface ColumnInfo {
  column_name: string;
  udt_name: string;
  column_default: string | null;
}

function quoted(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The select-list expression giving copy `k`'s value of one column, or null to leave it to its default. */
function copiedValue(table: string, column: ColumnInfo): string | null {
  const name = quoted(column.column_name);
  const value = `src.${name}`;
  if (column.column_default?.startsWith('nextval(')) return null;
  if (column.udt_name === 'uuid' && HISTORY_ID_COLUMNS.has(column.column_name)) {
    return `pg_temp.prefill_shift(${value}, k.n * $2::bigint)`;
  }
  if (table.endsWith('.audit_log') && column.column_name === 'entity_id') {
    // The audited entity is mostly an expense (a uuid in text); other ids stay as they are.
    return `case when ${value} ~ '^[0-9a-f-]{36}$' then pg_temp.prefill_shift(${value}::uuid, k.n * $2::bigint)::text else ${value} end`;
  }
  if (table === 'approval.step_deadline' && column.column_name === 'due_at') {
    // An open deadline stays where it was: copies must not all fall due (and escalate) at once.
    return `case when src.state = 'open' then ${value} else ${value} - k.n * $2::bigint * interval '1 millisecond' end`;
  }
  if (column.udt_name === 'date') {
    // A day per copy, so spend dates spread over the history as a real one's do.
    return `${value} - k.n`;
  }
  if (column.udt_name === 'timestamptz') {
    return `${value} - k.n * $2::bigint * interval '1 millisecond'`;
  }
  return value;
}

async function columnsOf(client: pg.ClientBase, table: string): Promise<ColumnInfo[]> {
  const [schema, name] = table.split('.');
  const result = await client.query<ColumnInfo>(
    `select column_name, udt_name, column_default from information_schema.columns
     where table_schema = $1 and table_name = $2 order by ordinal_position`,
    [schema, name],
  );
  return result.rows;
}

export interface CopyPlan {
  seedStart: Date;
  /** Milliseconds between one copy and the next: longer than the seed took. */
  shiftMs: number;
  /** Copies numbered first..last (1 is the newest). */
  first: number;
  last: number;
}

/** Inserts copies first..last of one table's seed rows; returns how many rows it wrote. */
export async function copyTable(
  client: pg.ClientBase,
  spec: CopiedTable,
  plan: CopyPlan,
): Promise<number> {
  await client.query(SHIFT_FUNCTION);
  const columns = (await columnsOf(client, spec.table))
    .map((column) => ({ column, value: copiedValue(spec.table, column) }))
    .filter((c): c is { column: ColumnInfo; value: string } => c.value !== null);
  const [schema, name] = spec.table.split('.') as [string, string];
  const target = `${quoted(schema)}.${quoted(name)}`;
  const result = await client.query(
    `insert into ${target} (${columns.map((c) => quoted(c.column.column_name)).join(', ')})
     select ${columns.map((c) => c.value).join(', ')}
     from ${target} src cross join generate_series($3::int, $4::int) as k(n)
     where ${spec.seedRows}`,
    [plan.seedStart, plan.shiftMs, plan.first, plan.last],
  );
  return result.rowCount ?? 0;
}
