/**
 * Rotates the gateway's token-signing key by hand (`npm run keys:rotate`), e.g. in an
 * incident. Works against DATABASE_URL (the gateway's login, countersign_identity) while
 * gateways run: each replica picks the new key up at its next reload
 * (SIGNING_KEY_RELOAD_SECONDS). Needs the gateways' SIGNING_KEY_KEK (or _FILE) to seal it.
 *
 *   npm run keys:rotate            the new key is published at once and signs after
 *                                  SIGNING_KEY_PUBLISH_LEAD_SECONDS (no token is refused)
 *   npm run keys:rotate -- --now   the new key signs at once: for a leaked key. Services
 *                                  may refuse new tokens until they refetch the JWKS (≤ 30 s).
 *                                  Run it twice to also withdraw the leaked key, which ends
 *                                  every session it signed.
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
      }),
    );
  }
} finally {
  await db.destroy();
}
