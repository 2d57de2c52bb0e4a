import { randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccessClaims } from '@countersign/contracts';
import { createLogger, newEvent } from '@countersign/platform';
import { type Kysely, sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrations } from '../../services/notification/src/db/migrations/index.js';
import type { NotificationDatabase } from '../../services/notification/src/db/types.js';
import { newWebhookSecret } from '../../services/notification/src/domain/webhook-secret.js';
import { startWebhookDispatcher } from '../../services/notification/src/jobs/webhook-dispatcher.js';
import { createWebhookUrlCheck } from '../../services/notification/src/outbound/check-webhook-url.js';
import { createWebhookPoster } from '../../services/notification/src/outbound/post-webhook.js';
import { createWebhook } from '../../services/notification/src/use-cases/create-webhook.js';
import { enqueueWebhookDeliveries } from '../../services/notification/src/use-cases/enqueue-webhook-deliveries.js';
import { redeliverWebhookDelivery } from '../../services/notification/src/use-cases/redeliver-webhook-delivery.js';
import { freshServiceSchema } from '../support/int-database.js';
import { eventually } from '../support/test-cluster.js';

/**
 * Issue 14, item 6: one company cannot exhaust what every company shares. Real PostgreSQL,
 * a real receiver on loopback and the real dispatcher job (two of them where replicas
 * matter). Nothing here measures time: "not held up" is shown by order of events, a
 * fast company's delivery arriving while a slow company's requests are still open.
 */

const schema = 'notification_webhook_limits_int';
const companyA = '0197e000-0000-7000-8000-0000000000a1';
const companyB = '0197e000-0000-7000-8000-0000000000b1';
const logger = createLogger('test', 'silent');
let db: Kysely<NotificationDatabase>;
let receiver: Server;
let port = 0;

/** Requests the receiver holds open (paths under /hold/), until a test answers them. */
const held: { path: string; response: ServerResponse }[] = [];
/** Every request, in order of arrival: its path and webhook-id. */
const arrivals: { path: string; webhookId: string }[] = [];
const openAt = (path: string) => held.filter((h) => h.path === path && !h.response.writableEnded);

beforeAll(async () => {
  db = await freshServiceSchema<NotificationDatabase>(schema, migrations);
  receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const path = request.url ?? '/';
      arrivals.push({ path, webhookId: String(request.headers['webhook-id']) });
      if (path.startsWith('/hold/')) held.push({ path, response });
      else response.writeHead(204).end();
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
  held.length = 0;
  arrivals.length = 0;
  await sql`truncate ${sql.table(`${schema}.webhook_delivery`)}, ${sql.table(`${schema}.webhook_event`)}, ${sql.table(`${schema}.webhook_endpoint`)} cascade`.execute(
    db,
  );
});

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  // Answer what is held, so the dispatchers' attempts end and they can stop.
  for (const { response } of held) if (!response.writableEnded) response.writeHead(204).end();
  await Promise.all(running.splice(0).map((dispatcher) => dispatcher.stop()));
});

async function endpoint(companyId: string, path: string): Promise<string> {
  const id = randomUUID();
  const createdAt = new Date('2026-01-01T00:00:00Z');
  await db
    .insertInto('webhook_endpoint')
    .values({
      id,
      company_id: companyId,
      url: `http://127.0.0.1:${port}${path}`,
      event_types: ['TeamCreated'],
      description: '',
      active: true,
      secret: newWebhookSecret(),
      previous_secret: null,
      previous_secret_expires_at: null,
      created_by: companyId,
      created_at: createdAt,
      updated_at: createdAt,
    })
    .execute();
  return id;
}

/** Publishes one TeamCreated of the company into the webhook queue; answers its event id. */
async function teamCreated(companyId: string): Promise<string> {
  const event = newEvent('TeamCreated', {
    companyId,
    actor: { kind: 'user', id: companyId },
    subject: randomUUID(),
    data: { team: { id: randomUUID(), name: 'Ops' } },
  });
  await db.transaction().execute((trx) => enqueueWebhookDeliveries(trx, event));
  return event.id;
}

