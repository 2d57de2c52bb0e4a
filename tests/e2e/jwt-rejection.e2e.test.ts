import { randomUUID } from 'node:crypto';
import {
  base64url,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kekFromBase64, unsealPrivateKey } from '../../services/gateway/src/domain/key-sealing.js';
import { runNpmScript } from '../support/run-script.js';
import {
  DATABASE_URL,
  eventually,
  gatewayUrl,
  login,
  ports,
  TestCluster,
} from '../support/test-cluster.js';

let cluster: TestCluster;
let grace: string;
/** The claims of a real token, to copy into crafted ones. */
let claims: JWTPayload;
/** The key the gateway signs with right now, read from its table. */
let realKey: { kid: string; privateJwk: JWK; publicJwk: JWK };

beforeAll(async () => {
  cluster = await TestCluster.start({
    // Rotation test: replicas reload keys every second; services trust a JWKS for 2 s.
    SIGNING_KEY_RELOAD_SECONDS: '1',
    JWKS_CACHE_SECONDS: '2',
    // The rotation test signs in every 50 ms until the new key signs; that is no guessing.
    AUTH_ATTEMPTS_IP_PER_WINDOW: '100000',
    AUTH_ATTEMPTS_ACCOUNT_PER_WINDOW: '100000',
  });
  grace = await login('grace');
  claims = decodeJwt(grace);
  const { rows } = await cluster.db.query<{
    kid: string;
    sealed_private_key: string;
    kek_id: string;
    public_jwk: JWK;
  }>('select kid, sealed_private_key, kek_id, public_jwk from identity.signing_key');
  const [row] = rows;
  if (!row || rows.length !== 1) throw new Error('expected exactly one signing key');
  // Sealed at rest: opened with the gateway's KEK, as a thief would need to.
  const keks = { current: kekFromBase64(cluster.signingKeyKek), previous: [] };
  const privateJwk = unsealPrivateKey(row.sealed_private_key, row.kid, row.kek_id, keks);
  realKey = { kid: row.kid, privateJwk, publicJwk: row.public_jwk };
});
afterAll(async () => cluster?.stop());

/** Where a token is presented: through the gateway, and straight to a service. */
const doors = {
  gateway: `${gatewayUrl}/api/expenses`,
  'expense service': `http://127.0.0.1:${ports.expense}/expenses`,
  'notification service': `http://127.0.0.1:${ports.notification}/notifications`,
};

async function present(url: string, token: string) {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text },
  };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Signs `payload` with the real key (or another), the header left for the case to shape. */
async function signed(
  payload: JWTPayload,
  options: { key?: JWK; header?: Record<string, unknown> } = {},
): Promise<string> {
  const key = await importJWK(options.key ?? realKey.privateJwk, 'EdDSA');
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: realKey.kid, ...options.header })
    .sign(key);
}

const fresh = () => ({ ...claims, iat: nowSeconds(), exp: nowSeconds() + 600 });
const encodeJson = (value: unknown) => base64url.encode(JSON.stringify(value));

/** Each refused token, built fresh for the test. */
const refusedTokens: Record<string, () => Promise<string>> = {
  'alg none (unsigned)': async () =>
    `${encodeJson({ alg: 'none', typ: 'JWT', kid: realKey.kid })}.${encodeJson(fresh())}.`,
  'HS256 with the public key bytes as the HMAC secret': async () =>
    new SignJWT(fresh())
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: realKey.kid })
      .sign(base64url.decode(String(realKey.publicJwk.x))),
  'HS256 with the public JWK text as the HMAC secret': async () =>
    new SignJWT(fresh())
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: realKey.kid })
      .sign(new TextEncoder().encode(JSON.stringify(realKey.publicJwk))),
  expired: async () => signed({ ...claims, iat: nowSeconds() - 1200, exp: nowSeconds() - 600 }),
  'not valid before a future nbf': async () => signed({ ...fresh(), nbf: nowSeconds() + 600 }),
  'wrong audience': async () => signed({ ...fresh(), aud: 'some-other-api' }),
  'wrong issuer': async () => signed({ ...fresh(), iss: 'https://evil.example' }),
  'unknown kid': async () => signed(fresh(), { header: { kid: randomUUID() } }),
  'no kid': async () => {
    const key = await importJWK(realKey.privateJwk, 'EdDSA');
    return new SignJWT(fresh()).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' }).sign(key);
  },
  'payload tampered (role changed to admin), signature kept': async () => {
    const [header, , signature] = grace.split('.');
    return `${header}.${encodeJson({ ...claims, role: 'admin' })}.${signature}`;
  },
  'missing exp': async () => {
    const { exp: _dropped, ...withoutExp } = fresh();
    return signed(withoutExp);
  },
  'another Ed25519 key claiming the real kid': async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    return signed(fresh(), { key: await exportJWK(privateKey) });
  },
};

