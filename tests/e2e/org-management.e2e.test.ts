import { EventCatalogue } from '@countersign/contracts';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { decodeJwt, importJWK, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kekFromBase64, unsealPrivateKey } from '../../services/gateway/src/domain/key-sealing.js';
import {
  type ApiResponse,
  api,
  eventually,
  login,
  NATS_URL,
  policies,
  ports,
  TestCluster,
} from '../support/test-cluster.js';

const demo = (n: number) => `0197a000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const ids = {
  alice: demo(101),
  bob: demo(102),
  carol: demo(103),
  david: demo(104),
  eve: demo(105),
  frank: demo(106),
  grace: demo(107),
  hannah: demo(108),
  technology: demo(2),
  finance: demo(3),
  level: (n: number) => demo(300 + n),
};
/** A second company, written straight into the approval tables. */
const other = {
  company: '0197b000-0000-7000-8000-000000000001',
  team: '0197b000-0000-7000-8000-000000000002',
  level: '0197b000-0000-7000-8000-000000000003',
  person: '0197b000-0000-7000-8000-000000000004',
};
const password = 'org-test-password';

let cluster: TestCluster;
let alice: string;

interface UserBody {
  id: string;
  email: string;
  name: string;
  role: string;
  active: boolean;
  team: { id: string; name: string };
  level: { id: string; number: number; name: string };
  manager: { id: string; name: string } | null;
  revision: number;
}
const asUser = (r: ApiResponse) => r.body as unknown as UserBody;
const asUsers = (r: ApiResponse) => (r.body.items ?? []) as unknown as UserBody[];

const query = <T extends Record<string, unknown>>(text: string, params: unknown[] = []) =>
  cluster.db.query<T>(text, params).then((r) => r.rows);

/** Signs claims with the gateway's current key, read from its table and unsealed with its KEK. */
async function signedWithRealKey(claims: JWTPayload): Promise<string> {
  const [key] = await query<{ kid: string; sealed_private_key: string; kek_id: string }>(
    'select kid, sealed_private_key, kek_id from identity.signing_key order by activates_at desc limit 1',
  );
  if (!key) throw new Error('no signing key');
  const keks = { current: kekFromBase64(cluster.signingKeyKek), previous: [] };
  const privateJwk = unsealPrivateKey(key.sealed_private_key, key.kid, key.kek_id, keks);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: key.kid })
    .sign(await importJWK(privateJwk, 'EdDSA'));
}

async function addOtherCompany(): Promise<void> {
  await query("insert into approval.company values ($1, 'Other Corp')", [other.company]);
  await query("insert into approval.team values ($1, $2, 'Ops')", [other.team, other.company]);
  await query("insert into approval.level values ($1, $2, 1, 'Boss')", [
    other.level,
    other.company,
  ]);
  await query(
    "insert into approval.person (id, company_id, team_id, level_id, name, email, role) values ($1, $2, $3, $4, 'Olga Other', 'olga@other.example', 'admin')",
    [other.person, other.company, other.team, other.level],
  );
}

const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1] ?? '';

/** Adds a user through the API; they join with the code the gateway e-mails them. */
async function addUserWithLogin(
  body: Record<string, unknown>,
): Promise<{ id: string; token: string }> {
  const mailIndex = cluster.mail.length;
  const created = await api('POST', '/api/users', alice, body);
  expect(created.status).toBe(201);
  const user = asUser(created);
  const mail = await cluster.waitForMail(user.email, /invited/, mailIndex);
  const joined = await api('POST', '/api/auth/register', undefined, {
    email: user.email,
    invitation_code: codeIn(mail.text),
    password,
  });
  expect(joined.status).toBe(201);
  return { id: user.id, token: String(joined.body.access_token) };
}

async function outboxEvents(type: string, subject: string) {
  return query<{ payload: { actor: { kind: string; id: string }; data: Record<string, unknown> } }>(
    "select payload from approval.outbox where payload->>'type' = $1 and payload->>'subject' = $2 order by id",
    [type, subject],
  );
}

async function personRow(id: string) {
  const rows = await query<{ revision: number; active: boolean; company_id: string; name: string }>(
    'select revision, active, company_id, name from approval.person where id = $1',
    [id],
  );
  return rows[0];
}

/** Walks every page with `limit`, collecting ids; checks no page repeats an earlier id. */
async function walkPages(path: string, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const url = `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const response = await api('GET', url, alice);
    expect(response.status, url).toBe(200);
    const items = asUsers(response);
    expect(items.length).toBeLessThanOrEqual(limit);
    seen.push(...items.map((u) => u.id));
    cursor = response.body.next_cursor as string | null;
    if (!cursor) break;
  }
  expect(new Set(seen).size).toBe(seen.length);
  return seen;
}

