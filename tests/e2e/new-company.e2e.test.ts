import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, TestCluster } from '../support/test-cluster.js';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await TestCluster.start();
});
afterAll(async () => cluster?.stop());

const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1] ?? '';
type Item = Record<string, unknown>;

/** Accepts the invitation e-mailed to `email` and returns the new member's access token. */
async function join(email: string, password: string): Promise<string> {
  const mail = await cluster.waitForMail(email, /invited/);
  const joined = await api('POST', '/api/auth/register', undefined, {
    email,
    invitation_code: codeIn(mail.text),
    password,
  });
  expect(joined.status, JSON.stringify(joined.body)).toBe(201);
  return String(joined.body.access_token);
}

describe('a company that starts from nothing', () => {
  it('registers, verifies, invites colleagues, builds its org chart and runs the core flow', async () => {
    // 1. Ada registers Acme and verifies her address: she is its first admin.
    const registered = await api('POST', '/api/auth/register', undefined, {
      company_name: 'Acme Ltd',
      name: 'Ada Founder',
      email: 'ada@acme.example',
      password: 'correct horse battery',
    });
    expect(registered.status).toBe(202);
    const code = codeIn((await cluster.waitForMail('ada@acme.example', /verification/)).subject);
    const verified = await api('POST', '/api/auth/verify-email', undefined, {
      email: 'ada@acme.example',
      code,
      password: 'correct horse battery',
    });
    expect(verified.status).toBe(200);
    const ada = String(verified.body.access_token);

    // 2. The approval service built the company from CompanyRegistered.
    const me = await eventually(async () => {
      const response = await api('GET', '/api/users/me', ada);
      return response.status === 200 ? response.body : undefined;
    });
    expect(me).toMatchObject({ name: 'Ada Founder', role: 'admin', manager_chain: [] });
    const levels = (await api('GET', '/api/levels', ada)).body.items as Item[];
    const levelId = (name: string) => String(levels.find((l) => l.name === name)?.id);
    expect(levels.map((l) => l.name)).toEqual(['Executive', 'Director', 'Manager', 'Staff']);

    // 3. She builds the org chart: a team, a manager in it reporting to her, an employee
    //    reporting to the manager.
    const team = await api('POST', '/api/teams', ada, { name: 'Field Ops' });
    expect(team.status).toBe(201);
    const max = await api('POST', '/api/users', ada, {
      email: 'max@acme.example',
      name: 'Max Manager',
      role: 'manager',
      team_id: team.body.id,
      level_id: levelId('Manager'),
      manager_id: (me as Item).id,
    });
    expect(max.status, JSON.stringify(max.body)).toBe(201);
    const emma = await api('POST', '/api/users', ada, {
      email: 'emma@acme.example',
      name: 'Emma Employee',
      role: 'employee',
      team_id: team.body.id,
      level_id: levelId('Staff'),
      manager_id: max.body.id,
    });
    expect(emma.status).toBe(201);

    // 4. Both accept their e-mailed invitations.
    const maxToken = await join('max@acme.example', 'max has a passphrase');
    const emmaToken = await join('emma@acme.example', 'emma has a passphrase');
    const trip = await api('POST', '/api/workspaces', emmaToken, { name: 'Site visits' });
    expect(trip.status).toBe(201);
    const emmaMe = (await api('GET', '/api/users/me', emmaToken)).body;
    expect(emmaMe).toMatchObject({
      name: 'Emma Employee',
      role: 'employee',
      team: { name: 'Field Ops' },
      level: { name: 'Staff', number: 4 },
      workspaces: [{ id: trip.body.id, name: 'Site visits', role: 'owner' }],
    });
    expect((emmaMe.manager_chain as Item[]).map((m) => m.name)).toEqual([
      'Max Manager',
      'Ada Founder',
    ]);

    // 5. Emma submits under the company's default policy; the chain comes from the org chart.
    const submitted = await api('POST', '/api/expenses', emmaToken, {
      category: 'general',
      amount: '120.50',
      description: 'Site visit train fare',
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    expect(submitted.body.approvals_required).toMatchObject([
      { step: 1, approver: 'Max Manager', level: 'Manager' },
    ]);
    const expenseId = String(submitted.body.expense_id);

    // 6. Max approves once the chain is stored; Emma sees it approved.
    const approved = await eventually(async () => {
      const response = await api('POST', '/api/expenses/approve', maxToken, {
        expense_id: expenseId,
      });
      return response.status === 404 ? undefined : response;
    });
    expect(approved.body).toMatchObject({ expense_status: 'approved', pending_approvals: 0 });
    const status = await eventually(async () => {
      const response = await api('GET', `/api/expenses/${expenseId}/status`, emmaToken);
      return response.body.status === 'approved' ? response.body : undefined;
    });
    expect(status).toMatchObject({ user_name: 'Emma Employee', policy_name: 'General expenses' });

    // Nobody of TechCorp sees any of it.
    const alice = await api('POST', '/api/auth/login', undefined, {
      email: 'alice@techcorp.example',
      password: 'countersign-demo',
    });
    const techcorpUsers = await api(
      'GET',
      '/api/users?limit=100&q=acme',
      String(alice.body.access_token),
    );
    expect(techcorpUsers.body.items).toEqual([]);
  });
});
