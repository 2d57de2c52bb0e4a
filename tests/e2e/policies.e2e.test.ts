import {
  CreateExpenseResponse,
  ExpensePreview,
  PolicyList,
  ProblemDetails,
  RoutingExplanation,
} from '@countersign/contracts';
import { demoTeam, demoUsers } from '@countersign/demo-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, login, TestCluster } from '../support/test-cluster.js';

let cluster: TestCluster;
const tokens: Record<string, string> = {};
/** The expense routed by the office policy in the first test, explained later. */
let officeExpense = '';
const idOf = (first: string) =>
  demoUsers.find((u) => u.email.startsWith(`${first}@`))?.id ?? 'missing';

beforeAll(async () => {
  cluster = await TestCluster.start();
  for (const name of ['alice', 'bob', 'frank', 'grace', 'hannah', 'ivan'])
    tokens[name] = await login(name);
  // Expenses name categories from the company's list; these tests' policies add new ones.
  for (const name of ['office', 'urgent-travel', 'snacks', 'simtest']) {
    const created = await api('POST', '/api/categories', tokens.hannah, { name });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
});
afterAll(async () => cluster?.stop());

const managerThenFinanceThenCarol = [
  { approver: { by: 'level', level: 6, scope: 'submitter_team' }, required: true },
  { approver: { by: 'role', role: 'finance' }, required: true },
  { approver: { by: 'user', user_id: idOf('carol') }, required: false },
];
const officeRules = [
  {
    priority: 1,
    description: 'Nothing over 10,000',
    condition: { field: 'amount', op: 'gt', value: '10000' },
    action: { type: 'block', reason: 'office spend over 10,000 needs a purchase order' },
  },
  {
    priority: 2,
    condition: { not: { field: 'receipt', op: 'present', value: true } },
    action: { type: 'flag', message: 'no receipt attached' },
  },
  {
    priority: 10,
    description: 'Everything else',
    condition: {
      all: [
        { field: 'amount', op: 'between', min: '0.01', max: '10000' },
        { field: 'submitter_team', op: 'in', values: [demoTeam.id] },
      ],
    },
    action: { type: 'require_approval', steps: managerThenFinanceThenCarol },
  },
];

async function createOffice(as = 'alice', name = 'Office supplies') {
  const created = await api('POST', '/api/policies', tokens[as], {
    name,
    category: 'Office',
    rules: officeRules,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { id: string; version: number; category: string };
}

async function chainOf(expenseId: string) {
  return eventually(async () => {
    const result = await cluster.db.query<{
      policy_version: number | null;
      flags: string[];
      approvers: string[];
    }>(
      `select c.policy_version, c.flags,
              array_agg(s.approver_name order by s.step) approvers
         from approval.chain c join approval.chain_step s using (expense_id)
        where c.expense_id = $1 group by c.expense_id`,
      [expenseId],
    );
    return result.rows[0];
  });
}

describe('policies as rules, through the gateway', () => {
  it('creates a policy and routes by level, role and named user, with flags', async () => {
    const policy = await createOffice();
    expect(policy).toMatchObject({ version: 1, category: 'office' });
    const listed = await api('GET', '/api/policies', tokens.grace);
    expect(listed.status).toBe(200);
    expect(PolicyList.parse(listed.body).items.map((p) => p.id)).toContain(policy.id);
    const submitted = await api('POST', '/api/expenses', tokens.grace, {
      category: 'office',
      amount: 120,
      description: 'Chairs',
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    expect(submitted.body.policy_id).toBe(policy.id);
    const created = CreateExpenseResponse.parse(submitted.body);
    expect(created.approvals_required.map((a) => a.approver)).toEqual([
      'Frank Miller',
      'Hannah Lee',
      'Carol Johnson',
    ]);
    officeExpense = String(submitted.body.expense_id);
    const chain = await chainOf(officeExpense);
    expect(chain).toMatchObject({ policy_version: 1, flags: ['no receipt attached'] });
    const status = await api('GET', `/api/expenses/${officeExpense}/status`, tokens.frank);
    expect(status.body.flags).toEqual(['no receipt attached']);
  });

  it("a step's own escalation hours set its deadline; other steps keep the company's", async () => {
    const created = await api('POST', '/api/policies', tokens.alice, {
      name: 'Urgent travel',
      category: 'urgent-travel',
      rules: [
        {
          priority: 1,
          condition: { field: 'amount', op: 'gt', value: '0' },
          action: {
            type: 'require_approval',
            steps: [
              {
                approver: { by: 'level', level: 6, scope: 'submitter_team' },
                required: true,
                escalate_after_hours: 2,
              },
            ],
          },
        },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const urgent = await api('POST', '/api/expenses', tokens.grace, {
      category: 'urgent-travel',
      amount: 80,
      description: 'Train tomorrow',
    });
    expect(urgent.status).toBe(201);
    const usual = await api('POST', '/api/expenses', tokens.grace, {
      category: 'office',
      amount: 30,
      description: 'Pens',
    });
    expect(usual.status).toBe(201);
    const hoursUntilDue = (expenseId: string) =>
      eventually(async () => {
        const { rows } = await cluster.db.query<{ hours: string }>(
          `select round(extract(epoch from d.due_at - s.requested_at) / 3600) hours
             from approval.step_deadline d
             join approval.chain_step s using (expense_id, step)
            where d.expense_id = $1 and d.step = 1`,
          [expenseId],
        );
        return rows[0] ? Number(rows[0].hours) : undefined;
      });
    expect(await hoursUntilDue(String(urgent.body.expense_id))).toBe(2);
    expect(await hoursUntilDue(String(usual.body.expense_id))).toBe(48);
  });

  it('explains the route to the submitter, its approvers and auditors, and no one else', async () => {
    const routing = await api('GET', `/api/expenses/${officeExpense}/routing`, tokens.grace);
    expect(routing.status, JSON.stringify(routing.body)).toBe(200);
    const explanation = RoutingExplanation.parse(routing.body.explanation);
    expect(explanation.policy).toMatchObject({ name: 'Office supplies', version: 1 });
    expect(explanation.outcome).toBe('require_approval');
    expect(explanation.matched_rule).toMatchObject({ index: 2, priority: 10 });
    expect(explanation.rules.map((r) => [r.priority, r.matched])).toEqual([
      [1, false],
      [2, true],
      [10, true],
    ]);
    expect(explanation.flags).toEqual(['no receipt attached']);
    const [manager, finance, named] = explanation.steps;
    if (!manager || !finance || !named) throw new Error('three steps expected');
    expect(manager.approver).toEqual({ by: 'level', level: 6, scope: 'submitter_team' });
    expect(manager.candidates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          person_id: idOf('grace'),
          chosen: false,
          reason: 'is the submitter',
        }),
        expect.objectContaining({ person_id: idOf('frank'), chosen: true }),
      ]),
    );
    expect(finance.approver_id).toBe(idOf('hannah'));
    expect(named.approver_id).toBe(idOf('carol'));
    for (const reader of ['frank', 'hannah', 'ivan', 'alice'])
      expect(
        (await api('GET', `/api/expenses/${officeExpense}/routing`, tokens[reader])).status,
        reader,
      ).toBe(200);
    expect((await api('GET', `/api/expenses/${officeExpense}/routing`, tokens.bob)).status).toBe(
      404,
    );
  });

  it('previews chain, flags and blocks without storing anything', async () => {
    const before = await cluster.db.query('select count(*)::int n from expense.expense');
    const preview = await api('POST', '/api/expenses/preview', tokens.grace, {
      category: 'office',
      amount: 120,
    });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body).toMatchObject({
      outcome: 'require_approval',
      block_reason: null,
      flags: ['no receipt attached'],
    });
    expect(ExpensePreview.parse(preview.body).chain.map((s) => s.approver_name)).toEqual([
      'Frank Miller',
      'Hannah Lee',
      'Carol Johnson',
    ]);
    const blocked = await api('POST', '/api/expenses/preview', tokens.grace, {
      category: 'office',
      amount: 20000,
    });
    expect(blocked.body).toMatchObject({ outcome: 'block', chain: [] });
    expect(blocked.body.block_reason).toMatch(/purchase order/);
    expect(
      (await api('POST', '/api/expenses/preview', tokens.ivan, { category: 'office', amount: 1 }))
        .status,
    ).toBe(403);
    const after = await cluster.db.query('select count(*)::int n from expense.expense');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('auto-approves at once: approved, no chain, explained', async () => {
    const created = await api('POST', '/api/policies', tokens.alice, {
      name: 'Snacks',
      category: 'snacks',
      rules: [
        {
          priority: 1,
          condition: { field: 'amount', op: 'lt', value: '25' },
          action: { type: 'auto_approve' },
        },
        {
          priority: 2,
          condition: { field: 'amount', op: 'gte', value: '25' },
          action: {
            type: 'require_approval',
            steps: [
              { approver: { by: 'level', level: 6, scope: 'submitter_team' }, required: true },
            ],
          },
        },
      ],
    });
    expect(created.status).toBe(201);
    const small = await api('POST', '/api/expenses', tokens.grace, {
      category: 'snacks',
      amount: 12.5,
      description: 'Fruit',
    });
    expect(small.status, JSON.stringify(small.body)).toBe(201);
    expect(small.body).toMatchObject({ status: 'approved', approvals_required: [] });
    const id = String(small.body.expense_id);
    const status = await api('GET', `/api/expenses/${id}/status`, tokens.grace);
    expect(status.body).toMatchObject({ status: 'approved', approvals: [] });
    const routing = await eventually(async () => {
      const r = await api('GET', `/api/expenses/${id}/routing`, tokens.grace);
      return r.status === 200 ? r.body : undefined;
    });
    expect(routing).toMatchObject({
      status: 'approved',
      explanation: { outcome: 'auto_approve', steps: [] },
    });
    expect(RoutingExplanation.parse(routing.explanation).matched_rule).toMatchObject({
      priority: 1,
    });
    const big = await api('POST', '/api/expenses', tokens.grace, {
      category: 'snacks',
      amount: 30,
      description: 'Cake',
    });
    expect(big.body).toMatchObject({ status: 'pending' });
  });

  it('blocks synchronously with 422 and the reason, keeping the attempt on record as blocked', async () => {
    await createOffice('alice', 'Office supplies (block check)');
    const blocked = await api('POST', '/api/expenses', tokens.grace, {
      category: 'office',
      amount: 20000,
      description: 'A whole office',
    });
    expect(blocked.status).toBe(422);
    expect(blocked.body.detail).toMatch(/purchase order/);
    expect(blocked.body.reason).toBe('office spend over 10,000 needs a purchase order');
    const stored = await cluster.db.query(
      'select status, refusal_reason from expense.expense where id = $1',
      [blocked.body.expense_id],
    );
    expect(stored.rows).toEqual([
      { status: 'blocked', refusal_reason: 'office spend over 10,000 needs a purchase order' },
    ]);
  });

  it('versions on edit: an expense in flight keeps the version it was routed by', async () => {
    const policy = await createOffice('hannah', 'Versioned office');
    const first = await api('POST', '/api/expenses', tokens.grace, {
      policy_id: policy.id,
      amount: 50,
      description: 'Pens',
    });
    expect(first.status).toBe(201);
    const firstId = String(first.body.expense_id);
    const edited = await api('PATCH', `/api/policies/${policy.id}`, tokens.alice, {
      rules: [
        {
          priority: 1,
          condition: { field: 'amount', op: 'gte', value: '0' },
          action: {
            type: 'require_approval',
            steps: [
              { approver: { by: 'level', level: 5, scope: 'submitter_team' }, required: true },
            ],
          },
        },
      ],
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body.version).toBe(2);
    // The expense service routes from its copy, which follows the edit a moment later.
    await cluster.routingCopyCaughtUp();
    const second = await api('POST', '/api/expenses', tokens.grace, {
      policy_id: policy.id,
      amount: 50,
      description: 'More pens',
    });
    expect(second.status).toBe(201);
    expect((await chainOf(firstId))?.approvers).toEqual([
      'Frank Miller',
      'Hannah Lee',
      'Carol Johnson',
    ]);
    expect(await chainOf(String(second.body.expense_id))).toMatchObject({
      policy_version: 2,
      approvers: ['Eve Davis'],
    });
    const v1 = await api('GET', `/api/policies/${policy.id}?version=1`, tokens.grace);
    expect(v1.body).toMatchObject({ version: 1, name: 'Versioned office' });
    expect(v1.body.rules).toHaveLength(3);
    const current = await api('GET', `/api/policies/${policy.id}`, tokens.ivan);
    expect(current.body).toMatchObject({ version: 2 });
    const events = await cluster.db.query(
      "select count(*)::int n from approval.outbox where subject like 'countersign.approval.policy.%' and payload::text like $1",
      [`%${policy.id}%`],
    );
    expect(events.rows[0].n).toBe(2);
  });

  it('deactivates: the policy no longer routes new expenses', async () => {
    const policy = await createOffice('alice', 'Short-lived');
    const off = await api('POST', `/api/policies/${policy.id}/deactivate`, tokens.alice, {});
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    await cluster.routingCopyCaughtUp();
    const refused = await api('POST', '/api/expenses', tokens.grace, {
      policy_id: policy.id,
      amount: 5,
      description: 'x',
    });
    expect(refused.status).toBe(404);
    const edit = await api('PATCH', `/api/policies/${policy.id}`, tokens.alice, { name: 'Back' });
    expect(edit.status).toBe(409);
  });

  it('refuses invalid rules, naming the path', async () => {
    const post = (rules: unknown) =>
      api('POST', '/api/policies', tokens.alice, { name: 'Bad', category: 'bad', rules });
    const step = (approver: unknown) => [{ approver, required: true }];
    const rule = (
      condition: unknown,
      approver: unknown = { by: 'level', level: 6, scope: 'company' },
    ) => [{ priority: 1, condition, action: { type: 'require_approval', steps: step(approver) } }];
    const always = { field: 'amount', op: 'gte', value: '0' };
    const unknownLevel = await post(rule(always, { by: 'level', level: 15, scope: 'company' }));
    expect(unknownLevel.status).toBe(422);
    expect(unknownLevel.body.errors).toEqual([
      expect.objectContaining({ path: 'rules.0.action.steps.0.approver.level' }),
    ]);
    const unknownUser = await post(
      rule(always, { by: 'user', user_id: '0197ffff-0000-7000-8000-000000000001' }),
    );
    expect(unknownUser.status).toBe(422);
    const unknownTeam = await post(
      rule({ field: 'submitter_team', op: 'in', values: ['0197ffff-0000-7000-8000-000000000002'] }),
    );
    expect(unknownTeam.status).toBe(422);
    expect(ProblemDetails.parse(unknownTeam.body).errors?.[0]?.path).toBe(
      'rules.0.condition.values',
    );
    const inverted = await post(
      rule({ not: { field: 'amount', op: 'between', min: '5', max: '1' } }),
    );
    expect(inverted.status).toBe(400);
    expect(ProblemDetails.parse(inverted.body).errors?.[0]?.path).toBe('rules.0.condition.not');
    expect((await post(rule({ all: [] }))).status).toBe(400);
    expect((await post(rule({ field: 'amount', op: 'gte', value: 1.5 }))).status).toBe(400);
    const twice = await post([...rule(always), ...rule(always)]);
    expect(twice.status).toBe(400);
    expect(JSON.stringify(twice.body.errors)).toContain('priority');
  });

  it('simulates a draft against past expenses, matching a reference computed here', async () => {
    const levelStep = (level: number) => ({
      type: 'require_approval',
      steps: [{ approver: { by: 'level', level, scope: 'submitter_team' }, required: true }],
    });
    const always = { field: 'amount', op: 'gte', value: '0' };
    const created = await api('POST', '/api/policies', tokens.alice, {
      name: 'Simulated',
      category: 'simtest',
      rules: [{ priority: 1, condition: always, action: levelStep(6) }],
    });
    expect(created.status).toBe(201);
    const startedAt = new Date().toISOString();
    const amounts = [10, 45.5, 60, 99.99, 150, 320.25];
    for (const amount of amounts) {
      const r = await api('POST', '/api/expenses', tokens.grace, {
        category: 'simtest',
        amount,
        description: 'sim',
      });
      expect(r.status).toBe(201);
    }
    await eventually(async () => {
      const n = await cluster.db.query(
        "select count(*)::int n from approval.chain where category = 'simtest'",
      );
      return n.rows[0].n === amounts.length ? true : undefined;
    });
    const draft = [
      {
        priority: 1,
        condition: { field: 'amount', op: 'lt', value: '50' },
        action: { type: 'auto_approve' },
      },
      {
        priority: 2,
        condition: { field: 'amount', op: 'gt', value: '300' },
        action: { type: 'block', reason: 'no' },
      },
      {
        priority: 3,
        condition: { field: 'amount', op: 'gte', value: '100' },
        action: levelStep(5),
      },
      { priority: 4, condition: always, action: levelStep(6) },
    ];
    const simulated = await api('POST', '/api/policies/simulate', tokens.hannah, {
      category: 'simtest',
      rules: draft,
    });
    expect(simulated.status, JSON.stringify(simulated.body)).toBe(200);
    // The reference: every one was routed to Frank (level 6); classify by the draft's thresholds.
    const sum = (xs: number[]) =>
      (Math.round(xs.reduce((a, b) => a + b * 100, 0)) / 100).toFixed(2);
    const auto = amounts.filter((a) => a < 50);
    const blocked = amounts.filter((a) => a >= 50 && a > 300);
    const moved = amounts.filter((a) => a >= 100 && a <= 300);
    const same = amounts.filter((a) => a >= 50 && a < 100);
    expect(simulated.body).toMatchObject({
      considered: amounts.length,
      same_route: { count: same.length, amount: sum(same) },
      different_route: { count: moved.length, amount: sum(moved) },
      newly_blocked: { count: blocked.length, amount: sum(blocked) },
      newly_auto_approved: { count: auto.length, amount: sum(auto) },
      no_longer_routable: { count: 0, amount: '0.00' },
    });
    expect(simulated.body.changed).toHaveLength(amounts.length - same.length);
    const before = await api('POST', '/api/policies/simulate', tokens.alice, {
      category: 'simtest',
      rules: draft,
      to: startedAt,
    });
    expect(before.body.considered).toBe(0);
    expect(
      (await api('POST', '/api/policies/simulate', tokens.frank, { rules: draft })).status,
    ).toBe(403);
  });

  it('lets admins and finance manage, everyone read', async () => {
    const asManager = await api('POST', '/api/policies', tokens.frank, {
      name: 'Mine',
      category: 'x',
      rules: officeRules,
    });
    expect(asManager.status).toBe(403);
    expect((await api('GET', '/api/policies', tokens.ivan)).status).toBe(200);
  });
});
