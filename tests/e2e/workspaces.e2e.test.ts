import { randomUUID } from 'node:crypto';
import { EventCatalogue, type EventOf, type EventType } from '@countersign/contracts';
import { demoCompany, demoTeam, demoUsers } from '@countersign/demo-data';
import { newEvent } from '@countersign/platform';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { hash } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

let cluster: TestCluster;
const tokens: Record<string, string> = {};
const idOf = (first: string): string => {
  const user = demoUsers.find((u) => u.email === `${first}@techcorp.example`);
  if (!user) throw new Error(`no demo user ${first}`);
  return user.id;
};

/** A second company with one admin, in the directory, the logins and the expense service's copy. */
const other = {
  company: '0197b000-0000-7000-8000-000000000001',
  team: '0197b000-0000-7000-8000-000000000002',
  level: '0197b000-0000-7000-8000-000000000003',
  person: '0197b000-0000-7000-8000-000000000004',
};
/** A TechCorp person the directory announces out of order: deactivated (rev 2) before added (rev 1). */
const dora = '0197a000-0000-7000-8000-00000000d07a';

async function addOtherCompany(): Promise<void> {
  const db = cluster.db;
  await db.query("insert into approval.company (id, name) values ($1, 'Other Corp')", [
    other.company,
  ]);
  await db.query("insert into approval.team (id, company_id, name) values ($1, $2, 'Ops')", [
    other.team,
    other.company,
  ]);
  await db.query(
    "insert into approval.level (id, company_id, number, name) values ($1, $2, 1, 'Boss')",
    [other.level, other.company],
  );
  await db.query(
    `insert into approval.person (id, company_id, team_id, level_id, name, email, active)
     values ($1, $2, $3, $4, 'Olga Other', 'olga@other.example', true)`,
    [other.person, other.company, other.team, other.level],
  );
  await db.query(
    "insert into identity.credential (user_id, company_id, email, name, role, password_hash, active, email_verified_at) values ($1, $2, 'olga@other.example', 'Olga Other', 'admin', $3, true, now())",
    [other.person, other.company, await hash('other-password')],
  );
  await db.query(
    `insert into expense.person (id, company_id, name, email, role, team_id, active, revision)
     values ($1, $2, 'Olga Other', 'olga@other.example', 'admin', $3, true, 1)`,
    [other.person, other.company, other.team],
  );
}

/** Publishes user events as the approval service would, straight onto its stream. */
async function announce(events: EventOf<EventType>[]): Promise<void> {
  const nc = await connect({ servers: NATS_URL });
  const js = jetstream(nc);
  for (const event of events) {
    await js.publish(EventCatalogue[event.type].subject, JSON.stringify(event), {
      msgID: event.id,
    });
  }
  await nc.close();
}

function doraSnapshot(revision: number, active: boolean) {
  return {
    user_id: dora,
    email: 'dora@techcorp.example',
    name: 'Dora Departed',
    role: 'employee' as const,
    team_id: demoTeam.id,
    level_id: '0197a000-0000-7000-8000-000000000307',
    manager_id: null,
    active,
    revision,
  };
}

const system = { kind: 'system' as const, id: 'approval' };
const handled = async (eventId: string) =>
  (
    await cluster.db.query(
      "select 1 from expense.inbox where consumer = 'expense-on-approval-events' and event_id = $1",
      [eventId],
    )
  ).rowCount === 1;

beforeAll(async () => {
  cluster = await TestCluster.start();
  await addOtherCompany();
  for (const name of ['alice', 'bob', 'carol', 'david', 'eve', 'frank', 'grace', 'hannah', 'ivan'])
    tokens[name] = await login(name);
  const answer = await api('POST', '/api/auth/login', undefined, {
    email: 'olga@other.example',
    password: 'other-password',
  });
  tokens.olga = String(answer.body.access_token);
  // The demo people reach the expense service as UserAdded events.
  await eventually(async () => {
    const { rows } = await cluster.db.query<{ n: string }>(
      'select count(*) n from expense.person where company_id = $1',
      [demoCompany.id],
    );
    return Number(rows[0]?.n) === demoUsers.length ? true : undefined;
  });
});
afterAll(async () => cluster?.stop());

