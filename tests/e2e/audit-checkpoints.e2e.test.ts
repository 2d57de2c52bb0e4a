import { auditCheckpointSubject } from '@countersign/contracts';
import { demoCompany } from '@countersign/demo-data';
import { type AuditTables, createDatabase, natsServers } from '@countersign/platform';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutTail, rewriteAndRecompute } from '../support/audit-tamper.js';
import {
  type ApiResponse,
  api,
  DATABASE_URL,
  eventually,
  login,
  policies,
  TestCluster,
} from '../support/test-cluster.js';

/**
 * Signed audit checkpoints through the gateway, on the four services: each signs its
 * chains' heads (its own key, given by the test cluster) and publishes them to JetStream;
 * `GET /api/audit-logs/verify` walks in bounded pages and checks every chain against its
 * newest checkpoint, so the table owner's rewrite (hashes recomputed) and cut tail are
 * named, and a forged checkpoint is refused.
 */

type Report = {
  service: string;
  entries: number;
  length: number;
  next_after: number | null;
  head: { sequence: number } | null;
  checkpoint: { sequence: number; key_id: string; status: string; unsigned: number } | null;
  broken: { sequence: number | null; reason: string } | null;
};

let cluster: TestCluster;
let ivan: string;
const owners: Kysely<AuditTables>[] = [];
const ownerOf = (schema: string) => {
  const db = createDatabase<AuditTables>({ url: DATABASE_URL, schema });
  owners.push(db);
  return db;
};

const reportsOf = (response: ApiResponse) => response.body.services as unknown as Report[];
const reportOf = (response: ApiResponse, service: string) =>
  reportsOf(response).find((r) => r.service === service);

/** Verify once the service's chain is fully signed (its newest checkpoint at its head). */
async function signedToTheHead(service: string): Promise<Report> {
  return eventually(async () => {
    const report = reportOf(await api('GET', '/api/audit-logs/verify', ivan), service);
    return report?.checkpoint?.status === 'holds' &&
      report.checkpoint.unsigned === 0 &&
      report.length > 1
      ? report
      : undefined;
    // A loaded machine may take several rounds to sign a chain to its head: wait within
    // the test's own 60 s.
  }, 50_000);
}

beforeAll(async () => {
  cluster = await TestCluster.start({ AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0.5' });
  ivan = await login('ivan');
  const grace = await login('grace');
  for (let n = 0; n < 4; n++) {
    const created = await api('POST', '/api/expenses', grace, {
      policy_id: policies.small,
      amount: 20 + n,
      description: `Checkpointed lunch ${n}`,
    });
    expect(created.status).toBe(201);
  }
  // Four services started one after another: slow on a loaded machine.
}, 600_000);
afterAll(async () => {
  for (const db of owners) await db.destroy();
  await cluster?.stop();
});

describe('verify in bounded pages', () => {
  it('refuses a limit above the maximum, or a cursor it did not issue, with a problem', async () => {
    for (const query of ['limit=5001', 'limit=0', 'limit=many', 'cursor=bm9wZQ']) {
      const refused = await api('GET', `/api/audit-logs/verify?${query}`, ivan);
      expect(refused.status, query).toBe(400);
      expect(refused.contentType).toContain('application/problem+json');
    }
  });

  it('walks every chain to its end in pages of the limit, each page at most the limit per service', async () => {
    await signedToTheHead('expense');
    const whole = await api('GET', '/api/audit-logs/verify?limit=5000', ivan);
    expect(whole.body).toMatchObject({ intact: true, next_cursor: null });
    const lengths = Object.fromEntries(reportsOf(whole).map((r) => [r.service, r.length]));
    expect(lengths.expense).toBeGreaterThan(2);
    const reached: Record<string, number> = {};
    let cursor: string | null = null;
    let pages = 0;
    do {
      const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await api('GET', `/api/audit-logs/verify?limit=2${suffix}`, ivan);
      expect(page.status).toBe(200);
      expect(page.body.intact).toBe(true);
      for (const report of reportsOf(page)) {
        expect(report.entries).toBeLessThanOrEqual(2);
        if (report.head) reached[report.service] = report.head.sequence;
      }
      cursor = page.body.next_cursor as string | null;
      pages += 1;
    } while (cursor && pages < 500);
    expect(cursor).toBeNull();
    expect(pages).toBeGreaterThan(1);
    // Every chain was walked to (at least) the length it had before the walk began.
    for (const service of ['expense', 'approval']) {
      expect(reached[service]).toBeGreaterThanOrEqual(lengths[service] ?? 0);
    }
  });
});

describe('what the table owner can no longer hide', () => {
  it('a rewrite of the expense trail with every later hash recomputed is named', async () => {
    const signed = await signedToTheHead('expense');
    await rewriteAndRecompute(ownerOf('expense'), 'expense', demoCompany.id, signed.length - 1);
    const verdict = await api('GET', '/api/audit-logs/verify', ivan);
    expect(verdict.body.intact).toBe(false);
    expect(reportOf(verdict, 'expense')).toMatchObject({
      checkpoint: { status: 'rewritten' },
      broken: { sequence: signed.checkpoint?.sequence, reason: expect.stringMatching(/rewritten/) },
    });
  });

  it('a cut tail of the approval trail is named', async () => {
    const signed = await signedToTheHead('approval');
    await cutTail(ownerOf('approval'), 'approval', demoCompany.id, signed.length);
    const verdict = await api('GET', '/api/audit-logs/verify', ivan);
    expect(verdict.body.intact).toBe(false);
    expect(reportOf(verdict, 'approval')).toMatchObject({
      length: signed.length - 1,
      checkpoint: { status: 'truncated' },
      broken: { sequence: signed.length, reason: expect.stringMatching(/tail was cut/) },
    });
  });

  it('a forged checkpoint put into the stream is refused', async () => {
    const signed = await signedToTheHead('notification');
    const nc = await connect({ servers: natsServers(cluster.natsUrl) });
    try {
      const subject = auditCheckpointSubject('notification', demoCompany.id);
      await jetstream(nc).publish(
        subject,
        JSON.stringify({
          version: 1,
          service: 'notification',
          company_id: demoCompany.id,
          sequence: signed.length,
          hash: 'f'.repeat(64),
          signed_at: new Date().toISOString(),
          // The service's own key id, but not its signature.
          key_id: signed.checkpoint?.key_id,
          signature: Buffer.alloc(64, 7).toString('base64url'),
        }),
      );
    } finally {
      await nc.close();
    }
    const verdict = await api('GET', '/api/audit-logs/verify', ivan);
    expect(reportOf(verdict, 'notification')).toMatchObject({
      checkpoint: { status: 'signature_invalid' },
      broken: { reason: expect.stringMatching(/refused/) },
    });
  });
});
