import { Hono } from 'hono';
import {
  type CryptoKey,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../errors.js';
import {
  type AuthVariables,
  createTokenVerifier,
  requireAuth,
  type TokenVerifier,
} from './auth.js';
import { RevocationList } from './revocation-list.js';

const issuer = 'countersign-gateway';
const audience = 'countersign-api';
const kid = 'key-1';
let privateKey: CryptoKey;
let verify: TokenVerifier;
let publicJwk: JWK;

beforeAll(async () => {
  const pair = await generateKeyPair('EdDSA', { extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  // One key in the set: jose alone would pick it for a token without a kid.
  verify = createTokenVerifier({
    keys: createLocalJWKSet({ keys: [publicJwk] }),
    issuer,
    audience,
  });
});

const claims = {
  company_id: '0197a000-0000-7000-8000-000000000001',
  role: 'employee',
  name: 'Grace Taylor',
  email: 'grace@techcorp.example',
};
const now = () => Math.floor(Date.now() / 1000);

function token(
  payload: JWTPayload = {},
  header: { kid?: string | undefined } = { kid },
): Promise<string> {
  return new SignJWT({
    ...claims,
    sub: '0197a000-0000-7000-8000-000000000107',
    iss: issuer,
    aud: audience,
    iat: now(),
    exp: now() + 600,
    ...payload,
  })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', ...header })
    .sign(privateKey);
}

describe('token verification', () => {
  it('accepts a token with the right algorithm, kid, issuer, audience and expiry', async () => {
    expect(await verify(await token())).toMatchObject({ role: 'employee', name: 'Grace Taylor' });
  });

  it.each([
    ['no kid', () => token({}, {})],
    ['another issuer', () => token({ iss: 'someone-else' })],
    ['another audience', () => token({ aud: 'another-api' })],
    ['expired', () => token({ iat: now() - 700, exp: now() - 100 })],
    ['no exp', () => token({ exp: undefined })],
    ['not before a future time', () => token({ nbf: now() + 600 })],
    ['no sub', () => token({ sub: undefined })],
  ])('refuses a token with %s (401)', async (_, make) => {
    await expect(verify(await make())).rejects.toBeInstanceOf(UnauthorizedError);
  });
});

describe('revocations pushed to the verifier', () => {
  const withRevocations = () => {
    const revocations = new RevocationList({ retainMs: 16 * 60_000 });
    const verifyRevocable = createTokenVerifier({
      keys: createLocalJWKSet({ keys: [publicJwk] }),
      issuer,
      audience,
      revocations,
    });
    return { revocations, verify: verifyRevocable };
  };

  it("refuses a person's token issued before the revocation, even one already verified", async () => {
    const { revocations, verify } = withRevocations();
    const sub = '0197a000-0000-7000-8000-0000000001aa';
    const issued = await token({ sub, iat: Date.now() / 1000 - 5 });
    expect((await verify(issued)).sub).toBe(sub); // now cached as verified
    revocations.revokeUser(sub, Date.now());
    await expect(verify(issued)).rejects.toThrow(/revoked/);
    const after = await token({ sub, iat: Date.now() / 1000 + 1 });
    expect((await verify(after)).sub).toBe(sub);
  });

  it('refuses every token of a withdrawn key, cached or not', async () => {
    const { revocations, verify } = withRevocations();
    const cached = await token({ sub: '0197a000-0000-7000-8000-0000000001ab' });
    await verify(cached);
    revocations.withdrawKey(kid, Date.now());
    await expect(verify(cached)).rejects.toThrow(/withdrawn/);
    await expect(verify(await token())).rejects.toBeInstanceOf(UnauthorizedError);
  });
});

describe('requireAuth', () => {
  it('verifies once per request: a token an earlier middleware verified is not checked again', async () => {
    const signed = await token();
    let verifications = 0;
    const counting: TokenVerifier = (t) => {
      verifications++;
      return verify(t);
    };
    const app = new Hono<{ Variables: AuthVariables }>();
    app.use('/pre/*', async (c, next) => {
      c.set('caller', await counting(signed));
      c.set('token', signed);
      await next();
    });
    app.get('/*', requireAuth(counting), (c) => c.text(c.var.caller.name));
    const headers = { authorization: `Bearer ${signed}` };
    expect(await (await app.request('/pre/x', { headers })).text()).toBe('Grace Taylor');
    expect(verifications).toBe(1);
    expect((await app.request('/plain', { headers })).status).toBe(200);
    expect(verifications).toBe(2);
  });
});
