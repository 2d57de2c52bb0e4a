import { randomUUID as uuidv7 } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '@countersign/contracts';
import { newEvent } from '@countersign/platform';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrations } from '../../services/notification/src/db/migrations/index.js';
import type { NotificationDatabase } from '../../services/notification/src/db/types.js';
import { newWebhookSecret } from '../../services/notification/src/domain/webhook-secret.js';
import { createWebhookUrlCheck } from '../../services/notification/src/outbound/check-webhook-url.js';
import { createWebhookPoster } from '../../services/notification/src/outbound/post-webhook.js';
import type { Resolver } from '../../services/notification/src/outbound/resolve-public.js';
import {
  type ClaimDeps,
  claimDueWebhookDeliveries,
} from '../../services/notification/src/use-cases/claim-due-webhook-deliveries.js';
import { enqueueWebhookDeliveries } from '../../services/notification/src/use-cases/enqueue-webhook-deliveries.js';
import {
  type SendDeps,
  sendWebhookDelivery,
} from '../../services/notification/src/use-cases/send-webhook-delivery.js';
import { freshServiceSchema } from '../support/int-database.js';

const schema = 'notification_webhook_int';
const company = '0197e000-0000-7000-8000-0000000000c1';
let db: Kysely<NotificationDatabase>;
let receiver: Server;
let port = 0;
const hits: {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}[] = [];

