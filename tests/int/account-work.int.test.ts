import type {
  Kysely,
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../services/gateway/src/db/migrations/index.js';
import type { IdentityDatabase } from '../../services/gateway/src/db/types.js';
import { ConcurrencyLimit } from '../../services/gateway/src/domain/concurrency-limit.js';
import { PasswordHasher } from '../../services/gateway/src/domain/password-hashing.js';
import { acceptInvitation } from '../../services/gateway/src/use-cases/accept-invitation.js';
import { issueCode } from '../../services/gateway/src/use-cases/issue-code.js';
import { requestPasswordReset } from '../../services/gateway/src/use-cases/request-password-reset.js';
import { resendVerificationCode } from '../../services/gateway/src/use-cases/resend-verification-code.js';
import { resetPassword } from '../../services/gateway/src/use-cases/reset-password.js';
import { sendRequestedCodes } from '../../services/gateway/src/use-cases/send-requested-codes.js';
import { verifyEmail } from '../../services/gateway/src/use-cases/verify-email.js';
import { freshServiceSchema } from '../support/int-database.js';

// The gateway's identity schema in a scratch schema; the use cases run against it as the
// routes run them, with a PasswordHasher that counts its work and a plugin that records
// every statement's kind and table, so a test can say "the same work ran on both paths".
const SCHEMA = 'account_work_test';
let db: Kysely<IdentityDatabase>;

class StatementLog implements KyselyPlugin {
  readonly statements: string[] = [];
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.statements.push(describeNode(args.node));
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

function describeNode(node: RootOperationNode): string {
  const table = (n: unknown): string =>
    JSON.stringify(n).match(/"identifier":\{"kind":"IdentifierNode","name":"(\w+)"/)?.[1] ?? '?';
  switch (node.kind) {
    case 'SelectQueryNode':
      return `select ${table(node.from)}`;
    case 'InsertQueryNode':
      return `insert ${table(node.into)}`;
    case 'UpdateQueryNode':
      return `update ${table(node.table)}`;
    case 'DeleteQueryNode':
      return `delete ${table(node.from)}`;
    default:
      return node.kind;
  }
}

function instrumented() {
  const log = new StatementLog();
  const passwords = new PasswordHasher(new ConcurrencyLimit(2, 16));
  const session = {
    keys: {} as never,
    issuer: 'test',
    audience: 'test',
    accessTtlSeconds: 900,
    refreshTtlSeconds: 3600,
    now: () => new Date(),
  };
  return { log, passwords, deps: { ...session, db: db.withPlugin(log), passwords } };
}

const COMPANY = '0197a000-0000-7000-8000-00000000c001';
async function credential(
  email: string,
  options: { verified: boolean; password: boolean; registration?: boolean },
) {
  const userId = crypto.randomUUID();
  const hasher = new PasswordHasher(new ConcurrencyLimit(1, 1));
  await db
    .insertInto('credential')
    .values({
      user_id: userId,
      company_id: COMPANY,
      email,
      name: 'Someone',
      role: 'admin',
      password_hash: options.password ? await hasher.hash('the right passphrase') : null,
      active: true,
      email_verified_at: options.verified ? new Date() : null,
    })
    .execute();
  return userId;
}

async function issue(userId: string, purpose: 'verify_email' | 'reset_password' | 'invitation') {
  let code = '';
  await db.transaction().execute(async (trx) => {
    await issueCode(trx, {
      userId,
      purpose,
      mail: (c) => {
        code = c;
        return { to: 'x@example.test', subject: c, text: c, html: c };
      },
      now: new Date(),
      rationed: false,
    });
  });
  return code;
}

const wrongCode = (code: string) => `${code.slice(0, 5)}${(Number(code[5]) + 1) % 10}`;
/** Statements with the audit entries left out: only an existing account has a trail to write. */
const withoutAudit = (statements: string[]) => statements.filter((s) => !s.includes('audit_log'));

beforeAll(async () => {
  db = await freshServiceSchema<IdentityDatabase>(SCHEMA, migrations);
});
afterAll(async () => db?.destroy());

describe('password reset confirmation', () => {
  it('hashes the new password only for a valid code', async () => {
    const userId = await credential('reset-hash@work.test', { verified: true, password: true });
    const code = await issue(userId, 'reset_password');
    const { deps, passwords } = instrumented();
    const request = { email: 'reset-hash@work.test', new_password: 'a brand new passphrase' };
    await expect(resetPassword(deps, { ...request, code: wrongCode(code) })).rejects.toThrow();
    expect(passwords.done('hash')).toBe(0);
    await resetPassword(deps, { ...request, code });
    expect(passwords.done('hash')).toBe(1);
  });

  it('does the same work for a wrong code whether or not the address has an account', async () => {
    const userId = await credential('reset-same@work.test', { verified: true, password: true });
    const code = await issue(userId, 'reset_password');
    const known = instrumented();
    const unknown = instrumented();
    const attempt = { code: wrongCode(code), new_password: 'a brand new passphrase' };
    await expect(
      resetPassword(known.deps, { ...attempt, email: 'reset-same@work.test' }),
    ).rejects.toThrow();
    await expect(
      resetPassword(unknown.deps, { ...attempt, email: 'nobody@work.test' }),
    ).rejects.toThrow();
    expect(withoutAudit(known.log.statements)).toEqual(unknown.log.statements);
    expect([known.passwords.done('hash'), unknown.passwords.done('hash')]).toEqual([0, 0]);
  });
});

describe('e-mail verification', () => {
  it('does the same work for a wrong code whether or not the address awaits verification', async () => {
    const userId = await credential('verify-same@work.test', { verified: false, password: true });
    const code = await issue(userId, 'verify_email');
    const known = instrumented();
    const unknown = instrumented();
    const attempt = { code: wrongCode(code), password: 'the right passphrase' };
    await expect(
      verifyEmail(known.deps, { ...attempt, email: 'verify-same@work.test' }),
    ).rejects.toThrow();
    await expect(
      verifyEmail(unknown.deps, { ...attempt, email: 'nobody@work.test' }),
    ).rejects.toThrow();
    expect(withoutAudit(known.log.statements)).toEqual(unknown.log.statements);
    expect([known.passwords.done('verify'), unknown.passwords.done('verify')]).toEqual([0, 0]);
  });

  it('checks the password (one argon2 verification) only with a valid code', async () => {
    const userId = await credential('verify-once@work.test', { verified: false, password: true });
    const code = await issue(userId, 'verify_email');
    const { deps, passwords } = instrumented();
    await expect(
      verifyEmail(deps, { email: 'verify-once@work.test', code, password: 'not the password' }),
    ).rejects.toThrow();
    expect(passwords.done('verify')).toBe(1);
  });
});

describe('accepting an invitation', () => {
  it('never hashes the password of a request with a wrong code', async () => {
    const userId = await credential('invitee@work.test', { verified: false, password: false });
    const code = await issue(userId, 'invitation');
    const { deps, passwords } = instrumented();
    const attempt = { email: 'invitee@work.test', password: 'the invitee picks this' };
    for (let i = 0; i < 3; i++) {
      await expect(
        acceptInvitation(deps, { ...attempt, invitation_code: wrongCode(code) }),
      ).rejects.toThrow();
    }
    await expect(
      acceptInvitation(deps, { ...attempt, email: 'stranger@work.test', invitation_code: code }),
    ).rejects.toThrow();
    expect(passwords.done('hash')).toBe(0);
  });
});

describe('code requests (reset, resend)', () => {
  it('do the same work for any address: one queued request, issued off the request path', async () => {
    await credential('asks-reset@work.test', { verified: true, password: true });
    await credential('asks-code@work.test', { verified: false, password: true });
    const known = instrumented();
    const unknown = instrumented();
    const woken: string[] = [];
    const requests = (log: { deps: { db: Kysely<IdentityDatabase> } }) => ({
      db: log.deps.db,
      codeRequested: () => woken.push('woken'),
    });
    await requestPasswordReset(requests(known), 'asks-reset@work.test');
    await resendVerificationCode(requests(known), 'asks-code@work.test');
    await requestPasswordReset(requests(unknown), 'nobody@work.test');
    await resendVerificationCode(requests(unknown), 'nobody-else@work.test');
    expect(known.log.statements).toEqual(['insert code_request', 'insert code_request']);
    expect(unknown.log.statements).toEqual(known.log.statements);
    expect(woken).toHaveLength(4);

    // The sender issues codes to the two accounts only.
    expect(await sendRequestedCodes({ db, now: () => new Date() })).toBe(4);
    const issued = await db
      .selectFrom('one_time_code')
      .innerJoin('credential', 'credential.user_id', 'one_time_code.user_id')
      .select(['credential.email', 'one_time_code.purpose'])
      .where('credential.email', 'in', ['asks-reset@work.test', 'asks-code@work.test'])
      .orderBy('credential.email')
      .execute();
    expect(issued).toEqual([
      { email: 'asks-code@work.test', purpose: 'verify_email' },
      { email: 'asks-reset@work.test', purpose: 'reset_password' },
    ]);
    expect(await sendRequestedCodes({ db, now: () => new Date() })).toBe(0);
  });
});