beforeAll(async () => {
  cluster = await TestCluster.start();
  await addOtherCompany();
  alice = await login('alice');
});
afterAll(async () => cluster?.stop());

describe('the directory as the demo seed leaves it', () => {
  it('lists every demo person with role, team, level, manager and revision 1', async () => {
    const response = await api('GET', '/api/users?limit=100', alice);
    expect(response.status).toBe(200);
    const users = asUsers(response);
    expect(users.map((u) => u.name)).toEqual([
      'Alice Chen',
      'Bob Smith',
      'Carol Johnson',
      'David Wilson',
      'Eve Davis',
      'Frank Miller',
      'Grace Taylor',
      'Hannah Lee',
      'Ivan Petrov',
    ]);
    expect(users.find((u) => u.id === ids.grace)).toMatchObject({
      email: 'grace@techcorp.example',
      role: 'employee',
      active: true,
      team: { id: ids.technology, name: 'Technology' },
      level: { id: ids.level(7), number: 7, name: 'SDE3' },
      manager: { id: ids.frank, name: 'Frank Miller' },
      revision: 1,
    });
    expect(users.find((u) => u.id === ids.alice)).toMatchObject({ role: 'admin', manager: null });
    expect(users.find((u) => u.id === ids.hannah)?.manager?.id).toBe(ids.alice);
  });

  it('teams and levels are readable by every role', async () => {
    const grace = await login('grace');
    const teams = await api('GET', '/api/teams', grace);
    expect(teams.status).toBe(200);
    expect(teams.body.items?.map((t) => t.name)).toEqual(['Finance', 'Technology']);
    const levels = await api('GET', '/api/levels', grace);
    expect(levels.body.items?.map((l) => [l.number, l.name])).toEqual([
      [1, 'CTO'],
      [2, 'VP'],
      [3, 'Director'],
      [4, 'AD'],
      [5, 'SEM'],
      [6, 'Manager'],
      [7, 'SDE3'],
    ]);
  });

  it("a user's own profile names their managers from the direct one upwards", async () => {
    const grace = await login('grace');
    const response = await fetch(`http://127.0.0.1:${ports.approval}/users/me`, {
      headers: { authorization: `Bearer ${grace}` },
    });
    expect(response.status).toBe(200);
    const profile = (await response.json()) as {
      id: string;
      role: string;
      manager_chain: { name: string; level_number: number; level_name: string }[];
    };
    expect(profile).toMatchObject({ id: ids.grace, role: 'employee' });
    expect(profile.manager_chain.map((m) => [m.name, m.level_number, m.level_name])).toEqual([
      ['Frank Miller', 6, 'Manager'],
      ['Eve Davis', 5, 'SEM'],
      ['David Wilson', 4, 'AD'],
      ['Carol Johnson', 3, 'Director'],
      ['Bob Smith', 2, 'VP'],
      ['Alice Chen', 1, 'CTO'],
    ]);
  });
});

