/**
 * `npm run bench:table-reads`: how many rows PostgreSQL reads per create, per table, to
 * show whether a create's cost grows with the history (run it on an empty and on a
 * prefilled database, see bench:prefill). It creates TABLE_READS_CREATES expenses (100)
 * one after another through the gateway, waits for every consumer to settle, and prints
 * the `pg_stat_user_tables` deltas divided by the creates (then the same for approving
 * them, reading their status and reading the approver's queue): rows fetched through indexes
 * (idx_tup_fetch) and rows read by sequential scans (seq_tup_read). Background work in
 * the same window (chainers, relays) is counted too: that is the point.
 *
 * Env: BASE_URL (http://127.0.0.1:4000), DATABASE_URL, TABLE_READS_CREATES (100).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

// An idle backend reports its statistics up to 10 s late: wait them out between phases.
const SETTLE_MS = 11_000;
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

async function login(baseUrl: string, email: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'countersign-demo' }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`login as ${email} failed: HTTP ${response.status}`);
  return body.access_token;
}

async function send(
  path: string,
  token: string,
  payload?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  for (let attempt = 1; ; attempt += 1) {
    const response = await fetch(`${baseUrl}${path}`, {
      method: payload === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    const body = (await response.json()) as Record<string, unknown>;
    // A busy shared PostgreSQL answers 503 now and then; approvals wait for routing.
    const retry = response.status === 503 || (path.endsWith('/approve') && response.status === 409);
    if (!retry || attempt === 50) return { status: response.status, body };
    await sleep(200);
  }
}

const baseUrl = (process.env.BASE_URL ?? 'http://127.0.0.1:4000').replace(/\/+$/, '');
const count = Number(process.env.TABLE_READS_CREATES ?? 100);
const client = new pg.Client({
  connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/countersign',
});
await client.connect();
const submitter = await login(baseUrl, 'grace@techcorp.example');
const approver = await login(baseUrl, 'frank@techcorp.example');
const expenses = await client.query<{ n: string }>('select count(*) as n from expense.expense');
const created: string[] = [];

/** Runs one kind of request `count` times, one after another, and prints what it read. */
async function measure(kind: string, request: (index: number) => Promise<void>): Promise<void> {
  await sleep(SETTLE_MS);
  const before = await snapshot(client);
  for (let i = 0; i < count; i += 1) await request(i);
  await sleep(SETTLE_MS);
  const after = await snapshot(client);
  console.log(`\n${kind}: rows read per request (tables reading ≥ 0.5 rows per request)`);
  console.log(
    `${'table'.padEnd(34)} ${'idx_tup_fetch'.padStart(14)} ${'seq_tup_read'.padStart(14)}`,
  );
  for (const [name, end] of [...after].sort(([a], [b]) => a.localeCompare(b))) {
    const start = before.get(name) ?? { idx_tup_fetch: 0, seq_tup_read: 0 };
    const idx = (end.idx_tup_fetch - start.idx_tup_fetch) / count;
    const seq = (end.seq_tup_read - start.seq_tup_read) / count;
    if (idx < 0.5 && seq < 0.5) continue;
    console.log(`${name.padEnd(34)} ${idx.toFixed(1).padStart(14)} ${seq.toFixed(1).padStart(14)}`);
  }
}

console.log(
  `${count} sequential requests of each kind on a database of ${expenses.rows[0]?.n} expenses`,
);
await measure('create (and everything it sets off)', async (i) => {
  const answer = await send('/api/expenses', submitter, {
    policy_id: SMALL_EQUIPMENT_POLICY_ID,
    amount: 10 + i / 100,
    description: 'bench: table reads',
  });
  if (answer.status !== 201) throw new Error(`create failed: HTTP ${answer.status}`);
  created.push(String(answer.body.expense_id));
});
await measure('approve (and everything it sets off)', async (i) => {
  const answer = await send('/api/expenses/approve', approver, {
    expense_id: created[i],
    comments: 'bench: table reads',
  });
  if (answer.status !== 200) throw new Error(`approve failed: HTTP ${answer.status}`);
});
await measure('status', async (i) => {
  const answer = await send(`/api/expenses/${created[i]}/status`, submitter);
  if (answer.status !== 200) throw new Error(`status failed: HTTP ${answer.status}`);
});
await measure('pending queue, first page', async () => {
  const answer = await send('/api/approvals/pending?limit=20', approver);
  if (answer.status !== 200) throw new Error(`pending failed: HTTP ${answer.status}`);
});
await client.end();
