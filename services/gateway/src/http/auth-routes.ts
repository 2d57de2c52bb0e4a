import {
  AcceptedResponse,
  AcceptInvitationRequest,
  ChangePasswordRequest,
  EmailOnlyRequest,
  LoginRequest,
  LoginResponse,
  MyProfile,
  RefreshRequest,
  RegisterCompanyRequest,
  RegisterRequest,
  RegisterResponse,
  ResetPasswordRequest,
  VerifyEmailRequest,
} from '@countersign/contracts';
import {
  readJsonBody,
  requireAuth,
  requirePermission,
  type ServiceEnv,
  type TokenVerifier,
} from '@countersign/platform';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { IdentityDatabase } from '../db/types.js';
import type { PasswordHasher } from '../domain/password-hashing.js';
import { acceptInvitation } from '../use-cases/accept-invitation.js';
import { changePassword } from '../use-cases/change-password.js';
import { logIn } from '../use-cases/log-in.js';
import { logOut } from '../use-cases/log-out.js';
import { refreshSession } from '../use-cases/refresh-session.js';
import { registerCompany } from '../use-cases/register-company.js';
import { requestPasswordReset } from '../use-cases/request-password-reset.js';
import { resendVerificationCode } from '../use-cases/resend-verification-code.js';
import { resetPassword } from '../use-cases/reset-password.js';
import type { SessionDeps } from '../use-cases/start-session.js';
import { verifyEmail } from '../use-cases/verify-email.js';
import {
  type AuthAttemptLimits,
  limitAuthAttempts,
  limitSubjectAttempts,
} from './auth-attempt-limits.js';
import type { DocumentedRoute } from './openapi.js';
import { requestClientAddress } from './rate-limit.js';

/**
 * Routes that check a password or a code, or send mail: limited per client address, and
 * per e-mail address named (each route counting its own). Sign-in counts failed password
 * checks per account instead (use-cases/log-in.ts), so naming a victim elsewhere never
 * locks their sign-in.
 */
const attemptRoutes = [
  '/api/auth/register',
  '/api/auth/verify-email',
  '/api/auth/resend-code',
  '/api/auth/password-reset/request',
  '/api/auth/password-reset/confirm',
];
const signInRoute = '/api/auth/login';

export interface AuthRouteDeps {
  db: Kysely<IdentityDatabase>;
  attemptLimits: AuthAttemptLimits;
  session: SessionDeps;
  /** argon2 behind the shared concurrency limit. */
  passwords: PasswordHasher;
  verifyToken: TokenVerifier;
  /** Wakes the mail relay after a transaction that queued mail has committed. */
  mailQueued: () => void;
  /** Wakes the sender of requested codes (reset, resend) after one was queued. */
  codeRequested: () => void;
}

/** Account routes the gateway answers itself: identity is the gateway's own data. */
export function mountAuthRoutes(app: Hono<ServiceEnv>, deps: AuthRouteDeps): void {
  const { db, session, passwords } = deps;
  const registration = { db, now: session.now, mailQueued: deps.mailQueued, passwords };
  const withSession = { ...session, db, passwords };
  const codeRequests = { db, codeRequested: deps.codeRequested };
  const limitAttempts = limitAuthAttempts(deps.attemptLimits, true);
  for (const path of attemptRoutes) app.use(path, limitAttempts);
  app.use(signInRoute, limitAuthAttempts(deps.attemptLimits, false));
  const lockout = {
    maxFailures: deps.attemptLimits.perAccount,
    windowSeconds: deps.attemptLimits.windowSeconds,
  };

  app.post('/api/auth/register', async (c) => {
    // One path, two forms: a code from an invitation joins a company, else a new one starts.
    const raw = await readJsonBody(c, z.looseObject({}));
    if ('invitation_code' in raw) {
      const body = await readJsonBody(c, AcceptInvitationRequest);
      return c.json(await acceptInvitation(withSession, body), 201);
    }
    const body = await readJsonBody(c, RegisterCompanyRequest);
    return c.json(await registerCompany(registration, body), 202);
  });
  app.post('/api/auth/verify-email', async (c) =>
    c.json(await verifyEmail(withSession, await readJsonBody(c, VerifyEmailRequest))),
  );
  app.post('/api/auth/resend-code', async (c) => {
    const { email } = await readJsonBody(c, EmailOnlyRequest);
    return c.json(await resendVerificationCode(codeRequests, email), 202);
  });
  app.post(signInRoute, async (c) => {
    const body = await readJsonBody(c, LoginRequest);
    const address = requestClientAddress(c, deps.attemptLimits.trustedProxies);
    return c.json(await logIn({ ...withSession, lockout }, body, address));
  });
  app.post('/api/auth/refresh', async (c) => {
    const { refresh_token } = await readJsonBody(c, RefreshRequest);
    return c.json(await refreshSession(withSession, refresh_token));
  });
  app.post('/api/auth/logout', async (c) => {
    const { refresh_token } = await readJsonBody(c, RefreshRequest);
    await logOut(withSession, refresh_token);
    return c.body(null, 204);
  });
  app.post(
    '/api/auth/password',
    requireAuth(deps.verifyToken),
    requirePermission('profile.self'),
    limitSubjectAttempts(deps.attemptLimits),
    async (c) => {
      await changePassword(withSession, c.var.caller, await readJsonBody(c, ChangePasswordRequest));
      return c.body(null, 204);
    },
  );
  app.post('/api/auth/password-reset/request', async (c) => {
    const { email } = await readJsonBody(c, EmailOnlyRequest);
    return c.json(await requestPasswordReset(codeRequests, email), 202);
  });
  app.post('/api/auth/password-reset/confirm', async (c) => {
    await resetPassword(withSession, await readJsonBody(c, ResetPasswordRequest));
    return c.body(null, 204);
  });
}

