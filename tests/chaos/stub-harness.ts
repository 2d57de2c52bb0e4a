// TEMPORARY stand-in for tests/chaos/harness.ts and tests/support/ledger.ts (branch
// i15-chaos): steady load through the gateway and an exactly-once check. Replaced on merge.
import type { TestCluster } from '../support/test-cluster.js';
import { api, login, policies } from '../support/test-cluster.js';

const maxOpen = 24;

export class SteadyLoad {
  readonly accepted: string[] = [];
  readonly approved: string[] = [];
  readonly statuses = new Map<string, number>();
  private readonly toApprove: string[] = [];
  private running = true;
  private workers: Promise<void>[] = [];

  static async start(concurrency: number): Promise<SteadyLoad> {
    const load = new SteadyLoad();
    const [grace, frank] = [await login('grace'), await login('frank')];
    load.workers = Array.from({ length: concurrency }, (_, w) => load.work(w, grace, frank));
    return load;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  private async work(worker: number, grace: string, frank: string): Promise<void> {
    for (let i = 0; this.running; i++) {
      if (this.toApprove.length < maxOpen) {
        const r = await call('POST', '/api/expenses', grace, {
          policy_id: policies.small,
          amount: 10 + (i % 90),
          description: `chaos ${worker}-${i}`,
        });
        this.tally('submit', r.status);
        if (r.status === 201) {
          this.accepted.push(String(r.body.expense_id));
          this.toApprove.push(String(r.body.expense_id));
        }
      }
      const id = this.toApprove.shift();
      if (!id) continue;
      const r = await call('POST', '/api/expenses/approve', frank, { expense_id: id });
      this.tally('approve', r.status);
      if (r.status === 200) this.approved.push(id);
      else {
        if (r.status === 404 || r.status === 409 || r.status >= 500 || r.status === 0)
          this.toApprove.push(id);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  private lastAnswer = performance.now();
  private longestGap = 0;

  /** From now on: the longest time between two 2xx answers. */
  watchStalls(): { longest: () => number } {
    this.longestGap = 0;
    this.lastAnswer = performance.now();
    return { longest: () => Math.max(this.longestGap, performance.now() - this.lastAnswer) };
  }

  private tally(kind: string, status: number): void {
    if (status >= 200 && status < 300) {
      const now = performance.now();
      this.longestGap = Math.max(this.longestGap, now - this.lastAnswer);
      this.lastAnswer = now;
    }
    const key = `${kind} ${status}`;
    this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
  }
}

async function call(method: string, path: string, token: string, body: unknown) {
  try {
    return await api(method, path, token, body);
  } catch {
    return { status: 0, body: {} as Record<string, unknown> };
  }
}

const count = async (cluster: TestCluster, sql: string, params: unknown[] = []) =>
  Number((await cluster.db.query<{ n: string }>(sql, params)).rows[0]?.n ?? 0);

/** Violations of exactly-once, after waiting for the outboxes and consumers to drain. */
export async function ledgerViolations(
  cluster: TestCluster,
  accepted: string[],
  approved: string[],
  timeoutMs = 120_000,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  const outboxes = ['identity', 'expense', 'approval', 'notification']
    .map((s) => `select sent_at from ${s}.outbox`)
    .join(' union all ');
  for (;;) {
    const unsent = await count(
      cluster,
      `select count(*) n from (${outboxes}) o where sent_at is null`,
    );
    const routed = await count(
      cluster,
      "select count(*) n from notification.notification where kind = 'approval_requested' and expense_id = any($1)",
      [accepted],
    );
    const told = await count(
      cluster,
      "select count(*) n from notification.notification where kind = 'expense_approved' and expense_id = any($1)",
      [approved],
    );
    if (unsent === 0 && routed === accepted.length && told === approved.length) break;
    if (Date.now() > deadline)
      return [
        `not drained: ${unsent} unsent, ${routed}/${accepted.length} routed, ${told}/${approved.length} told`,
      ];
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const violations: string[] = [];
  const twice = await count(
    cluster,
    'select count(*) n from (select 1 from notification.notification where expense_id = any($1) group by expense_id, recipient_id, kind having count(*) > 1) d',
    [accepted],
  );
  if (twice > 0) violations.push(`${twice} notifications twice`);
  for (const table of ['approval.chain', 'approval.chain_step']) {
    const n = await count(cluster, `select count(*) n from ${table} where expense_id = any($1)`, [
      accepted,
    ]);
    if (n !== accepted.length) violations.push(`${table}: ${n} for ${accepted.length}`);
  }
  for (const schema of ['identity', 'expense', 'approval', 'notification']) {
    const dead = await count(cluster, `select count(*) n from ${schema}.dead_letter`);
    if (dead > 0) violations.push(`${schema}: ${dead} dead letters`);
  }
  return violations;
}
