import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceName, spawnService, stopProcess, waitReady } from '../../scripts/cluster.js';
import { kekFromBase64, unsealPrivateKey } from '../../services/gateway/src/domain/key-sealing.js';
import {
  api,
  DATABASE_URL,
  eventually,
  login,
  ports,
  TestCluster,
} from '../support/test-cluster.js';

/**
 * Issue 14, item 2: each service logs in to PostgreSQL as its own role, which can read no
 * other service's schema and cannot become the owner (RESET ROLE leaves it itself), and the
 * token-signing keys are sealed at rest with a KEK the database never sees.
 *
 * The logins are found the way an attacker in a service would meet them: as the user of
 * the service's own pool connections (pg_stat_activity). PostgreSQL here trusts loopback,
 * so the test connects as that user without its password.
 */
const services: { name: ServiceName; schema: string }[] = [
  { name: 'gateway', schema: 'identity' },
  { name: 'expense', schema: 'expense' },
  { name: 'approval', schema: 'approval' },
  { name: 'notification', schema: 'notification' },
];

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await TestCluster.start();
});
afterAll(async () => cluster?.stop());

/** The user the service's pool logs in as (application_name countersign-<schema>). */
async function poolLogin(schema: string): Promise<string[]> {
  const { rows } = await cluster.db.query<{ usename: string }>(
    `select distinct usename from pg_stat_activity
      where datname = current_database() and application_name = $1`,
    [`countersign-${schema}`],
  );
  return rows.map((row) => row.usename);
}