async function created(response: ApiResponse): Promise<string> {
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return String(response.body.id ?? response.body.expense_id);
}

const outboxSubjectsFor = async (workspaceId: string) =>
  (
    await cluster.db.query<{ subject: string }>(
      "select subject from expense.outbox where payload->>'subject' = $1 order by id",
      [workspaceId],
    )
  ).rows.map((r) => r.subject);

describe('the directory copy', () => {
  it('keeps the highest revision of each person, whatever order and however often events come', async () => {
    const deactivated = newEvent('UserDeactivated', {
      companyId: demoCompany.id,
      actor: system,
      subject: dora,
      data: { user: doraSnapshot(2, false), reason: 'left' },
    });
    const added = newEvent('UserAdded', {
      companyId: demoCompany.id,
      actor: system,
      subject: dora,
      data: { user: doraSnapshot(1, true), invited: false },
    });
    // The same snapshot again under a new event id: the inbox lets it through, the revision not.
    const addedAgain = { ...added, id: randomUUID() };
    await announce([deactivated, added, addedAgain]);
    await eventually(async () =>
      (await handled(deactivated.id)) && (await handled(added.id)) && (await handled(addedAgain.id))
        ? true
        : undefined,
    );
    const { rows } = await cluster.db.query(
      'select company_id, name, active, revision from expense.person where id = $1',
      [dora],
    );
    expect(rows).toEqual([
      { company_id: demoCompany.id, name: 'Dora Departed', active: false, revision: 2 },
    ]);
  });
});