describe('an admin manages users', () => {
  let zoe: UserBody;

  it('creates a user (201) and announces them as invited, as alice', async () => {
    const response = await api('POST', '/api/users', alice, {
      email: 'Zoe.Ng@TechCorp.example',
      name: 'Zoe Ng',
      role: 'employee',
      team_id: ids.technology,
      level_id: ids.level(7),
      manager_id: ids.frank,
    });
    expect(response.status).toBe(201);
    zoe = asUser(response);
    expect(zoe).toMatchObject({
      email: 'zoe.ng@techcorp.example',
      name: 'Zoe Ng',
      role: 'employee',
      active: true,
      team: { id: ids.technology, name: 'Technology' },
      level: { number: 7 },
      manager: { id: ids.frank, name: 'Frank Miller' },
      revision: 1,
    });
    const [added] = await outboxEvents('UserAdded', zoe.id);
    expect(added?.payload.actor).toEqual({ kind: 'user', id: ids.alice });
    expect(added?.payload.data).toMatchObject({
      invited: true,
      user: { user_id: zoe.id, email: 'zoe.ng@techcorp.example', role: 'employee', revision: 1 },
    });
  });

  it('gets the user, and patches only what changes, bumping the revision', async () => {
    expect(asUser(await api('GET', `/api/users/${zoe.id}`, alice))).toEqual(zoe);
    const patched = await api('PATCH', `/api/users/${zoe.id}`, alice, {
      name: 'Zoe Ng-Park',
      role: 'employee',
    });
    expect(patched.status).toBe(200);
    expect(asUser(patched)).toMatchObject({ name: 'Zoe Ng-Park', revision: 2 });
    const changed = await outboxEvents('UserChanged', zoe.id);
    expect(changed.map((e) => e.payload.data.changed)).toEqual([['name']]);
    expect(changed[0]?.payload.data.user).toMatchObject({ name: 'Zoe Ng-Park', revision: 2 });
    // The same values again: no change, no event, same revision.
    const again = await api('PATCH', `/api/users/${zoe.id}`, alice, { name: 'Zoe Ng-Park' });
    expect(asUser(again).revision).toBe(2);
    expect(await outboxEvents('UserChanged', zoe.id)).toHaveLength(1);
  });

  it('refuses a duplicate e-mail in the company (409), whatever its case', async () => {
    for (const email of ['grace@techcorp.example', 'GRACE@techcorp.example']) {
      const response = await api('POST', '/api/users', alice, {
        email,
        name: 'Grace Again',
        role: 'employee',
        team_id: ids.technology,
        level_id: ids.level(7),
      });
      expect(response.status).toBe(409);
      expect(response.contentType).toContain('application/problem+json');
    }
    const patched = await api('PATCH', `/api/users/${zoe.id}`, alice, {
      email: 'frank@techcorp.example',
    });
    expect(patched.status).toBe(409);
  });

  it('refuses teams, levels and managers of another company (422) and its users (404)', async () => {
    const base = { email: 'x@techcorp.example', name: 'X', role: 'employee' };
    const cases = [
      { ...base, team_id: other.team, level_id: ids.level(7) },
      { ...base, team_id: ids.technology, level_id: other.level },
      { ...base, team_id: ids.technology, level_id: ids.level(7), manager_id: other.person },
    ];
    for (const body of cases) {
      const response = await api('POST', '/api/users', alice, body);
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(String(response.body.detail)).toMatch(/is not a (team|level|person) of your company/);
    }
    expect((await api('GET', `/api/users/${other.person}`, alice)).status).toBe(404);
    expect(
      (await api('PATCH', `/api/users/${other.person}`, alice, { name: 'Hijacked' })).status,
    ).toBe(404);
    expect((await api('POST', `/api/users/${other.person}/deactivate`, alice, {})).status).toBe(
      404,
    );
    expect((await api('PATCH', `/api/teams/${other.team}`, alice, { name: 'Mine' })).status).toBe(
      404,
    );
    expect((await api('PATCH', `/api/levels/${other.level}`, alice, { name: 'Mine' })).status).toBe(
      404,
    );
    expect(await personRow(other.person)).toMatchObject({ name: 'Olga Other', active: true });
    const names = await query<{ name: string }>(
      'select name from approval.team where id = $1 union all select name from approval.level where id = $2',
      [other.team, other.level],
    );
    expect(names.map((r) => r.name)).toEqual(['Ops', 'Boss']);
  });

  it('refuses mass assignment on create and patch (400) and changes nothing', async () => {
    const peopleBefore = await query<{ n: string }>('select count(*) n from approval.person');
    const body = {
      email: 'mallory@techcorp.example',
      name: 'Mallory',
      role: 'employee',
      team_id: ids.technology,
      level_id: ids.level(7),
    };
    for (const extra of [
      { company_id: other.company },
      { active: false },
      { revision: 7 },
      { id: other.person },
    ]) {
      const created = await api('POST', '/api/users', alice, { ...body, ...extra });
      expect(created.status, JSON.stringify(extra)).toBe(400);
      const patched = await api('PATCH', `/api/users/${zoe.id}`, alice, {
        name: 'Mallory',
        ...extra,
      });
      expect(patched.status, JSON.stringify(extra)).toBe(400);
    }
    expect(await query<{ n: string }>('select count(*) n from approval.person')).toEqual(
      peopleBefore,
    );
    expect(await personRow(zoe.id)).toMatchObject({
      name: 'Zoe Ng-Park',
      revision: 2,
      active: true,
      company_id: demo(1),
    });
    expect((await api('PATCH', `/api/users/${zoe.id}`, alice, {})).status).toBe(400);
    expect(
      (await api('PATCH', `/api/levels/${ids.level(7)}`, alice, { name: 'X', number: 9 })).status,
    ).toBe(400);
  });

  it('refuses reporting cycles, self-management and inactive managers (422)', async () => {
    const cycle = await api('PATCH', `/api/users/${ids.alice}`, alice, { manager_id: ids.grace });
    expect(cycle.status).toBe(422);
    expect(String(cycle.body.detail)).toContain('reporting cycle');
    const direct = await api('PATCH', `/api/users/${ids.eve}`, alice, { manager_id: ids.frank });
    expect(direct.status).toBe(422);
    const self = await api('PATCH', `/api/users/${ids.frank}`, alice, { manager_id: ids.frank });
    expect(self.status).toBe(422);
    expect(await personRow(ids.alice)).toMatchObject({ revision: 1 });
  });

  it('refuses self-deactivation and self-demotion (422)', async () => {
    const deactivated = await api('POST', `/api/users/${ids.alice}/deactivate`, alice, {});
    expect(deactivated.status).toBe(422);
    expect(String(deactivated.body.detail)).toContain('yourself');
    const demoted = await api('PATCH', `/api/users/${ids.alice}`, alice, { role: 'employee' });
    expect(demoted.status).toBe(422);
    expect(await personRow(ids.alice)).toMatchObject({ active: true, revision: 1 });
  });

  it('keeps the last active admin (422), even for an admin whose token outlived their role', async () => {
    const adam = await addUserWithLogin({
      email: 'adam@techcorp.example',
      name: 'Adam Admin',
      role: 'admin',
      team_id: ids.finance,
      level_id: ids.level(2),
    });
    // Alice demotes Adam. His token is revoked within moments (AccessRevoked), but until
    // then it still says admin: approval must check the directory, not the token's role.
    // A token signed after the revocation with the stale role stands in for that moment.
    const demoted = await api('PATCH', `/api/users/${adam.id}`, alice, { role: 'finance' });
    expect(demoted.status).toBe(200);
    await eventually(async () =>
      (await api('GET', '/api/users/me', adam.token)).status === 401 ? true : undefined,
    );
    const staleAdmin = await signedWithRealKey({
      ...decodeJwt(adam.token),
      iat: Date.now() / 1000,
    });
    const deactivateAlice = await api('POST', `/api/users/${ids.alice}/deactivate`, staleAdmin, {});
    expect(deactivateAlice.status).toBe(422);
    expect(String(deactivateAlice.body.detail)).toContain('last active admin');
    const demoteAlice = await api('PATCH', `/api/users/${ids.alice}`, staleAdmin, {
      role: 'employee',
    });
    expect(demoteAlice.status).toBe(422);
    expect(await personRow(ids.alice)).toMatchObject({ active: true, revision: 1 });
  });

  it('deactivates a user, announces it, and refuses to do it twice (409)', async () => {
    const response = await api('POST', `/api/users/${zoe.id}/deactivate`, alice, {
      reason: 'left',
    });
    expect(response.status).toBe(200);
    expect(asUser(response)).toMatchObject({ active: false, revision: 3 });
    const [event] = await outboxEvents('UserDeactivated', zoe.id);
    expect(event?.payload.data).toMatchObject({ reason: 'left', user: { active: false } });
    expect((await api('POST', `/api/users/${zoe.id}/deactivate`, alice, {})).status).toBe(409);
    const asManager = await api('PATCH', `/api/users/${ids.grace}`, alice, { manager_id: zoe.id });
    expect(asManager.status).toBe(422);
    expect(String(asManager.body.detail)).toContain('deactivated');
  });
});

