import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiResponse,
  api,
  eventually,
  login,
  policies,
  TestCluster,
} from '../support/test-cluster.js';

let cluster: TestCluster;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  cluster = await TestCluster.start();
  for (const name of ['alice', 'bob', 'david', 'eve', 'frank', 'grace', 'hannah'])
    tokens[name] = await login(name);
});
afterAll(async () => cluster?.stop());

/** How many events of `type` the approval service emitted about one expense. */
async function eventCount(type: string, expenseId: string, schema = 'approval') {
  const result = await cluster.db.query<{ n: string }>(
    `select count(*) n from ${schema}.outbox where payload->>'type' = $1 and payload->>'subject' = $2`,
    [type, expenseId],
  );
  return Number(result.rows[0]?.n ?? 0);
}

async function submit(policy: string, amount: number, description: string) {
  const response = await api('POST', '/api/expenses', tokens.grace, {
    policy_id: policy,
    amount,
    description,
  });
  expect(response.status).toBe(201);
  const id = String(response.body.expense_id);
  // Decisions need the chain the approval service stores from ExpenseSubmitted.
  await eventually(async () =>
    (await eventCount('ApprovalRequested', id)) > 0 ? true : undefined,
  );
  return id;
}

async function statusOf(expenseId: string, expected: string, as = 'grace') {
  return eventually(async () => {
    const response = await api('GET', `/api/expenses/${expenseId}/status`, tokens[as]);
    return response.body.status === expected ? response.body : undefined;
  });
}

async function notificationOf(name: string, kind: string, expenseId: string) {
  return eventually(async () => {
    const items = (await api('GET', '/api/notifications', tokens[name])).body.items ?? [];
    return items.find((n) => n.kind === kind && n.expense_id === expenseId);
  });
}

const approve = (expenseId: string, as: string) =>
  api('POST', '/api/expenses/approve', tokens[as], { expense_id: expenseId });
const reject = (expenseId: string, as: string) =>
  api('POST', '/api/expenses/reject', tokens[as], { expense_id: expenseId, reason: 'No' });
const withdraw = (expenseId: string, as = 'grace') =>
  api('POST', `/api/expenses/${expenseId}/withdraw`, tokens[as], { reason: 'Bought it myself' });
const sendBack = (expenseId: string, as: string, comment = 'Attach the receipt') =>
  api('POST', `/api/expenses/${expenseId}/send-back`, tokens[as], { comment });

const statuses = (responses: ApiResponse[]) => responses.map((r) => r.status).sort();

describe('send back, edit and resubmit', () => {
  it('goes back to the submitter, who edits and resubmits into a new round', async () => {
    const id = await submit(policies.large, 2500, 'Monitor wall');
    expect((await approve(id, 'frank')).status).toBe(200);
    // Only the current approver sends back; the submitter and others cannot.
    expect((await sendBack(id, 'grace')).status).toBe(403);
    expect((await sendBack(id, 'frank')).status).toBe(409);
    expect((await sendBack(id, 'eve', '')).status).toBe(400);
    const before = await eventCount('ExpenseSentBack', id);
    expect((await api('PATCH', `/api/expenses/${id}`, tokens.grace, { amount: 900 })).status).toBe(
      409,
    );

    const sent = await sendBack(id, 'eve', 'Split the monitors from the stands');
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ step_sent_back: 2, expense_status: 'sent_back' });
    expect(await eventCount('ExpenseSentBack', id)).toBe(before + 1);
    // The chain waits for the submitter: no decision is accepted, the queue is empty.
    expect((await approve(id, 'eve')).status).toBe(409);
    expect((await sendBack(id, 'eve')).status).toBe(409);
    const queue = (await api('GET', '/api/approvals/pending', tokens.eve)).body.items ?? [];
    expect(queue.some((item) => item.expense_id === id)).toBe(false);

    const document = await statusOf(id, 'sent_back');
    expect(document).toMatchObject({ round: 1 });
    expect(document.approvals).toMatchObject([
      { step_number: 1, status: 'approved' },
      { step_number: 2, status: 'sent_back', comments: 'Split the monitors from the stands' },
      { step_number: 3, status: 'pending' },
    ]);
    expect(await notificationOf('grace', 'expense_sent_back', id)).toMatchObject({
      message: expect.stringContaining('Split the monitors'),
    });

    // Edits: strict body, submitter only.
    const strict = await api('PATCH', `/api/expenses/${id}`, tokens.grace, { status: 'approved' });
    expect(strict.status).toBe(400);
    expect((await api('PATCH', `/api/expenses/${id}`, tokens.grace, {})).status).toBe(400);
    expect(
      (await api('PATCH', `/api/expenses/${id}`, tokens.eve, { description: 'Hijacked' })).status,
    ).toBe(403);
    const edited = await api('PATCH', `/api/expenses/${id}`, tokens.grace, {
      amount: 800,
      description: 'Monitors only',
      policy_id: policies.small,
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ amount: 800, description: 'Monitors only' });
    expect((await api('POST', `/api/expenses/${id}/resubmit`, tokens.eve, {})).status).toBe(403);

    const resubmitted = await api('POST', `/api/expenses/${id}/resubmit`, tokens.grace, {});
    expect(resubmitted.status).toBe(200);
    expect(resubmitted.body).toMatchObject({
      status: 'pending',
      round: 2,
      amount: 800,
      policy_id: policies.small,
      approvals_required: [{ step: 1, approver: 'Frank Miller' }],
    });
    expect((await api('POST', `/api/expenses/${id}/resubmit`, tokens.grace, {})).status).toBe(409);
    expect(await eventCount('ExpenseResubmitted', id, 'expense')).toBe(1);

    // Frank's approval of round 1 does not carry over: he is asked again.
    const again = await eventually(async () => {
      const response = await approve(id, 'frank');
      return response.status === 409 ? undefined : response;
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ step_approved: 1, expense_status: 'approved' });
    const final = await statusOf(id, 'approved');
    expect(final).toMatchObject({ round: 2, amount: 800, description: 'Monitors only' });
    expect(final.approvals).toMatchObject([{ step_number: 1, status: 'approved' }]);
    expect((await api('PATCH', `/api/expenses/${id}`, tokens.grace, { amount: 1 })).status).toBe(
      409,
    );
  });
});

