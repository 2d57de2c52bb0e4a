import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  eventually,
  gatewayUrl,
  login,
  policies,
  TestCluster,
} from '../support/test-cluster.js';

let cluster: TestCluster;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  cluster = await TestCluster.start();
  for (const name of ['alice', 'bob', 'david', 'eve', 'frank', 'grace'])
    tokens[name] = await login(name);
});
afterAll(async () => cluster?.stop());

const count = async (sql: string) =>
  Number((await cluster.db.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
const outboxCount = () => count('select count(*) n from approval.outbox');

async function submit(policy: string, amount: number, description: string, as = 'grace') {
  const response = await api('POST', '/api/expenses', tokens[as], {
    policy_id: policy,
    amount,
    description,
  });
  expect(response.status).toBe(201);
  return String(response.body.expense_id);
}

/** Approves once routing has stored the chain (a 404 only means "not routed yet"). */
async function approve(expenseId: string, as: string, comments: string) {
  return eventually(async () => {
    const response = await api('POST', '/api/expenses/approve', tokens[as], {
      expense_id: expenseId,
      comments,
    });
    return response.status === 404 ? undefined : response;
  });
}

async function statusOnceSettled(expenseId: string, as = 'grace', expected = 'approved') {
  return eventually(async () => {
    const response = await api('GET', `/api/expenses/${expenseId}/status`, tokens[as]);
    return response.body.status === expected ? response.body : undefined;
  });
}

describe('seed 001 through the gateway', () => {
  it('Test Case 1: small equipment needs the manager only', async () => {
    const created = await api('POST', '/api/expenses', tokens.grace, {
      user_id: '0197a000-0000-7000-8000-000000000107',
      policy_id: policies.small,
      amount: 800.0,
      description: 'Development laptop',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'pending',
      amount: 800,
      approvals_required: [{ step: 1, approver: 'Frank Miller', level: 'Manager' }],
    });
    const id = String(created.body.expense_id);
    const approved = await approve(id, 'frank', 'Standard equipment upgrade');
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      step_approved: 1,
      expense_status: 'approved',
      pending_approvals: 0,
    });
    const status = await statusOnceSettled(id);
    expect(status).toMatchObject({
      id,
      amount: 800,
      description: 'Development laptop',
      user_name: 'Grace Taylor',
      policy_name: 'Small Equipment',
      approvals: [
        {
          step_number: 1,
          approver_name: 'Frank Miller',
          approver_level: 'Manager',
          status: 'approved',
          comments: 'Standard equipment upgrade',
          required: true,
        },
      ],
    });
    expect(status.completed_at).toEqual(expect.any(String));
  });

  it('Test Case 2: large equipment goes Manager → SEM → AD, in order', async () => {
    const id = await submit(policies.large, 4000, 'High-end workstation for ML projects');
    const first = await approve(id, 'frank', 'Justified for ML work');
    expect(first.body).toMatchObject({
      step_approved: 1,
      expense_status: 'pending',
      pending_approvals: 2,
    });
    expect((await approve(id, 'eve', 'Supports team goals')).body).toMatchObject({
      step_approved: 2,
    });
    expect((await approve(id, 'david', 'Final approval granted')).body).toMatchObject({
      step_approved: 3,
      expense_status: 'approved',
    });
    const status = await statusOnceSettled(id);
    expect(
      (status.approvals as { approver_name: string; status: string }[]).map((a) => [
        a.approver_name,
        a.status,
      ]),
    ).toEqual([
      ['Frank Miller', 'approved'],
      ['Eve Davis', 'approved'],
      ['David Wilson', 'approved'],
    ]);
    const notes = await eventually(async () => {
      const response = await api('GET', '/api/notifications', tokens.grace);
      const items = response.body.items ?? [];
      const about = items.filter((n) => n.expense_id === id);
      return about.length >= 4 ? items : undefined;
    });
    // Told of each step approved, and once that the expense is approved.
    expect(
      notes
        .filter((n) => n.expense_id === id)
        .map((n) => n.kind)
        .sort(),
    ).toEqual(['expense_approved', 'step_approved', 'step_approved', 'step_approved']);
  });

  it('routes by category and amount when no policy id is sent', async () => {
    const response = await api('POST', '/api/expenses', tokens.grace, {
      category: 'travel',
      amount: '350.10',
      description: 'Client visit',
    });
    expect(response.status).toBe(201);
    expect(response.body.approvals_required).toEqual([
      { step: 1, approver: 'Frank Miller', level: 'Manager' },
      { step: 2, approver: 'Eve Davis', level: 'SEM' },
    ]);
  });

  it('rejection is terminal and tells the submitter', async () => {
    const id = await submit(policies.travel, 1200, 'Conference trip');
    await approve(id, 'frank', 'fine by me');
    const rejected = await eventually(async () => {
      const r = await api('POST', '/api/expenses/reject', tokens.eve, {
        expense_id: id,
        reason: 'Over budget',
      });
      return r.status === 404 ? undefined : r;
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ expense_status: 'rejected', step_rejected: 2 });
    const status = await statusOnceSettled(id, 'grace', 'rejected');
    expect(status.approvals).toMatchObject([
      { status: 'approved' },
      { status: 'rejected', comments: 'Over budget' },
    ]);
    const afterEnd = await api('POST', '/api/expenses/approve', tokens.eve, { expense_id: id });
    expect(afterEnd.status).toBe(409);
    await eventually(async () => {
      const items = (await api('GET', '/api/notifications', tokens.grace)).body.items ?? [];
      return items.find((n) => n.expense_id === id && n.kind === 'expense_rejected');
    });
  });

  it('shows approvers their queue and notifies them', async () => {
    const id = await submit(policies.small, 99.5, 'Keyboard');
    const queued = await eventually(async () => {
      const items =
        (await api('GET', '/api/approvals/pending?limit=100', tokens.frank)).body.items ?? [];
      return items.find((item) => item.expense_id === id);
    });
    expect(queued).toMatchObject({ step: 1, submitter_name: 'Grace Taylor', amount: 99.5 });
    await eventually(async () => {
      const items =
        (await api('GET', '/api/notifications?unread_only=true', tokens.frank)).body.items ?? [];
      return items.find((n) => n.expense_id === id && n.kind === 'approval_requested');
    });
    const mine = await api('GET', '/api/expenses?limit=2', tokens.grace);
    expect(mine.status).toBe(200);
    expect(mine.body.items?.[0]).toMatchObject({ id, status: 'pending' });
    expect(mine.body.next_cursor).toEqual(expect.any(String));
    const next = await api(
      'GET',
      `/api/expenses?limit=2&cursor=${String(mine.body.next_cursor)}`,
      tokens.grace,
    );
    expect(next.body.items?.map((e) => e.id)).not.toContain(id);
  });
});

