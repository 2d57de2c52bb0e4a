import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import { cachedReading } from './cached-reading.js';

/** What a pg.Pool tells about itself; read at scrape time, no query. */
export interface PoolCounts {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  readonly ended: boolean;
  readonly options: { max?: number | undefined };
}

export interface ConsumerLag {
  stream: string;
  durable: string;
  /** Messages in the stream the durable has not been delivered yet (`num_pending`). */
  pending: number;
  /** Delivered, not yet acknowledged (`num_ack_pending`). */
  ackPending: number;
}

export interface OutboxBacklog {
  /** Rows committed and not yet relayed. */
  rows: number;
  /** Age of the oldest of them; 0 when there are none. */
  oldestSeconds: number;
}

export type RelayOutcome = 'published' | 'failed';

export interface ServiceMetricsOptions {
  /** The `service` label on every series (gateway, expense, approval, notification). */
  service: string;
  logger?: Logger;
  /**
   * How long a scrape-time reading (consumer info, outbox and dead-letter counts) is
   * reused; scrapes closer together than this share one read.
   */
  readingMaxAgeMs?: number;
  /** Node's process metrics (CPU, memory, event-loop lag, GC). */
  processMetrics?: boolean;
  /** When set, `GET /metrics` answers only `Authorization: Bearer <scrapeToken>`. */
  scrapeToken?: string | undefined;
}

