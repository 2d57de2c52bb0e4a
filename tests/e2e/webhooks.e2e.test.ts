import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import { verifyWebhook } from '@countersign/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  eventually,
  gatewayUrl,
  login,
  policies,
  TestCluster,
} from '../support/test-cluster.js';

/** A real receiver on loopback, the one target this cluster's config lets webhooks reach. */
const receiverPort = Number(process.env.TEST_PORT_BASE ?? 5000) + 80;
const receiverBase = `http://127.0.0.1:${receiverPort}`;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

const received: Received[] = [];
/** Per path, the statuses to answer in turn (the last one repeats). */
const scripts: Record<string, number[]> = {
  '/ok': [200],
  '/flaky': [500, 200],
  '/redirect': [302],
  '/redirect-target': [200],
};
/** The requests the receiver holds open (path /hang). */
const hanging: ServerResponse[] = [];
let receiver: Server;
let cluster: TestCluster;
const MAX_ENDPOINTS = 8;
const REDELIVERIES_PER_ENDPOINT = 2;
let alice: string;
let grace: string;

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      const seen = received.filter((r) => r.path === path).length;
      received.push({
        path,
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
        at: Date.now(),
      });
      // Held open until the test answers it: a receiver slower than any test.
      if (path === '/hang') {
        hanging.push(response);
        return;
      }
      const script = scripts[path] ?? [404];
      const status = script[Math.min(seen, script.length - 1)] ?? 404;
      response.writeHead(
        status,
        status === 302 ? { location: `${receiverBase}/redirect-target` } : {},
      );
      response.end(status >= 400 ? 'receiver says no' : 'ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(receiverPort, '127.0.0.1', resolve));
  cluster = await TestCluster.start({
    WEBHOOK_TEST_TARGETS: `127.0.0.1:${receiverPort}`,
    WEBHOOK_RETRY_BASE_MS: '400',
    WEBHOOK_RETRY_CAP_MS: '2000',
    WEBHOOK_POLL_MS: '100',
    // Long enough that a held request stays open for as long as a test needs it.
    WEBHOOK_TIMEOUT_MS: '60000',
    WEBHOOK_MAX_ENDPOINTS_PER_COMPANY: String(MAX_ENDPOINTS),
    WEBHOOK_REDELIVERIES_PER_ENDPOINT: String(REDELIVERIES_PER_ENDPOINT),
  });
  alice = await login('alice');
  grace = await login('grace');
});
afterAll(async () => {
  for (const response of hanging) if (!response.writableEnded) response.writeHead(204).end();
  await cluster?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

async function register(path: string, eventTypes = ['ExpenseSubmitted']) {
  const response = await api('POST', '/api/webhooks', alice, {
    url: `${receiverBase}${path}`,
    event_types: eventTypes,
    description: `receiver ${path}`,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return { id: String(response.body.id), secret: String(response.body.secret) };
}

async function submitExpense(description: string): Promise<string> {
  const response = await api('POST', '/api/expenses', grace, {
    policy_id: policies.small,
    amount: 12,
    description,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return String(response.body.expense_id);
}

/** The receiver's requests at `path` carrying the ExpenseSubmitted of `expenseId`. */
function deliveriesOf(path: string, expenseId: string): Received[] {
  return received.filter(
    (r) =>
      r.path === path &&
      (JSON.parse(r.body) as { data: { expense_id?: string } }).data.expense_id === expenseId,
  );
}

async function deliveryList(webhookId: string) {
  const page = await api('GET', `/api/webhooks/${webhookId}/deliveries`, alice);
  expect(page.status).toBe(200);
  return page.body.items ?? [];
}

describe('registering webhooks', () => {
  it('refuses internal targets and URL tricks with a 422 that says why', async () => {
    const refused = [
      'https://127.0.0.1/hook',
      'https://2130706433/hook',
      'https://0x7f.1/hook',
      'https://localhost./hook',
      'https://169.254.169.254/latest/meta-data/',
      'https://metadata.google.internal/computeMetadata/v1/',
      'https://[::ffff:127.0.0.1]/hook',
      'https://[fd00:ec2::254]/hook',
      'https://10.0.0.5/hook',
      `https://x@127.0.0.1:${receiverPort}/ok`,
      `http://127.0.0.1:${receiverPort + 1}/ok`,
      'http://hooks.example.com/hook',
    ];
    for (const url of refused) {
      const response = await api('POST', '/api/webhooks', alice, {
        url,
        event_types: ['ExpenseSubmitted'],
      });
      expect(response.status, url).toBe(422);
      expect(response.contentType).toContain('application/problem+json');
      expect(String(response.body.detail), url).toMatch(/^url refused: /);
    }
    expect((await api('GET', '/api/webhooks', alice)).body.items).toEqual([]);
  });

  it('refuses bad bodies with a 400 naming the field, and non-admins with a 403', async () => {
    const url = `${receiverBase}/ok`;
    const bad = [
      { url, event_types: ['NoSuchEvent'] },
      { url, event_types: [] },
      { url, event_types: ['ExpenseSubmitted', 'ExpenseSubmitted'] },
      { url: 42, event_types: ['ExpenseSubmitted'] },
      { url, event_types: ['ExpenseSubmitted'], secret: 'whsec_mine' },
    ];
    for (const body of bad) {
      const response = await api('POST', '/api/webhooks', alice, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.errors).toBeDefined();
    }
    const asEmployee = await api('POST', '/api/webhooks', grace, {
      url,
      event_types: ['ExpenseSubmitted'],
    });
    expect(asEmployee.status).toBe(403);
    expect((await api('PATCH', `/api/webhooks/${crypto.randomUUID()}`, alice, {})).status).toBe(
      400,
    );
  });

  it('documents every webhook route in the OpenAPI document', async () => {
    const doc = await api('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths as object)).toEqual(
      expect.arrayContaining([
        '/api/webhooks',
        '/api/webhooks/{id}',
        '/api/webhooks/{id}/rotate-secret',
        '/api/webhooks/{id}/deliveries',
        '/api/webhooks/{id}/deliveries/{delivery_id}/redeliver',
      ]),
    );
  });
});

describe('delivering events', () => {
  let ok: { id: string; secret: string };
  let firstDeliveryId = '';

  it('sends a signed ExpenseSubmitted that the example verifier accepts', async () => {
    ok = await register('/ok');
    expect(ok.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const shown = await api('GET', `/api/webhooks/${ok.id}`, alice);
    expect(shown.body).toMatchObject({
      id: ok.id,
      active: true,
      event_types: ['ExpenseSubmitted'],
    });
    expect(JSON.stringify(shown.body)).not.toContain(ok.secret);
    const expenseId = await submitExpense('Webhook lunch');
    const [delivery] = await eventually(async () => {
      const found = deliveriesOf('/ok', expenseId);
      return found.length > 0 ? found : undefined;
    });
    if (!delivery) throw new Error('no delivery');
    const verdict = verifyWebhook({
      secrets: [ok.secret],
      headers: delivery.headers,
      body: delivery.body,
    });
    expect(verdict.ok).toBe(true);
    const event = JSON.parse(delivery.body) as Record<string, unknown>;
    expect(event).toMatchObject({ type: 'ExpenseSubmitted', version: 1, subject: expenseId });
    expect(delivery.headers['webhook-id']).toBe(event.id);
    expect(delivery.headers['content-type']).toBe('application/json');
    const tampered = delivery.body.replace('Webhook lunch', 'Webhook feast');
    expect(
      verifyWebhook({ secrets: [ok.secret], headers: delivery.headers, body: tampered }).ok,
    ).toBe(false);
    const record = await eventually(async () => {
      const items = await deliveryList(ok.id);
      return items.find((d) => d.event_id === event.id && d.status === 'succeeded');
    });
    expect(record).toMatchObject({ attempts: 1, last_response_code: 200, next_attempt_at: null });
    firstDeliveryId = String(record.id);
  });

  it('retries a 500 with backoff until the receiver takes it, and records the attempts', async () => {
    const flaky = await register('/flaky');
    const expenseId = await submitExpense('Flaky receiver');
    const record = await eventually(async () => {
      const items = await deliveryList(flaky.id);
      return items.find((d) => d.status === 'succeeded');
    });
    expect(record).toMatchObject({
      attempts: 2,
      last_response_code: 200,
      last_error: 'HTTP 500: receiver says no',
    });
    const tries = deliveriesOf('/flaky', expenseId);
    expect(tries).toHaveLength(2);
    const [first, second] = tries as [Received, Received];
    // Never sooner than the base delay (400 ms in this cluster): the schedule's floor.
    expect(second.at - first.at).toBeGreaterThanOrEqual(400);
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(
      verifyWebhook({ secrets: [flaky.secret], headers: second.headers, body: second.body }).ok,
    ).toBe(true);
  });

  it('redelivers on request: the same message again, as a new delivery', async () => {
    const before = received.filter((r) => r.path === '/ok').length;
    const response = await api(
      'POST',
      `/api/webhooks/${ok.id}/deliveries/${firstDeliveryId}/redeliver`,
      alice,
      {},
    );
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    expect(response.body).toMatchObject({
      redelivery_of: firstDeliveryId,
      status: 'pending',
      attempts: 0,
    });
    const again = await eventually(async () => received.filter((r) => r.path === '/ok')[before]);
    const original = (await deliveryList(ok.id)).find((d) => d.id === firstDeliveryId);
    expect(again.headers['webhook-id']).toBe(original?.event_id);
    expect(
      verifyWebhook({ secrets: [ok.secret], headers: again.headers, body: again.body }).ok,
    ).toBe(true);
    const unknown = await api(
      'POST',
      `/api/webhooks/${ok.id}/deliveries/${crypto.randomUUID()}/redeliver`,
      alice,
      {},
    );
    expect(unknown.status).toBe(404);
  });

  it('does not follow a redirect: a 302 is a failed attempt', async () => {
    const redirect = await register('/redirect');
    await submitExpense('Redirecting receiver');
    const record = await eventually(async () => {
      const items = await deliveryList(redirect.id);
      return items.find((d) => Number(d.attempts) >= 1);
    });
    expect(record).toMatchObject({ status: 'pending', last_response_code: 302 });
    expect(String(record.last_error)).toContain('not followed');
    expect(record.next_attempt_at).not.toBeNull();
    expect(received.filter((r) => r.path === '/redirect-target')).toEqual([]);
    expect((await api('DELETE', `/api/webhooks/${redirect.id}`, alice)).status).toBe(204);
    expect((await api('GET', `/api/webhooks/${redirect.id}`, alice)).status).toBe(404);
  });

  it('after a rotation, deliveries carry both signatures and either secret verifies', async () => {
    const rotated = await api('POST', `/api/webhooks/${ok.id}/rotate-secret`, alice, {});
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    const newSecret = String(rotated.body.secret);
    expect(newSecret).not.toBe(ok.secret);
    const expenseId = await submitExpense('After rotation');
    const delivery = await eventually(async () => deliveriesOf('/ok', expenseId)[0]);
    expect(String(delivery.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [ok.secret, newSecret]) {
      expect(
        verifyWebhook({ secrets: [secret], headers: delivery.headers, body: delivery.body }).ok,
      ).toBe(true);
    }
  });

  it('a paused webhook gets nothing; its URL is judged again on change', async () => {
    const paused = await api('PATCH', `/api/webhooks/${ok.id}`, alice, { active: false });
    expect(paused.body).toMatchObject({ active: false });
    const refused = await api('PATCH', `/api/webhooks/${ok.id}`, alice, {
      url: 'https://192.168.0.10/hook',
    });
    expect(refused.status).toBe(422);
    const expenseId = await submitExpense('While paused');
    // The flaky receiver (still active) gets it; the paused one never does.
    await eventually(async () => deliveriesOf('/flaky', expenseId)[0]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(deliveriesOf('/ok', expenseId)).toEqual([]);
  });
  it('records every change to a webhook in the audit trail, never its secret', async () => {
    const hook = await register('/audited');
    await api('PATCH', `/api/webhooks/${hook.id}`, alice, { description: 'renamed' });
    const rotated = await api('POST', `/api/webhooks/${hook.id}/rotate-secret`, alice, {});
    expect(rotated.status).toBe(200);
    expect((await api('DELETE', `/api/webhooks/${hook.id}`, alice)).status).toBe(204);
    const trail = await api(
      'GET',
      `/api/audit-logs?entity_type=webhook&entity_id=${hook.id}&limit=10`,
      alice,
    );
    expect(trail.status, JSON.stringify(trail.body)).toBe(200);
    const entries = trail.body.items as { action: string; before: unknown; after: unknown }[];
    expect(entries.map((e) => e.action).sort()).toEqual([
      'webhook.changed',
      'webhook.created',
      'webhook.deleted',
      'webhook.secret_rotated',
    ]);
    const changed = entries.find((e) => e.action === 'webhook.changed');
    expect(changed?.before).toMatchObject({ description: 'receiver /audited' });
    expect(changed?.after).toMatchObject({
      description: 'renamed',
      url_origin: receiverBase,
    });
    const written = JSON.stringify(entries);
    expect(written).not.toContain(hook.secret);
    expect(written).not.toContain(String(rotated.body.secret));
    // Only the URL's origin: receivers often keep a credential in its path.
    expect(written).not.toContain(`${receiverBase}/audited`);
  });
});

describe('one company cannot exhaust the shared webhook machinery', () => {
  let fast: { id: string; secret: string };

  it('a receiver that never answers holds up no other delivery', async () => {
    await register('/hang');
    fast = await register('/fast');
    await submitExpense('To a hanging receiver');
    await eventually(async () => (hanging.length === 1 ? true : undefined));
    // The hanging request stays open; an event after it still reaches the other receiver.
    const later = await submitExpense('While the other hangs');
    await eventually(async () => deliveriesOf('/fast', later)[0]);
    expect(hanging.filter((response) => !response.writableEnded)).toHaveLength(1);
  });

  it(`registers at most ${MAX_ENDPOINTS} webhooks per company, even when asked at once`, async () => {
    const listed = async () => ((await api('GET', '/api/webhooks', alice)).body.items ?? []).length;
    while ((await listed()) < MAX_ENDPOINTS - 1) await register('/fill');
    const racing = await Promise.all(
      Array.from({ length: 4 }, () =>
        api('POST', '/api/webhooks', alice, {
          url: `${receiverBase}/race`,
          event_types: ['ExpenseApproved'],
        }),
      ),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    for (const refused of racing.filter((r) => r.status === 409)) {
      expect(refused.contentType).toContain('application/problem+json');
      expect(refused.body).toMatchObject({
        type: 'https://countersign.dev/problems/webhook-limit-reached',
        status: 409,
        limit: MAX_ENDPOINTS,
        detail: `your company has ${MAX_ENDPOINTS} webhooks, the most allowed is ${MAX_ENDPOINTS}: delete one before registering another`,
      });
    }
    expect(await listed()).toBe(MAX_ENDPOINTS);
    const created = racing.find((r) => r.status === 201);
    expect((await api('DELETE', `/api/webhooks/${String(created?.body.id)}`, alice)).status).toBe(
      204,
    );
    expect((await register('/after-delete')).id).toBeDefined();
  });

  it(`allows ${REDELIVERIES_PER_ENDPOINT} redeliveries per webhook per hour, then 429 with Retry-After`, async () => {
    const [delivery] = await deliveryList(fast.id);
    const path = `/api/webhooks/${fast.id}/deliveries/${String(delivery?.id)}/redeliver`;
    for (let i = 0; i < REDELIVERIES_PER_ENDPOINT; i += 1) {
      expect((await api('POST', path, alice, {})).status).toBe(202);
    }
    const refused = await fetch(`${gatewayUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(await refused.json()).toMatchObject({
      type: 'https://countersign.dev/problems/too-many-requests',
      status: 429,
      detail: `${REDELIVERIES_PER_ENDPOINT} redeliveries of one webhook per hour allowed; try again in ${retryAfter} s`,
    });
  });
});
