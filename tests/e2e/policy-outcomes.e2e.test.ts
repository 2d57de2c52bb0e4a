import {
  EventCatalogue,
  ExpenseStatusDocument,
  ProblemDetails,
  RoutingExplanation,
  Streams,
} from '@countersign/contracts';
import { demoUsers } from '@countersign/demo-data';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, login, NATS_URL, TestCluster } from '../support/test-cluster.js';

/**
 * What a policy rule decides, end to end through the gateway: a block is stored and
 * announced (and still refused with 422), and a resubmission after a send back ends exactly
 * as a submission would: a new round recording its route, an approval by rule, or a block.
 */

let cluster: TestCluster;
const tokens: Record<string, string> = {};
const idOf = (first: string) =>
  demoUsers.find((u) => u.email.startsWith(`${first}@`))?.id ?? 'missing';

const BLOCK_REASON = 'furniture over 5,000 needs a purchase order';
const managerThenFinance = [
  { approver: { by: 'level', level: 6, scope: 'submitter_team' }, required: true },
  { approver: { by: 'role', role: 'finance' }, required: true },
];
const furnitureRules = [
  {
    priority: 1,
    description: 'Big furniture goes through purchasing',
    condition: { field: 'amount', op: 'gt', value: '5000' },
    action: { type: 'block', reason: BLOCK_REASON },
  },
  {
    priority: 2,
    condition: { field: 'amount', op: 'lt', value: '50' },
    action: { type: 'auto_approve' },
  },
  {
    priority: 3,
    condition: { not: { field: 'receipt', op: 'present', value: true } },
    action: { type: 'flag', message: 'no receipt attached' },
  },
  {
    priority: 10,
    condition: { field: 'amount', op: 'gte', value: '50' },
    action: { type: 'require_approval', steps: managerThenFinance },
  },
];
let furniture = '';

