import {
  DomainError,
  type Logger,
  PROBLEM_TYPE_BASE,
  problemResponse,
  type ServiceEnv,
  UnprocessableError,
  UpstreamError,
} from '@countersign/platform';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Kysely } from 'kysely';
import type { KeyScope } from '../db/idempotency-key-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import {
  type IdempotencyPolicy,
  parseIdempotencyKey,
  type StoredResponse,
} from '../domain/idempotency.js';
import { claimIdempotencyKey } from '../use-cases/claim-idempotency-key.js';
import { settleIdempotencyKey } from '../use-cases/settle-idempotency-key.js';
import type { DocumentedRoute } from './openapi.js';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** Set on an answer sent again from storage (the name Stripe's clients already know). */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

export interface IdempotencySettings {
  db: Kysely<IdentityDatabase>;
  policy: IdempotencyPolicy;
  logger: Logger;
}

/**
 * Which routes take the header: the POSTs that create something (they answer 201). A
 * state change (approve, reject, send back, resubmit, withdraw, deactivate, revoke) is
 * guarded by the state itself, a repeat gets 409; the account routes are not creations
 * and their repeats are refused or harmless. On those the header is ignored.
 */
export function acceptsIdempotencyKey(
  route: Pick<DocumentedRoute, 'method' | 'success' | 'multipart' | 'secretInAnswer'>,
): boolean {
  // File uploads are streamed through, not held to be fingerprinted and replayed.
  // A secret shown once (a webhook's signing secret) is not kept in the gateway's store.
  return (
    route.method === 'post' &&
    route.success.status === 201 &&
    !route.multipart &&
    !route.secretInAnswer
  );
}

/**
 * Idempotent submission (draft-ietf-httpapi-idempotency-key-header) for one route, after
 * authentication: without the header nothing changes. With it, the first request claims
 * the caller's key and runs; its final answer is stored and replayed to retries of the
 * same request, a different request under the key gets 422, and a retry while the first
 * still runs gets 409. Keys and answers live in PostgreSQL, so every replica agrees.
 */
export function idempotentRequests(settings: IdempotencySettings): MiddlewareHandler<ServiceEnv> {
  return async (c, next) => {
    const header = c.req.header(IDEMPOTENCY_KEY_HEADER);
    if (header === undefined) return next();
    const parsed = parseIdempotencyKey(header);
    if (!parsed.valid) {
      throw new DomainError(
        'invalid',
        'invalid-idempotency-key',
        `${IDEMPOTENCY_KEY_HEADER}: ${parsed.reason}`,
        { title: 'Invalid Idempotency-Key' },
      );
    }
    const scope: KeyScope = {
      companyId: c.var.caller.company_id,
      subject: c.var.caller.sub,
      key: parsed.key,
    };
    const url = new URL(c.req.url);
    const request = {
      method: c.req.method,
      path: `${url.pathname}${url.search}`,
      body: await c.req.text(),
    };
    const claimed = await claimIdempotencyKey(settings.db, {
      scope,
      request,
      policy: settings.policy,
    }).catch((error: unknown) => {
      // The client asked for at-most-once: without the key store the request cannot run safely.
      settings.logger.error({ err: error }, 'idempotency key not claimed');
      throw new UpstreamError('the idempotency key could not be checked; retry with the same key');
    });
    switch (claimed.outcome) {
      case 'replay':
        return replay(c, claimed.response);
      case 'mismatch':
        throw new UnprocessableError(
          `this ${IDEMPOTENCY_KEY_HEADER} was already used for a different request (method, path or body) in the last ${settings.policy.retentionMs / 3_600_000} h; use a new key`,
          'idempotency-key-reused',
        );
      case 'in-flight':
        return problemResponse(
          c,
          {
            type: `${PROBLEM_TYPE_BASE}idempotency-key-in-flight`,
            title: 'A request with this Idempotency-Key is still being processed',
            status: 409,
            detail: `retry with the same ${IDEMPOTENCY_KEY_HEADER} after ${claimed.retryAfterSeconds} s to get its answer`,
            instance: c.req.path,
          },
          { 'retry-after': String(claimed.retryAfterSeconds) },
        );
      case 'claimed':
        await runAndSettle(c, next, settings, scope, claimed.claimToken);
        return;
    }
  };
}

async function runAndSettle(
  c: Context<ServiceEnv>,
  next: () => Promise<void>,
  settings: IdempotencySettings,
  scope: KeyScope,
  claimToken: string,
): Promise<void> {
  let response: StoredResponse = { status: 500, contentType: '', body: '' };
  try {
    // The app's onError turns a thrown error into c.res, so next() settles with an answer.
    await next();
    response = {
      status: c.res.status,
      contentType: c.res.headers.get('content-type') ?? 'application/json',
      body: c.res.status === 204 ? '' : await c.res.clone().text(),
    };
  } finally {
    await settleIdempotencyKey(settings.db, { scope, claimToken, response }).catch(
      (error: unknown) => {
        // The claim then runs out after its lease and a retry runs the request again.
        settings.logger.error(
          { err: error, status: response.status },
          'idempotency key not settled',
        );
      },
    );
  }
}

function replay(c: Context<ServiceEnv>, stored: StoredResponse): Response {
  const headers = { [REPLAYED_HEADER]: 'true' };
  if (stored.status === 204) return c.body(null, 204, headers);
  return c.body(stored.body, stored.status as ContentfulStatusCode, {
    ...headers,
    'content-type': stored.contentType,
  });
}
