/**
 * Rotates the gateway's token-signing key by hand (`npm run keys:rotate`), e.g. in an
 * incident. Works against DATABASE_URL (the gateway's login, countersign_identity) while
 * gateways run: each replica picks the new key up at its next reload
 * (SIGNING_KEY_RELOAD_SECONDS). Needs the gateways' SIGNING_KEY_KEK (or _FILE) to seal it.
 *
 *   npm run keys:rotate            the new key is published at once and signs after
 *                                  SIGNING_KEY_PUBLISH_LEAD_SECONDS (no token is refused)
 *   npm run keys:rotate -- --now   for a leaked key: the new key signs at once and every
 *                                  earlier key is withdrawn. A SigningKeyWithdrawn event per
 *                                  key goes out through the gateway's outbox (a running
 *                                  gateway relays it within a second): every gateway replica
 *                                  drops the key from its JWKS and every service refuses its
 *                                  tokens, cached ones too, within seconds. Access tokens it
 *                                  signed end; refresh tokens are not signed and stay good, so
 *                                  clients refresh. Services may refuse the new key's tokens
 *                                  until they refetch the JWKS (≤ 30 s).
 */
import { createDatabase } from '@countersign/platform';
import { config, signingKeks } from '../services/gateway/src/config.js';
import type { IdentityDatabase } from '../services/gateway/src/db/types.js';
import { rotateSigningKey } from '../services/gateway/src/use-cases/rotate-signing-key.js';

const SCHEMA = 'identity';
const immediate = process.argv.includes('--now');
const keks = signingKeks(config);

const db = createDatabase<IdentityDatabase>({
  url: config.DATABASE_URL,
  schema: SCHEMA,
  maxConnections: 1,
});
try {
  const outcome = await rotateSigningKey(db, {
    now: () => new Date(),
    policy: {
      maxAgeMs: config.SIGNING_KEY_ROTATION_HOURS * 3_600_000,
      publishLeadMs: config.SIGNING_KEY_PUBLISH_LEAD_SECONDS * 1000,
      tokenLifetimeMs: config.ACCESS_TOKEN_TTL_SECONDS * 1000,
    },
    mode: immediate ? 'immediate' : 'manual',
    keks,
  });
  if (!outcome.added) {
    console.error(`not rotated: ${outcome.skipped ?? 'nothing to do'}; add --now to force it`);
    process.exitCode = 1;
  } else {
    console.log(
      JSON.stringify({
        added: outcome.added.kid,
        signs_from: outcome.added.activatesAt.toISOString(),
        retired: outcome.retired,
        withdrawn: outcome.withdrawn,
      }),
    );
  }
} finally {
  await db.destroy();
}