beforeAll(async () => {
  db = await freshServiceSchema<NotificationDatabase>(schema, migrations);
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      hits.push({
        path: request.url ?? '/',
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
      });
      if (request.url === '/silent') return; // never answers
      if (request.url === '/endless') {
        // Headers at once, then a body that never ends.
        response.writeHead(500);
        response.write('x'.repeat(100));
        return;
      }
      if (request.url === '/huge') {
        response.writeHead(502);
        response.end('y'.repeat(1024 * 1024));
        return;
      }
      response.writeHead(request.url === '/fail' ? 503 : 204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  port = (receiver.address() as AddressInfo).port;
});
afterAll(async () => {
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
  await db?.destroy();
});
beforeEach(async () => {
  hits.length = 0;
  await sql`truncate ${sql.table(`${schema}.webhook_delivery`)}, ${sql.table(`${schema}.webhook_event`)}, ${sql.table(`${schema}.webhook_endpoint`)} cascade`.execute(
    db,
  );
});

const resolveTo =
  (address: string): Resolver =>
  async () => [{ address, family: 4 }];

async function endpoint(path: string, createdAt = new Date('2026-01-01T00:00:00Z')) {
  const id = uuidv7();
  const secret = newWebhookSecret();
  await db
    .insertInto('webhook_endpoint')
    .values({
      id,
      company_id: company,
      url: `http://127.0.0.1:${port}${path}`,
      event_types: ['TeamCreated'],
      description: '',
      active: true,
      secret,
      previous_secret: null,
      previous_secret_expires_at: null,
      created_by: company,
      created_at: createdAt,
      updated_at: createdAt,
    })
    .execute();
  return { id, secret };
}

const teamCreated = () =>
  newEvent('TeamCreated', {
    companyId: company,
    actor: { kind: 'user', id: company },
    subject: uuidv7(),
    data: { team: { id: uuidv7(), name: 'Ops' } },
  });

type DeliveryDeps = ClaimDeps & SendDeps;

function dispatcher(overrides: Partial<DeliveryDeps> = {}): DeliveryDeps {
  return {
    db,
    post: createWebhookPoster({
      testTargets: new Set([`127.0.0.1:${port}`]),
      resolve: resolveTo('127.0.0.1'),
      timeoutMs: 500,
    }),
    now: () => new Date(),
    random: () => 0.5,
    retry: { baseMs: 1000, capMs: 60_000, windowMs: 3_600_000 },
    leaseMs: 30_000,
    perCompany: 16,
    ...overrides,
  };
}

/** One dispatcher round, waited for: claims up to 16 and sends them. Answers how many. */
async function deliverDue(deps: DeliveryDeps): Promise<number> {
  const claimed = await claimDueWebhookDeliveries(deps, 16);
  await Promise.all(claimed.map((delivery) => sendWebhookDelivery(deps, delivery)));
  return claimed.length;
}

/** Rounds until nothing is due; answers how many were sent in all. */
async function drain(deps: DeliveryDeps): Promise<number> {
  let sent = 0;
  for (;;) {
    const claimed = await deliverDue(deps);
    if (claimed === 0) return sent;
    sent += claimed;
  }
}

describe('webhook delivery against PostgreSQL and a receiver on loopback', () => {
  it('queues an event once per endpoint, however often it is handled', async () => {
    await endpoint('/ok');
    await endpoint('/ok');
    const event = teamCreated();
    for (let i = 0; i < 3; i += 1) {
      await db.transaction().execute((trx) => enqueueWebhookDeliveries(trx, event));
    }
    const rows = await db.selectFrom('webhook_delivery').select('endpoint_id').execute();
    expect(rows).toHaveLength(2);
  });

  it('two replicas dispatching at once send each delivery exactly once, signed', async () => {
    const hooks = await Promise.all([endpoint('/ok'), endpoint('/ok'), endpoint('/ok')]);
    for (let i = 0; i < 5; i += 1) {
      const event = teamCreated();
      await db.transaction().execute((trx) => enqueueWebhookDeliveries(trx, event));
    }
    const claimed = await Promise.all([drain(dispatcher()), drain(dispatcher())]);
    expect(claimed[0] + claimed[1]).toBe(15);
    expect(hits).toHaveLength(15);
    const pairs = new Set(
      hits.map((h) => `${h.headers['webhook-id']} ${h.headers['webhook-signature']}`),
    );
    expect(pairs.size).toBe(15);
    const secrets = hooks.map((h) => h.secret);
    for (const hit of hits)
      expect(verifyWebhook({ secrets, headers: hit.headers, body: hit.body }).ok).toBe(true);
    const statuses = await db
      .selectFrom('webhook_delivery')
      .select(['status', 'attempts'])
      .execute();
    expect(statuses.every((s) => s.status === 'succeeded' && s.attempts === 1)).toBe(true);
  });

  it('claims at most one delivery per endpoint, however many claim at once', async () => {
    const hook = await endpoint('/ok');
    for (let i = 0; i < 3; i += 1) {
      await db.transaction().execute((trx) => enqueueWebhookDeliveries(trx, teamCreated()));
    }
    const claims = await Promise.all(
      Array.from({ length: 5 }, () => claimDueWebhookDeliveries(dispatcher(), 16)),
    );
    const claimed = claims.flat();
    expect(claimed).toHaveLength(1);
    expect(claimed[0]?.endpointId).toBe(hook.id);
    // Sent and recorded, the endpoint is free for its next delivery.
    await sendWebhookDelivery(dispatcher(), claimed[0] as (typeof claimed)[number]);
    expect(await claimDueWebhookDeliveries(dispatcher(), 16)).toHaveLength(1);
  });

  it('an endpoint whose replica died mid-attempt is free again once the lease is over', async () => {
    await endpoint('/ok');
    await db.transaction().execute((trx) => enqueueWebhookDeliveries(trx, teamCreated()));
    let clock = Date.now();
    const deps = dispatcher({ now: () => new Date(clock), leaseMs: 30_000 });
    const [abandoned] = await claimDueWebhookDeliveries(deps, 16);
    expect(abandoned).toBeDefined();
    // The claiming replica is gone: nothing is sent, nothing recorded.
    clock += 29_000;
    expect(await claimDueWebhookDeliveries(deps, 16)).toEqual([]);
    clock += 1_001;
    const [again] = await claimDueWebhookDeliveries(deps, 16);
    expect(again).toMatchObject({ id: abandoned?.id, attempts: 0 });
    expect(again?.claim).not.toBe(abandoned?.claim);
    await sendWebhookDelivery(deps, again as NonNullable<typeof again>);
    const row = await db.selectFrom('webhook_delivery').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'succeeded', attempts: 1 });
    const freed = await db
      .selectFrom('webhook_endpoint')
      .select(['in_flight_until', 'in_flight_claim'])
      .executeTakeFirstOrThrow();
    expect(freed).toEqual({ in_flight_until: null, in_flight_claim: null });
  });

  it('a failing delivery is rescheduled, then marked failed once the window is over', async () => {
    await endpoint('/fail');
    await db.transaction().execute((trx) => enqueueWebhookDeliveries(trx, teamCreated()));
    const row = await db.selectFrom('webhook_delivery').selectAll().executeTakeFirstOrThrow();
    let clock = row.created_at.getTime();
    const deps = dispatcher({ now: () => new Date(clock) });
    expect(await deliverDue(deps)).toBe(1);
    const retried = await db.selectFrom('webhook_delivery').selectAll().executeTakeFirstOrThrow();
    expect(retried).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_response_code: 503,
      last_error: 'HTTP 503',
    });
    // Not due yet: nothing is claimed before the backoff is over.
    expect(await deliverDue(deps)).toBe(0);
    clock = (retried.next_attempt_at as Date).getTime();
    expect(await deliverDue(deps)).toBe(1);
    clock = row.created_at.getTime() + 3_600_000 + 1;
    expect(await deliverDue(deps)).toBe(1);
    const failed = await db.selectFrom('webhook_delivery').selectAll().executeTakeFirstOrThrow();
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, next_attempt_at: null });
  });

  it('a timeout is a failed attempt with a clear error', async () => {
    await endpoint('/silent');
    await db.transaction().execute((trx) => enqueueWebhookDeliveries(trx, teamCreated()));
    await deliverDue(dispatcher());
    const row = await db.selectFrom('webhook_delivery').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'pending',
      last_response_code: null,
      last_error: 'no answer within 500 ms',
    });
  });

  it('an answer that never ends or is huge is judged without reading it all', async () => {
    const post = createWebhookPoster({
      testTargets: new Set([`127.0.0.1:${port}`]),
      resolve: resolveTo('127.0.0.1'),
      timeoutMs: 500,
    });
    const endless = await post({
      url: `http://127.0.0.1:${port}/endless`,
      headers: {},
      body: '{}',
    });
    expect(endless).toEqual({
      ok: false,
      status: 500,
      error: 'the answer did not end within 500 ms',
    });
    const huge = await post({ url: `http://127.0.0.1:${port}/huge`, headers: {}, body: '{}' });
    expect(huge).toEqual({ ok: false, status: 502, error: `HTTP 502: ${'y'.repeat(200)}` });
  });

  it('an event from before an endpoint was registered is not sent to it', async () => {
    await endpoint('/ok', new Date(Date.now() + 60_000));
    await db.transaction().execute((trx) => enqueueWebhookDeliveries(trx, teamCreated()));
    expect(await db.selectFrom('webhook_delivery').selectAll().execute()).toEqual([]);
  });
});

