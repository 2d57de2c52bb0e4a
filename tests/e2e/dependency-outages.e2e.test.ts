import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceName, startOrder } from '../../scripts/cluster.js';
import { Ledger } from '../support/ledger.js';
import { PrivatePostgres } from '../support/private-postgres.js';
import {
  eventually,
  gatewayUrl,
  login,
  policies,
  ports,
  TestCluster,
} from '../support/test-cluster.js';

/**
 * While PostgreSQL or NATS is down, every answer is a success or a 503 problem+json with
 * Retry-After, in bounded time; every service's /readyz says not ready; once the dependency
 * is back, the same processes recover by themselves and every accepted expense reaches its
 * effects (issue 15, point 5).
 */

/** This file's own PostgreSQL, which it stops: 5530-5539 belong to helper 3's tests. */
const PRIVATE_PG_PORT = Number(process.env.TEST_PRIVATE_PG_PORT ?? 5531);
/** Far beyond any healthy answer: an answer slower than this is a hang, not a slow request. */
const HANG_MS = 10_000;

let postgres: PrivatePostgres;
let cluster: TestCluster;
let grace: string;
let pidsAtStart: Map<ServiceName, number | undefined>;

beforeAll(async () => {
  postgres = await PrivatePostgres.start(PRIVATE_PG_PORT);
  cluster = await TestCluster.start(
    {},
    {
      natsNodes: 1,
      replicas: 1,
      postgres: {
        adminUrl: postgres.adminUrl,
        databaseUrl: postgres.urlFor('countersign_outages'),
      },
    },
  );
  grace = await login('grace');
  pidsAtStart = new Map(startOrder.map((name) => [name, cluster.children.get(name)?.pid]));
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  postgres?.destroy();
});

interface Answer {
  route: string;
  /** 0: no answer at all (a dropped connection, or no answer within HANG_MS). */
  status: number;
  contentType: string;
  retryAfter: string | null;
  ms: number;
  /** When the request was sent (performance.now()). */
  sentAt: number;
  expenseId?: string;
  ticket?: string;
}

/** One request of the steady stream: what a client would send, timed, never thrown. */
async function send(route: string, init: RequestInit & { path: string }): Promise<Answer> {
  const started = performance.now();
  try {
    const response = await fetch(`${gatewayUrl}${init.path}`, {
      ...init,
      signal: AbortSignal.timeout(HANG_MS),
    });
    const text = await response.text();
    const body = text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {};
    return {
      route,
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      retryAfter: response.headers.get('retry-after'),
      ms: performance.now() - started,
      sentAt: started,
      ...(response.status === 201 && typeof body.expense_id === 'string'
        ? { expenseId: body.expense_id }
        : {}),
      ...(typeof body.ticket === 'string' ? { ticket: body.ticket } : {}),
    };
  } catch {
    return {
      route,
      status: 0,
      contentType: '',
      retryAfter: null,
      ms: performance.now() - started,
      sentAt: started,
    };
  }
}

/**
 * Opens the caller's real-time stream with a fresh ticket (spending it takes PostgreSQL,
 * reading the feed takes NATS); only the answer's head is read, then the stream is closed.
 */
async function openStream(): Promise<Answer> {
  const started = performance.now();
  const issued = await send('stream-ticket', { ...json({}, grace), path: '/api/stream/tickets' });
  if (issued.status !== 201 || issued.ticket === undefined)
    return { ...issued, route: 'stream-open' };
  try {
    const response = await fetch(
      `${gatewayUrl}/api/stream?ticket=${encodeURIComponent(issued.ticket)}`,
      { signal: AbortSignal.timeout(HANG_MS) },
    );
    const answer: Answer = {
      route: 'stream-open',
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      retryAfter: response.headers.get('retry-after'),
      ms: performance.now() - started,
      sentAt: started,
    };
    await response.body?.cancel();
    return answer;
  } catch {
    return {
      route: 'stream-open',
      status: 0,
      contentType: '',
      retryAfter: null,
      ms: performance.now() - started,
      sentAt: started,
    };
  }
}

const json = (body: unknown, token?: string): RequestInit => ({
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  },
  body: JSON.stringify(body),
});

/**
 * A light steady stream over the gateway's own routes (sign-in, stream tickets, the
 * idempotency store, the rate limiter on every one) and forwarded ones (a submit, a list),
 * one round after another until stopped.
 */
