import { EventCatalogue, type UserSnapshot } from '@countersign/contracts';
import { newEvent } from '@countersign/platform';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuTicks, TICK_MS } from '../../scripts/bench/proc-cpu.js';
import { parseExposition, sampleValue } from '../support/prometheus-text.js';
import {
  type ApiResponse,
  api,
  eventually,
  gatewayUrl,
  login,
  NATS_URL,
  TestCluster,
} from '../support/test-cluster.js';

// Issue 14, item 4: accounts abused by third parties. Low limits so each abuse shows in a
// few requests; TRUST_PROXY=1 lets the test speak from several client addresses.
const MAX_FAILURES = 3;
let cluster: TestCluster;
let nc: NatsConnection;

beforeAll(async () => {
  cluster = await TestCluster.start({
    AUTH_ATTEMPTS_ACCOUNT_PER_WINDOW: String(MAX_FAILURES),
    RATE_LIMIT_WINDOW_SECONDS: '600',
    TRUST_PROXY: 'true',
    INVITATIONS_PER_COMPANY_PER_DAY: '2',
    SIGNING_KEY_RELOAD_SECONDS: '1',
  });
  nc = await connect({ servers: NATS_URL });
});
afterAll(async () => {
  await nc?.close();
  await cluster?.stop();
});

const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1] ?? '';
const count = async (sql: string, params: unknown[] = []) =>
  Number((await cluster.db.query<{ n: string }>(sql, params)).rows[0]?.n ?? 0);

/** A POST from a given client address (the one proxy the gateway trusts appended it). */
async function postFrom(address: string, path: string, body: unknown): Promise<ApiResponse> {
  const response = await fetch(`${gatewayUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: text.startsWith('{') ? JSON.parse(text) : { text },
  };
}
const signIn = (address: string, email: string, password: string) =>
  postFrom(address, '/api/auth/login', { email, password });

describe('sign-in lockout', () => {
  it('requests naming a victim on the reset and code routes do not lock their sign-in', async () => {
    const victim = 'grace@techcorp.example';
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const attacker = `203.0.113.${i + 1}`;
      for (const path of [
        '/api/auth/password-reset/request',
        '/api/auth/resend-code',
        '/api/auth/verify-email',
        '/api/auth/password-reset/confirm',
      ]) {
        const body = { email: victim, code: '000000', password: 'x', new_password: 'y' };
        statuses.push((await postFrom(attacker, path, body)).status);
      }
    }
    // The flood was refused on those routes...
    expect(statuses).toContain(429);
    // ...and the victim signs in from an address they never used.
    expect((await signIn('198.51.100.20', victim, 'countersign-demo')).status).toBe(200);
  });

  it('counts failed password checks only, and lets an address with a good record through', async () => {
    const owner = 'frank@techcorp.example';
    const home = '198.51.100.7';
    expect((await signIn(home, owner, 'countersign-demo')).status).toBe(200);
    // A stranger guesses from elsewhere: MAX_FAILURES wrong passwords, then refused.
    const stranger = '203.0.113.200';
    for (let i = 0; i < MAX_FAILURES; i++) {
      expect((await signIn(stranger, owner, `guess number ${i}`)).status).toBe(401);
    }
    const locked = await signIn(stranger, owner, 'countersign-demo');
    expect(locked.status).toBe(429);
    expect(locked.contentType).toContain('application/problem+json');
    // A new address is locked out too, even with the right password...
    expect((await signIn('203.0.113.201', owner, 'countersign-demo')).status).toBe(429);
    // ...but the owner at home is let through.
    expect((await signIn(home, owner, 'countersign-demo')).status).toBe(200);
    // Refused attempts did not count: the lock is exactly the failed checks.
    expect(
      await count(
        'select coalesce(sum(hits), 0) n from identity.rate_limit_counter where key = $1',
        [`login:failed:${owner}`],
      ),
    ).toBe(MAX_FAILURES);
  });

  it('limits failed checks from a known address too', async () => {
    const owner = 'eve@techcorp.example';
    const home = '198.51.100.8';
    expect((await signIn(home, owner, 'countersign-demo')).status).toBe(200);
    for (let i = 0; i < MAX_FAILURES; i++) {
      expect((await signIn(home, owner, `wrong ${i}`)).status).toBe(401);
    }
    expect((await signIn(home, owner, 'countersign-demo')).status).toBe(429);
  });
});

describe('registrations nobody verified', () => {
  const techcorp = '0197a000-0000-7000-8000-000000000001';
  const invitee: UserSnapshot = {
    user_id: '0197a000-0000-7000-8000-00000000f101',
    email: 'wanted@squatted.example',
    name: 'Wanda Wanted',
    role: 'employee',
    team_id: '0197a000-0000-7000-8000-000000000002',
    level_id: '0197a000-0000-7000-8000-000000000307',
    manager_id: '0197a000-0000-7000-8000-000000000106',
    active: true,
    revision: 1,
  };

  it('give way to an invitation, after which the invitee joins and can reset a password', async () => {
    const squat = await api('POST', '/api/auth/register', undefined, {
      company_name: 'Squatters',
      name: 'Mallory',
      email: invitee.email,
      password: 'mallory knows this',
    });
    expect(squat.status).toBe(202);
    await cluster.waitForMail(invitee.email, /verification code/);
    const before = cluster.mail.length;
    const event = newEvent('UserAdded', {
      companyId: techcorp,
      // An admin of the company invites (the gateway refuses an invitation by anyone else).
      actor: { kind: 'user', id: '0197a000-0000-7000-8000-000000000101' },
      subject: invitee.user_id,
      data: { user: invitee, invited: true },
    });
    await jetstream(nc).publish(EventCatalogue.UserAdded.subject, JSON.stringify(event), {
      msgID: event.id,
    });
    const invitation = await cluster.waitForMail(invitee.email, /invited/, before);
    const joined = await api('POST', '/api/auth/register', undefined, {
      email: invitee.email,
      invitation_code: codeIn(invitation.text),
      password: 'wanda picks a passphrase',
    });
    expect(joined.status).toBe(201);
    const resetAt = cluster.mail.length;
    await api('POST', '/api/auth/password-reset/request', undefined, { email: invitee.email });
    const reset = await cluster.waitForMail(invitee.email, /reset code/, resetAt);
    const confirmed = await api('POST', '/api/auth/password-reset/confirm', undefined, {
      email: invitee.email,
      code: codeIn(reset.subject),
      new_password: 'wanda chose another one',
    });
    expect(confirmed.status).toBe(204);
  });

  it('expire after 24 hours: the address is free again', async () => {
    const email = 'forgotten@expiry.example';
    await api('POST', '/api/auth/register', undefined, {
      company_name: 'Never Verified',
      name: 'Nobody',
      email,
      password: 'nobody verifies this',
    });
    await cluster.waitForMail(email, /verification code/);
    await cluster.db.query(
      "update identity.registration set created_at = now() - interval '24 hours 1 minute' where user_id = (select user_id from identity.credential where email = $1)",
      [email],
    );
    await eventually(async () =>
      (await count('select count(*) n from identity.credential where email = $1', [email])) === 0
        ? true
        : undefined,
    );
  });
});

describe('invitation quota', () => {
  it('lets a company invite its daily quota, then answers 429 with Retry-After', async () => {
    const alice = await login('alice');
    const person = (n: number) => ({
      email: `quota-${n}@techcorp.example`,
      name: `Quota Person ${n}`,
      role: 'employee',
      team_id: '0197a000-0000-7000-8000-000000000002',
      level_id: '0197a000-0000-7000-8000-000000000307',
    });
    // A refused request (400) does not use up the quota.
    expect((await api('POST', '/api/users', alice, { ...person(0), role: 'emperor' })).status).toBe(
      400,
    );
    expect((await api('POST', '/api/users', alice, person(1))).status).toBe(201);
    expect((await api('POST', '/api/users', alice, person(2))).status).toBe(201);
    const response = await fetch(`${gatewayUrl}/api/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
      body: JSON.stringify(person(3)),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(response.headers.get('retry-after'))).toBeLessThanOrEqual(86_400);
    // An address change e-mails the new address, so it counts too.
    const users = await api('GET', '/api/users?limit=1', alice);
    const someone = String(users.body.items?.[0]?.id);
    expect(
      (await api('PATCH', `/api/users/${someone}`, alice, { email: 'moved@techcorp.example' }))
        .status,
    ).toBe(429);
  });
});

