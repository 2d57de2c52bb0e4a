/**
 * Real-time latency against a running cluster (`npm start`): the approver holds
 * `GET /api/stream` open while the submitter files expenses one after another; for each,
 * the time from the submission's 201 to the approver's `approval_requested` notification
 * arriving over SSE. That path crosses expense -> approval -> notification -> feed ->
 * gateway, each hop through an outbox and JetStream. Prints the figures; asserts nothing.
 *
 * Settings: BASE_URL (or BENCH_BASE_URL; default http://127.0.0.1:4000), BENCH_SSE_SAMPLES
 * (default 50, 10 with BENCH_QUICK=1). Skipped when BENCH_PHASES is set without "sse", and
 * when BENCH_SCENARIO is set (`npm run bench` then runs that scenario alone).
 * Writes the figures to bench-results/sse.json (BENCH_OUT_DIR).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parsePhases } from './config.js';
import { formatTable, summarize } from './stats.js';

const BASE_URL = (
  process.env.BASE_URL ??
  process.env.BENCH_BASE_URL ??
  'http://127.0.0.1:4000'
).replace(/\/+$/, '');
const QUICK = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
const SAMPLES = Number(process.env.BENCH_SSE_SAMPLES ?? (QUICK ? 10 : 50));
const OUT_DIR = path.resolve(process.env.BENCH_OUT_DIR ?? 'bench-results');
const SAMPLE_TIMEOUT_MS = 10_000;
const POLICY_ID = '0197a000-0000-7000-8000-000000000201';

async function login(email: string): Promise<string> {
  const response = await fetch(`${BASE_URL}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'countersign-demo' }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || !body.access_token) throw new Error(`login as ${email}: ${response.status}`);
  return body.access_token;
}

/** Calls `onExpense(expenseId)` for every notification about an expense the stream brings. */
async function watchStream(token: string, signal: AbortSignal, onExpense: (id: string) => void) {
  const response = await fetch(`${BASE_URL}/api/stream`, {
    headers: { authorization: `Bearer ${token}` },
    signal,
  });
  if (response.status !== 200 || !response.body) throw new Error(`stream: ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const data = buffer
          .slice(0, end)
          .split('\n')
          .find((line) => line.startsWith('data:'));
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        if (!data) continue;
        const item = JSON.parse(data.slice(5)) as {
          type?: string;
          notification?: { kind?: string; expense_id?: string | null };
        };
        const about = item.notification?.expense_id;
        if (item.type === 'notification' && item.notification?.kind === 'approval_requested') {
          if (about) onExpense(about);
        }
      }
    }
  })().catch(() => undefined);
}

async function submit(token: string): Promise<string> {
  const response = await fetch(`${BASE_URL}/api/expenses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ policy_id: POLICY_ID, amount: 25, description: 'bench: sse latency' }),
  });
  const body = (await response.json()) as { expense_id?: string };
  if (response.status !== 201 || !body.expense_id) throw new Error(`submit: ${response.status}`);
  return body.expense_id;
}

async function main(): Promise<void> {
  const submitter = await login('grace@techcorp.example');
  const approver = await login('frank@techcorp.example');
  const waiting = new Map<string, (at: number) => void>();
  const early = new Map<string, number>();
  const stop = new AbortController();
  await watchStream(approver, stop.signal, (expenseId) => {
    const at = performance.now();
    const resolve = waiting.get(expenseId);
    if (resolve) resolve(at);
    else early.set(expenseId, at);
  });
  const samples: number[] = [];
  let missed = 0;
  for (let n = 0; n < SAMPLES; n++) {
    const started = performance.now();
    const expenseId = await submit(submitter);
    const arrived = await new Promise<number | null>((resolve) => {
      const seen = early.get(expenseId);
      if (seen !== undefined) return resolve(seen);
      waiting.set(expenseId, resolve);
      setTimeout(() => resolve(null), SAMPLE_TIMEOUT_MS);
    });
    waiting.delete(expenseId);
    if (arrived === null) missed += 1;
    else samples.push(arrived - started);
  }
  stop.abort();
  console.log(`\n== SSE: submission answered → approver's notification on /api/stream ==`);
  const figures = summarize(samples);
  console.log(
    formatTable(
      ['path', 'count', 'mean ms', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
      [
        [
          'submit -> SSE',
          String(figures.count),
          ...[figures.mean_ms, figures.p50_ms, figures.p95_ms, figures.p99_ms, figures.max_ms].map(
            String,
          ),
        ],
      ],
    ),
  );
  console.log(`missed (no notification within ${SAMPLE_TIMEOUT_MS} ms): ${missed}`);
  await mkdir(OUT_DIR, { recursive: true });
  const report = { generated_at: new Date().toISOString(), base_url: BASE_URL, ...figures, missed };
  await writeFile(path.join(OUT_DIR, 'sse.json'), `${JSON.stringify(report, null, 2)}\n`);
}

if (!process.env.BENCH_SCENARIO && parsePhases(process.env.BENCH_PHASES).has('sse')) await main();
