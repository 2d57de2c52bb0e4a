import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FeedItemV1, FeedResyncV1, FeedStream, feedSubject } from '@countersign/contracts';
import { demoCompany, demoUsers } from '@countersign/demo-data';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openSse, type SseConnection, type SseEvent } from '../support/sse.js';
import {
  api,
  eventually,
  gatewayUrl,
  login,
  NATS_URL,
  policies,
  ports,
  TestCluster,
} from '../support/test-cluster.js';

let cluster: TestCluster;
let nats: NatsConnection;
let replicaUrl: string;
const tokens: Record<string, string> = {};
const open: SseConnection[] = [];
const idOf = (first: string) =>
  demoUsers.find((u) => u.email.startsWith(`${first}@`))?.id ?? 'missing';

const item = (event: SseEvent): FeedItemV1 => FeedItemV1.parse(JSON.parse(event.data));
const about = (expenseId: string) => (event: SseEvent) => {
  if (event.event !== 'notification' && event.event !== 'expense.status') return false;
  const feedItem = item(event);
  return feedItem.type === 'notification'
    ? feedItem.notification.expense_id === expenseId
    : feedItem.expense.id === expenseId;
};
const statusOf = (expenseId: string, change: string) => (event: SseEvent) =>
  about(expenseId)(event) &&
  event.event === 'expense.status' &&
  item(event).type === 'expense.status' &&
  (item(event) as Extract<FeedItemV1, { type: 'expense.status' }>).expense.change === change;

async function stream(
  who: string,
  headers: Record<string, string> = {},
  baseUrl = gatewayUrl,
): Promise<SseConnection> {
  const connection = await openSse(baseUrl, tokens[who], headers);
  open.push(connection);
  expect(connection.status, connection.body).toBe(200);
  return connection;
}

async function submit(description: string): Promise<string> {
  const created = await api('POST', '/api/expenses', tokens.grace, {
    policy_id: policies.small,
    amount: 120,
    description,
  });
  expect(created.status).toBe(201);
  return String(created.body.expense_id);
}

/** The chain is stored asynchronously: a decision may get 404 for a moment. */
async function decide(kind: 'approve' | 'reject', expenseId: string): Promise<void> {
  await eventually(async () => {
    const answer = await api('POST', `/api/expenses/${kind}`, tokens.frank, {
      expense_id: expenseId,
      ...(kind === 'reject' ? { reason: 'Not needed' } : { comments: 'Fine' }),
    });
    return answer.status === 200 ? true : undefined;
  });
}

beforeAll(async () => {
  cluster = await TestCluster.start({ STREAM_HEARTBEAT_SECONDS: '1', STREAM_MAX_PER_USER: '3' });
  replicaUrl = await cluster.startGatewayReplica(ports.gateway + 1);
  for (const who of ['grace', 'frank', 'ivan']) tokens[who] = await login(who);
  nats = await connect({ servers: NATS_URL });
});

// Each test's streams end with it (the per-person cap is low in this file).
afterEach(() => {
  for (const connection of open.splice(0)) connection.close();
});

afterAll(async () => {
  await nats?.close();
  await cluster?.stop();
});