describe('workspaces through the gateway', () => {
  let workspaceId: string;
  /** What was submitted into the workspace: the reference the summary is checked against. */
  const submitted: { id: string; cents: number; category: string; status: string }[] = [];

  it('creating one makes the caller its owner; unknown fields are refused', async () => {
    const response = await api('POST', '/api/workspaces', tokens.grace, {
      name: 'Offsite 2027',
      description: 'Team offsite spend',
    });
    workspaceId = await created(response);
    expect(response.body).toMatchObject({
      name: 'Offsite 2027',
      description: 'Team offsite spend',
      created_by: idOf('grace'),
      my_role: 'owner',
    });
    for (const extra of [
      { company_id: other.company },
      { created_by: idOf('alice') },
      { role: 'owner' },
      { id: workspaceId },
    ]) {
      const refused = await api('POST', '/api/workspaces', tokens.grace, { name: 'X', ...extra });
      expect(refused.status, JSON.stringify(extra)).toBe(400);
    }
    const direct = await fetch(`http://127.0.0.1:${ports.expense}/workspaces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.grace}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Y', company_id: other.company }),
    });
    expect(direct.status).toBe(400);
    const duplicate = await api('POST', '/api/workspaces', tokens.frank, { name: 'Offsite 2027' });
    expect(duplicate.status).toBe(409);
    // The same name in another company is another workspace.
    await created(await api('POST', '/api/workspaces', tokens.olga, { name: 'Offsite 2027' }));
    const { rows } = await cluster.db.query(
      'select count(*)::int n from expense.workspace where name = $1',
      ['Offsite 2027'],
    );
    expect(rows[0]).toEqual({ n: 2 });
  });

  it('the owner adds members with each role; unknown, foreign, inactive and repeated people are refused', async () => {
    const add = (userId: string, role: string, as = 'grace') =>
      api('POST', `/api/workspaces/${workspaceId}/members`, tokens[as], { user_id: userId, role });
    const frank = await add(idOf('frank'), 'member');
    expect(frank.status).toBe(201);
    expect(frank.body).toMatchObject({
      user_id: idOf('frank'),
      name: 'Frank Miller',
      role: 'member',
    });
    expect((await add(idOf('eve'), 'viewer')).status).toBe(201);
    expect((await add(idOf('bob'), 'owner')).status).toBe(201);

    const before = await outboxSubjectsFor(workspaceId);
    expect((await add(idOf('frank'), 'viewer')).status).toBe(409);
    expect((await add('0197ffff-0000-7000-8000-00000000abcd', 'member')).status).toBe(404);
    expect((await add(other.person, 'member')).status).toBe(404);
    const inactive = await add(dora, 'member');
    expect(inactive.status).toBe(422);
    expect(inactive.contentType).toContain('application/problem+json');
    expect((await add(idOf('carol'), 'admin')).status).toBe(400);
    const smuggled = await api('POST', `/api/workspaces/${workspaceId}/members`, tokens.grace, {
      user_id: idOf('carol'),
      role: 'member',
      company_id: other.company,
    });
    expect(smuggled.status).toBe(400);
    // A member who is not an owner may not manage; refusals announce nothing.
    expect((await add(idOf('carol'), 'member', 'frank')).status).toBe(403);
    expect((await add(idOf('carol'), 'member', 'eve')).status).toBe(403);
    expect(await outboxSubjectsFor(workspaceId)).toEqual(before);

    const details = await api('GET', `/api/workspaces/${workspaceId}`, tokens.eve);
    expect(details.status).toBe(200);
    expect(details.body.my_role).toBe('viewer');
    expect(
      (details.body.members as { name: string; role: string }[]).map((m) => [m.name, m.role]),
    ).toEqual([
      ['Bob Smith', 'owner'],
      ['Grace Taylor', 'owner'],
      ['Eve Davis', 'viewer'],
      ['Frank Miller', 'member'],
    ]);
  });

  it('owners and members file expenses in it; a viewer cannot (403), a non-member is told it does not exist', async () => {
    const submit = async (as: string, policy: string, amount: string, category: string) => {
      const response = await api('POST', '/api/expenses', tokens[as], {
        policy_id: policy,
        amount,
        description: `${as} in the workspace`,
        workspace_id: workspaceId,
      });
      const id = await created(response);
      submitted.push({ id, cents: Math.round(Number(amount) * 100), category, status: 'pending' });
      return id;
    };
    await submit('frank', policies.small, '120.55', 'equipment');
    await submit('grace', policies.travel, '300.10', 'travel');
    await submit('bob', policies.large, '2500.35', 'equipment');
    await submit('grace', policies.small, '0.01', 'equipment');

    const viewer = await api('POST', '/api/expenses', tokens.eve, {
      policy_id: policies.small,
      amount: 10,
      description: 'viewer tries',
      workspace_id: workspaceId,
    });
    expect(viewer.status).toBe(403);
    for (const [as, workspace] of [
      ['carol', workspaceId],
      ['hannah', workspaceId],
      ['grace', '0197ffff-0000-7000-8000-00000000abcd'],
    ] as const) {
      const refused = await api('POST', '/api/expenses', tokens[as], {
        policy_id: policies.small,
        amount: 10,
        description: 'not a member',
        workspace_id: workspace,
      });
      expect(refused.status, as).toBe(404);
    }
    const { rows } = await cluster.db.query(
      "select count(*)::int n from expense.expense where description in ('viewer tries', 'not a member')",
    );
    expect(rows[0]).toEqual({ n: 0 });

    // The expense and its event both carry the workspace.
    const event = await cluster.db.query<{ workspace_id: string }>(
      "select payload->'data'->>'workspace_id' workspace_id from expense.outbox where payload->>'type' = 'ExpenseSubmitted' and payload->>'subject' = $1",
      [submitted[0]?.id],
    );
    expect(event.rows).toEqual([{ workspace_id: workspaceId }]);
    const mine = await api('GET', `/api/expenses?submitter_id=${idOf('frank')}`, tokens.frank);
    expect(mine.body.items?.[0]).toMatchObject({ id: submitted[0]?.id, workspace_id: workspaceId });
  });

  it('every member sees them in the workspace list and may read their status documents', async () => {
    for (const as of ['grace', 'eve', 'frank', 'bob', 'hannah', 'ivan', 'alice']) {
      const page = await api('GET', `/api/workspaces/${workspaceId}/expenses`, tokens[as]);
      expect(page.status, as).toBe(200);
      expect(
        page.body.items?.map((i) => i.id),
        as,
      ).toEqual(submitted.map((s) => s.id).reverse());
    }
    const first = await api('GET', `/api/workspaces/${workspaceId}/expenses?limit=3`, tokens.eve);
    expect(first.body.items?.[0]).toMatchObject({
      submitter_id: idOf('grace'),
      submitter_name: 'Grace Taylor',
      category: 'equipment',
      amount: 0.01,
    });
    const rest = await api(
      'GET',
      `/api/workspaces/${workspaceId}/expenses?limit=3&cursor=${String(first.body.next_cursor)}`,
      tokens.eve,
    );
    expect(rest.body.items?.map((i) => i.id)).toEqual([submitted[0]?.id]);
    expect(rest.body.next_cursor).toBeNull();

    // Bob's expense: Grace is neither its submitter nor an approver, but a member.
    const bobs = submitted[2]?.id;
    const asMember = await api('GET', `/api/expenses/${bobs}/status`, tokens.grace);
    expect(asMember.status).toBe(200);
    expect(asMember.body.workspace_id).toBe(workspaceId);
    expect((await api('GET', `/api/expenses/${bobs}/status`, tokens.carol)).status).toBe(404);
  });

  it('the summary adds up what was submitted, by status, by category and overall', async () => {
    // Eve approves Frank's small expense, so two statuses show.
    const franks = submitted[0];
    if (!franks) throw new Error('nothing submitted');
    await eventually(async () => {
      const r = await api('POST', '/api/expenses/approve', tokens.eve, { expense_id: franks.id });
      return r.status === 404 ? undefined : r;
    });
    await eventually(async () => {
      const r = await api('GET', `/api/expenses/${franks.id}/status`, tokens.frank);
      return r.body.status === 'approved' ? true : undefined;
    });
    franks.status = 'approved';

    const money = (cents: number) =>
      `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
    const totalOf = (items: typeof submitted) => ({
      count: items.length,
      amount: money(items.reduce((sum, s) => sum + s.cents, 0)),
    });
    const expected = {
      workspace_id: workspaceId,
      by_status: [
        'pending',
        'approved',
        'rejected',
        'refused',
        'sent_back',
        'withdrawn',
        'blocked',
        'paid',
      ].map((status) => ({
        status,
        ...totalOf(submitted.filter((s) => s.status === status)),
      })),
      by_category: [...new Set(submitted.map((s) => s.category))].sort().map((category) => ({
        category,
        ...totalOf(submitted.filter((s) => s.category === category)),
      })),
      overall: totalOf(submitted),
    };
    expect(expected.overall).toEqual({ count: 4, amount: '2921.01' });
    for (const as of ['grace', 'eve', 'hannah', 'ivan']) {
      const summary = await api('GET', `/api/workspaces/${workspaceId}/summary`, tokens[as]);
      expect(summary.status, as).toBe(200);
      expect(summary.body).toEqual(expected);
    }
  });

  it('an empty workspace sums to zero', async () => {
    const empty = await created(
      await api('POST', '/api/workspaces', tokens.david, { name: 'Empty' }),
    );
    const summary = await api('GET', `/api/workspaces/${empty}/summary`, tokens.david);
    expect(summary.body.overall).toEqual({ count: 0, amount: '0.00' });
    expect(summary.body.by_category).toEqual([]);
  });

  it('a non-member gets 404 for the workspace, its expenses and its summary, and sees nothing of it', async () => {
    for (const path of ['', '/expenses', '/summary']) {
      const response = await api('GET', `/api/workspaces/${workspaceId}${path}`, tokens.carol);
      expect(response.status, path).toBe(404);
      expect(response.contentType).toContain('application/problem+json');
    }
    const add = await api('POST', `/api/workspaces/${workspaceId}/members`, tokens.carol, {
      user_id: idOf('carol'),
      role: 'owner',
    });
    expect(add.status).toBe(404);
    const list = await api('GET', '/api/workspaces?limit=100', tokens.carol);
    expect(list.status).toBe(200);
    expect(list.body.items?.some((w) => w.id === workspaceId)).toBe(false);
    expect((await api('GET', '/api/workspaces?scope=company', tokens.carol)).status).toBe(403);
    expect((await api('GET', '/api/workspaces?scope=company', tokens.grace)).status).toBe(403);
  });

  it('members list their workspaces with their role; company-wide readers list them all', async () => {
    const eves = await api('GET', '/api/workspaces', tokens.eve);
    expect(eves.body.items?.map((w) => [w.id, w.my_role])).toEqual([[workspaceId, 'viewer']]);
    for (const as of ['alice', 'hannah', 'ivan']) {
      const all = await api('GET', '/api/workspaces?scope=company&limit=100', tokens[as]);
      expect(all.status, as).toBe(200);
      const names = all.body.items?.map((w) => w.name);
      expect(names, as).toEqual(expect.arrayContaining(['Offsite 2027', 'Empty']));
      expect(all.body.items?.find((w) => w.id === workspaceId)?.my_role, as).toBeNull();
      const own = await api('GET', '/api/workspaces', tokens[as]);
      expect(own.body.items, as).toEqual([]);
    }
    // Paging: one at a time through the company's workspaces, newest first.
    const seen: string[] = [];
    let cursor: unknown = null;
    do {
      const page = await api(
        'GET',
        `/api/workspaces?scope=company&limit=1${cursor ? `&cursor=${String(cursor)}` : ''}`,
        tokens.ivan,
      );
      seen.push(...(page.body.items?.map((w) => String(w.id)) ?? []));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen.length).toBe(2);
    expect(seen[1]).toBe(workspaceId);
    expect((await api('GET', '/api/workspaces?limit=101', tokens.ivan)).status).toBe(400);
  });

  it('a company admin manages any workspace of the company; finance and auditors only read', async () => {
    const path = `/api/workspaces/${workspaceId}/members`;
    expect(
      (await api('POST', path, tokens.hannah, { user_id: idOf('david'), role: 'viewer' })).status,
    ).toBe(403);
    expect(
      (await api('POST', path, tokens.ivan, { user_id: idOf('david'), role: 'viewer' })).status,
    ).toBe(403);
    expect(
      (await api('POST', path, tokens.alice, { user_id: idOf('david'), role: 'viewer' })).status,
    ).toBe(201);
    expect(
      (await api('PATCH', `${path}/${idOf('david')}`, tokens.alice, { role: 'member' })).body.role,
    ).toBe('member');
    const removed = await api('DELETE', `${path}/${idOf('david')}`, tokens.alice);
    expect(removed.status).toBe(204);
    expect(removed.body).toEqual({ text: '' });
    expect((await api('DELETE', `${path}/${idOf('david')}`, tokens.alice)).status).toBe(404);
    expect((await api('GET', `/api/workspaces/${workspaceId}`, tokens.david)).status).toBe(404);
  });

  it('the last owner can be neither demoted nor removed', async () => {
    const ws = await created(await api('POST', '/api/workspaces', tokens.frank, { name: 'Solo' }));
    const member = (userId: string) => `/api/workspaces/${ws}/members/${userId}`;
    const before = await outboxSubjectsFor(ws);
    for (const role of ['member', 'viewer']) {
      const demoted = await api('PATCH', member(idOf('frank')), tokens.frank, { role });
      expect(demoted.status).toBe(422);
    }
    const removed = await api('DELETE', member(idOf('frank')), tokens.frank);
    expect(removed.status).toBe(422);
    expect(removed.body.type).toBe('https://countersign.dev/problems/last-owner');
    expect((await api('DELETE', member(idOf('frank')), tokens.alice)).status).toBe(422);
    expect(await outboxSubjectsFor(ws)).toEqual(before);
    // With a second owner the first may step down, and the second is then the last.
    await created(
      await api('POST', `/api/workspaces/${ws}/members`, tokens.frank, {
        user_id: idOf('grace'),
        role: 'owner',
      }),
    );
    expect(
      (await api('PATCH', member(idOf('frank')), tokens.frank, { role: 'member' })).status,
    ).toBe(200);
    expect((await api('DELETE', member(idOf('grace')), tokens.grace)).status).toBe(422);
    expect(
      (await api('PATCH', member(idOf('grace')), tokens.frank, { role: 'viewer' })).status,
    ).toBe(403);
    expect((await api('DELETE', member(idOf('frank')), tokens.grace)).status).toBe(204);
    const details = await api('GET', `/api/workspaces/${ws}`, tokens.grace);
    expect(details.body.members).toEqual([
      expect.objectContaining({ user_id: idOf('grace'), role: 'owner' }),
    ]);
  });

  it('two owners demoting each other at once leave exactly one owner', async () => {
    for (let round = 0; round < 5; round += 1) {
      const ws = await created(
        await api('POST', '/api/workspaces', tokens.grace, { name: `Race ${round}` }),
      );
      const members = `/api/workspaces/${ws}/members`;
      await created(
        await api('POST', members, tokens.grace, { user_id: idOf('bob'), role: 'owner' }),
      );
      const answers = await Promise.all([
        api('PATCH', `${members}/${idOf('bob')}`, tokens.grace, { role: 'member' }),
        api('PATCH', `${members}/${idOf('grace')}`, tokens.bob, { role: 'member' }),
      ]);
      // The loser, checked after the winner committed, is no owner any more.
      expect(answers.map((a) => a.status).sort()).toEqual([200, 403]);
      const { rows } = await cluster.db.query(
        "select count(*)::int n from expense.workspace_member where workspace_id = $1 and role = 'owner'",
        [ws],
      );
      expect(rows[0]).toEqual({ n: 1 });
    }
  });

  it('another company sees none of it, and none of its people can be added', async () => {
    for (const path of ['', '/expenses', '/summary']) {
      expect((await api('GET', `/api/workspaces/${workspaceId}${path}`, tokens.olga)).status).toBe(
        404,
      );
    }
    const members = `/api/workspaces/${workspaceId}/members`;
    expect(
      (await api('POST', members, tokens.olga, { user_id: other.person, role: 'owner' })).status,
    ).toBe(404);
    expect(
      (await api('PATCH', `${members}/${idOf('grace')}`, tokens.olga, { role: 'viewer' })).status,
    ).toBe(404);
    expect((await api('DELETE', `${members}/${idOf('grace')}`, tokens.olga)).status).toBe(404);
    const theirs = await api('GET', '/api/workspaces?scope=company', tokens.olga);
    expect(theirs.body.items?.map((w) => w.name)).toEqual(['Offsite 2027']);
    expect(theirs.body.items?.[0]?.id).not.toBe(workspaceId);
    const filed = await api('POST', '/api/expenses', tokens.olga, {
      category: 'equipment',
      amount: 5,
      description: 'into TechCorp',
      workspace_id: workspaceId,
    });
    expect(filed.status).toBe(404);
    const theirWorkspace = String(theirs.body.items?.[0]?.id);
    expect((await api('GET', `/api/workspaces/${theirWorkspace}`, tokens.alice)).status).toBe(404);
    expect(
      (
        await api('POST', `/api/workspaces/${workspaceId}/members`, tokens.alice, {
          user_id: other.person,
          role: 'viewer',
        })
      ).status,
    ).toBe(404);
  });

  it('every change is announced through the outbox, for the audit trail', async () => {
    expect(await outboxSubjectsFor(workspaceId)).toEqual([
      'countersign.expense.workspace.created.v1',
      'countersign.expense.workspace.member-added.v1',
      'countersign.expense.workspace.member-added.v1',
      'countersign.expense.workspace.member-added.v1',
      'countersign.expense.workspace.member-added.v1',
      'countersign.expense.workspace.member-added.v1',
      'countersign.expense.workspace.member-changed.v1',
      'countersign.expense.workspace.member-removed.v1',
    ]);
    const { rows } = await cluster.db.query(
      "select payload->'data' data, payload->'actor' actor from expense.outbox where payload->>'subject' = $1 and payload->>'type' = 'WorkspaceMemberChanged'",
      [workspaceId],
    );
    expect(rows).toEqual([
      {
        data: {
          workspace_id: workspaceId,
          user_id: idOf('david'),
          previous_role: 'viewer',
          role: 'member',
        },
        actor: { kind: 'user', id: idOf('alice') },
      },
    ]);
    await eventually(async () => {
      const { rows: unsent } = await cluster.db.query(
        'select count(*)::int n from expense.outbox where sent_at is null',
      );
      return unsent[0]?.n === 0 ? true : undefined;
    });
  });
});