describe('refusals answer problem+json and change nothing', () => {
  const expectProblem = (
    response: { status: number; contentType: string; body: Record<string, unknown> },
    status: number,
    detail: RegExp,
  ) => {
    expect(response.status).toBe(status);
    expect(response.contentType).toContain('application/problem+json');
    expect(response.body).toMatchObject({
      status,
      title: expect.any(String),
      instance: expect.stringMatching(/^\/api\//),
    });
    expect(String(response.body.detail)).toMatch(detail);
  };

  it('self-approval, outsiders, out of turn and acting twice', async () => {
    const id = await submit(policies.large, 2500, 'Monitor wall');
    await approve(id, 'frank', 'ok');
    const eventsBefore = await outboxCount();
    expectProblem(
      await api('POST', '/api/expenses/approve', tokens.grace, { expense_id: id }),
      403,
      /own expense/,
    );
    expectProblem(
      await api('POST', '/api/expenses/approve', tokens.bob, { expense_id: id }),
      403,
      /not an approver/,
    );
    expectProblem(
      await api('POST', '/api/expenses/approve', tokens.david, { expense_id: id }),
      409,
      /decided first/,
    );
    expectProblem(
      await api('POST', '/api/expenses/approve', tokens.frank, { expense_id: id }),
      409,
      /already decided/,
    );
    // The expense service learns of frank's approval from an event: wait for it, then
    // check that none of the refused calls changed anything.
    const steps = await eventually(async () => {
      const status = await api('GET', `/api/expenses/${id}/status`, tokens.grace);
      const seen = (status.body.approvals as { status: string }[]).map((a) => a.status);
      return seen[0] === 'approved' ? seen : undefined;
    });
    expect(steps).toEqual(['approved', 'pending', 'pending']);
    expect(await outboxCount()).toBe(eventsBefore); // no refusal announced anything
  });

  it('refuses bodies that are not JSON (415) or too large (413)', async () => {
    const asText = await fetch(`${gatewayUrl}/api/expenses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.grace}`, 'content-type': 'text/plain' },
      body: JSON.stringify({ policy_id: policies.small, amount: 5, description: 'plain' }),
    });
    expect(asText.status).toBe(415);
    expect(asText.headers.get('content-type')).toContain('application/problem+json');
    const huge = await api('POST', '/api/expenses', tokens.grace, {
      policy_id: policies.small,
      amount: 5,
      description: 'x'.repeat(100_000),
    });
    expectProblem(huge, 413, /limited to 65536 bytes/);
  });

  it('refuses at submit, storing nothing, when nobody can approve', async () => {
    const expensesBefore = await count('select count(*) n from expense.expense');
    // Behind the services' backs: in the owner's directory and in the expense service's
    // routing copy of it, which a submission is routed from.
    for (const schema of ['approval', 'expense']) {
      await cluster.db.query(
        `update ${schema}.person set active = false where email <> 'grace@techcorp.example'`,
      );
    }
    try {
      expectProblem(
        await api('POST', '/api/expenses', tokens.grace, {
          policy_id: policies.small,
          amount: 5,
          description: 'alone',
        }),
        422,
        /there is none/,
      );
    } finally {
      await cluster.db.query('update approval.person set active = true');
      await cluster.db.query('update expense.person set active = true');
    }
    expect(await count('select count(*) n from expense.expense')).toBe(expensesBefore);
  });

  it('bad input, wrong user, out-of-range amounts and unknown policies', async () => {
    expectProblem(
      await api('POST', '/api/expenses', tokens.grace, '{"amount":'),
      400,
      /valid JSON/,
    );
    const invalid = await api('POST', '/api/expenses', tokens.grace, {
      policy_id: policies.small,
      amount: -5,
    });
    expectProblem(invalid, 400, /amount/);
    expect(invalid.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'description' })]),
    );
    expectProblem(
      await api('POST', '/api/expenses', tokens.grace, {
        user_id: '0197a000-0000-7000-8000-000000000106',
        policy_id: policies.small,
        amount: 10,
        description: 'as Frank',
      }),
      403,
      /your own id/,
    );
    expectProblem(
      await api('POST', '/api/expenses', tokens.grace, {
        policy_id: policies.small,
        amount: 4000,
        description: 'x',
      }),
      422,
      /outside policy/,
    );
    expectProblem(
      await api('POST', '/api/expenses', tokens.grace, {
        policy_id: '0197a000-0000-7000-8000-000000000999',
        amount: 10,
        description: 'x',
      }),
      404,
      /no active policy/,
    );
  });

  it('needs a valid token everywhere but login, and hides other people’s expenses', async () => {
    const someId = '0197a000-0000-7000-8000-000000000999';
    for (const [method, path] of [
      ['POST', '/api/expenses'],
      ['GET', '/api/expenses'],
      ['GET', `/api/expenses/${someId}/status`],
      ['POST', '/api/expenses/approve'],
      ['POST', '/api/expenses/reject'],
      ['GET', '/api/approvals/pending'],
      ['GET', '/api/notifications'],
    ] as const) {
      expectProblem(
        await api(method, path, undefined, method === 'POST' ? {} : undefined),
        401,
        /access token/,
      );
    }
    expectProblem(await api('GET', '/api/expenses', 'not-a-token'), 401, /invalid/);
    expectProblem(
      await api('POST', '/api/auth/login', undefined, {
        email: 'grace@techcorp.example',
        password: 'nope',
      }),
      401,
      /wrong/,
    );
    const id = await submit(policies.small, 42, 'Mouse');
    expectProblem(await api('GET', `/api/expenses/${id}/status`, tokens.bob), 404, /no expense/);
    expect((await api('GET', `/api/expenses/${id}/status`, tokens.alice)).status).toBe(200);
    expect((await api('GET', `/api/expenses/${id}/status`, tokens.frank)).status).toBe(200);
    expectProblem(await api('GET', '/api/expenses/not-a-uuid/status', tokens.grace), 400, /id/);
  });

  it('serves the OpenAPI document and offline docs', async () => {
    const doc = await api('GET', '/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths as object)).toEqual(
      expect.arrayContaining([
        '/api/expenses',
        '/api/expenses/approve',
        '/api/expenses/{id}/status',
        '/api/auth/login',
      ]),
    );
    const docs = await fetch(`${gatewayUrl}/docs`);
    expect(await docs.text()).toContain('/docs/assets/swagger-ui-bundle.js');
    const bundle = await fetch(`${gatewayUrl}/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
  });
});