/** Request latency buckets, in seconds: sub-millisecond gateway hops up to slow reports. */
const requestBuckets = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
/** A publish and its JetStream ack on loopback take well under a millisecond to a few. */
const publishBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * One service's Prometheus registry and the figures operators watch. Per-request and
 * per-publish figures are histogram observations (no I/O); backlogs, lags and dead letters
 * are read when scraped, through the sources the platform registers (`watch…`).
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requestDuration: Histogram<'method' | 'route' | 'status'>;
  /** One labelled child per (method, route, status), so a request builds no label object. */
  private readonly requestChildren = new Map<string, { observe(seconds: number): void }>();
  private readonly relayPublishDuration: Histogram<'outcome'>;
  private readonly readFailures: Counter<'source'>;
  private readonly pools = new Map<string, PoolCounts>();
  private readonly consumerReadings: (() => Promise<ConsumerLag[]>)[] = [];
  private readonly backlogReadings = new Map<string, () => Promise<OutboxBacklog>>();
  private readonly deadLetterReadings: {
    consumers: readonly string[];
    read: () => Promise<Map<string, number>>;
  }[] = [];
  private readonly readingMaxAgeMs: number;
  readonly scrapeToken: string | undefined;

  constructor(private readonly options: ServiceMetricsOptions) {
    this.readingMaxAgeMs = options.readingMaxAgeMs ?? 5_000;
    this.scrapeToken = options.scrapeToken;
    this.registry.setDefaultLabels({ service: options.service });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.requestDuration = new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'HTTP requests served, by method, route pattern and status: time to the response headers',
      labelNames: ['method', 'route', 'status'],
      buckets: requestBuckets,
      registers,
    });
    this.relayPublishDuration = new Histogram({
      name: 'countersign_relay_publish_duration_seconds',
      help: 'Outbox relay: one event published to JetStream until its ack (or failure)',
      labelNames: ['outcome'],
      buckets: publishBuckets,
      registers,
    });
    // Both outcomes exist from the start, so a rate over them is defined before any publish.
    for (const outcome of ['published', 'failed'] as const) {
      this.relayPublishDuration.zero({ outcome });
    }
    this.readFailures = new Counter({
      name: 'countersign_metrics_read_failures_total',
      help: 'Scrape-time readings that failed (their series are left out of that scrape)',
      labelNames: ['source'],
      registers,
    });
    for (const source of ['consumers', 'outbox', 'dead_letters'])
      this.readFailures.inc({ source }, 0);
    this.registerPoolGauges();
    this.registerConsumerGauges();
    this.registerBacklogGauges();
    this.registerDeadLetterGauge();
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let child = this.requestChildren.get(key);
    if (!child) {
      child = this.requestDuration.labels({ method, route, status: String(status) });
      this.requestChildren.set(key, child);
    }
    child.observe(seconds);
  }

  observeRelayPublish(seconds: number, outcome: RelayOutcome): void {
    this.relayPublishDuration.labels({ outcome }).observe(seconds);
  }

  /** A counter of the service's own, on this registry, every label value zeroed up front. */
  counter<L extends string>(
    name: string,
    help: string,
    label: L,
    values: readonly string[],
  ): (value: string) => void {
    const counter = new Counter({ name, help, labelNames: [label], registers: [this.registry] });
    for (const value of values) counter.inc({ [label]: value } as Record<L, string>, 0);
    return (value) => counter.inc({ [label]: value } as Record<L, string>);
  }

  /** A connection pool to report as `pool`; an ended pool drops out. */
  watchPool(name: string, pool: PoolCounts): void {
    this.pools.set(name, pool);
  }

  /** The durables this service reads, with their JetStream positions. */
  watchConsumers(read: () => Promise<ConsumerLag[]>): void {
    this.consumerReadings.push(read);
  }

  /** An outbox table whose unrelayed rows to report. */
  watchBacklog(table: string, read: () => Promise<OutboxBacklog>): void {
    this.backlogReadings.set(table, read);
  }

  /**
   * Dead letters by consumer: `consumers` are always reported (0 when none), so a series
   * exists before the first dead letter; `read` adds any others found.
   */
  watchDeadLetters(consumers: readonly string[], read: () => Promise<Map<string, number>>): void {
    this.deadLetterReadings.push({ consumers, read });
  }

  /** The text exposition of every series. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /**
   * A scrape-time reading shared by the gauges built from it and reused for
   * `readingMaxAgeMs`. A failure is counted and logged once and leaves the series out.
   */
  private reading<T>(source: string, read: () => Promise<T>): () => Promise<T | undefined> {
    return cachedReading(() => this.attempt(source, read), this.readingMaxAgeMs);
  }

  /** Runs a reading for a gauge; a failure is counted and logged, and the series left out. */
  private async attempt<T>(source: string, read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      this.readFailures.inc({ source });
      this.options.logger?.warn({ err: error, source }, 'metrics reading failed');
      return undefined;
    }
  }

  private registerPoolGauges(): void {
    const pools = this.pools;
    const poolGauge = (name: string, help: string, value: (pool: PoolCounts) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['pool'],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const [label, pool] of pools) {
            if (pool.ended) pools.delete(label);
            else this.set({ pool: label }, value(pool));
          }
        },
      });
    poolGauge(
      'countersign_db_pool_connections',
      'PostgreSQL connections the pool holds (busy and idle)',
      (p) => p.totalCount,
    );
    poolGauge(
      'countersign_db_pool_idle_connections',
      'Idle pooled connections',
      (p) => p.idleCount,
    );
    poolGauge(
      'countersign_db_pool_waiting_clients',
      'Queries waiting for a connection (the pool is at its maximum)',
      (p) => p.waitingCount,
    );
    poolGauge(
      'countersign_db_pool_max_connections',
      'The most connections the pool opens',
      (p) => p.options.max ?? 10,
    );
  }

  private registerConsumerGauges(): void {
    const read = this.reading('consumers', async () => {
      const lags = await Promise.all(this.consumerReadings.map((reading) => reading()));
      return lags.flat();
    });
    const consumerGauge = (name: string, help: string, value: (lag: ConsumerLag) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['stream', 'durable'],
        registers: [this.registry],
        async collect() {
          const lags = await read();
          this.reset();
          for (const lag of lags ?? []) {
            this.set({ stream: lag.stream, durable: lag.durable }, value(lag));
          }
        },
      });
    consumerGauge(
      'countersign_consumer_pending_messages',
      'Consumer lag: stream messages not yet delivered to the durable (JetStream num_pending)',
      (lag) => lag.pending,
    );
    consumerGauge(
      'countersign_consumer_ack_pending_messages',
      'Messages delivered to the durable and not yet acknowledged (num_ack_pending)',
      (lag) => lag.ackPending,
    );
  }

  private registerBacklogGauges(): void {
    const read = this.reading('outbox', () =>
      Promise.all(
        [...this.backlogReadings].map(
          async ([table, reading]) => [table, await reading()] as const,
        ),
      ),
    );
    const backlogGauge = (name: string, help: string, value: (b: OutboxBacklog) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['table'],
        registers: [this.registry],
        async collect() {
          const backlogs = await read();
          this.reset();
          for (const [table, backlog] of backlogs ?? []) this.set({ table }, value(backlog));
        },
      });
    backlogGauge(
      'countersign_outbox_backlog_rows',
      'Outbox rows committed and not yet relayed, per outbox table',
      (b) => b.rows,
    );
    backlogGauge(
      'countersign_outbox_oldest_unsent_seconds',
      'Age of the oldest unrelayed outbox row (0 when none), per outbox table',
      (b) => b.oldestSeconds,
    );
  }

  private registerDeadLetterGauge(): void {
    const read = this.reading('dead_letters', () =>
      Promise.all(
        this.deadLetterReadings.map(async ({ consumers, read }) => ({
          consumers,
          found: await read(),
        })),
      ),
    );
    new Gauge({
      name: 'countersign_dead_letters',
      help: 'Messages given up on and kept in the dead_letter table, per consumer',
      labelNames: ['consumer'],
      registers: [this.registry],
      async collect() {
        const counts = await read();
        this.reset();
        for (const { consumers, found } of counts ?? []) {
          for (const consumer of consumers) this.set({ consumer }, found.get(consumer) ?? 0);
          for (const [consumer, count] of found) this.set({ consumer }, count);
        }
      },
    });
  }
}