function steadyStream(): { answers: Answer[]; stop: () => Promise<void> } {
  const answers: Answer[] = [];
  let running = true;
  const loop = (async () => {
    let n = 0;
    while (running) {
      n += 1;
      const submit = json(
        { policy_id: policies.small, amount: 20 + (n % 50), description: `outage ${n}` },
        grace,
      );
      answers.push(
        await send('submit', {
          ...submit,
          path: '/api/expenses',
          headers: {
            ...(submit.headers as Record<string, string>),
            'idempotency-key': randomUUID(),
          },
        }),
        await send('list', {
          path: '/api/expenses?limit=5',
          headers: { authorization: `Bearer ${grace}` },
        }),
        await send('login', {
          ...json({ email: 'grace@techcorp.example', password: 'countersign-demo' }),
          path: '/api/auth/login',
        }),
        await send('stream-ticket', { ...json({}, grace), path: '/api/stream/tickets' }),
        await openStream(),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    answers,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** submit, list, login, stream-ticket, stream-open. */
const ROUTES_PER_ROUND = 5;

/** A clean answer: a success, or a 503 problem+json that says when to come back. */
function isClean(answer: Answer): boolean {
  if (answer.status === 0 || answer.ms > HANG_MS) return false;
  if (answer.status >= 200 && answer.status < 300) return true;
  return (
    answer.status === 503 &&
    answer.contentType.startsWith('application/problem+json') &&
    answer.retryAfter !== null &&
    Number(answer.retryAfter) > 0
  );
}

async function readiness(name: ServiceName): Promise<number> {
  try {
    const response = await fetch(`http://127.0.0.1:${ports[name]}/readyz`, {
      signal: AbortSignal.timeout(HANG_MS),
    });
    await response.body?.cancel();
    return response.status;
  } catch {
    return 0;
  }
}

/** Waits until every service's /readyz answers `status`; returns how long that took (ms). */
async function allReadyzAre(status: number, withinMs: number): Promise<number> {
  const started = performance.now();
  await eventually(async () => {
    const seen = await Promise.all(startOrder.map(readiness));
    return seen.every((s) => s === status) ? true : undefined;
  }, withinMs);
  return performance.now() - started;
}

const count = async (query: string, params: unknown[] = []) =>
  Number((await cluster.db.query<{ n: string }>(query, params)).rows[0]?.n ?? 0);

const schemas = ['identity', 'expense', 'approval', 'notification'];

/**
 * Every accepted expense has its chain, its approval request and its audit entries in
 * both services, every stored expense has its chain (none half-written), and no outbox
 * row is left unsent; then the ledger checks the whole system (tests/support/ledger.ts: one
 * terminal or legal state each, nothing twice, audit and notifications, no dead letter).
 */
async function expectEffectsOf(accepted: string[]): Promise<void> {
  await eventually(async () => {
    const unsent = await count(
      `select count(*) n from (${schemas.map((s) => `select sent_at from ${s}.outbox`).join(' union all ')}) o where sent_at is null`,
    );
    const chains = await count('select count(*) n from approval.chain where expense_id = any($1)', [
      accepted,
    ]);
    const requested = await count(
      "select count(distinct expense_id) n from notification.notification where kind = 'approval_requested' and expense_id = any($1)",
      [accepted],
    );
    return unsent === 0 && chains === accepted.length && requested === accepted.length
      ? true
      : undefined;
  }, 60_000);
  expect(await count("select count(*) n from expense.expense where status <> 'refused'")).toBe(
    await count('select count(*) n from approval.chain'),
  );
  for (const schema of ['expense', 'approval']) {
    expect(
      await count(
        `select count(distinct entity_id) n from ${schema}.audit_log where entity_id = any($1)`,
        [accepted],
      ),
      `${schema} audit entries`,
    ).toBe(accepted.length);
  }
  for (const schema of schemas) {
    expect(
      await count(`select count(*) n from ${schema}.dead_letter`),
      `${schema} dead letters`,
    ).toBe(0);
  }
  const ledger = new Ledger();
  for (const expenseId of accepted) ledger.recordCreate(expenseId);
  expect(await ledger.check(cluster)).toEqual([]);
}

/** `route status` → how many answers, and the slowest of them (ms): the run's figures. */
function tally(answers: Answer[]): Record<string, string> {
  const byStatus = new Map<string, { n: number; slowest: number }>();
  for (const a of answers) {
    const key = `${a.route} ${a.status}`;
    const seen = byStatus.get(key) ?? { n: 0, slowest: 0 };
    byStatus.set(key, { n: seen.n + 1, slowest: Math.max(seen.slowest, a.ms) });
  }
  return Object.fromEntries(
    [...byStatus].map(([key, { n, slowest }]) => [key, `${n} (slowest ${Math.round(slowest)} ms)`]),
  );
}

function expectSameProcesses(): void {
  for (const name of startOrder) {
    const child = cluster.children.get(name);
    expect(child?.exitCode ?? null, `${name} still running`).toBeNull();
    expect(child?.pid, `${name} not restarted`).toBe(pidsAtStart.get(name));
  }
}

/** Runs the steady stream across an outage of `down`..`up`, with the checks common to both. */
async function acrossOutage(
  outage: string,
  down: () => Promise<void>,
  up: () => Promise<void>,
): Promise<{ during: Answer[]; accepted: string[] }> {
  const stream = steadyStream();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await down();
  const downAt = performance.now();
  const fromIndex = stream.answers.length;
  await allReadyzAre(503, 15_000);
  // Long enough for pooled connections, retries and timeouts to have played out, and for
  // every route to have been asked a few times.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  await eventually(
    async () => (stream.answers.length - fromIndex >= 3 * ROUTES_PER_ROUND ? true : undefined),
    60_000,
  );
  // Requests sent once the dependency was down and answered before it came back (one sent
  // before the stop may still have been answered as usual).
  const upAt = performance.now();
  const during = stream.answers.filter((a) => a.sentAt >= downAt && a.sentAt + a.ms <= upAt);
  await up();
  const recoveredMs = await allReadyzAre(200, 30_000);
  const afterRecovery = stream.answers.length;
  // The stream goes on until a submit succeeds again after the dependency returned.
  await eventually(
    async () =>
      stream.answers.slice(afterRecovery).some((a) => a.route === 'submit' && a.status === 201)
        ? true
        : undefined,
    30_000,
  );
  await stream.stop();
  console.info(
    `${outage}: ready again ${Math.round(recoveredMs)} ms after restart; during the outage`,
    tally(during),
  );
  const unclean = stream.answers.filter((a) => !isClean(a));
  expect(unclean, 'answers other than 2xx or 503 problem+json with Retry-After').toEqual([]);
  expectSameProcesses();
  const accepted = stream.answers.flatMap((a) => (a.expenseId ? [a.expenseId] : []));
  return { during, accepted };
}

describe('dependency outages', () => {
  it('PostgreSQL stopped (immediate) and started again: clean 503s, not ready, recovery by itself, nothing lost', async () => {
    const { during, accepted } = await acrossOutage(
      'PostgreSQL',
      async () => postgres.stop('immediate'),
      () => postgres.restart(),
    );
    // These need the database: the idempotency store and the expense (submit), the expense
    // service's reads (list), the accounts (sign-in), the spent-ticket record (stream-open).
    // Issuing a stream ticket only signs a token, so it goes on.
    for (const route of ['submit', 'list', 'login', 'stream-open']) {
      expect(
        during.filter((a) => a.route === route && a.status === 503).length,
        route,
      ).toBeGreaterThan(0);
    }
    await expectEffectsOf(accepted);
    // Every service's outbox relay listens for commits again (else it would poll for good).
    await eventually(async () => {
      const listening = await count(
        "select count(distinct query) n from pg_stat_activity where query like 'LISTEN %'",
      );
      return listening === startOrder.length ? true : undefined;
    });
  }, 120_000);

  it("a service's own database refusing it: the gateway passes the service's 503 and Retry-After on", async () => {
    // The expense service alone loses its database: its login may open no connection, and
    // the ones it has are ended. The gateway's own database work goes on as usual.
    await cluster.db.query('alter role countersign_expense connection limit 0');
    await cluster.db.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where usename = 'countersign_expense'",
    );
    try {
      const refused = await eventually(async () => {
        const answer = await send('list', {
          path: '/api/expenses?limit=5',
          headers: { authorization: `Bearer ${grace}` },
        });
        return answer.status === 503 ? answer : undefined;
      });
      expect(isClean(refused)).toBe(true);
      expect(await readiness('expense')).toBe(503);
      expect(await readiness('gateway')).toBe(200);
    } finally {
      await cluster.db.query('alter role countersign_expense connection limit -1');
    }
    await eventually(async () => ((await readiness('expense')) === 200 ? true : undefined));
    const listed = await send('list', {
      path: '/api/expenses?limit=5',
      headers: { authorization: `Bearer ${grace}` },
    });
    expect(listed.status).toBe(200);
    expectSameProcesses();
  });

  it('NATS killed and started again: submits still accepted (the outbox relays later), not ready, recovery by itself, nothing lost', async () => {
    const nats = cluster.nats;
    if (!nats) throw new Error('the cluster runs on its own NATS');
    const node = nats.nodes[0]?.name ?? '';
    const { during, accepted } = await acrossOutage(
      'NATS',
      () => nats.kill(node),
      () => nats.restart(node),
    );
    // A submit needs only PostgreSQL: the expense and its outbox row commit together.
    const submits = during.filter((a) => a.route === 'submit');
    expect(submits.length).toBeGreaterThan(0);
    expect(submits.every((a) => a.status === 201)).toBe(true);
    // Sign-in and reads need only PostgreSQL; the real-time stream reads JetStream.
    for (const route of ['login', 'list']) {
      expect(
        during.filter((a) => a.route === route).every((a) => a.status === 200),
        route,
      ).toBe(true);
    }
    const streams = during.filter((a) => a.route === 'stream-open');
    expect(streams.length).toBeGreaterThan(0);
    expect(streams.every((a) => a.status === 503)).toBe(true);
    await expectEffectsOf(accepted);
  }, 120_000);
});