async function asUser<T>(user: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(DATABASE_URL);
  url.username = user;
  url.password = '';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

describe('each service logs in as its own role', () => {
  it.each(services)(
    '$name: a login of its own, no superuser, not the owner',
    async ({ schema }) => {
      // A request through every service makes sure each pool holds connections.
      await login('grace');
      const users = await eventually(async () => {
        const found = await poolLogin(schema);
        return found.length > 0 ? found : undefined;
      });
      expect(users).toEqual([`countersign_${schema}`]);
      const { rows } = await cluster.db.query<{ superuser: boolean; owner: boolean }>(
        `select r.rolsuper as superuser, pg_has_role(r.oid, n.nspowner, 'MEMBER') as owner
         from pg_roles r, pg_namespace n where r.rolname = $1 and n.nspname = $2`,
        [users[0], schema],
      );
      expect(rows[0]).toEqual({ superuser: false, owner: false });
    },
  );

  it.each(services)('$name: reads its own schema and no other one', async ({ schema }) => {
    const [user] = await poolLogin(schema);
    await asUser(user ?? 'missing', async (client) => {
      await expect(client.query(`select count(*) from "${schema}".outbox`)).resolves.toBeTruthy();
      for (const other of services.filter((s) => s.schema !== schema)) {
        await expect(
          client.query(`select * from "${other.schema}".outbox limit 1`),
        ).rejects.toThrow(/permission denied/);
      }
    });
  });

  it.each(services)(
    '$name: cannot SET ROLE to the owner; RESET ROLE leaves it itself',
    async ({ schema }) => {
      const [user] = await poolLogin(schema);
      await asUser(user ?? 'missing', async (client) => {
        const owner = await client.query<{ owner: string }>(
          'select nspowner::regrole::text as owner from pg_namespace where nspname = $1',
          [schema],
        );
        for (const target of [owner.rows[0]?.owner ?? 'countersign_migrator', 'postgres']) {
          await expect(client.query(`set role "${target}"`)).rejects.toThrow(/permission denied/);
          await expect(client.query(`set session authorization "${target}"`)).rejects.toThrow(
            /permission denied/,
          );
        }
        await client.query('reset role');
        const who = await client.query<{ current: string; session: string }>(
          'select current_user as current, session_user as session',
        );
        expect(who.rows[0]).toEqual({ current: user, session: user });
        await expect(client.query('create schema intruder')).rejects.toThrow(/permission denied/);
        await expect(client.query('create role intruder')).rejects.toThrow(/permission denied/);
      });
    },
  );
});

describe('signing keys at rest', () => {
  it('no row holds a private key in plaintext', async () => {
    const { rows } = await cluster.db.query<{ row: Record<string, unknown> }>(
      'select to_jsonb(k) as row from identity.signing_key k',
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const { row } of rows) {
      expect(row.private_jwk ?? null).toBeNull();
      // An Ed25519 private JWK is the only thing with a "d" member.
      expect(JSON.stringify(row)).not.toMatch(/"d"\s*:/);
    }
  });

  it('the gateway still signs, and verifies earlier tokens, after a restart', async () => {
    const before = await login('grace');
    await restartGateway();
    expect((await api('GET', '/api/expenses', before)).status).toBe(200);
    const after = await login('grace');
    expect((await api('GET', '/api/expenses', after)).status).toBe(200);
    const direct = await fetch(`http://127.0.0.1:${ports.expense}/expenses`, {
      headers: { authorization: `Bearer ${after}` },
    });
    expect(direct.status).toBe(200);
  });

  it('a key left in plaintext by an earlier version is sealed at the next start', async () => {
    const keks = { current: kekFromBase64(cluster.signingKeyKek), previous: [] };
    const { rows } = await cluster.db.query<{ kid: string; sealed: string; kek_id: string }>(
      'select kid, sealed_private_key as sealed, kek_id from identity.signing_key',
    );
    for (const row of rows) {
      const jwk = unsealPrivateKey(row.sealed, row.kid, row.kek_id, keks);
      await cluster.db.query(
        `update identity.signing_key
            set private_jwk = $2, sealed_private_key = null, kek_id = null where kid = $1`,
        [row.kid, JSON.stringify(jwk)],
      );
    }
    const before = await login('grace');
    await restartGateway();
    const after = await cluster.db.query<{ plain: number }>(
      'select count(*)::int as plain from identity.signing_key where private_jwk is not null',
    );
    expect(after.rows[0]?.plain).toBe(0);
    expect((await api('GET', '/api/expenses', before)).status).toBe(200);
  });

  it('a wrong KEK stops the gateway with a message naming the KEK', async () => {
    const run = await runGateway({ SIGNING_KEY_KEK: randomBytes(32).toString('base64') });
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/sealed with KEK [0-9a-f]{16}, but SIGNING_KEY_KEK is [0-9a-f]{16}/);
  });

  it('no KEK at all stops the gateway', async () => {
    const run = await runGateway({ SIGNING_KEY_KEK: '' });
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/SIGNING_KEY_KEK \(or SIGNING_KEY_KEK_FILE\) is required/);
  });

  it('a KEK rotation reseals every key under the new KEK (old one given as previous)', async () => {
    const old = cluster.envOf('gateway').SIGNING_KEY_KEK ?? '';
    const fresh = randomBytes(32).toString('base64');
    const kekIds = async () =>
      (
        await cluster.db.query<{ kek_id: string }>(
          'select distinct kek_id from identity.signing_key',
        )
      ).rows.map((row) => row.kek_id);
    const [oldId] = await kekIds();
    const replica = spawnService(
      'gateway',
      {
        ...cluster.envOf('gateway'),
        PORT: String(ports.gateway + 7),
        SIGNING_KEY_KEK: fresh,
        SIGNING_KEY_KEK_PREVIOUS: old,
      },
      'inherit',
    );
    try {
      await waitReady(replica, `http://127.0.0.1:${ports.gateway + 7}`);
      const ids = await kekIds();
      expect(ids).toHaveLength(1);
      expect(ids[0]).not.toBe(oldId);
    } finally {
      await stopProcess(replica);
    }
  });
});

async function restartGateway(): Promise<void> {
  const gateway = cluster.children.get('gateway');
  if (gateway) await stopProcess(gateway);
  await cluster.startService('gateway');
}

/**
 * Starts a gateway on a spare port with `env` over the cluster's settings and waits for it
 * to exit (or, a failure here, to become ready): its exit code and everything it printed.
 */
async function runGateway(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const port = ports.gateway + 5;
  const child: ChildProcess = spawnService(
    'gateway',
    { ...cluster.envOf('gateway'), ...env, PORT: String(port) },
    'pipe',
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const ready = waitReady(child, `http://127.0.0.1:${port}`, 60_000).then(
    () => 'ready' as const,
    () => 'not ready' as const,
  );
  const first = await Promise.race([exited, ready]);
  if (first === 'ready') {
    await stopProcess(child);
    return { code: 0, output: `${output}\n(the gateway started and served)` };
  }
  return { code: await exited, output };
}
