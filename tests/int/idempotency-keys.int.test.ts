import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findKey } from '../../services/gateway/src/db/idempotency-key-queries.js';
import * as idempotencyKey from '../../services/gateway/src/db/migrations/2026-11-25T0900-idempotency-key.js';
import type { IdentityDatabase } from '../../services/gateway/src/db/types.js';
import type { IdempotencyPolicy } from '../../services/gateway/src/domain/idempotency.js';
import { claimIdempotencyKey } from '../../services/gateway/src/use-cases/claim-idempotency-key.js';
import { pruneIdempotencyKeys } from '../../services/gateway/src/use-cases/prune-idempotency-keys.js';
import { settleIdempotencyKey } from '../../services/gateway/src/use-cases/settle-idempotency-key.js';
import { freshServiceSchema } from '../support/int-database.js';

// The gateway's idempotency-key migration alone, in a schema of this test's own.
const SCHEMA = 'idempotency_key_test';
const policy: IdempotencyPolicy = { retentionMs: 24 * 3_600_000, leaseMs: 60_000 };
const company = '0197c000-0000-7000-8000-000000000001';
let db: Kysely<IdentityDatabase>;

beforeAll(async () => {
  db = await freshServiceSchema<IdentityDatabase>(
    SCHEMA,
    { '2026-11-25T0900-idempotency-key': idempotencyKey },
    {
      maxConnections: 16,
    },
  );
});
afterAll(async () => db?.destroy());

let nextKey = 1;
const scopeOf = (subject = 'user-a') => ({ companyId: company, subject, key: `k-${nextKey++}` });
const request = { method: 'POST', path: '/api/expenses', body: '{"amount":1}' };
const created = { status: 201, contentType: 'application/json', body: '{"id":"x"}' };

/** Moves a key's times back, as if `seconds` had passed. */
async function age(scope: { key: string }, seconds: number): Promise<void> {
  await sql`update ${sql.id(SCHEMA)}.idempotency_key
    set created_at = created_at - make_interval(secs => ${seconds}),
        lease_until = lease_until - make_interval(secs => ${seconds})
    where key = ${scope.key}`.execute(db);
}

describe('claiming a key against PostgreSQL', () => {
  it('gives a key to exactly one of many concurrent requests; the rest are told it is in flight', async () => {
    const scope = scopeOf();
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, () => claimIdempotencyKey(db, { scope, request, policy })),
    );
    expect(outcomes.filter((o) => o.outcome === 'claimed')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'in-flight')).toHaveLength(39);
  });

  it('replays a stored answer, and refuses the key for another request', async () => {
    const scope = scopeOf();
    const first = await claimIdempotencyKey(db, { scope, request, policy });
    if (first.outcome !== 'claimed') throw new Error(first.outcome);
    expect(
      await settleIdempotencyKey(db, { scope, claimToken: first.claimToken, response: created }),
    ).toBe(true);
    expect(await claimIdempotencyKey(db, { scope, request, policy })).toEqual({
      outcome: 'replay',
      response: created,
    });
    expect(
      await claimIdempotencyKey(db, {
        scope,
        request: { ...request, body: '{"amount":2}' },
        policy,
      }),
    ).toEqual({ outcome: 'mismatch' });
  });

  it('frees the key after a server error, so a retry runs', async () => {
    const scope = scopeOf();
    const first = await claimIdempotencyKey(db, { scope, request, policy });
    if (first.outcome !== 'claimed') throw new Error(first.outcome);
    const failed = { status: 503, contentType: 'application/problem+json', body: '{}' };
    expect(
      await settleIdempotencyKey(db, { scope, claimToken: first.claimToken, response: failed }),
    ).toBe(false);
    expect(await findKey(db, scope)).toBeUndefined();
    expect((await claimIdempotencyKey(db, { scope, request, policy })).outcome).toBe('claimed');
  });

  it('lets exactly one of several retries take over a claim whose lease ran out', async () => {
    const scope = scopeOf();
    const dead = await claimIdempotencyKey(db, { scope, request, policy });
    if (dead.outcome !== 'claimed') throw new Error(dead.outcome);
    await age(scope, 61);
    const retries = await Promise.all(
      Array.from({ length: 10 }, () => claimIdempotencyKey(db, { scope, request, policy })),
    );
    const winners = retries.filter((o) => o.outcome === 'claimed');
    expect(winners).toHaveLength(1);
    expect(retries.filter((o) => o.outcome === 'in-flight')).toHaveLength(9);
    // The dead request's late answer is not stored over the new claim's.
    expect(
      await settleIdempotencyKey(db, { scope, claimToken: dead.claimToken, response: created }),
    ).toBe(false);
    expect((await findKey(db, scope))?.record.response).toBeNull();
  });

  it('treats a key older than the retention as new, for any request', async () => {
    const scope = scopeOf();
    const first = await claimIdempotencyKey(db, { scope, request, policy });
    if (first.outcome !== 'claimed') throw new Error(first.outcome);
    await settleIdempotencyKey(db, { scope, claimToken: first.claimToken, response: created });
    await age(scope, 24 * 3600 + 1);
    const other = { ...request, body: '{"amount":3}' };
    expect((await claimIdempotencyKey(db, { scope, request: other, policy })).outcome).toBe(
      'claimed',
    );
  });

  it('keeps callers apart: the same key string is another key for another subject', async () => {
    const mine = scopeOf('user-a');
    const theirs = { ...mine, subject: 'user-b' };
    expect((await claimIdempotencyKey(db, { scope: mine, request, policy })).outcome).toBe(
      'claimed',
    );
    expect((await claimIdempotencyKey(db, { scope: theirs, request, policy })).outcome).toBe(
      'claimed',
    );
    const otherCompany = { ...mine, companyId: '0197c000-0000-7000-8000-000000000002' };
    expect((await claimIdempotencyKey(db, { scope: otherCompany, request, policy })).outcome).toBe(
      'claimed',
    );
  });
});

describe('pruning keys', () => {
  it('deletes only keys past the retention, each once when replicas sweep together', async () => {
    await sql`delete from ${sql.id(SCHEMA)}.idempotency_key`.execute(db);
    // 2,500 keys from a day ago (more than two prune batches) and a few fresh ones.
    await sql`insert into ${sql.id(SCHEMA)}.idempotency_key
        (company_id, subject, key, method, path, fingerprint, claim_token, created_at, lease_until)
      select ${company}, 'sweeper', 'old-' || n, 'POST', '/api/expenses', 'fp', gen_random_uuid(),
        now() - interval '25 hours', null
      from generate_series(1, 2500) n`.execute(db);
    const fresh = Array.from({ length: 5 }, () => scopeOf('sweeper'));
    for (const scope of fresh) await claimIdempotencyKey(db, { scope, request, policy });
    const counts = await Promise.all([
      pruneIdempotencyKeys(db, policy.retentionMs),
      pruneIdempotencyKeys(db, policy.retentionMs),
      pruneIdempotencyKeys(db, policy.retentionMs),
    ]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(2500);
    const left = await db.selectFrom('idempotency_key').select('key').execute();
    expect(left.map((r) => r.key).sort()).toEqual(fresh.map((s) => s.key).sort());
  });
});