/** One replica's dispatcher. */
function startDispatcher(settings: { concurrency: number; perCompany: number }) {
  const dispatcher = startWebhookDispatcher({
    db,
    logger,
    post: createWebhookPoster({
      testTargets: new Set([`127.0.0.1:${port}`]),
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
      // Far longer than any test: a held request stays open until the test answers it.
      timeoutMs: 60_000,
    }),
    now: () => new Date(),
    random: () => 0.5,
    retry: { baseMs: 1000, capMs: 60_000, windowMs: 3_600_000 },
    leaseMs: 90_000,
    pollMs: 20,
    ...settings,
  });
  running.push(dispatcher);
  return dispatcher;
}

async function deliveryStatus(eventId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('webhook_delivery')
    .select('status')
    .where('event_id', '=', eventId)
    .execute();
  return rows.map((row) => row.status);
}

describe('the dispatcher is not held up by a slow receiver', () => {
  it("delivers company B's event while company A's receiver is still holding its request", async () => {
    await endpoint(companyA, '/hold/a');
    await endpoint(companyB, '/ok/b');
    startDispatcher({ concurrency: 16, perCompany: 4 });
    await teamCreated(companyA);
    await eventually(async () => (openAt('/hold/a').length === 1 ? true : undefined));
    // A's request is open, and stays open until this test answers it.
    const eventOfB = await teamCreated(companyB);
    await eventually(async () =>
      (await deliveryStatus(eventOfB)).includes('succeeded') ? true : undefined,
    );
    expect(openAt('/hold/a')).toHaveLength(1);
    expect(arrivals.filter((a) => a.path === '/ok/b')).toHaveLength(1);
  });

  it('a company with more slow endpoints than slots holds only its share; others still get through', async () => {
    // Two replicas with 4 slots each; one company may have 2 endpoints in flight in all.
    startDispatcher({ concurrency: 4, perCompany: 2 });
    startDispatcher({ concurrency: 4, perCompany: 2 });
    const slowPaths = ['/hold/a1', '/hold/a2', '/hold/a3', '/hold/a4', '/hold/a5', '/hold/a6'];
    for (const path of slowPaths) await endpoint(companyA, path);
    await endpoint(companyB, '/ok/b');
    await teamCreated(companyA);
    await teamCreated(companyA);
    await eventually(async () => (held.length >= 2 ? true : undefined));
    const eventOfB = await teamCreated(companyB);
    await eventually(async () =>
      (await deliveryStatus(eventOfB)).includes('succeeded') ? true : undefined,
    );
    // B got through while A's requests were all still open, and A never had more than its share.
    const openOfA = held.filter((h) => !h.response.writableEnded);
    expect(openOfA).toHaveLength(2);
    expect(held).toHaveLength(2);
  });

  it('sends one delivery at a time to an endpoint, across replicas, oldest first', async () => {
    startDispatcher({ concurrency: 8, perCompany: 8 });
    startDispatcher({ concurrency: 8, perCompany: 8 });
    await endpoint(companyA, '/hold/one');
    await endpoint(companyA, '/ok/other');
    const events = [
      await teamCreated(companyA),
      await teamCreated(companyA),
      await teamCreated(companyA),
    ];
    await eventually(async () => (openAt('/hold/one').length === 1 ? true : undefined));
    // The dispatchers keep working meanwhile (the other endpoint gets all three) ...
    await eventually(async () =>
      arrivals.filter((a) => a.path === '/ok/other').length === 3 ? true : undefined,
    );
    // ... but the held endpoint has had exactly one request.
    expect(arrivals.filter((a) => a.path === '/hold/one')).toHaveLength(1);
    for (let answered = 1; answered <= 3; answered += 1) {
      const open = openAt('/hold/one');
      expect(open).toHaveLength(1);
      open[0]?.response.writeHead(204).end();
      if (answered < 3)
        await eventually(async () => (openAt('/hold/one').length === 1 ? true : undefined));
    }
    await eventually(async () => {
      const statuses = (await Promise.all(events.map(deliveryStatus))).flat();
      return statuses.filter((s) => s === 'succeeded').length === 6 ? true : undefined;
    });
    expect(
      arrivals.filter((a) => a.path === '/hold/one').map((a) => a.webhookId),
      'in the order the events were queued',
    ).toEqual(events);
  });
});