describe('listing users: every filter and paging match a reference computed here', () => {
  it('filters by role, team, level, active and q, through pages of 2', async () => {
    const all = asUsers(await api('GET', '/api/users?limit=100', alice));
    expect(all.length).toBeGreaterThanOrEqual(11);
    expect(await walkPages('/api/users', 2)).toEqual(all.map((u) => u.id));
    const matches = (u: UserBody, q: string) =>
      u.name.toLowerCase().includes(q.toLowerCase()) ||
      u.email.toLowerCase().includes(q.toLowerCase());
    const cases: [string, (u: UserBody) => boolean][] = [
      ['role=manager', (u) => u.role === 'manager'],
      ['role=admin', (u) => u.role === 'admin'],
      [`team_id=${ids.finance}`, (u) => u.team.id === ids.finance],
      [`level_id=${ids.level(7)}`, (u) => u.level.id === ids.level(7)],
      ['active=false', (u) => !u.active],
      ['active=true', (u) => u.active],
      ['q=EV', (u) => matches(u, 'EV')],
      ['q=techcorp.example', (u) => matches(u, 'techcorp.example')],
      ['q=%25', (u) => matches(u, '%')],
      [
        `role=manager&team_id=${ids.technology}&q=a`,
        (u) => u.role === 'manager' && u.team.id === ids.technology && matches(u, 'a'),
      ],
    ];
    for (const [filter, keep] of cases) {
      const expected = all.filter(keep).map((u) => u.id);
      expect(await walkPages(`/api/users?${filter}`, 2), filter).toEqual(expected);
    }
    // Non-trivial reference sets: a filter that matched everything or nothing proves little.
    expect(all.filter((u) => u.role === 'manager').length).toBe(5);
    expect(all.filter((u) => !u.active).length).toBe(1);
  });

  it('refuses a limit over 100, an unknown role and a forged cursor (400)', async () => {
    for (const path of ['/api/users?limit=101', '/api/users?role=boss', '/api/users?cursor=abc']) {
      expect((await api('GET', path, alice)).status, path).toBe(400);
    }
  });

  it('lets an auditor read but not manage users', async () => {
    const ivan = await login('ivan');
    expect((await api('GET', '/api/users', ivan)).status).toBe(200);
    expect((await api('GET', `/api/users/${ids.grace}`, ivan)).status).toBe(200);
    expect((await api('PATCH', `/api/users/${ids.grace}`, ivan, { name: 'G' })).status).toBe(403);
  });
});

