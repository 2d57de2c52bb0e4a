/**
 * `npm run bench:table-reads`: how many rows PostgreSQL reads per create, per table, to
 * show whether a create's cost grows with the history (run it on an empty and on a
 * prefilled database, see bench:prefill). It creates TABLE_READS_CREATES expenses (100)
 * one after another through the gateway, waits for every consumer to settle, and prints
 * the `pg_stat_user_tables` deltas divided by the creates: rows fetched through indexes
 * (idx_tup_fetch) and rows read by sequential scans (seq_tup_read). Background work in
 * the same window (chainers, relays) is counted too: that is the point.
 *
 * Env: BASE_URL (http://127.0.0.1:4000), DATABASE_URL, TABLE_READS_CREATES (100).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

const SETTLE_MS = 3_000;
const SMALL_EQUIPMENT_POLICY_ID = '0197a000-0000-7000-8000-000000000201';

interface TableStats {
  idx_tup_fetch: number;
  seq_tup_read: number;
}

async function snapshot(client: pg.Client): Promise<Map<string, TableStats>> {
  // Statistics are sent by backends at commit and read from a snapshot: take a fresh one.
  await client.query('select pg_stat_clear_snapshot()');
  const result = await client.query<{ name: string; idx: string | null; seq: string | null }>(
    `select schemaname || '.' || relname as name, idx_tup_fetch as idx, seq_tup_read as seq
     from pg_stat_user_tables`,
  );
  return new Map(
    result.rows.map((r) => [
      r.name,
      { idx_tup_fetch: Number(r.idx ?? 0), seq_tup_read: Number(r.seq ?? 0) },
    ]),
  );
}

async function login(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'grace@techcorp.example', password: 'countersign-demo' }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`login failed: HTTP ${response.status}`);
  return body.access_token;
}

const baseUrl = (process.env.BASE_URL ?? 'http://127.0.0.1:4000').replace(/\/+$/, '');
const creates = Number(process.env.TABLE_READS_CREATES ?? 100);
const client = new pg.Client({
  connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/countersign',
});
await client.connect();
const token = await login(baseUrl);
const expenses = await client.query<{ n: string }>('select count(*) as n from expense.expense');
await sleep(SETTLE_MS);
const before = await snapshot(client);
for (let i = 0; i < creates; i += 1) {
  const response = await fetch(`${baseUrl}/api/expenses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      policy_id: SMALL_EQUIPMENT_POLICY_ID,
      amount: 10 + i / 100,
      description: 'bench: table reads',
    }),
  });
  if (response.status !== 201) throw new Error(`create failed: HTTP ${response.status}`);
  await response.arrayBuffer();
}
await sleep(SETTLE_MS);
const after = await snapshot(client);
await client.end();

console.log(`${creates} sequential creates on a database of ${expenses.rows[0]?.n} expenses`);
console.log('rows read per create (tables reading ≥ 0.5 rows per create):');
console.log(`${'table'.padEnd(34)} ${'idx_tup_fetch'.padStart(14)} ${'seq_tup_read'.padStart(14)}`);
for (const [name, end] of [...after].sort(([a], [b]) => a.localeCompare(b))) {
  const start = before.get(name) ?? { idx_tup_fetch: 0, seq_tup_read: 0 };
  const idx = (end.idx_tup_fetch - start.idx_tup_fetch) / creates;
  const seq = (end.seq_tup_read - start.seq_tup_read) / creates;
  if (idx < 0.5 && seq < 0.5) continue;
  console.log(`${name.padEnd(34)} ${idx.toFixed(1).padStart(14)} ${seq.toFixed(1).padStart(14)}`);
}
