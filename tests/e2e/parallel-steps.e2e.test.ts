import { RoutingExplanation } from '@countersign/contracts';
import { demoFinanceTeam, demoLevels, demoUsers } from '@countersign/demo-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, api, eventually, login, TestCluster } from '../support/test-cluster.js';

/**
 * Parallel steps (one-of-N, all-of-N) and re-routing by a step's own rule, through the
 * gateway. The demo company has one finance person (Hannah); Fiona joins Finance here, so
 * an "all of 2 finance" step has its two people.
 */

let cluster: TestCluster;
const tokens: Record<string, string> = {};
let fiona = { id: '', token: '' };
const idOf = (first: string) =>
  demoUsers.find((u) => u.email.startsWith(`${first}@`))?.id ?? 'missing';
const levelId = (n: number) => demoLevels.find((l) => l.number === n)?.id ?? 'missing';
const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1] ?? '';

/** Adds a person through the org API; they join with the code the gateway e-mails them. */
async function addFinancePerson(name: string, email: string) {
  const mailIndex = cluster.mail.length;
  const created = await api('POST', '/api/users', tokens.alice, {
    email,
    name,
    role: 'finance',
    team_id: demoFinanceTeam.id,
    level_id: levelId(6),
    manager_id: idOf('alice'),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const mail = await cluster.waitForMail(email, /invited/, mailIndex);
  const joined = await api('POST', '/api/auth/register', undefined, {
    email,
    invitation_code: codeIn(mail.text),
    password: 'parallel-test-password',
  });
  expect(joined.status, JSON.stringify(joined.body)).toBe(201);
  return { id: String(created.body.id), token: String(joined.body.access_token) };
}

beforeAll(async () => {
  cluster = await TestCluster.start();
  for (const name of ['alice', 'carol', 'david', 'eve', 'frank', 'grace', 'hannah'])
    tokens[name] = await login(name);
  fiona = await addFinancePerson('Fiona Park', 'fiona@techcorp.example');
  tokens.fiona = fiona.token;
});
afterAll(async () => cluster?.stop());

const tokenOf = (name: string) => tokens[name] ?? '';

async function createPolicy(category: string, steps: unknown[]) {
  // Expenses name categories from the company's list: each policy here brings its own.
  const listed = await api('POST', '/api/categories', tokens.alice, { name: category });
  expect(listed.status, JSON.stringify(listed.body)).toBe(201);
  const created = await api('POST', '/api/policies', tokens.alice, {
    name: `Parallel ${category}`,
    category,
    rules: [
      {
        priority: 1,
        condition: { field: 'amount', op: 'gte', value: '0' },
        action: { type: 'require_approval', steps },
      },
    ],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
}

/** Events of `type` the approval service emitted about one expense, oldest first. */
async function events(type: string, expenseId: string) {
  const result = await cluster.db.query<{ payload: { data: Record<string, unknown> } }>(
    `select payload from approval.outbox
      where payload->>'type' = $1 and payload->>'subject' = $2 order by id`,
    [type, expenseId],
  );
  return result.rows.map((r) => r.payload.data);
}

async function submit(category: string, amount: number, description: string) {
  const response = await api('POST', '/api/expenses', tokens.grace, {
    category,
    amount,
    description,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  const id = String(response.body.expense_id);
  await eventually(async () => ((await events('ExpenseRouted', id)).length > 0 ? true : undefined));
  return { id, approvers: (response.body.approvals_required as { approver: string }[]) ?? [] };
}

async function statusOf(expenseId: string, check: (body: ApiResponse['body']) => boolean) {
  return eventually(async () => {
    const response = await api('GET', `/api/expenses/${expenseId}/status`, tokens.grace);
    return check(response.body) ? response.body : undefined;
  });
}

async function queueHas(name: string, expenseId: string) {
  const items = (await api('GET', '/api/approvals/pending', tokenOf(name))).body.items ?? [];
  return items.some((item) => item.expense_id === expenseId);
}

const approve = (expenseId: string, as: string) =>
  api('POST', '/api/expenses/approve', tokenOf(as), { expense_id: expenseId });
const reject = (expenseId: string, as: string) =>
  api('POST', '/api/expenses/reject', tokenOf(as), { expense_id: expenseId, reason: 'No' });

describe('parallel steps', () => {
  it('refuses a parallel step naming one user, with the path', async () => {
    const refused = await api('POST', '/api/policies', tokens.alice, {
      name: 'Bad parallel',
      category: 'bad-parallel',
      rules: [
        {
          priority: 1,
          condition: { field: 'amount', op: 'gte', value: '0' },
          action: {
            type: 'require_approval',
            steps: [
              {
                approver: { by: 'user', user_id: idOf('carol') },
                required: true,
                parallel: { count: 2, needs: 'one' },
              },
            ],
          },
        },
      ],
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body.errors)).toContain('rules.0.action.steps.0.parallel');
  });

  it('all of 2 finance, then an AD: both seats asked, approving at the same moment both count', async () => {
    await createPolicy('par-all', [
      {
        approver: { by: 'role', role: 'finance' },
        required: true,
        parallel: { count: 2, needs: 'all' },
      },
      { approver: { by: 'level', level: 4, scope: 'company' }, required: true },
    ]);
    const { id, approvers } = await submit('par-all', 640, 'Audit software');
    expect(approvers.map((a) => a.approver)).toEqual(['Hannah Lee', 'Fiona Park', 'David Wilson']);
    // Both finance seats are asked at once; the AD's seat waits.
    await eventually(async () =>
      (await events('ApprovalRequested', id)).length === 2 ? true : undefined,
    );
    expect((await events('ApprovalRequested', id)).map((e) => [e.approver_id, e.stage])).toEqual([
      [idOf('hannah'), 1],
      [fiona.id, 1],
    ]);
    expect(await queueHas('hannah', id)).toBe(true);
    expect(await queueHas('fiona', id)).toBe(true);
    expect(await queueHas('david', id)).toBe(false);
    expect((await approve(id, 'david')).status).toBe(409);

    const both = await Promise.all([approve(id, 'hannah'), approve(id, 'fiona')]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    // One of them still waited for the other seat (2 left), the other completed the stage.
    expect(both.map((r) => r.body.pending_approvals).sort()).toEqual([1, 2]);
    expect((await events('StepApproved', id)).length).toBe(2);
    const requested = await events('ApprovalRequested', id);
    expect(requested.filter((e) => e.approver_id === idOf('david'))).toHaveLength(1);
    expect(requested).toHaveLength(3);
    expect(await queueHas('david', id)).toBe(true);

    expect((await approve(id, 'david')).status).toBe(200);
    expect(await events('ExpenseApproved', id)).toHaveLength(1);
    const document = await statusOf(id, (b) => b.status === 'approved');
    expect(document.approvals).toMatchObject([
      { step_number: 1, approver_name: 'Hannah Lee', status: 'approved', stage: 1, needs: 'all' },
      { step_number: 2, approver_name: 'Fiona Park', status: 'approved', stage: 1, needs: 'all' },
      { step_number: 3, approver_name: 'David Wilson', status: 'approved', stage: 2, needs: 'one' },
    ]);

    // The explanation shows every person chosen for the parallel step.
    const routing = await api('GET', `/api/expenses/${id}/routing`, tokens.grace);
    expect(routing.status).toBe(200);
    const explanation = RoutingExplanation.parse(routing.body.explanation);
    expect(explanation.steps[0]).toMatchObject({
      approver_ids: [idOf('hannah'), fiona.id],
      parallel: { count: 2, needs: 'all' },
    });
  });

  it('all of 2 at the end: two seats approving together give exactly one ExpenseApproved', async () => {
    await createPolicy('par-all-last', [
      { approver: { by: 'level', level: 6, scope: 'submitter_team' }, required: true },
      {
        approver: { by: 'role', role: 'finance' },
        required: true,
        parallel: { count: 2, needs: 'all' },
      },
    ]);
    const { id } = await submit('par-all-last', 75, 'Team lunch');
    expect((await approve(id, 'frank')).status).toBe(200);
    const both = await Promise.all([approve(id, 'hannah'), approve(id, 'fiona')]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    expect(both.map((r) => r.body.expense_status).sort()).toEqual(['approved', 'pending']);
    expect(await events('ExpenseApproved', id)).toHaveLength(1);
    await statusOf(id, (b) => b.status === 'approved');
  });

  it('one of 3 managers: of two racing approvals exactly one wins, the others are skipped', async () => {
    await createPolicy('par-one', [
      {
        approver: { by: 'level', level: 5, scope: 'submitter_team' },
        required: true,
        parallel: { count: 3, needs: 'one' },
      },
      { approver: { by: 'role', role: 'finance' }, required: true },
    ]);
    const { id, approvers } = await submit('par-one', 300, 'Conference ticket');
    expect(approvers.map((a) => a.approver)).toEqual([
      'Eve Davis',
      'David Wilson',
      'Carol Johnson',
      'Hannah Lee',
    ]);
    await eventually(async () =>
      (await events('ApprovalRequested', id)).length === 3 ? true : undefined,
    );
    const race = await Promise.all([approve(id, 'eve'), approve(id, 'david')]);
    expect(race.map((r) => r.status).sort()).toEqual([200, 409]);
    const loser = race.find((r) => r.status === 409);
    expect(String(loser?.body.type)).toMatch(/already-decided$/);
    expect(String(loser?.body.detail)).toContain('another approver of the same stage');
    const approved = await events('StepApproved', id);
    expect(approved).toHaveLength(1);
    expect(approved[0]).toMatchObject({ stage: 1, stage_completed: true });
    expect(approved[0]?.skipped_steps).toHaveLength(2);
    // The third seat is settled too; the next stage is asked once.
    expect((await approve(id, 'carol')).status).toBe(409);
    expect(await queueHas('carol', id)).toBe(false);
    const requested = await events('ApprovalRequested', id);
    expect(requested.filter((e) => e.approver_id === idOf('hannah'))).toHaveLength(1);

    const document = await statusOf(id, (b) =>
      ((b.approvals as { status: string }[] | undefined) ?? []).some((s) => s.status === 'skipped'),
    );
    const stage1 = (document.approvals as { status: string; stage: number }[]).filter(
      (s) => s.stage === 1,
    );
    expect(stage1.map((s) => s.status).sort()).toEqual(['approved', 'skipped', 'skipped']);

    // A reject by the next stage's seat ends the expense.
    expect((await reject(id, 'hannah')).status).toBe(200);
    await statusOf(id, (b) => b.status === 'rejected');
  });

  it('a reject by one seat of a one-of stage skips its siblings', async () => {
    const { id } = await submit('par-one', 40, 'Cables');
    await eventually(async () =>
      (await events('ApprovalRequested', id)).length === 3 ? true : undefined,
    );
    expect((await reject(id, 'carol')).status).toBe(200);
    expect(await events('ExpenseRejected', id)).toMatchObject([{ skipped_steps: [1, 2, 4] }]);
    const document = await statusOf(id, (b) => b.status === 'rejected');
    expect((document.approvals as { status: string }[]).map((s) => s.status)).toEqual([
      'skipped',
      'skipped',
      'rejected',
      'skipped',
    ]);
  });
});

describe('re-routing by the step’s own rule', () => {
  it('a role step whose approver is deactivated goes to another person of that role', async () => {
    await createPolicy('par-role', [{ approver: { by: 'role', role: 'finance' }, required: true }]);
    const { id, approvers } = await submit('par-role', 90, 'Books');
    expect(approvers.map((a) => a.approver)).toEqual(['Hannah Lee']);
    const deactivated = await api(
      'POST',
      `/api/users/${idOf('hannah')}/deactivate`,
      tokens.alice,
      {},
    );
    expect(deactivated.status, JSON.stringify(deactivated.body)).toBe(200);
    // Not Eve (Hannah's level, company-wide, as level-only re-routing would choose): Fiona.
    const [reassigned] = await events('ApproverReassigned', id);
    expect(reassigned).toMatchObject({
      previous_approver_id: idOf('hannah'),
      approver: { approver_id: fiona.id, approver_rule: { by: 'role', role: 'finance' } },
    });
    expect(await queueHas('fiona', id)).toBe(true);
    expect((await approve(id, 'fiona')).status).toBe(200);
    const document = await statusOf(id, (b) => b.status === 'approved');
    expect(document.approvals).toMatchObject([{ approver_name: 'Fiona Park', status: 'approved' }]);
  });
});