describe('the public contract', () => {
  it('documents every org route and schema in the OpenAPI document', async () => {
    const doc = await api('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths as object)).toEqual(
      expect.arrayContaining([
        '/api/users',
        '/api/users/{id}',
        '/api/users/{id}/deactivate',
        '/api/teams',
        '/api/teams/{id}',
        '/api/levels',
        '/api/levels/{id}',
      ]),
    );
    const schemas = (doc.body.components as { schemas: Record<string, unknown> }).schemas;
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining([
        'User',
        'UserPage',
        'CreateUserRequest',
        'UpdateUserRequest',
        'Level',
      ]),
    );
  });
});

describe('teams and levels', () => {
  it('creates and renames teams and levels, with events, refusing duplicates (409)', async () => {
    const team = await api('POST', '/api/teams', alice, { name: 'Research' });
    expect(team.status).toBe(201);
    const teamId = String(team.body.id);
    expect((await api('POST', '/api/teams', alice, { name: 'Research' })).status).toBe(409);
    const renamed = await api('PATCH', `/api/teams/${teamId}`, alice, { name: 'R&D' });
    expect(renamed.body).toEqual({ id: teamId, name: 'R&D' });
    expect((await api('PATCH', `/api/teams/${teamId}`, alice, { name: 'Finance' })).status).toBe(
      409,
    );
    const level = await api('POST', '/api/levels', alice, { number: 8, name: 'Intern' });
    expect(level.status).toBe(201);
    const levelId = String(level.body.id);
    expect((await api('POST', '/api/levels', alice, { number: 8, name: 'Other' })).status).toBe(
      409,
    );
    const relabelled = await api('PATCH', `/api/levels/${levelId}`, alice, { name: 'Trainee' });
    expect(relabelled.body).toEqual({ id: levelId, number: 8, name: 'Trainee' });
    expect((await outboxEvents('TeamCreated', teamId))[0]?.payload.data).toEqual({
      team: { id: teamId, name: 'Research' },
    });
    expect((await outboxEvents('TeamRenamed', teamId))[0]?.payload.data).toEqual({
      team_id: teamId,
      previous_name: 'Research',
      name: 'R&D',
    });
    expect((await outboxEvents('LevelCreated', levelId))[0]?.payload.actor).toEqual({
      kind: 'user',
      id: ids.alice,
    });
    expect((await outboxEvents('LevelRenamed', levelId))[0]?.payload.data).toMatchObject({
      number: 8,
      previous_name: 'Intern',
      name: 'Trainee',
    });
  });
});

interface StatusDocument {
  status: string;
  approvals: {
    step_number: number;
    approver_name: string;
    approver_level: string;
    status: string;
  }[];
}

async function submitRouted(token: string, policyId: string, amount: number, description: string) {
  const created = await api('POST', '/api/expenses', token, {
    policy_id: policyId,
    amount,
    description,
  });
  expect(created.status).toBe(201);
  const expenseId = String(created.body.expense_id);
  await eventually(async () => {
    const rows = await query('select 1 from approval.chain where expense_id = $1', [expenseId]);
    return rows.length > 0 ? true : undefined;
  });
  return expenseId;
}

async function chainSteps(expenseId: string) {
  return query<{ step: number; approver_id: string; status: string; assignment: number }>(
    'select step, approver_id, status, assignment from approval.chain_step where expense_id = $1 order by step',
    [expenseId],
  );
}

/** The status document once the expense service has applied what `ready` waits for. */
async function statusWhen(
  token: string,
  expenseId: string,
  ready: (doc: StatusDocument) => boolean,
) {
  return eventually(async () => {
    const response = await api('GET', `/api/expenses/${expenseId}/status`, token);
    const doc = response.body as unknown as StatusDocument;
    return response.status === 200 && ready(doc) ? doc : undefined;
  });
}

