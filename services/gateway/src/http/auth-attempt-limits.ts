import { EmailOnlyRequest } from '@countersign/contracts';
import { type ServiceEnv, TooManyRequestsError } from '@countersign/platform';
import type { MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import type { IdentityDatabase } from '../db/types.js';
import { consumeRateLimit } from '../use-cases/consume-rate-limit.js';
import { requestClientAddress } from './rate-limit.js';

export interface AuthAttemptLimits {
  db: Kysely<IdentityDatabase>;
  windowSeconds: number;
  /** Sign-in, sign-up and code attempts per window from one client address. */
  perAddress: number;
  /**
   * Requests per window naming one e-mail address, per route, whoever sends them; and, on
   * sign-in, failed password checks per account (see use-cases/log-in.ts).
   */
  perAccount: number;
  trustedProxies: number;
}

/**
 * Tighter limits for the routes that guess at secrets or send mail: passwords, codes,
 * registrations. The API-wide limit is sized for honest load; these are sized for a
 * person typing. Counted in PostgreSQL like the API limit, so replicas share them, and
 * counted before the attempt runs, so a refused guess is never checked.
 *
 * Per address for every route. Per named e-mail address only with `perAccountRoute`, and
 * then per route: requests naming someone on the reset or code routes must not lock that
 * person's sign-in, whose own limit counts failed password checks only (use-cases/log-in.ts).
 */
export function limitAuthAttempts(
  limits: AuthAttemptLimits,
  perAccountRoute: boolean,
): MiddlewareHandler<ServiceEnv> {
  return async (c, next) => {
    const address = requestClientAddress(c, limits.trustedProxies);
    await consume(limits, `auth:ip:${address}`, limits.perAddress);
    const email = perAccountRoute ? await emailInBody(c.req.raw.clone()) : undefined;
    if (email) await consume(limits, `auth:account:${c.req.path}:${email}`, limits.perAccount);
    await next();
  };
}

/**
 * For a signed-in route that checks a password (changing it): attempts per token subject,
 * so a stolen access token cannot be used to guess the current password at API speed.
 */
export function limitSubjectAttempts(limits: AuthAttemptLimits): MiddlewareHandler<ServiceEnv> {
  return async (c, next) => {
    await consume(limits, `auth:subject:${c.var.caller.sub}`, limits.perAccount);
    await next();
  };
}

async function consume(limits: AuthAttemptLimits, key: string, limit: number): Promise<void> {
  const verdict = await consumeRateLimit(limits.db, {
    key,
    limit,
    windowSeconds: limits.windowSeconds,
  });
  if (!verdict.allowed) {
    throw new TooManyRequestsError(
      `too many attempts; try again in ${verdict.retryAfterSeconds} s`,
      verdict.retryAfterSeconds,
    );
  }
}

/**
 * The body's `email`, if it is an address the route could take; the route itself validates
 * the body and refuses anything else with a 400. Only such an address names an account to
 * count for (and is fit for a counter's key: text with NUL cannot be stored in PostgreSQL,
 * which made such a request a 503).
 */
async function emailInBody(request: Request): Promise<string | undefined> {
  try {
    const body: unknown = await request.json();
    if (typeof body !== 'object' || body === null || !('email' in body)) return undefined;
    if (typeof body.email !== 'string') return undefined;
    const email = body.email.trim().toLowerCase();
    return EmailOnlyRequest.shape.email.safeParse(email).success ? email : undefined;
  } catch {
    return undefined;
  }
}