describe('withdraw', () => {
  it('the submitter withdraws a pending expense: final, approvers told, decisions refused', async () => {
    const id = await submit(policies.large, 3000, 'Standing desks');
    expect((await approve(id, 'frank')).status).toBe(200);
    expect((await withdraw(id, 'eve')).status).toBe(403);
    const withdrawn = await withdraw(id);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ expense_status: 'withdrawn', skipped_steps: [2, 3] });
    expect(await eventCount('ExpenseWithdrawn', id)).toBe(1);
    expect((await approve(id, 'eve')).status).toBe(409);
    expect((await withdraw(id)).status).toBe(409);
    expect(await eventCount('ExpenseWithdrawn', id)).toBe(1);
    const document = await statusOf(id, 'withdrawn');
    expect(document.approvals).toMatchObject([
      { status: 'approved' },
      { status: 'skipped' },
      { status: 'skipped' },
    ]);
    expect(await notificationOf('eve', 'expense_withdrawn', id)).toBeDefined();
  });

  it('a sent-back expense can be withdrawn, and then not resubmitted', async () => {
    const id = await submit(policies.small, 60, 'Cables');
    expect((await sendBack(id, 'frank')).status).toBe(200);
    await statusOf(id, 'sent_back');
    expect((await withdraw(id)).status).toBe(200);
    await statusOf(id, 'withdrawn');
    expect((await api('POST', `/api/expenses/${id}/resubmit`, tokens.grace, {})).status).toBe(409);
  });
});

describe("seed 002's decision endpoint", () => {
  it('decides a pending step by its approval id', async () => {
    const id = await submit(policies.large, 2600, 'Servers');
    const queue = (await api('GET', '/api/approvals/pending?limit=100', tokens.frank)).body.items;
    const item = queue?.find((i) => i.expense_id === id);
    expect(item?.approval_id).toEqual(expect.any(String));
    const path = `/api/approvals/${String(item?.approval_id)}/decision`;

    expect((await api('POST', path, tokens.frank, { approved: false })).status).toBe(400);
    expect((await api('POST', path, tokens.frank, { approved: 'yes' })).status).toBe(400);
    expect((await api('POST', path, tokens.eve, { approved: true })).status).toBe(409);
    const unknown = '/api/approvals/0197ffff-0000-7000-8000-00000000dead/decision';
    expect((await api('POST', unknown, tokens.frank, { approved: true })).status).toBe(404);

    const approved = await api('POST', path, tokens.frank, { approved: true, comment: 'Fine' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ step_approved: 1, expense_status: 'pending' });
    // The same approval id once decided is a conflict, not a second decision.
    expect((await api('POST', path, tokens.frank, { approved: true })).status).toBe(409);
    expect(await eventCount('StepApproved', id)).toBe(1);

    const next = (await api('GET', '/api/approvals/pending?limit=100', tokens.eve)).body.items;
    const step2 = next?.find((i) => i.expense_id === id);
    const rejected = await api(
      'POST',
      `/api/approvals/${String(step2?.approval_id)}/decision`,
      tokens.eve,
      { approved: false, comment: 'Use the cloud' },
    );
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ step_rejected: 2, expense_status: 'rejected' });
    expect(await statusOf(id, 'rejected')).toMatchObject({
      approvals: [{ status: 'approved' }, { status: 'rejected', comments: 'Use the cloud' }, {}],
    });
  });
});

