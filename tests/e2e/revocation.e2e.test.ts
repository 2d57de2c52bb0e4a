import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNpmScript } from '../support/run-script.js';
import {
  api,
  DATABASE_URL,
  eventually,
  gatewayUrl,
  login,
  ports,
  TestCluster,
} from '../support/test-cluster.js';

// Revocations pushed over the bus (docs/ARCHITECTURE.md, "Revocation"). The cluster runs
// with the default caches (JWKS 300 s, verified tokens 60 s, key reload 30 s): without
// the push, a demoted, deactivated or withdrawn-key token keeps working until it expires
// (15 minutes), far past the deadline these tests give the push.
const PUSH_DEADLINE_MS = 10_000;

let cluster: TestCluster;
let alice: string;

beforeAll(async () => {
  cluster = await TestCluster.start({
    // Sign-ins repeat in the key test; that is no guessing.
    AUTH_ATTEMPTS_IP_PER_WINDOW: '100000',
    AUTH_ATTEMPTS_ACCOUNT_PER_WINDOW: '100000',
  });
  alice = await login('alice');
});
afterAll(async () => cluster?.stop());

const demo = (n: number) => `0197a000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const ids = { grace: demo(107), ivan: demo(109) };

/** Where a token is presented: the gateway, and each service directly (its own verifier). */
const doors = {
  gateway: `${gatewayUrl}/api/expenses`,
  expense: `http://127.0.0.1:${ports.expense}/expenses`,
  approval: `http://127.0.0.1:${ports.approval}/approvals/pending`,
  notification: `http://127.0.0.1:${ports.notification}/notifications`,
};

async function statusAt(url: string, token: string): Promise<number> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status;
}

async function statusEverywhere(token: string, urls: string[] = Object.values(doors)) {
  return Promise.all(urls.map((url) => statusAt(url, token)));
}

/** Polls until every door refuses the token, before the push deadline. */
async function refusedEverywhere(token: string, urls: string[] = Object.values(doors)) {
  return eventually(async () => {
    const statuses = await statusEverywhere(token, urls);
    return statuses.every((status) => status === 401) ? statuses : undefined;
  }, PUSH_DEADLINE_MS);
}

const secondsLeft = (token: string) => Number(decodeJwt(token).exp) - Date.now() / 1000;

describe('a demoted person', () => {
  it("loses the old role's token everywhere within seconds, even where it was verified already", async () => {
    // Ivan is an auditor: he may list the company's people (approval) and its expenses.
    const token = await login('ivan');
    const ivanDoors = [
      `${gatewayUrl}/api/users`,
      `http://127.0.0.1:${ports.approval}/users`,
      doors.expense,
    ];
    // Used right before the change: every verifier now holds it as verified.
    expect(await statusEverywhere(token, ivanDoors)).toEqual([200, 200, 200]);

    const demoted = await api('PATCH', `/api/users/${ids.ivan}`, alice, { role: 'employee' });
    expect(demoted.status).toBe(200);

    expect(await refusedEverywhere(token, ivanDoors)).toEqual([401, 401, 401]);
    expect(secondsLeft(token)).toBeGreaterThan(60); // refused long before its natural expiry

    // Signing in again gives a token with the new role: it works, within that role.
    const fresh = await login('ivan');
    expect(decodeJwt(fresh).role).toBe('employee');
    await eventually(async () =>
      (await statusAt(doors.expense, fresh)) === 200 ? true : undefined,
    );
    expect(await statusAt(`${gatewayUrl}/api/users`, fresh)).toBe(403);
  });
});

describe('a deactivated person', () => {
  it('loses every access token on the gateway and on every service within seconds', async () => {
    const token = await login('grace');
    expect(await statusEverywhere(token)).toEqual([200, 200, 200, 200]);

    const deactivated = await api('POST', `/api/users/${ids.grace}/deactivate`, alice, {});
    expect(deactivated.status).toBe(200);

    expect(await refusedEverywhere(token)).toEqual([401, 401, 401, 401]);
    expect(secondsLeft(token)).toBeGreaterThan(60);
    const again = await api('POST', '/api/auth/login', undefined, {
      email: 'grace@techcorp.example',
      password: 'countersign-demo',
    });
    expect(again.status).toBe(401);
  });
});

describe('an emergency key rotation (keys:rotate --now)', () => {
  const jwksKids = async (): Promise<string[]> => {
    const response = await fetch(`${gatewayUrl}/.well-known/jwks.json`);
    const body = (await response.json()) as { keys: { kid: string }[] };
    return body.keys.map((k) => k.kid);
  };

  it('unpublishes the leaked key and every verifier refuses its tokens within seconds', async () => {
    const leakedToken = await login('hannah');
    const leaked = String(decodeProtectedHeader(leakedToken).kid);
    expect(await jwksKids()).toContain(leaked);
    expect(await statusEverywhere(leakedToken)).toEqual([200, 200, 200, 200]);

    const out = JSON.parse(
      await runNpmScript('keys:rotate', ['--now'], {
        DATABASE_URL,
        SIGNING_KEY_KEK: cluster.signingKeyKek,
      }),
    ) as {
      added: string;
      withdrawn: string[];
    };

    expect(await refusedEverywhere(leakedToken)).toEqual([401, 401, 401, 401]);
    expect(secondsLeft(leakedToken)).toBeGreaterThan(60);
    const kids = await eventually(async () => {
      const published = await jwksKids();
      return published.includes(leaked) ? undefined : published;
    }, PUSH_DEADLINE_MS);
    expect(kids).toEqual([out.added]);
    expect(out.withdrawn).toContain(leaked);

    // Clients sign in (or refresh) again and get a token of the new key, good everywhere
    // once each service has fetched the new key (an unknown kid refetches at most every 30 s).
    const fresh = await login('hannah');
    expect(decodeProtectedHeader(fresh).kid).toBe(out.added);
    await eventually(async () => {
      const statuses = await statusEverywhere(fresh);
      return statuses.every((status) => status === 200) ? true : undefined;
    }, 45_000);
  }, 90_000);
});