describe('a well-formed token is accepted everywhere (the suite can fail)', () => {
  it.each(Object.entries(doors))(
    '%s accepts the gateway’s token and one crafted with the real key',
    async (_, url) => {
      expect((await present(url, grace)).status).toBe(200);
      expect((await present(url, await signed(fresh()))).status).toBe(200);
    },
  );
});

describe('JWT rejection: 401 problem+json at the gateway and at each service', () => {
  const cases = Object.keys(refusedTokens).flatMap((name) =>
    Object.keys(doors).map((door) => [name, door] as const),
  );
  it.each(cases)('%s → 401 at the %s', async (name, door) => {
    const token = await refusedTokens[name]?.();
    if (!token) throw new Error(`no token for ${name}`);
    const answer = await present(doors[door as keyof typeof doors], token);
    expect(answer.status).toBe(401);
    expect(answer.contentType).toContain('application/problem+json');
    expect(answer.body).toMatchObject({ status: 401, title: 'Unauthorized' });
  });
});

describe('signing-key rotation', () => {
  const jwksKids = async (): Promise<string[]> => {
    const response = await fetch(`${gatewayUrl}/.well-known/jwks.json`);
    const body = (await response.json()) as { keys: { kid: string }[] };
    return body.keys.map((k) => k.kid);
  };
  const kidOf = (token: string) => decodeProtectedHeader(token).kid;
  const rotate = (args: string[], leadSeconds: number) =>
    runNpmScript('keys:rotate', args, {
      DATABASE_URL,
      SIGNING_KEY_KEK: cluster.signingKeyKek,
      SIGNING_KEY_PUBLISH_LEAD_SECONDS: String(leadSeconds),
    });
  const statusEverywhere = async (token: string) =>
    Promise.all(Object.values(doors).map(async (url) => (await present(url, token)).status));

  it('publishes before signing, keeps the previous key; an incident withdraws every earlier key', async () => {
    const first = realKey.kid;
    const oldToken = await login('grace');
    expect(kidOf(oldToken)).toBe(first);

    // Rotation 1, with a publish lead: the new key is served before anything is signed with it.
    const out = JSON.parse(await rotate([], 8)) as { added: string; signs_from: string };
    const second = out.added;
    await eventually(async () => ((await jwksKids()).includes(second) ? true : undefined));
    expect((await jwksKids()).sort()).toEqual([first, second].sort());
    if (Date.now() < Date.parse(out.signs_from) - 1000) {
      expect(kidOf(await login('grace'))).toBe(first);
    }
    const newToken = await eventually(async () => {
      const token = await login('grace');
      return kidOf(token) === second ? token : undefined;
    }, 30_000);
    expect(await statusEverywhere(newToken)).toEqual([200, 200, 200]);
    // Signed before the rotation: its key is now the previous one, still published.
    expect(await statusEverywhere(oldToken)).toEqual([200, 200, 200]);

    // Rotation 2, at once (an incident): every earlier key is withdrawn, the one that
    // signed until now included, and the JWKS holds the new key alone.
    const third = (JSON.parse(await rotate(['--now'], 8)) as { added: string }).added;
    await eventually(async () => ((await jwksKids()).includes(third) ? true : undefined));
    await eventually(async () => ((await jwksKids()).length === 1 ? true : undefined));
    expect(await jwksKids()).toEqual([third]);
    for (const token of [oldToken, newToken]) {
      await eventually(async () => {
        const statuses = await statusEverywhere(token);
        return statuses.every((s) => s === 401) ? true : undefined;
      }, 30_000);
    }
    const thirdToken = await login('grace');
    expect(kidOf(thirdToken)).toBe(third);
    await eventually(async () => {
      const statuses = await statusEverywhere(thirdToken);
      return statuses.every((s) => s === 200) ? true : undefined;
    }, 30_000);
    const rows = await cluster.db.query('select kid from identity.signing_key');
    expect(rows.rows.map((r: { kid: string }) => r.kid)).toEqual([third]);
  });
});