describe('bulk decisions', () => {
  it('decides each item alone and reports each', async () => {
    const first = await submit(policies.small, 10, 'Pens');
    const second = await submit(policies.small, 11, 'Paper');
    const notFrankS = await submit(policies.large, 2700, 'Chairs');
    expect((await approve(notFrankS, 'frank')).status).toBe(200);
    const unknown = '0197ffff-0000-7000-8000-00000000beef';
    const response = await api('POST', '/api/approvals/bulk', tokens.frank, {
      decisions: [
        { expense_id: first, action: 'approve', comment: 'ok' },
        { expense_id: notFrankS, action: 'approve' },
        { expense_id: unknown, action: 'approve' },
        { expense_id: second, action: 'reject', reason: 'Duplicate' },
        { expense_id: first, action: 'approve' },
      ],
    });
    expect(response.status).toBe(200);
    const results = response.body.results as Record<string, unknown>[];
    expect(results.map((r) => r.status)).toEqual([200, 409, 404, 200, 409]);
    expect(results[0]).toMatchObject({ result: { expense_status: 'approved' } });
    expect(results[1]).toMatchObject({ problem: { status: 409 } });
    expect(results[3]).toMatchObject({ result: { expense_status: 'rejected' } });
    await statusOf(first, 'approved');
    await statusOf(second, 'rejected');
    expect(await eventCount('StepApproved', first)).toBe(1);

    const tooMany = Array.from({ length: 101 }, () => ({ expense_id: first, action: 'approve' }));
    expect(
      (await api('POST', '/api/approvals/bulk', tokens.frank, { decisions: tooMany })).status,
    ).toBe(400);
    const noReason = [{ expense_id: first, action: 'reject' }];
    expect(
      (await api('POST', '/api/approvals/bulk', tokens.frank, { decisions: noReason })).status,
    ).toBe(400);
    // Self-approval stays impossible through bulk too: the item is refused alone.
    const own = await submit(policies.small, 12, 'Stapler');
    const self = await api('POST', '/api/approvals/bulk', tokens.grace, {
      decisions: [{ expense_id: own, action: 'approve' }],
    });
    expect(self.status).toBe(200);
    expect(self.body.results).toMatchObject([{ status: 403, problem: { status: 403 } }]);
    expect(await eventCount('StepApproved', own)).toBe(0);
  });
});

describe('races end with exactly one winner', () => {
  it('the same approver approving twice at once: one 200, one 409, one StepApproved', async () => {
    const id = await submit(policies.large, 2800, 'Projector');
    const results = await Promise.all([approve(id, 'frank'), approve(id, 'frank')]);
    expect(statuses(results)).toEqual([200, 409]);
    expect(await eventCount('StepApproved', id)).toBe(1);
  });

  it('approve racing reject on one step: one wins, the other 409, one event', async () => {
    const id = await submit(policies.small, 70, 'Headset');
    const results = await Promise.all([approve(id, 'frank'), reject(id, 'frank')]);
    expect(statuses(results)).toEqual([200, 409]);
    const events =
      (await eventCount('StepApproved', id)) + (await eventCount('ExpenseRejected', id));
    expect(events).toBe(1);
  });

  it('withdraw racing approve: one wins, the other 409', async () => {
    const id = await submit(policies.small, 80, 'Webcam');
    const results = await Promise.all([approve(id, 'frank'), withdraw(id)]);
    expect(statuses(results)).toEqual([200, 409]);
    const events =
      (await eventCount('StepApproved', id)) + (await eventCount('ExpenseWithdrawn', id));
    expect(events).toBe(1);
    const winner = results[0]?.status === 200 ? 'approved' : 'withdrawn';
    await statusOf(id, winner);
  });

  it('send back racing approve: one wins, the other 409', async () => {
    const id = await submit(policies.small, 90, 'Dock');
    const results = await Promise.all([approve(id, 'frank'), sendBack(id, 'frank')]);
    expect(statuses(results)).toEqual([200, 409]);
  });

  it('withdraw racing resubmit: both services end withdrawn, nothing left in a queue', async () => {
    const id = await submit(policies.small, 95, 'Hub');
    expect((await sendBack(id, 'frank')).status).toBe(200);
    await statusOf(id, 'sent_back');
    const [resubmitted, withdrawn] = await Promise.all([
      api('POST', `/api/expenses/${id}/resubmit`, tokens.grace, {}),
      withdraw(id),
    ]);
    expect(withdrawn.status).toBe(200);
    expect([200, 409]).toContain(resubmitted.status);
    await statusOf(id, 'withdrawn');
    // Whichever order the services saw, the chain ends withdrawn and decides nothing more.
    await eventually(async () => {
      const chain = await cluster.db.query<{ status: string }>(
        'select status from approval.chain where expense_id = $1',
        [id],
      );
      return chain.rows[0]?.status === 'withdrawn' ? true : undefined;
    });
    expect((await approve(id, 'frank')).status).toBe(409);
    const queue = (await api('GET', '/api/approvals/pending?limit=100', tokens.frank)).body.items;
    expect(queue?.some((item) => item.expense_id === id)).toBe(false);
    expect(await eventCount('ExpenseWithdrawn', id)).toBe(1);
  });
});