describe('GET /api/stream', () => {
  it('refuses a caller without a token with 401 problem+json', async () => {
    const refused = await openSse(gatewayUrl, undefined);
    expect(refused.status).toBe(401);
    expect(refused.contentType).toMatch(/application\/problem\+json/);
    expect(JSON.parse(refused.body)).toMatchObject({ status: 401 });
    const doc = await api('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths as object)).toEqual(
      expect.arrayContaining(['/api/stream', '/api/stream/tickets']),
    );
  });

  it('refuses a Last-Event-ID that is not a sequence with 400 problem+json', async () => {
    const refused = await openSse(gatewayUrl, tokens.grace, { 'last-event-id': 'abc' });
    expect(refused.status).toBe(400);
    expect(refused.contentType).toMatch(/application\/problem\+json/);
    expect(refused.body).toMatch(/Last-Event-ID/);
  });

  it('pushes notifications and status changes as they happen, each to its own person only', async () => {
    const grace = await stream('grace');
    const frank = await stream('frank');
    expect(grace.status).toBe(200);
    expect(grace.contentType).toMatch(/text\/event-stream/);

    const expenseId = await submit('Stream: keyboard');
    await grace.waitFor(statusOf(expenseId, 'submitted'));
    const [asked] = await frank.waitFor(about(expenseId));
    expect(asked?.event).toBe('notification');
    expect(item(asked as SseEvent)).toMatchObject({
      type: 'notification',
      notification: { kind: 'approval_requested', expense_id: expenseId },
    });

    await decide('approve', expenseId);
    await grace.waitFor(statusOf(expenseId, 'approved'));
    // Each step approved is told too; the decision's own notice is the one looked for.
    const [told] = await grace.waitFor((e) => {
      if (!about(expenseId)(e)) return false;
      const feedItem = item(e);
      return feedItem.type === 'notification' && feedItem.notification.kind === 'expense_approved';
    });
    expect(item(told as SseEvent)).toMatchObject({
      type: 'notification',
      notification: { kind: 'expense_approved', expense_id: expenseId },
    });

    // Every event names the stream's own person and company, and ids only ever grow.
    for (const [connection, who] of [
      [grace, 'grace'],
      [frank, 'frank'],
    ] as const) {
      const items = connection.events.filter((e) => e.id !== undefined);
      for (const event of items) {
        expect(item(event)).toMatchObject({ user_id: idOf(who), company_id: demoCompany.id });
      }
      const ids = items.map((e) => Number(e.id));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    }
    // The submitter's status changes are hers: none reach the approver.
    expect(frank.events.some((e) => e.event === 'expense.status')).toBe(false);
    // Heartbeat comments keep an idle stream alive (every second in this file).
    await eventually(async () => (grace.comments > 0 ? true : undefined));
  });

  it('resumes on another replica with exactly the items missed, in order', async () => {
    const first = await stream('grace');
    const before = await submit('Stream: before the disconnect');
    const [seen] = await first.waitFor(statusOf(before, 'routed'));
    const lastSeen = String(seen?.id);
    first.close();

    // While she is away: a new expense and its rejection.
    const missed = await submit('Stream: while away');
    await decide('reject', missed);

    // Everything her feed holds, read from its start on the replica, as the reference.
    const everything = await stream('grace', { 'last-event-id': '0' }, replicaUrl);
    for (const change of ['submitted', 'routed', 'rejected']) {
      await everything.waitFor(statusOf(missed, change));
    }
    await everything.waitFor((e) => about(missed)(e) && e.event === 'notification');
    const expected = everything.events
      .filter((e) => e.id !== undefined && Number(e.id) > Number(lastSeen))
      .map((e) => e.id);
    // The missed expense's submitted, routed, rejected and its notification at least.
    expect(expected.length).toBeGreaterThanOrEqual(4);

    const resumed = await stream('grace', { 'last-event-id': lastSeen }, replicaUrl);
    await resumed.waitFor((e) => e.id !== undefined, expected.length);
    expect(resumed.events.filter((e) => e.id !== undefined).map((e) => e.id)).toEqual(expected);
    expect(resumed.events.some((e) => e.event === 'resync')).toBe(false);
    expect(resumed.events.some(statusOf(missed, 'submitted'))).toBe(true);
    // The same resume works through the query parameter (for clients that cannot set headers).
    const byQuery = await openSse(gatewayUrl, tokens.grace, {}, `?last_event_id=${lastSeen}`);
    open.push(byQuery);
    await byQuery.waitFor((e) => e.id !== undefined, expected.length);
    expect(byQuery.events.filter((e) => e.id !== undefined).map((e) => e.id)).toEqual(expected);
  });

  it('never shows items from another person’s or another company’s subject', async () => {
    const otherCompany = '0197b000-0000-7000-8000-000000000001';
    const grace = await stream('grace');
    await eventually(async () => (grace.comments > 0 ? true : undefined)); // connected
    const js = jetstream(nats);
    /** An item naming (companyId, userId), published on `subject` (by default its own). */
    const publishItem = async (
      companyId: string,
      userId: string,
      subject = feedSubject(companyId, userId),
    ) => {
      const feedItem: FeedItemV1 = {
        id: randomUUID(),
        type: 'notification',
        company_id: companyId,
        user_id: userId,
        occurred_at: new Date().toISOString(),
        source_event_id: randomUUID(),
        notification: { id: randomUUID(), kind: 'expense_paid', expense_id: null, message: 'x' },
      };
      await js.publish(subject, JSON.stringify(feedItem));
      return feedItem.id;
    };
    const foreign = [
      await publishItem(otherCompany, idOf('grace')), // her user id, another company
      await publishItem(demoCompany.id, idOf('frank')), // her company, another person
      // Misaddressed: on her subject, but naming someone else (the gateway checks both).
      await publishItem(demoCompany.id, idOf('frank'), feedSubject(demoCompany.id, idOf('grace'))),
    ];
    // Her own item, published last: the feed is ordered, so anything foreign would be before it.
    const marker = await publishItem(demoCompany.id, idOf('grace'));
    await grace.waitFor((e) => e.event === 'notification' && item(e).id === marker);
    const seen = grace.events.filter((e) => e.event === 'notification').map((e) => item(e).id);
    for (const id of foreign) expect(seen).not.toContain(id);
  });

  it('opens for a browser EventSource with a short-lived ticket that no other route takes', async () => {
    const issued = await api('POST', '/api/stream/tickets', tokens.grace);
    expect(issued.status).toBe(201);
    const ticket = String(issued.body.ticket);
    expect(issued.body.expires_in).toBeGreaterThan(0);

    const viaTicket = await openSse(gatewayUrl, undefined, {}, `?ticket=${ticket}`);
    open.push(viaTicket);
    expect(viaTicket.status).toBe(200);
    await eventually(async () => (viaTicket.comments > 0 ? true : undefined));
    const expenseId = await submit('Stream: via a ticket');
    await viaTicket.waitFor(statusOf(expenseId, 'submitted'));

    // The ticket is not an access token, and an access token is not a ticket.
    expect((await api('GET', '/api/notifications', ticket)).status).toBe(401);
    expect((await openSse(gatewayUrl, tokens.grace, {}, `?ticket=${ticket}x`)).status).toBe(401);
    const tokenAsTicket = await openSse(gatewayUrl, undefined, {}, `?ticket=${tokens.grace}`);
    expect(tokenAsTicket.status).toBe(401);
    expect(tokenAsTicket.contentType).toMatch(/application\/problem\+json/);
  });

  it('takes a ticket once, on whichever replica it is used first, and keeps it out of spans', async () => {
    const issued = await api('POST', '/api/stream/tickets', tokens.frank);
    const ticket = String(issued.body.ticket);
    const first = await openSse(replicaUrl, undefined, {}, `?ticket=${ticket}`);
    open.push(first);
    expect(first.status).toBe(200);
    for (const url of [replicaUrl, gatewayUrl]) {
      const again = await openSse(url, undefined, {}, `?ticket=${ticket}`);
      expect(again.status).toBe(401);
      expect(again.contentType).toMatch(/application\/problem\+json/);
    }
    // Two tickets issued in the same second are still two tickets.
    const [a, b] = await Promise.all([
      api('POST', '/api/stream/tickets', tokens.frank),
      api('POST', '/api/stream/tickets', tokens.frank),
    ]);
    expect(a.body.ticket).not.toBe(b.body.ticket);
    // The stream requests were recorded, with the ticket's value redacted.
    const streamSpans = await eventually(async () => {
      const found = cluster
        .spans()
        .filter((span) => JSON.stringify(span).includes('ticket=REDACTED'));
      return found.length >= 2 ? found : undefined;
    });
    expect(streamSpans.length).toBeGreaterThanOrEqual(2);
    const signature = ticket.split('.')[2] ?? ticket;
    expect(readFileSync(cluster.spansFile, 'utf8')).not.toContain(signature);
  });

  it('caps the streams one person holds open on a replica', async () => {
    const held = [await stream('ivan'), await stream('ivan'), await stream('ivan')];
    for (const connection of held) expect(connection.status).toBe(200);
    const refused = await openSse(gatewayUrl, tokens.ivan);
    expect(refused.status).toBe(429);
    expect(refused.contentType).toMatch(/application\/problem\+json/);
    // Another replica counts its own.
    const elsewhere = await stream('ivan', {}, replicaUrl);
    expect(elsewhere.status).toBe(200);
    for (const connection of open.splice(0)) connection.close();
    // A closed stream frees its place (the server notices the client went).
    await eventually(async () => {
      const again = await openSse(gatewayUrl, tokens.ivan);
      again.close();
      return again.status === 200 ? true : undefined;
    });
  });

  it('tells a client to resync when its Last-Event-ID cannot be resumed', async () => {
    const unknown = await stream('grace', { 'last-event-id': '999999999' });
    const [unknownResync] = await unknown.waitFor((e) => e.event === 'resync');
    expect(FeedResyncV1.parse(JSON.parse(String(unknownResync?.data))).reason).toBe('unknown_id');

    // Items older than the window are gone: a purge stands in for max_age.
    const jsm = await jetstreamManager(nats);
    await jsm.streams.purge(FeedStream.name);
    const expired = await stream('grace', { 'last-event-id': '1' });
    const [expiredResync] = await expired.waitFor((e) => e.event === 'resync');
    expect(FeedResyncV1.parse(JSON.parse(String(expiredResync?.data))).reason).toBe('expired');
    // After the resync the stream goes on with new items.
    const expenseId = await submit('Stream: after a resync');
    await expired.waitFor(statusOf(expenseId, 'submitted'));
  });
});
