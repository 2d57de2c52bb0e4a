import { EventCatalogue, type UserSnapshot } from '@countersign/contracts';
import { newEvent } from '@countersign/platform';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, login, NATS_URL, TestCluster } from '../support/test-cluster.js';

let cluster: TestCluster;
let nc: NatsConnection;

beforeAll(async () => {
  cluster = await TestCluster.start();
  nc = await connect({ servers: NATS_URL });
});
afterAll(async () => {
  await nc?.close();
  await cluster?.stop();
});

const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1] ?? '';
const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;
const count = async (sql: string, params: unknown[] = []) =>
  Number((await cluster.db.query<{ n: string }>(sql, params)).rows[0]?.n ?? 0);
const PASSWORD = 'correct horse battery';
/** Verifies an address with a code and the password chosen at registration. */
const verify = (email: string, code: string, password = PASSWORD) =>
  api('POST', '/api/auth/verify-email', undefined, { email, code, password });
/** A wrong code: the right one with its last digit changed. */
const wrong = (code: string) => `${code.slice(0, 5)}${(Number(code[5]) + 1) % 10}`;

async function register(email: string, company = 'Acme Ltd') {
  const before = cluster.mail.length;
  const response = await api('POST', '/api/auth/register', undefined, {
    company_name: company,
    name: 'Ada Founder',
    email,
    password: PASSWORD,
  });
  return { response, mailIndex: before };
}

async function publishDirectoryEvent(
  type: 'UserAdded' | 'UserChanged' | 'UserDeactivated',
  companyId: string,
  user: UserSnapshot,
) {
  const data =
    type === 'UserAdded'
      ? { user, invited: true }
      : type === 'UserChanged'
        ? { user, changed: ['role' as const] }
        : { user, reason: 'left the company' };
  const event = newEvent(type, {
    companyId,
    // As the approval service announces it: the company's admin (Alice) made the change; the
    // gateway mails an invitation only when a user of the same company asked for it.
    actor: { kind: 'user', id: '0197a000-0000-7000-8000-000000000101' },
    subject: user.user_id,
    data: data as never,
  });
  await jetstream(nc).publish(EventCatalogue[type].subject, JSON.stringify(event), {
    msgID: event.id,
  });
}