describe('DNS rebinding', () => {
  it('a name public at registration but loopback at delivery is refused before any connection', async () => {
    let calls = 0;
    // First answer public, every later one loopback: the rebinding attacker's DNS.
    const rebinding: Resolver = async () => {
      calls += 1;
      return [{ address: calls === 1 ? '93.184.215.14' : '127.0.0.1', family: 4 }];
    };
    const url = `https://rebind.example.com:${port}/ok`;
    await expect(createWebhookUrlCheck(new Set(), rebinding)(url)).resolves.toBe(url);
    const post = createWebhookPoster({
      testTargets: new Set(),
      resolve: rebinding,
      timeoutMs: 2000,
    });
    const outcome = await post({ url, headers: {}, body: '{}' });
    expect(outcome).toEqual({
      ok: false,
      status: null,
      error: 'rebind.example.com resolves to 127.0.0.1 is a loopback address',
    });
    expect(hits).toEqual([]);
  });

  it('registration refuses a name that resolves inside, and says so', async () => {
    const check = createWebhookUrlCheck(new Set(), resolveTo('10.0.0.7'));
    await expect(check('https://hooks.example.com/x')).rejects.toThrow(
      'url refused: hooks.example.com resolves to 10.0.0.7 is a private address',
    );
  });

  it('a name that does not resolve is a 422; a resolver that hangs is a 503, not a hang', async () => {
    const missing: Resolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    await expect(
      createWebhookUrlCheck(new Set(), missing)('https://nowhere.example.com/x'),
    ).rejects.toMatchObject({
      code: 'unprocessable',
      type: 'webhook-url-unresolvable',
    });
    const hanging: Resolver = () => new Promise(() => {});
    await expect(
      createWebhookUrlCheck(new Set(), hanging)('https://slow.example.com/x'),
    ).rejects.toMatchObject({
      code: 'unavailable',
    });
  });
});