/** The account routes as the OpenAPI document shows them. */
export const authRouteDocs: DocumentedRoute[] = [
  {
    method: 'post',
    path: '/api/auth/register',
    tag: 'Auth',
    summary:
      'Register a new company and its first admin (202, a code is e-mailed), or join by invitation with the e-mailed code (201, signed in)',
    body: RegisterRequest,
    success: { status: 202, schema: RegisterResponse, description: 'Code sent (new company)' },
    refusals: [400, 415, 429],
  },
  {
    method: 'post',
    path: '/api/auth/verify-email',
    tag: 'Auth',
    summary: 'Verify the address with the e-mailed code; signs in (a new company starts here)',
    body: VerifyEmailRequest,
    success: { status: 200, schema: LoginResponse, description: 'Verified and signed in' },
    refusals: [400, 429],
  },
  {
    method: 'post',
    path: '/api/auth/resend-code',
    tag: 'Auth',
    summary: 'E-mail a new verification code (at most 5 an hour per account)',
    body: EmailOnlyRequest,
    success: { status: 202, schema: AcceptedResponse, description: 'Sent if applicable' },
    refusals: [400, 429],
  },
  {
    method: 'post',
    path: '/api/auth/login',
    tag: 'Auth',
    summary: 'Exchange e-mail and password for an access token and a refresh token',
    body: LoginRequest,
    success: { status: 200, schema: LoginResponse, description: 'Signed in' },
    refusals: [400, 401, 403, 429],
  },
  {
    method: 'post',
    path: '/api/auth/refresh',
    tag: 'Auth',
    summary: 'Rotate a refresh token: a new pair; reusing a spent token revokes the sign-in',
    body: RefreshRequest,
    success: { status: 200, schema: LoginResponse, description: 'A new pair' },
    refusals: [400, 401],
  },
  {
    method: 'post',
    path: '/api/auth/logout',
    tag: 'Auth',
    summary: 'Revoke the sign-in the refresh token belongs to',
    body: RefreshRequest,
    success: { status: 204, description: 'Signed out' },
    refusals: [400],
  },
  {
    method: 'post',
    path: '/api/auth/password',
    tag: 'Auth',
    summary: 'Change your password (other sessions end)',
    body: ChangePasswordRequest,
    permission: 'profile.self',
    success: { status: 204, description: 'Changed' },
    refusals: [400, 401, 403, 429],
  },
  {
    method: 'post',
    path: '/api/auth/password-reset/request',
    tag: 'Auth',
    summary: 'E-mail a password reset code',
    body: EmailOnlyRequest,
    success: { status: 202, schema: AcceptedResponse, description: 'Sent if applicable' },
    refusals: [400, 429],
  },
  {
    method: 'post',
    path: '/api/auth/password-reset/confirm',
    tag: 'Auth',
    summary: 'Choose a new password with the e-mailed reset code (every session ends)',
    body: ResetPasswordRequest,
    success: { status: 204, description: 'Password changed' },
    refusals: [400, 429],
  },
  {
    method: 'get',
    path: '/api/users/me',
    tag: 'Users',
    summary: 'Your profile: role, team, level, manager chain (direct manager first) and workspaces',
    permission: 'profile.self',
    success: { status: 200, schema: MyProfile, description: 'Your profile' },
    refusals: [401, 403, 404, 429],
  },
];