describe('chains in flight follow the org when an approver leaves or moves', () => {
  let grace: string;
  let frank: string;
  let smallId: string;

  beforeAll(async () => {
    grace = await login('grace');
    frank = await login('frank');
    smallId = await submitRouted(grace, policies.small, 800, 'Laptop stand');
  });

  it('deactivating Frank hands his pending step to Eve, announced and asked', async () => {
    expect((await chainSteps(smallId))[0]?.approver_id).toBe(ids.frank);
    const response = await api('POST', `/api/users/${ids.frank}/deactivate`, alice, {
      reason: 'left the company',
    });
    expect(response.status).toBe(200);
    expect(await chainSteps(smallId)).toEqual([
      { step: 1, approver_id: ids.eve, status: 'pending', assignment: 2 },
    ]);
    const [reassigned] = await outboxEvents('ApproverReassigned', smallId);
    expect(reassigned?.payload.actor).toEqual({ kind: 'user', id: ids.alice });
    expect(reassigned?.payload.data).toMatchObject({
      expense_id: smallId,
      step: 1,
      previous_approver_id: ids.frank,
      approver: { step: 1, approver_id: ids.eve, approver_name: 'Eve Davis', level_name: 'SEM' },
      assignment: 2,
      reason: 'previous approver deactivated',
    });
    const requested = await outboxEvents('ApprovalRequested', smallId);
    expect(requested.map((e) => e.payload.data.approver_id)).toEqual([ids.frank, ids.eve]);
    // Frank's reports now report to his own manager.
    expect(asUser(await api('GET', `/api/users/${ids.grace}`, alice)).manager?.id).toBe(ids.eve);
  });

  it('the status document names Eve after the event; Frank may no longer decide, Eve may', async () => {
    const doc = await statusWhen(
      grace,
      smallId,
      (d) => d.approvals[0]?.approver_name === 'Eve Davis',
    );
    expect(doc.approvals).toMatchObject([
      { step_number: 1, approver_name: 'Eve Davis', approver_level: 'SEM', status: 'pending' },
    ]);
    // Frank's token was revoked with his deactivation (AccessRevoked); one signed after it
    // (standing in for the moment before the revocation arrived) meets approval's own check.
    const revoked = await eventually(async () => {
      const attempt = await api('POST', '/api/expenses/approve', frank, { expense_id: smallId });
      return attempt.status === 401 ? attempt : undefined;
    });
    expect(String(revoked.body.detail)).toContain('revoked');
    const stale = await signedWithRealKey({ ...decodeJwt(frank), iat: Date.now() / 1000 });
    const byFrank = await api('POST', '/api/expenses/approve', stale, { expense_id: smallId });
    expect(byFrank.status).toBe(403);
    expect(String(byFrank.body.detail)).toContain('deactivated');
    const eve = await login('eve');
    const queue = await api('GET', '/api/approvals/pending?limit=100', eve);
    expect(queue.body.items?.some((i) => i.expense_id === smallId)).toBe(true);
    const approved = await api('POST', '/api/expenses/approve', eve, { expense_id: smallId });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ expense_status: 'approved' });
    await statusWhen(grace, smallId, (d) => d.status === 'approved');
    // Eve was told, and Frank's login follows the directory (the gateway reads UserDeactivated).
    await eventually(async () => {
      const notes = await query(
        "select 1 from notification.notification where recipient_id = $1 and expense_id = $2 and kind = 'approval_requested'",
        [ids.eve, smallId],
      );
      return notes.length === 1 ? true : undefined;
    });
    await eventually(async () => {
      const attempt = await api('POST', '/api/auth/login', undefined, {
        email: 'frank@techcorp.example',
        password: 'countersign-demo',
      });
      return attempt.status === 401 ? true : undefined;
    });
  });

  it('a team move that puts the approver out of reach re-routes pending and waiting steps', async () => {
    // Frank is gone, so Large Equipment goes Eve (≤6), David (≤5), Carol (≤4).
    const largeId = await submitRouted(grace, policies.large, 4000, 'Workstation');
    expect((await chainSteps(largeId)).map((s) => s.approver_id)).toEqual([
      ids.eve,
      ids.david,
      ids.carol,
    ]);
    const moved = await api('PATCH', `/api/users/${ids.eve}`, alice, { team_id: ids.finance });
    expect(moved.status).toBe(200);
    // Eve's pending step: the nearest level left in Technology and not in the chain is Bob.
    const movedDavid = await api('PATCH', `/api/users/${ids.david}`, alice, {
      team_id: ids.finance,
    });
    expect(movedDavid.status).toBe(200);
    // David's waiting step: Bob holds step 1 now, so Alice.
    expect(await chainSteps(largeId)).toEqual([
      { step: 1, approver_id: ids.bob, status: 'pending', assignment: 2 },
      { step: 2, approver_id: ids.alice, status: 'waiting', assignment: 2 },
      { step: 3, approver_id: ids.carol, status: 'waiting', assignment: 1 },
    ]);
    const reassigned = await outboxEvents('ApproverReassigned', largeId);
    expect(reassigned.map((e) => [e.payload.data.step, e.payload.data.reason])).toEqual([
      [1, 'previous approver moved to another team'],
      [2, 'previous approver moved to another team'],
    ]);
    // Only the pending step asks its new approver now; the waiting one is asked in turn.
    const requested = await outboxEvents('ApprovalRequested', largeId);
    expect(requested.map((e) => e.payload.data.approver_id)).toEqual([ids.eve, ids.bob]);
    const doc = await statusWhen(
      grace,
      largeId,
      (d) =>
        d.approvals.map((a) => a.approver_name).join() === 'Bob Smith,Alice Chen,Carol Johnson',
    );
    expect(doc.approvals.map((a) => [a.approver_name, a.approver_level])).toEqual([
      ['Bob Smith', 'VP'],
      ['Alice Chen', 'CTO'],
      ['Carol Johnson', 'Director'],
    ]);
    // Bob, then Alice, then Carol: the re-routed chain runs to the end.
    for (const name of ['bob', 'alice', 'carol']) {
      const decided = await api('POST', '/api/expenses/approve', await login(name), {
        expense_id: largeId,
      });
      expect(decided.status, name).toBe(200);
    }
    await statusWhen(grace, largeId, (d) => d.status === 'approved');
  });

  it('a rename or role change leaves chains alone', async () => {
    const before = await query('select * from approval.chain_step order by expense_id, step');
    expect(
      (await api('PATCH', `/api/users/${ids.carol}`, alice, { name: 'Carol J.', role: 'finance' }))
        .status,
    ).toBe(200);
    const after = await query('select * from approval.chain_step order by expense_id, step');
    expect(after).toEqual(before);
  });

  it('with nobody eligible an admin takes the step; with no admin left the change is refused (422)', async () => {
    const team = String((await api('POST', '/api/teams', alice, { name: 'Lab' })).body.id);
    const mia = await addUserWithLogin({
      email: 'mia@techcorp.example',
      name: 'Mia Lab',
      role: 'manager',
      team_id: team,
      level_id: ids.level(6),
    });
    const lars = await addUserWithLogin({
      email: 'lars@techcorp.example',
      name: 'Lars Lab',
      role: 'employee',
      team_id: team,
      level_id: ids.level(7),
      manager_id: mia.id,
    });
    const fromLars = await submitRouted(lars.token, policies.small, 40, 'Lab gloves');
    expect((await chainSteps(fromLars))[0]?.approver_id).toBe(mia.id);
    // Alice joins the Lab and submits: Mia is her only possible approver.
    expect((await api('PATCH', `/api/users/${ids.alice}`, alice, { team_id: team })).status).toBe(
      200,
    );
    const fromAlice = await submitRouted(alice, policies.small, 50, 'Lab coat');
    expect((await chainSteps(fromAlice))[0]?.approver_id).toBe(mia.id);
    // Adam is no admin any more: Alice is the only one, and she submitted that expense.
    const refused = await api('POST', `/api/users/${mia.id}/deactivate`, alice, {});
    expect(refused.status).toBe(422);
    expect(String(refused.body.detail)).toContain(fromAlice);
    expect(await personRow(mia.id)).toMatchObject({ active: true, revision: 1 });
    expect(await outboxEvents('ApproverReassigned', fromLars)).toEqual([]);
    // Once Mia has decided Alice's expense and Alice is back in Technology, it goes through,
    // and Lars's step, which nobody in the Lab can take, goes to Alice as the admin.
    const rejected = await api('POST', '/api/expenses/reject', mia.token, {
      expense_id: fromAlice,
      reason: 'use the stock ones',
    });
    expect(rejected.status).toBe(200);
    expect(
      (await api('PATCH', `/api/users/${ids.alice}`, alice, { team_id: ids.technology })).status,
    ).toBe(200);
    const deactivated = await api('POST', `/api/users/${mia.id}/deactivate`, alice, {});
    expect(deactivated.status).toBe(200);
    expect((await chainSteps(fromLars))[0]).toMatchObject({
      approver_id: ids.alice,
      assignment: 2,
    });
    const [reassigned] = await outboxEvents('ApproverReassigned', fromLars);
    expect(String(reassigned?.payload.data.reason)).toContain('an admin takes the step');
    await statusWhen(lars.token, fromLars, (d) => d.approvals[0]?.approver_name === 'Alice Chen');
  });
  it('two deactivations at once never leave a step with someone inactive', async () => {
    // Technology now has Alice (1), Bob (2) and Carol (3) above Grace: Carol gets the step.
    const expenseId = await submitRouted(grace, policies.small, 60, 'Race');
    expect((await chainSteps(expenseId))[0]?.approver_id).toBe(ids.carol);
    // Deactivating Carol alone would hand the step to Bob, who is being deactivated too.
    const [carolGone, bobGone] = await Promise.all([
      api('POST', `/api/users/${ids.carol}/deactivate`, alice, {}),
      api('POST', `/api/users/${ids.bob}/deactivate`, alice, {}),
    ]);
    expect([carolGone.status, bobGone.status]).toEqual([200, 200]);
    const [step] = await chainSteps(expenseId);
    expect(step?.approver_id).toBe(ids.alice);
    const holder = await personRow(String(step?.approver_id));
    expect(holder?.active).toBe(true);
    await statusWhen(grace, expenseId, (d) => d.approvals[0]?.approver_name === 'Alice Chen');
  });
});