describe('password hashing', () => {
  /** argon2 work the gateway started, from its /metrics. */
  async function passwordWork(): Promise<number> {
    const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
    const samples = parseExposition(text);
    const name = 'countersign_password_work_total';
    return (
      sampleValue(samples, name, { work: 'hash' }) + sampleValue(samples, name, { work: 'verify' })
    );
  }

  it('a wrong code on the reset and invitation routes never reaches the hash', async () => {
    const [gateway] = cluster.replicaPids('gateway');
    if (gateway === undefined) throw new Error('no gateway process');
    const ROUNDS = 25;
    const cpuMsOf = async (send: (i: number) => Promise<ApiResponse[]>) => {
      const before = cpuTicks(gateway) ?? 0;
      const statuses: number[] = [];
      for (let i = 0; i < ROUNDS; i++) statuses.push(...(await send(i)).map((a) => a.status));
      // Refused as wrong codes, not by a rate limit (which would also skip the hash).
      expect(new Set(statuses)).toEqual(new Set([400]));
      return ((cpuTicks(gateway) ?? 0) - before) * TICK_MS;
    };
    const body = { code: '123456', password: 'a long enough passphrase' };
    // Control: requests of the same shape that never hashed (a code for an unknown address).
    const control = await cpuMsOf((i) =>
      Promise.all([
        postFrom(`198.18.0.${i + 1}`, '/api/auth/verify-email', {
          ...body,
          email: `control-${i}@nohash.example`,
        }),
        postFrom(`198.18.1.${i + 1}`, '/api/auth/verify-email', {
          ...body,
          email: `control-${i}@nohash-too.example`,
        }),
      ]),
    );
    const wrongCodes = await cpuMsOf((i) =>
      Promise.all([
        postFrom(`192.0.2.${i + 1}`, '/api/auth/password-reset/confirm', {
          email: `reset-${i}@nohash.example`,
          code: body.code,
          new_password: body.password,
        }),
        postFrom(`192.0.3.${i + 1}`, '/api/auth/register', {
          email: `join-${i}@nohash.example`,
          invitation_code: body.code,
          password: body.password,
        }),
      ]),
    );
    // The gateway's CPU time (not wall time): an argon2 hash costs it ~30 ms, so hashing
    // each of these 50 requests would add ~1.5 s over the control; allow half of that.
    expect(wrongCodes - control).toBeLessThan(2 * ROUNDS * 15);
    const before = await passwordWork();
    await postFrom('192.0.2.200', '/api/auth/password-reset/confirm', {
      email: 'one-more@nohash.example',
      code: '654321',
      new_password: 'a long enough passphrase',
    });
    expect(await passwordWork()).toBe(before);
  });
});
