import { describe, expect, it } from 'vitest';
import { type PoolCounts, ServiceMetrics } from './service-metrics.js';

/** Every sample of one metric as `labels → value`, labels written `k=v,k=v` (service left out). */
async function samples(metrics: ServiceMetrics, name: string): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    // Histogram samples name their series (`_bucket`, `_count`); the typings leave it out.
    for (const value of metric.values as { metricName?: string; labels: object; value: number }[]) {
      if ((value.metricName ?? metric.name) !== name) continue;
      const labels = Object.entries(value.labels)
        .filter(([key]) => key !== 'service')
        .map(([key, v]) => `${key}=${v}`)
        .join(',');
      found.set(labels, value.value);
    }
  }
  return found;
}

const fresh = () =>
  new ServiceMetrics({ service: 'test', processMetrics: false, readingMaxAgeMs: 0 });

describe('ServiceMetrics', () => {
  it('reports each watched pool until it ends', async () => {
    const metrics = fresh();
    const pool = {
      totalCount: 4,
      idleCount: 1,
      waitingCount: 2,
      ended: false,
      options: { max: 10 },
    };
    metrics.watchPool('expense', pool as PoolCounts);
    expect(await samples(metrics, 'countersign_db_pool_connections')).toEqual(
      new Map([['pool=expense', 4]]),
    );
    expect(await samples(metrics, 'countersign_db_pool_idle_connections')).toEqual(
      new Map([['pool=expense', 1]]),
    );
    expect(await samples(metrics, 'countersign_db_pool_waiting_clients')).toEqual(
      new Map([['pool=expense', 2]]),
    );
    expect(await samples(metrics, 'countersign_db_pool_max_connections')).toEqual(
      new Map([['pool=expense', 10]]),
    );
    pool.ended = true;
    expect((await samples(metrics, 'countersign_db_pool_connections')).size).toBe(0);
  });

  it('reports each durable’s lag and every outbox table’s backlog', async () => {
    const metrics = fresh();
    metrics.watchConsumers(async () => [
      { stream: 'S', durable: 'a', pending: 3, ackPending: 1 },
      { stream: 'S', durable: 'b', pending: 0, ackPending: 0 },
    ]);
    metrics.watchBacklog('outbox', async () => ({ rows: 7, oldestSeconds: 2.5 }));
    metrics.watchBacklog('mail_outbox', async () => ({ rows: 0, oldestSeconds: 0 }));
    expect(await samples(metrics, 'countersign_consumer_pending_messages')).toEqual(
      new Map([
        ['stream=S,durable=a', 3],
        ['stream=S,durable=b', 0],
      ]),
    );
    expect(await samples(metrics, 'countersign_consumer_ack_pending_messages')).toEqual(
      new Map([
        ['stream=S,durable=a', 1],
        ['stream=S,durable=b', 0],
      ]),
    );
    expect(await samples(metrics, 'countersign_outbox_backlog_rows')).toEqual(
      new Map([
        ['table=outbox', 7],
        ['table=mail_outbox', 0],
      ]),
    );
    expect(await samples(metrics, 'countersign_outbox_oldest_unsent_seconds')).toEqual(
      new Map([
        ['table=outbox', 2.5],
        ['table=mail_outbox', 0],
      ]),
    );
  });

  it('reports 0 dead letters for an owned consumer with none, and any other consumer found', async () => {
    const metrics = fresh();
    metrics.watchDeadLetters(
      ['mine', 'also-mine'],
      async () =>
        new Map([
          ['old-durable', 2],
          ['mine', 1],
        ]),
    );
    expect(await samples(metrics, 'countersign_dead_letters')).toEqual(
      new Map([
        ['consumer=mine', 1],
        ['consumer=also-mine', 0],
        ['consumer=old-durable', 2],
      ]),
    );
  });

  it('leaves a failed reading’s series out and counts the failure once per reading', async () => {
    // Both lag gauges share one reading; a second scrape within the max age reuses it.
    const metrics = new ServiceMetrics({ service: 'test', processMetrics: false });
    metrics.watchConsumers(async () => {
      throw new Error('NATS is down');
    });
    expect((await samples(metrics, 'countersign_consumer_pending_messages')).size).toBe(0);
    expect(await samples(metrics, 'countersign_metrics_read_failures_total')).toEqual(
      new Map([
        ['source=consumers', 1],
        ['source=outbox', 0],
        ['source=dead_letters', 0],
      ]),
    );
  });

  it('records relay publishes by outcome', async () => {
    const metrics = fresh();
    metrics.observeRelayPublish(0.002, 'published');
    metrics.observeRelayPublish(0.003, 'published');
    metrics.observeRelayPublish(1.5, 'failed');
    expect(await samples(metrics, 'countersign_relay_publish_duration_seconds_count')).toEqual(
      new Map([
        ['outcome=published', 2],
        ['outcome=failed', 1],
      ]),
    );
  });
});