describe('a newly registered company gets its directory from CompanyRegistered', () => {
  const company = '0197c000-0000-7000-8000-000000000001';
  const admin = '0197c000-0000-7000-8000-000000000002';
  const envelope = (id: string) => ({
    id,
    type: 'CompanyRegistered',
    version: 1,
    occurred_at: new Date().toISOString(),
    company_id: company,
    actor: { kind: 'system', id: 'gateway' },
    subject: company,
    data: {
      company_id: company,
      company_name: 'Newco',
      admin: { user_id: admin, name: 'Nora New', email: 'Nora@newco.example' },
    },
  });

  async function publish(event: object) {
    const nc = await connect({ servers: NATS_URL });
    await jetstream(nc).publish(EventCatalogue.CompanyRegistered.subject, JSON.stringify(event));
    await nc.close();
  }

  async function snapshot() {
    return {
      companies: await query('select id, name from approval.company where id = $1', [company]),
      teams: await query('select name from approval.team where company_id = $1', [company]),
      levels: await query(
        'select number, name from approval.level where company_id = $1 order by number',
        [company],
      ),
      people: await query(
        `select p.id, p.name, p.email, p.role, p.active, p.manager_id, p.revision, l.number level, t.name team
         from approval.person p join approval.level l on l.id = p.level_id join approval.team t on t.id = p.team_id
         where p.company_id = $1`,
        [company],
      ),
      policies: await query(
        `select p.name, p.category, p.min_amount, p.max_amount, s.step_order, s.required_level, s.team_scope, s.required
         from approval.policy p join approval.policy_step s on s.policy_id = p.id where p.company_id = $1`,
        [company],
      ),
      added: await outboxEvents('UserAdded', admin),
    };
  }

  it('creates the company, General team, four levels, its admin and a default policy', async () => {
    const first = crypto.randomUUID();
    await publish(envelope(first));
    // UserAdded commits with everything else: once it is there, so is the rest.
    await eventually(async () =>
      (await outboxEvents('UserAdded', admin)).length > 0 ? true : undefined,
    );
    const state = await snapshot();
    expect(state.companies).toEqual([{ id: company, name: 'Newco' }]);
    expect(state.teams).toEqual([{ name: 'General' }]);
    expect(state.levels).toEqual([
      { number: 1, name: 'Executive' },
      { number: 2, name: 'Director' },
      { number: 3, name: 'Manager' },
      { number: 4, name: 'Staff' },
    ]);
    expect(state.people).toEqual([
      {
        id: admin,
        name: 'Nora New',
        email: 'nora@newco.example',
        role: 'admin',
        active: true,
        manager_id: null,
        revision: 1,
        level: 1,
        team: 'General',
      },
    ]);
    expect(state.policies).toEqual([
      {
        name: 'General expenses',
        category: 'general',
        min_amount: '0.00',
        max_amount: null,
        step_order: 1,
        required_level: 3,
        team_scope: 'submitter',
        required: true,
      },
    ]);
    expect(state.added).toHaveLength(1);
    expect(state.added[0]?.payload.data).toMatchObject({
      invited: false,
      user: { user_id: admin, role: 'admin', manager_id: null, revision: 1, active: true },
    });

    // The same event again, and the same registration under a new event id: nothing changes.
    await publish(envelope(first));
    const second = crypto.randomUUID();
    await publish(envelope(second));
    await eventually(async () => {
      const rows = await query(
        "select 1 from approval.inbox where consumer = 'approval-on-gateway-events' and event_id = $1",
        [second],
      );
      return rows.length > 0 ? true : undefined;
    });
    expect(await snapshot()).toEqual(state);
  });
});
