import { randomUUID } from 'node:crypto';
import { FeedStream, Streams } from '@countersign/contracts';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName } from '../../scripts/cluster.js';
import {
  parseExposition,
  type Sample,
  samplesOf,
  sampleValue,
} from '../support/prometheus-text.js';
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

// Every service is started with a scrape token: the test also shows /metrics refuses without.
const scrapeToken = 'metrics-e2e-scrape-token';
const services: ServiceName[] = ['gateway', 'expense', 'approval', 'notification'];
const schemaOf: Record<ServiceName, string> = {
  gateway: 'identity',
  expense: 'expense',
  approval: 'approval',
  notification: 'notification',
};
const HTTP = 'http_server_request_duration_seconds';

let cluster: TestCluster;
let grace: string;

beforeAll(async () => {
  // The dead-letter test sends a poison message on purpose: its error lines are expected.
  cluster = await TestCluster.start({ METRICS_TOKEN: scrapeToken, LOG_LEVEL: 'fatal' });
  grace = await login('grace');
});
afterAll(async () => cluster?.stop());

async function scrape(service: ServiceName): Promise<Sample[]> {
  const response = await fetch(`http://127.0.0.1:${ports[service]}/metrics`, {
    headers: { authorization: `Bearer ${scrapeToken}` },
  });
  expect(response.status).toBe(200);
  return parseExposition(await response.text());
}

async function scrapeAll(): Promise<Record<ServiceName, Sample[]>> {
  const scraped = await Promise.all(services.map(scrape));
  return Object.fromEntries(services.map((s, i) => [s, scraped[i]])) as Record<
    ServiceName,
    Sample[]
  >;
}

/** The request count of one (method, route, status); 0 while the series does not exist yet. */
function requests(samples: Sample[], method: string, route: string, status: string): number {
  const found = samplesOf(samples, `${HTTP}_count`, { method, route, status });
  return found[0]?.value ?? 0;
}

async function submit(description: string): Promise<string> {
  const response = await api('POST', '/api/expenses', grace, {
    policy_id: policies.small,
    amount: 120,
    description,
  });
  expect(response.status).toBe(201);
  return String(response.body.expense_id);
}