beforeAll(async () => {
  cluster = await TestCluster.start();
  for (const name of ['alice', 'frank', 'grace', 'hannah', 'ivan'])
    tokens[name] = await login(name);
  // Expenses name categories from the company's list.
  const listed = await api('POST', '/api/categories', tokens.hannah, { name: 'furniture' });
  expect(listed.status, JSON.stringify(listed.body)).toBe(201);
  const created = await api('POST', '/api/policies', tokens.alice, {
    name: 'Furniture',
    category: 'furniture',
    rules: furnitureRules,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  furniture = String(created.body.id);
});
afterAll(async () => cluster?.stop());

const submit = (amount: number, description: string) =>
  api('POST', '/api/expenses', tokens.grace, { category: 'furniture', amount, description });
const resubmit = (expenseId: string) =>
  api('POST', `/api/expenses/${expenseId}/resubmit`, tokens.grace, {});

/** How many events of `type` a service committed about one expense. */
async function outboxCount(schema: string, type: string, expenseId: string) {
  const result = await cluster.db.query<{ n: number }>(
    `select count(*)::int n from ${schema}.outbox where payload->>'type' = $1 and payload->>'subject' = $2`,
    [type, expenseId],
  );
  return result.rows[0]?.n ?? 0;
}

/** The events about one expense on a subject of a stream, as JetStream holds them. */
async function onStream(stream: string, subject: string, expenseId: string) {
  const nc = await connect({ servers: NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info(stream);
    const found: { data: Record<string, unknown> }[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq; seq += 1) {
      const message = await jsm.streams.getMessage(stream, { seq });
      if (message?.subject !== subject) continue;
      const event = message.json<{ subject: string; data: Record<string, unknown> }>();
      if (event.subject === expenseId) found.push(event);
    }
    return found;
  } finally {
    await nc.close();
  }
}

/** Waits for the approval service's first request on the expense: its chain is stored. */
async function chainStored(expenseId: string, round = 1) {
  await eventually(async () => {
    const result = await cluster.db.query(
      'select 1 from approval.chain where expense_id = $1 and round = $2 and status = $3',
      [expenseId, round, 'pending'],
    );
    return result.rowCount === 1 ? true : undefined;
  });
}

async function statusOf(expenseId: string, expected: string) {
  return eventually(async () => {
    const response = await api('GET', `/api/expenses/${expenseId}/status`, tokens.grace);
    return response.body.status === expected
      ? ExpenseStatusDocument.parse(response.body)
      : undefined;
  });
}

/** The recorded route once the approval service shows the chain in `status`. */
async function routingOf(expenseId: string, status: string, round?: number) {
  return eventually(async () => {
    const response = await api('GET', `/api/expenses/${expenseId}/routing`, tokens.grace);
    if (response.status !== 200 || response.body.status !== status) return undefined;
    if (round !== undefined) {
      const chain = await cluster.db.query(
        'select round from approval.chain where expense_id = $1',
        [expenseId],
      );
      if (chain.rows[0]?.round !== round) return undefined;
    }
    return response.body;
  });
}

async function notificationOf(name: string, kind: string, expenseId: string) {
  return eventually(async () => {
    const items = (await api('GET', '/api/notifications', tokens[name])).body.items ?? [];
    return items.find((n) => n.kind === kind && n.expense_id === expenseId);
  });
}

/** Submits an expense that routes to Frank then Hannah, and has Frank send it back. */
async function submittedAndSentBack(amount: number, description: string) {
  const submitted = await submit(amount, description);
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  const id = String(submitted.body.expense_id);
  await chainStored(id);
  const sent = await api('POST', `/api/expenses/${id}/send-back`, tokens.frank, {
    comment: 'Please change it',
  });
  expect(sent.status, JSON.stringify(sent.body)).toBe(200);
  await statusOf(id, 'sent_back');
  return id;
}

function expectBlockedProblem(response: { status: number; contentType: string; body: unknown }) {
  expect(response.status).toBe(422);
  expect(response.contentType).toContain('application/problem+json');
  const problem = ProblemDetails.parse(response.body);
  expect(problem.type).toMatch(/\/blocked-by-policy$/);
  expect(problem.detail).toContain(BLOCK_REASON);
  expect(problem.reason).toBe(BLOCK_REASON);
  expect(problem.expense_id).toEqual(expect.any(String));
  return String(problem.expense_id);
}

describe('a blocking rule at submission', () => {
  it('refuses with 422 naming the expense, which is on record as blocked, announced once', async () => {
    const id = expectBlockedProblem(await submit(8000, 'Boardroom table'));

    const listed = (await api('GET', '/api/expenses', tokens.grace)).body.items ?? [];
    expect(listed.find((e) => e.id === id)).toMatchObject({ status: 'blocked', amount: 8000 });
    const document = await statusOf(id, 'blocked');
    expect(document).toMatchObject({
      refusal_reason: BLOCK_REASON,
      round: 1,
      approvals: [],
      flags: ['no receipt attached'],
    });
    expect(document.completed_at).not.toBeNull();

    // On NATS exactly once, with what a reader needs to know about the block.
    const blocked = await eventually(async () => {
      const events = await onStream(Streams.expense, EventCatalogue.ExpenseBlocked.subject, id);
      return events.length > 0 ? events : undefined;
    });
    expect(blocked).toHaveLength(1);
    expect(blocked[0]?.data).toMatchObject({
      expense_id: id,
      round: 1,
      submitter: { id: idOf('grace'), name: 'Grace Taylor' },
      amount: '8000.00',
      description: 'Boardroom table',
      policy: { id: furniture, name: 'Furniture', version: 1 },
      rule: { index: 0, priority: 1, description: 'Big furniture goes through purchasing' },
      reason: BLOCK_REASON,
    });
    expect(await outboxCount('expense', 'ExpenseSubmitted', id)).toBe(0);

    // The approval service keeps the route, explained.
    const routing = await routingOf(id, 'blocked');
    expect(routing.policy).toMatchObject({ id: furniture, version: 1 });
    const explanation = RoutingExplanation.parse(routing.explanation);
    expect(explanation).toMatchObject({
      outcome: 'block',
      block_reason: BLOCK_REASON,
      matched_rule: { index: 0, priority: 1, action: 'block', matched: true },
      steps: [],
    });
    expect((await api('GET', `/api/expenses/${id}/routing`, tokens.ivan)).status).toBe(200);
    expect((await api('GET', `/api/expenses/${id}/routing`, tokens.frank)).status).toBe(404);
    expect(await outboxCount('approval', 'ApprovalRequested', id)).toBe(0);

    // The submitter is told, once.
    const note = await notificationOf('grace', 'expense_blocked', id);
    expect(note.message).toContain(BLOCK_REASON);
    const notes = await cluster.db.query(
      "select count(*)::int n from notification.notification where expense_id = $1 and kind = 'expense_blocked'",
      [id],
    );
    expect(notes.rows[0].n).toBe(1);

    // Final: no edit, no resubmission, no withdrawal, no decision.
    expect((await api('PATCH', `/api/expenses/${id}`, tokens.grace, { amount: 10 })).status).toBe(
      409,
    );
    expect((await resubmit(id)).status).toBe(409);
    expect((await api('POST', `/api/expenses/${id}/withdraw`, tokens.grace, {})).status).toBe(409);
    expect(
      (await api('POST', '/api/expenses/approve', tokens.frank, { expense_id: id })).status,
    ).toBe(409);
    // Still exactly one on the stream after everyone has handled it.
    expect(await onStream(Streams.expense, EventCatalogue.ExpenseBlocked.subject, id)).toHaveLength(
      1,
    );
  });

  it('a preview still shows a block and stores nothing', async () => {
    const before = await cluster.db.query('select count(*)::int n from expense.expense');
    const preview = await api('POST', '/api/expenses/preview', tokens.grace, {
      category: 'furniture',
      amount: 8000,
    });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ outcome: 'block', block_reason: BLOCK_REASON, chain: [] });
    const after = await cluster.db.query('select count(*)::int n from expense.expense');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });
});

describe('a resubmission ends as a submission would', () => {
  it('approved by a rule: approved in the new round, the sent-back chain closed as approved', async () => {
    const id = await submittedAndSentBack(300, 'Two chairs');
    const sentBack = await cluster.db.query<{ payload: Record<string, unknown> }>(
      "select payload from approval.outbox where payload->>'type' = 'ExpenseSentBack' and payload->>'subject' = $1",
      [id],
    );
    expect((await api('PATCH', `/api/expenses/${id}`, tokens.grace, { amount: 40 })).status).toBe(
      200,
    );

    const resubmitted = await resubmit(id);
    expect(resubmitted.status, JSON.stringify(resubmitted.body)).toBe(200);
    expect(resubmitted.body).toMatchObject({
      status: 'approved',
      round: 2,
      amount: 40,
      approvals_required: [],
    });
    const document = await statusOf(id, 'approved');
    expect(document).toMatchObject({ round: 2, approvals: [], refusal_reason: null });
    expect(document.completed_at).not.toBeNull();
    const announced = await cluster.db.query(
      "select payload->'data' data from expense.outbox where payload->>'type' = 'ExpenseAutoApproved' and payload->>'subject' = $1",
      [id],
    );
    expect(announced.rows.map((r) => r.data)).toEqual([
      expect.objectContaining({
        round: 2,
        amount: '40.00',
        policy: expect.objectContaining({ version: 1 }),
      }),
    ]);
    expect(await outboxCount('expense', 'ExpenseResubmitted', id)).toBe(0);

    const routing = await routingOf(id, 'approved', 2);
    expect(RoutingExplanation.parse(routing.explanation)).toMatchObject({
      outcome: 'auto_approve',
      matched_rule: { priority: 2 },
      steps: [],
    });
    const steps = await cluster.db.query(
      'select count(*)::int n from approval.chain_step where expense_id = $1',
      [id],
    );
    expect(steps.rows[0].n).toBe(0);

    // The old round is over: no decision, no withdrawal, and a late copy of its send back
    // (redelivered under a new id, so past the inbox) changes nothing.
    expect(
      (await api('POST', '/api/expenses/approve', tokens.frank, { expense_id: id })).status,
    ).toBe(409);
    expect((await api('POST', `/api/expenses/${id}/withdraw`, tokens.grace, {})).status).toBe(409);
    const late = { ...sentBack.rows[0]?.payload, id: crypto.randomUUID() };
    const nc = await connect({ servers: NATS_URL });
    await jetstream(nc).publish(EventCatalogue.ExpenseSentBack.subject, JSON.stringify(late), {
      msgID: String(late.id),
    });
    await nc.close();
    await eventually(async () => {
      const handled = await cluster.db.query(
        "select 1 from expense.inbox where consumer = 'expense-on-approval-events' and event_id = $1",
        [late.id],
      );
      return handled.rowCount === 1 ? true : undefined;
    });
    expect(await statusOf(id, 'approved')).toMatchObject({ round: 2, approvals: [] });
  });

  it('blocked by a rule: 422 naming it, blocked in the new round, announced and explained', async () => {
    const id = await submittedAndSentBack(400, 'Sofa');
    expect((await api('PATCH', `/api/expenses/${id}`, tokens.grace, { amount: 6000 })).status).toBe(
      200,
    );
    expect(expectBlockedProblem(await resubmit(id))).toBe(id);

    const document = await statusOf(id, 'blocked');
    expect(document).toMatchObject({ round: 2, refusal_reason: BLOCK_REASON, approvals: [] });
    const blocked = await eventually(async () => {
      const events = await onStream(Streams.expense, EventCatalogue.ExpenseBlocked.subject, id);
      return events.length > 0 ? events : undefined;
    });
    expect(blocked.map((e) => e.data)).toEqual([
      expect.objectContaining({ round: 2, amount: '6000.00', reason: BLOCK_REASON }),
    ]);
    const routing = await routingOf(id, 'blocked', 2);
    expect(RoutingExplanation.parse(routing.explanation)).toMatchObject({
      outcome: 'block',
      block_reason: BLOCK_REASON,
    });
    expect((await notificationOf('grace', 'expense_blocked', id)).message).toContain('6000.00');
    expect((await resubmit(id)).status).toBe(409);
    expect((await api('POST', `/api/expenses/${id}/withdraw`, tokens.grace, {})).status).toBe(409);
  });

  it('routed again: the new round records its policy version, flags and explanation', async () => {
    const id = await submittedAndSentBack(300, 'Lamp');
    // The policy changes while the expense waits: version 2 adds a flag and asks Eve.
    const edited = await api('PATCH', `/api/policies/${furniture}`, tokens.alice, {
      rules: [
        ...furnitureRules.slice(0, 3),
        {
          priority: 4,
          condition: { field: 'amount', op: 'gt', value: '200' },
          action: { type: 'flag', message: 'over 200: check the quote' },
        },
        {
          priority: 10,
          condition: { field: 'amount', op: 'gte', value: '50' },
          action: {
            type: 'require_approval',
            steps: [{ approver: { by: 'user', user_id: idOf('eve') }, required: true }],
          },
        },
      ],
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body.version).toBe(2);
    // The expense service routes from its copy, which follows the edit a moment later.
    await cluster.routingCopyCaughtUp();
    expect((await api('PATCH', `/api/expenses/${id}`, tokens.grace, { amount: 250 })).status).toBe(
      200,
    );

    const resubmitted = await resubmit(id);
    expect(resubmitted.status, JSON.stringify(resubmitted.body)).toBe(200);
    expect(resubmitted.body).toMatchObject({
      status: 'pending',
      round: 2,
      approvals_required: [{ step: 1, approver: 'Eve Davis' }],
    });
    await chainStored(id, 2);
    const routing = await routingOf(id, 'pending', 2);
    expect(routing).toMatchObject({
      policy: { id: furniture, version: 2 },
      flags: ['no receipt attached', 'over 200: check the quote'],
    });
    const explanation = RoutingExplanation.parse(routing.explanation);
    expect(explanation.policy.version).toBe(2);
    expect(explanation.flags).toEqual(['no receipt attached', 'over 200: check the quote']);
    expect(explanation.steps).toEqual([
      expect.objectContaining({
        approver: { by: 'user', user_id: idOf('eve') },
        approver_id: idOf('eve'),
      }),
    ]);
    // Eve approves the new round, and may read its explanation; Frank's old step is gone.
    expect((await api('GET', `/api/expenses/${id}/routing`, tokens.frank)).status).toBe(404);
    const document = await statusOf(id, 'pending');
    expect(document.flags).toEqual(['no receipt attached', 'over 200: check the quote']);
  });
});

describe('a reassignment names its round', () => {
  it('carries the round of the step it moves, and the new round shows the new approver', async () => {
    // The version before asks Eve; put back manager-then-finance so Hannah holds step 2.
    const edited = await api('PATCH', `/api/policies/${furniture}`, tokens.alice, {
      rules: furnitureRules,
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    await cluster.routingCopyCaughtUp();
    const id = await submittedAndSentBack(500, 'Bookshelf');
    const resubmitted = await resubmit(id);
    expect(resubmitted.status, JSON.stringify(resubmitted.body)).toBe(200);
    expect(resubmitted.body.approvals_required).toMatchObject([
      { approver: 'Frank Miller' },
      { approver: 'Hannah Lee' },
    ]);
    await chainStored(id, 2);
    const off = await api('POST', `/api/users/${idOf('hannah')}/deactivate`, tokens.alice, {});
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    const reassigned = await eventually(async () => {
      const result = await cluster.db.query<{ data: Record<string, unknown> }>(
        "select payload->'data' data from approval.outbox where payload->>'type' = 'ApproverReassigned' and payload->>'subject' = $1",
        [id],
      );
      return result.rows[0]?.data;
    });
    expect(reassigned).toMatchObject({ step: 2, round: 2, previous_approver_id: idOf('hannah') });
    const document = await eventually(async () => {
      const current = await statusOf(id, 'pending');
      return current.approvals[1]?.approver_name !== 'Hannah Lee' ? current : undefined;
    });
    expect(document.round).toBe(2);
    expect(document.approvals[1]?.approver_name).toBe(
      (reassigned.approver as { approver_name: string }).approver_name,
    );
  });
});