const admin = (companyId: string): AccessClaims => ({
  sub: randomUUID(),
  company_id: companyId,
  role: 'admin',
  name: 'Admin',
  email: 'admin@example.com',
});

describe('limits on what one company asks for', () => {
  it('two registrations at the cap cannot both pass', async () => {
    const deps = {
      db,
      checkUrl: createWebhookUrlCheck(new Set([`127.0.0.1:${port}`]), async () => []),
      limits: { maxEndpointsPerCompany: 3 },
      now: () => new Date(),
    };
    const register = (companyId: string) =>
      createWebhook(deps, admin(companyId), {
        url: `http://127.0.0.1:${port}/ok/cap`,
        event_types: ['TeamCreated'],
      });
    await register(companyA);
    await register(companyA);
    const racing = await Promise.allSettled(Array.from({ length: 6 }, () => register(companyA)));
    expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const refused of racing.filter((r) => r.status === 'rejected'))
      expect(refused.reason).toMatchObject({
        code: 'conflict',
        type: 'webhook-limit-reached',
        message:
          'your company has 3 webhooks, the most allowed is 3: delete one before registering another',
      });
    const count = await db
      .selectFrom('webhook_endpoint')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('company_id', '=', companyA)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(3);
    // Another company's count is its own.
    await expect(register(companyB)).resolves.toMatchObject({ active: true });
  });

  it('redeliveries are rationed per endpoint and per company, with the wait until the next', async () => {
    const first = await endpoint(companyA, '/ok/r1');
    const second = await endpoint(companyA, '/ok/r2');
    const third = await endpoint(companyA, '/ok/r3');
    await teamCreated(companyA);
    const originals = await db
      .selectFrom('webhook_delivery')
      .select(['id', 'endpoint_id'])
      .execute();
    const originalOf = (endpointId: string) =>
      originals.find((row) => row.endpoint_id === endpointId)?.id as string;
    let clock = new Date('2026-12-07T12:00:00Z').getTime();
    const deps = {
      db,
      limits: {
        redeliveriesPerEndpoint: 2,
        redeliveriesPerCompany: 3,
        redeliveryWindowMs: 3_600_000,
      },
      now: () => new Date(clock),
    };
    const caller = admin(companyA);
    const redeliver = (endpointId: string) =>
      redeliverWebhookDelivery(deps, caller, endpointId, originalOf(endpointId));
    await redeliver(first);
    clock += 60_000;
    await redeliver(first);
    // The endpoint's 2 per hour are used; the first of them frees a slot 59 min from now.
    await expect(redeliver(first)).rejects.toMatchObject({
      code: 'too-many-requests',
      retryAfterSeconds: 59 * 60,
    });
    await redeliver(second);
    // The company's 3 per hour are used, whichever endpoint asks.
    await expect(redeliver(third)).rejects.toMatchObject({
      code: 'too-many-requests',
      retryAfterSeconds: 59 * 60,
    });
    clock += 59 * 60_000;
    await expect(redeliver(third)).resolves.toMatchObject({ status: 'pending' });
    const redeliveries = await db
      .selectFrom('webhook_delivery')
      .select('id')
      .where('redelivery_of', 'is not', null)
      .execute();
    expect(redeliveries).toHaveLength(4);
  });

  it('concurrent redeliveries cannot overshoot the quota', async () => {
    const only = await endpoint(companyA, '/ok/burst');
    await teamCreated(companyA);
    const original = await db.selectFrom('webhook_delivery').select('id').executeTakeFirstOrThrow();
    const deps = {
      db,
      limits: {
        redeliveriesPerEndpoint: 3,
        redeliveriesPerCompany: 100,
        redeliveryWindowMs: 3_600_000,
      },
      now: () => new Date(),
    };
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        redeliverWebhookDelivery(deps, admin(companyA), only, original.id),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
  });
});