describe('GET /metrics on every service', () => {
  it('counts requests by method, route pattern and status, never by raw path', async () => {
    const before = await scrapeAll();
    const ids = [await submit('Metrics one'), await submit('Metrics two')];
    for (const id of ids) {
      expect((await api('GET', `/api/expenses/${id}/status`, grace)).status).toBe(200);
    }
    expect((await api('GET', '/api/approvals/pending', grace)).status).toBe(200);
    expect((await api('GET', '/api/notifications', grace)).status).toBe(200);
    expect((await api('GET', '/api/no-such-route', grace)).status).toBe(404);
    const after = await scrapeAll();

    const grew = (service: ServiceName, method: string, route: string, status: string) =>
      requests(after[service], method, route, status) -
      requests(before[service], method, route, status);
    expect(grew('gateway', 'POST', '/api/expenses', '201')).toBe(2);
    expect(grew('gateway', 'GET', '/api/expenses/:id/status', '200')).toBe(2);
    expect(grew('gateway', 'GET', '/api/approvals/pending', '200')).toBe(1);
    expect(grew('gateway', 'GET', '/api/notifications', '200')).toBe(1);
    expect(grew('gateway', 'GET', 'unmatched', '404')).toBe(1);
    expect(grew('expense', 'POST', '/expenses', '201')).toBe(2);
    expect(grew('expense', 'GET', '/expenses/:id/status', '200')).toBe(2);
    expect(grew('approval', 'GET', '/approvals/pending', '200')).toBe(1);
    expect(grew('notification', 'GET', '/notifications', '200')).toBe(1);

    for (const service of services) {
      const series = samplesOf(after[service], `${HTTP}_bucket`);
      expect(series.length).toBeGreaterThan(0);
      for (const sample of series) {
        expect(sample.labels.service).toBe(service);
        // A route label is a registered pattern: no expense id, no unknown path.
        for (const id of ids) expect(sample.labels.route).not.toContain(id);
        expect(sample.labels.route).not.toContain('no-such-route');
      }
      expect(samplesOf(after[service], `${HTTP}_sum`).length).toBeGreaterThan(0);
    }
  });

  it('reports the lag of every durable the service reads', async () => {
    const nc = await connect({ servers: NATS_URL });
    try {
      const jsm = await jetstreamManager(nc);
      const durables: { stream: string; durable: string; pending: number }[] = [];
      for (const stream of [...Object.values(Streams), FeedStream.name]) {
        for await (const info of jsm.consumers.list(stream)) {
          if (info.config.durable_name) {
            durables.push({ stream, durable: info.config.durable_name, pending: info.num_pending });
          }
        }
      }
      // Every service reads at least one durable; a durable's name starts with its reader's.
      for (const service of services) {
        expect(durables.some(({ durable }) => durable.startsWith(`${service}-`))).toBe(true);
      }
      const scraped = await scrapeAll();
      for (const { stream, durable } of durables) {
        const owner = services.find((service) => durable.startsWith(`${service}-`));
        expect(owner, durable).toBeDefined();
        const samples = scraped[owner as ServiceName];
        const labels = { stream, durable };
        const pending = sampleValue(samples, 'countersign_consumer_pending_messages', labels);
        expect(Number.isInteger(pending) && pending >= 0).toBe(true);
        sampleValue(samples, 'countersign_consumer_ack_pending_messages', labels);
      }
      // The figure is JetStream's: once the cluster is idle, both say the same.
      await eventually(async () => {
        const samples = await scrape('approval');
        const info = await jsm.consumers.info(Streams.expense, 'approval-on-expense-events');
        const durable = { stream: Streams.expense, durable: 'approval-on-expense-events' };
        const scrapedPending = sampleValue(
          samples,
          'countersign_consumer_pending_messages',
          durable,
        );
        return scrapedPending === info.num_pending ? true : undefined;
      });
    } finally {
      await nc.close();
    }
  });

  it('reports the outbox backlog of every outbox table', async () => {
    // A row leased by a relay that died: nobody publishes it until its lease expires.
    const eventId = randomUUID();
    await cluster.db.query(
      `insert into expense.outbox (event_id, subject, payload, created_at, lease_until)
       values ($1, 'countersign.expense.metrics-test.v1', '{}', now() - interval '90 seconds',
               now() + interval '1 hour')`,
      [eventId],
    );
    try {
      await eventually(async () => {
        const samples = await scrape('expense');
        const rows = sampleValue(samples, 'countersign_outbox_backlog_rows', { table: 'outbox' });
        return rows >= 1 ? samples : undefined;
      });
      const samples = await scrape('expense');
      expect(
        sampleValue(samples, 'countersign_outbox_oldest_unsent_seconds', { table: 'outbox' }),
      ).toBeGreaterThanOrEqual(90);
    } finally {
      await cluster.db.query('delete from expense.outbox where event_id = $1', [eventId]);
    }
    const scraped = await scrapeAll();
    for (const service of services) {
      sampleValue(scraped[service], 'countersign_outbox_backlog_rows', { table: 'outbox' });
      sampleValue(scraped[service], 'countersign_outbox_oldest_unsent_seconds', {
        table: 'outbox',
      });
    }
    // The services that send mail report their mail queue as well.
    for (const service of ['gateway', 'notification'] as const) {
      sampleValue(scraped[service], 'countersign_outbox_backlog_rows', { table: 'mail_outbox' });
    }
  });

  it('reports dead letters per consumer, as recorded in the dead_letter table', async () => {
    const nc = await connect({ servers: NATS_URL });
    try {
      // Not JSON: every consumer of user events records it as a dead letter at once.
      await jetstream(nc).publish('countersign.approval.user.added.v1', 'not json', {
        msgID: randomUUID(),
      });
    } finally {
      await nc.close();
    }
    const durable = { consumer: 'gateway-on-directory-events' };
    await eventually(async () => {
      const samples = await scrape('gateway');
      return sampleValue(samples, 'countersign_dead_letters', durable) === 1 ? true : undefined;
    });
    for (const service of services) {
      const recorded = await cluster.db.query<{ consumer: string; n: number }>(
        `select consumer, count(*)::int n from ${schemaOf[service]}.dead_letter group by consumer`,
      );
      await eventually(async () => {
        const samples = await scrape(service);
        const matches = recorded.rows.every(
          (row) =>
            sampleValue(samples, 'countersign_dead_letters', { consumer: row.consumer }) === row.n,
        );
        return matches ? true : undefined;
      });
      // Each consumer the service owns has a series, dead letters or not.
      expect(samplesOf(await scrape(service), 'countersign_dead_letters').length).toBeGreaterThan(
        0,
      );
    }
  });

  it('times relay publishes and reports each database pool', async () => {
    const before = await scrapeAll();
    await submit('Metrics three');
    const published = (samples: Sample[]) =>
      sampleValue(samples, 'countersign_relay_publish_duration_seconds_count', {
        outcome: 'published',
      });
    // The submission's ExpenseSubmitted leaves through expense's relay, the routing through
    // approval's, the feed items through notification's.
    for (const service of ['expense', 'approval', 'notification'] as const) {
      await eventually(async () =>
        published(await scrape(service)) > published(before[service]) ? true : undefined,
      );
    }
    const scraped = await scrapeAll();
    for (const service of services) {
      const samples = scraped[service];
      published(samples);
      sampleValue(samples, 'countersign_relay_publish_duration_seconds_count', {
        outcome: 'failed',
      });
      expect(samplesOf(samples, 'countersign_relay_publish_duration_seconds_bucket').length).toBe(
        2 * 14,
      );
      const pool = { pool: schemaOf[service] };
      expect(sampleValue(samples, 'countersign_db_pool_connections', pool)).toBeGreaterThanOrEqual(
        1,
      );
      expect(sampleValue(samples, 'countersign_db_pool_max_connections', pool)).toBe(10);
      sampleValue(samples, 'countersign_db_pool_idle_connections', pool);
      sampleValue(samples, 'countersign_db_pool_waiting_clients', pool);
      // Node's own process figures.
      sampleValue(samples, 'process_cpu_user_seconds_total');
      sampleValue(samples, 'nodejs_eventloop_lag_p99_seconds');
    }
  });

  it('answers only the scrape token, and is no part of the public API', async () => {
    const refused = await fetch(`${gatewayUrl}/metrics`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    const openApi = (await (await fetch(`${gatewayUrl}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(openApi.paths).filter((path) => path.includes('metrics'))).toEqual([]);
  });
});