describe('registering a company', () => {
  it('e-mails a code, refuses sign-in until verified, then signs in and announces the company', async () => {
    const { response, mailIndex } = await register('ada@acme.example');
    expect(response.status).toBe(202);
    const mail = await cluster.waitForMail('ada@acme.example', /verification code/, mailIndex);
    expect(mail.html).toContain(codeIn(mail.subject));

    const early = await api('POST', '/api/auth/login', undefined, {
      email: 'ada@acme.example',
      password: 'correct horse battery',
    });
    expect(early.status).toBe(403);
    expect(early.body.type).toMatch(/email-not-verified$/);

    const verified = await verify('ada@acme.example', codeIn(mail.subject));
    expect(verified.status).toBe(200);
    const claims = claimsOf(String(verified.body.access_token));
    expect(claims).toMatchObject({ role: 'admin', email: 'ada@acme.example', name: 'Ada Founder' });
    expect(verified.body.refresh_token).toEqual(expect.any(String));

    const announced = await cluster.db.query<{ payload: { data: Record<string, unknown> } }>(
      "select payload from identity.outbox where subject = 'countersign.gateway.company.registered.v1'",
    );
    expect(announced.rows.map((r) => r.payload.data)).toEqual([
      {
        company_id: claims.company_id,
        company_name: 'Acme Ltd',
        admin: { user_id: claims.sub, name: 'Ada Founder', email: 'ada@acme.example' },
      },
    ]);
    // The code worked once; it does not work twice.
    const again = await verify('ada@acme.example', codeIn(mail.subject));
    expect(again.status).toBe(400);
  });

  it('answers an address that has an account like any other, and tells its owner by e-mail', async () => {
    const { response, mailIndex } = await register('grace@techcorp.example', 'Copycat');
    expect(response.status).toBe(202);
    await cluster.waitForMail('grace@techcorp.example', /tried to register/, mailIndex);
    expect(
      await count(
        "select count(*) n from identity.credential where email = 'grace@techcorp.example'",
      ),
    ).toBe(1);
    expect(await count('select count(*) n from identity.registration')).toBe(0);
  });

  it('replaces a registration nobody verified, so an address cannot be squatted', async () => {
    const email = 'owner@squat.example';
    const squatter = await api('POST', '/api/auth/register', undefined, {
      company_name: 'Squatters',
      name: 'Mallory',
      email,
      password: 'mallory knows this',
    });
    expect(squatter.status).toBe(202);
    const squatterCode = codeIn((await cluster.waitForMail(email, /verification code/)).subject);
    const before = cluster.mail.length;
    const owner = await api('POST', '/api/auth/register', undefined, {
      company_name: 'Rightful Ltd',
      name: 'Olivia Owner',
      email,
      password: 'olivia owns this one',
    });
    expect(owner.status).toBe(202);
    const ownerCode = codeIn(
      (await cluster.waitForMail(email, /verification code/, before)).subject,
    );
    expect((await verify(email, squatterCode, 'mallory knows this')).status).toBe(400);
    const verified = await verify(email, ownerCode, 'olivia owns this one');
    expect(verified.status).toBe(200);
    expect(claimsOf(String(verified.body.access_token)).name).toBe('Olivia Owner');
    const named = await cluster.db.query<{ company_name: string }>(
      "select payload->'data'->>'company_name' company_name from identity.outbox where subject like '%company.registered%' and payload->'data'->'admin'->>'email' = $1",
      [email],
    );
    expect(named.rows).toEqual([{ company_name: 'Rightful Ltd' }]);
    const loginAs = (password: string) =>
      api('POST', '/api/auth/login', undefined, { email, password });
    expect((await loginAs('mallory knows this')).status).toBe(401);
    expect((await loginAs('olivia owns this one')).status).toBe(200);
  });

  it("a stranger's re-registration cannot be verified with the owner's code and password", async () => {
    const email = 'victim@pending.example';
    const ownerPassword = 'the owner chose this';
    const signUp = (password: string) =>
      api('POST', '/api/auth/register', undefined, {
        company_name: 'Pending Co',
        name: 'Vera Victim',
        email,
        password,
      });
    await signUp(ownerPassword);
    await cluster.waitForMail(email, /verification code/);
    const before = cluster.mail.length;
    await signUp('the attacker chose this');
    // The owner reads the newest code and enters it with their own password: refused.
    const mailed = codeIn((await cluster.waitForMail(email, /verification code/, before)).subject);
    expect((await verify(email, mailed, ownerPassword)).status).toBe(400);
    // Registering again puts the owner's password back; the next code then works with it.
    const again = cluster.mail.length;
    await signUp(ownerPassword);
    const code = codeIn((await cluster.waitForMail(email, /verification code/, again)).subject);
    expect((await verify(email, code, ownerPassword)).status).toBe(200);
    const attacker = await api('POST', '/api/auth/login', undefined, {
      email,
      password: 'the attacker chose this',
    });
    expect(attacker.status).toBe(401);
  });

  it('refuses weak passwords, bad addresses and unknown fields with problem+json', async () => {
    const response = await api('POST', '/api/auth/register', undefined, {
      company_name: 'X',
      name: 'Y',
      email: 'not-an-address',
      password: 'short',
      role: 'admin',
    });
    expect(response.status).toBe(400);
    expect(response.contentType).toContain('application/problem+json');
    const paths = (response.body.errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(['', 'email', 'password']);
  });
});

describe('one-time codes', () => {
  it('lock after five wrong tries, even against the right code; a new code works', async () => {
    const email = 'brute@force.example';
    const { mailIndex } = await register(email, 'Brute Force Inc');
    const first = codeIn(
      (await cluster.waitForMail(email, /verification code/, mailIndex)).subject,
    );
    for (let i = 0; i < 5; i++) {
      const guess = await verify(email, wrong(first));
      expect(guess.status).toBe(400);
      expect(guess.body.type).toMatch(/invalid-code$/);
    }
    // Locked: the right code is refused now, with the same answer as a wrong one.
    const locked = await verify(email, first);
    expect(locked.status).toBe(400);
    expect(locked.body.type).toMatch(/invalid-code$/);

    const resendAt = cluster.mail.length;
    expect((await api('POST', '/api/auth/resend-code', undefined, { email })).status).toBe(202);
    const second = codeIn(
      (await cluster.waitForMail(email, /verification code/, resendAt)).subject,
    );
    // The first code is dead for good; the second one verifies.
    expect((await verify(email, first)).status).toBe(400);
    expect((await verify(email, second)).status).toBe(200);
  });

  it('expire: a code past its time is refused', async () => {
    const email = 'late@slow.example';
    const { mailIndex } = await register(email, 'Slow Co');
    const code = codeIn((await cluster.waitForMail(email, /verification code/, mailIndex)).subject);
    await cluster.db.query(
      "update identity.one_time_code set expires_at = now() - interval '1 second' where user_id = (select user_id from identity.credential where email = $1)",
      [email],
    );
    const response = await verify(email, code);
    expect(response.status).toBe(400);
  });

  it('are sent at most five times an hour per account', async () => {
    const email = 'spam@me.example';
    await register(email, 'Spam Co'); // the first code
    for (let i = 0; i < 6; i++) await api('POST', '/api/auth/resend-code', undefined, { email });
    await eventually(async () =>
      (await count(
        'select count(*) n from identity.one_time_code c join identity.credential a using (user_id) where a.email = $1',
        [email],
      )) === 5
        ? true
        : undefined,
    );
    await eventually(async () =>
      (await count('select count(*) n from identity.mail_outbox')) === 0 ? true : undefined,
    );
    expect(cluster.mail.filter((m) => m.to === email).length).toBe(5);
  });
});

describe('sessions', () => {
  it('rotate refresh tokens; a reused one revokes the whole sign-in', async () => {
    const signIn = await api('POST', '/api/auth/login', undefined, {
      email: 'frank@techcorp.example',
      password: 'countersign-demo',
    });
    const first = String(signIn.body.refresh_token);
    const rotated = await api('POST', '/api/auth/refresh', undefined, { refresh_token: first });
    expect(rotated.status).toBe(200);
    const second = String(rotated.body.refresh_token);
    expect(second).not.toBe(first);
    expect(claimsOf(String(rotated.body.access_token)).sub).toBe(
      claimsOf(String(signIn.body.access_token)).sub,
    );

    const reuse = await api('POST', '/api/auth/refresh', undefined, { refresh_token: first });
    expect(reuse.status).toBe(401);
    expect(String(reuse.body.detail)).toMatch(/already used/);
    // The thief's copy and the owner's newer token are both dead now.
    expect(
      (await api('POST', '/api/auth/refresh', undefined, { refresh_token: second })).status,
    ).toBe(401);
    // Another sign-in of the same person is untouched.
    const other = await api('POST', '/api/auth/login', undefined, {
      email: 'frank@techcorp.example',
      password: 'countersign-demo',
    });
    expect(
      (
        await api('POST', '/api/auth/refresh', undefined, {
          refresh_token: other.body.refresh_token,
        })
      ).status,
    ).toBe(200);
  });

  it('of two refreshes racing with one token, exactly one succeeds', async () => {
    const signIn = await api('POST', '/api/auth/login', undefined, {
      email: 'eve@techcorp.example',
      password: 'countersign-demo',
    });
    const token = signIn.body.refresh_token;
    const answers = await Promise.all(
      [1, 2, 3].map(() => api('POST', '/api/auth/refresh', undefined, { refresh_token: token })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401, 401]);
  });

  it('log out revokes the refresh token', async () => {
    const signIn = await api('POST', '/api/auth/login', undefined, {
      email: 'david@techcorp.example',
      password: 'countersign-demo',
    });
    const token = signIn.body.refresh_token;
    expect(
      (await api('POST', '/api/auth/logout', undefined, { refresh_token: token })).status,
    ).toBe(204);
    expect(
      (await api('POST', '/api/auth/refresh', undefined, { refresh_token: token })).status,
    ).toBe(401);
  });
});

describe('passwords', () => {
  it('change: needs the current one, ends other sessions, and the new one signs in', async () => {
    const signIn = await api('POST', '/api/auth/login', undefined, {
      email: 'carol@techcorp.example',
      password: 'countersign-demo',
    });
    const token = String(signIn.body.access_token);
    const wrongCurrent = await api('POST', '/api/auth/password', token, {
      current_password: 'not it',
      new_password: 'a much better passphrase',
    });
    expect(wrongCurrent.status).toBe(403);
    const changed = await api('POST', '/api/auth/password', token, {
      current_password: 'countersign-demo',
      new_password: 'a much better passphrase',
    });
    expect(changed.status).toBe(204);
    expect(
      (
        await api('POST', '/api/auth/refresh', undefined, {
          refresh_token: signIn.body.refresh_token,
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await api('POST', '/api/auth/login', undefined, {
          email: 'carol@techcorp.example',
          password: 'countersign-demo',
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await api('POST', '/api/auth/login', undefined, {
          email: 'carol@techcorp.example',
          password: 'a much better passphrase',
        })
      ).status,
    ).toBe(200);
  });

  it('reset by e-mailed code; unknown addresses get the same answer and no mail', async () => {
    const before = cluster.mail.length;
    const unknown = await api('POST', '/api/auth/password-reset/request', undefined, {
      email: 'nobody@nowhere.example',
    });
    const known = await api('POST', '/api/auth/password-reset/request', undefined, {
      email: 'bob@techcorp.example',
    });
    expect(unknown.status).toBe(202);
    expect(known.status).toBe(202);
    expect(Object.keys(unknown.body)).toEqual(Object.keys(known.body));
    const mail = await cluster.waitForMail('bob@techcorp.example', /reset code/, before);
    const code = codeIn(mail.subject);
    const bad = await api('POST', '/api/auth/password-reset/confirm', undefined, {
      email: 'bob@techcorp.example',
      code: wrong(code),
      new_password: 'bob chose a new one',
    });
    expect(bad.status).toBe(400);
    const good = await api('POST', '/api/auth/password-reset/confirm', undefined, {
      email: 'bob@techcorp.example',
      code,
      new_password: 'bob chose a new one',
    });
    expect(good.status).toBe(204);
    expect(
      (
        await api('POST', '/api/auth/login', undefined, {
          email: 'bob@techcorp.example',
          password: 'bob chose a new one',
        })
      ).status,
    ).toBe(200);
    expect(cluster.mail.slice(before).some((m) => m.to === 'nobody@nowhere.example')).toBe(false);
  });
});

describe('logins follow the directory', () => {
  const techcorp = '0197a000-0000-7000-8000-000000000001';
  const invitee: UserSnapshot = {
    user_id: '0197a000-0000-7000-8000-00000000f001',
    email: 'newbie@techcorp.example',
    name: 'Nina Newbie',
    role: 'employee',
    team_id: '0197a000-0000-7000-8000-000000000002',
    level_id: '0197a000-0000-7000-8000-000000000307',
    manager_id: '0197a000-0000-7000-8000-000000000106',
    active: true,
    revision: 1,
  };

  it('an invited person gets a code by e-mail and joins with it', async () => {
    const before = cluster.mail.length;
    await publishDirectoryEvent('UserAdded', techcorp, invitee);
    const mail = await cluster.waitForMail(invitee.email, /invited/, before);
    const code = codeIn(mail.text);
    const noPasswordYet = await api('POST', '/api/auth/login', undefined, {
      email: invitee.email,
      password: 'anything at all',
    });
    expect(noPasswordYet.status).toBe(401);
    const joined = await api('POST', '/api/auth/register', undefined, {
      email: invitee.email,
      invitation_code: code,
      password: 'nina picks a passphrase',
    });
    expect(joined.status).toBe(201);
    expect(claimsOf(String(joined.body.access_token))).toMatchObject({
      sub: invitee.user_id,
      company_id: techcorp,
      role: 'employee',
    });
    // An invitation is good once.
    const twice = await api('POST', '/api/auth/register', undefined, {
      email: invitee.email,
      invitation_code: code,
      password: 'nina picks a passphrase',
    });
    expect(twice.status).toBe(400);
  });

  it('a role change reaches the next token; a stale snapshot changes nothing', async () => {
    await publishDirectoryEvent('UserChanged', techcorp, {
      ...invitee,
      role: 'finance',
      revision: 3,
    });
    await publishDirectoryEvent('UserChanged', techcorp, {
      ...invitee,
      role: 'manager',
      revision: 2,
    });
    const role = async () => {
      const signIn = await api('POST', '/api/auth/login', undefined, {
        email: invitee.email,
        password: 'nina picks a passphrase',
      });
      return claimsOf(String(signIn.body.access_token)).role;
    };
    await eventually(async () => ((await role()) === 'finance' ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await role()).toBe('finance');
  });

  it('a deactivated person can neither sign in nor refresh', async () => {
    const signIn = await api('POST', '/api/auth/login', undefined, {
      email: invitee.email,
      password: 'nina picks a passphrase',
    });
    await publishDirectoryEvent('UserDeactivated', techcorp, {
      ...invitee,
      role: 'finance',
      active: false,
      revision: 4,
    });
    await eventually(async () => {
      const attempt = await api('POST', '/api/auth/login', undefined, {
        email: invitee.email,
        password: 'nina picks a passphrase',
      });
      return attempt.status === 401 ? true : undefined;
    });
    const refreshed = await api('POST', '/api/auth/refresh', undefined, {
      refresh_token: signIn.body.refresh_token,
    });
    expect(refreshed.status).toBe(401);
  });

  it('an invitation nobody accepted does not keep the address from registering', async () => {
    const blocked: UserSnapshot = {
      ...invitee,
      user_id: '0197a000-0000-7000-8000-00000000f002',
      email: 'sought@after.example',
      name: 'Sam Sought',
    };
    await publishDirectoryEvent('UserAdded', techcorp, blocked);
    await cluster.waitForMail(blocked.email, /invited/);
    const { response, mailIndex } = await register(blocked.email, 'Sam Own Co');
    expect(response.status).toBe(202);
    const code = codeIn(
      (await cluster.waitForMail(blocked.email, /verification code/, mailIndex)).subject,
    );
    const verified = await verify(blocked.email, code);
    expect(verified.status).toBe(200);
    expect(claimsOf(String(verified.body.access_token)).company_id).not.toBe(techcorp);
  });

  it('a new address from the directory must be verified before it signs in', async () => {
    const hannah: UserSnapshot = {
      user_id: '0197a000-0000-7000-8000-000000000108',
      email: 'hannah.lee@elsewhere.example',
      name: 'Hannah Lee',
      role: 'finance',
      team_id: '0197a000-0000-7000-8000-000000000003',
      level_id: '0197a000-0000-7000-8000-000000000305',
      manager_id: '0197a000-0000-7000-8000-000000000101',
      active: true,
      revision: 2,
    };
    const before = cluster.mail.length;
    await publishDirectoryEvent('UserChanged', techcorp, hannah);
    const notice = await cluster.waitForMail(
      'hannah@techcorp.example',
      /address was changed/,
      before,
    );
    expect(notice.text).toContain(hannah.email);
    const code = codeIn(
      (await cluster.waitForMail(hannah.email, /verification code/, before)).subject,
    );
    const signIn = (email: string) =>
      api('POST', '/api/auth/login', undefined, { email, password: 'countersign-demo' });
    expect((await signIn('hannah@techcorp.example')).status).toBe(401);
    expect((await signIn(hannah.email)).status).toBe(403);
    // Whoever controls the new mailbox still needs Hannah's password.
    expect((await verify(hannah.email, code, 'an admin guessed this')).status).toBe(400);
    const fresh = cluster.mail.length;
    expect(
      (await api('POST', '/api/auth/resend-code', undefined, { email: hannah.email })).status,
    ).toBe(202);
    const next = codeIn(
      (await cluster.waitForMail(hannah.email, /verification code/, fresh)).subject,
    );
    expect((await verify(hannah.email, next, 'countersign-demo')).status).toBe(200);
    expect((await signIn(hannah.email)).status).toBe(200);
  });

  it('a deactivation applies even when the snapshot names an address another login holds', async () => {
    const david: UserSnapshot = {
      user_id: '0197a000-0000-7000-8000-000000000104',
      email: 'grace@techcorp.example',
      name: 'David Wilson',
      role: 'manager',
      team_id: '0197a000-0000-7000-8000-000000000002',
      level_id: '0197a000-0000-7000-8000-000000000304',
      manager_id: '0197a000-0000-7000-8000-000000000103',
      active: false,
      revision: 2,
    };
    await publishDirectoryEvent('UserDeactivated', techcorp, david);
    await eventually(async () => {
      const attempt = await api('POST', '/api/auth/login', undefined, {
        email: 'david@techcorp.example',
        password: 'countersign-demo',
      });
      return attempt.status === 401 ? true : undefined;
    });
    expect(await login('grace')).toEqual(expect.any(String));
  });

  it('demo people keep their demo password after the directory announced them', async () => {
    expect(await login('grace')).toEqual(expect.any(String));
  });
});
