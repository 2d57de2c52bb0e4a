import { demoUsers } from '@countersign/demo-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, login, policies, TestCluster } from '../support/test-cluster.js';

/**
 * The expense lifecycle beyond submit, end to end through the gateway on a real cluster:
 * drafts (private, editable, submitted exactly like a submission), soft delete and an
 * admin's restore, and finance's payouts with ExpensePaid.
 */

let cluster: TestCluster;
const tokens: Record<string, string> = {};
const idOf = (first: string) =>
  demoUsers.find((u) => u.email.startsWith(`${first}@`))?.id ?? 'missing';
const unknownId = '0197ffff-0000-7000-8000-00000000beef';
const CATEGORY = 'lifecycle-desks';

beforeAll(async () => {
  cluster = await TestCluster.start();
  for (const name of ['alice', 'eve', 'frank', 'grace', 'hannah']) tokens[name] = await login(name);
  expect((await api('POST', '/api/categories', tokens.hannah, { name: CATEGORY })).status).toBe(
    201,
  );
  // Below 50 a rule approves, above 5,000 one blocks, in between the manager then finance.
  const created = await api('POST', '/api/policies', tokens.alice, {
    name: 'Lifecycle desks',
    category: CATEGORY,
    rules: [
      {
        priority: 1,
        condition: { field: 'amount', op: 'gt', value: '5000' },
        action: { type: 'block', reason: 'needs a purchase order' },
      },
      {
        priority: 2,
        condition: { field: 'amount', op: 'lt', value: '50' },
        action: { type: 'auto_approve' },
      },
      {
        priority: 10,
        condition: { field: 'amount', op: 'gte', value: '50' },
        action: {
          type: 'require_approval',
          steps: [
            { approver: { by: 'level', level: 6, scope: 'submitter_team' }, required: true },
            { approver: { by: 'role', role: 'finance' }, required: true },
          ],
        },
      },
    ],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
});
afterAll(async () => cluster?.stop());

/** How many events of `type` a service committed about one expense. */
async function outboxCount(schema: string, type: string, expenseId: string) {
  const result = await cluster.db.query<{ n: number }>(
    `select count(*)::int n from ${schema}.outbox where payload->>'type' = $1 and payload->>'subject' = $2`,
    [type, expenseId],
  );
  return result.rows[0]?.n ?? 0;
}

async function draft(amount: number, description: string, as = 'grace', extra = {}) {
  const response = await api('POST', '/api/expenses/drafts', tokens[as], {
    category: CATEGORY,
    amount,
    description,
    ...extra,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return String(response.body.expense_id);
}

const statusAs = (as: string, id: string) => api('GET', `/api/expenses/${id}/status`, tokens[as]);
const submitDraft = (id: string, as = 'grace') =>
  api('POST', `/api/expenses/${id}/submit`, tokens[as], {});
const remove = (id: string, as = 'grace') => api('DELETE', `/api/expenses/${id}`, tokens[as]);
const restore = (id: string, as = 'alice') =>
  api('POST', `/api/expenses/${id}/restore`, tokens[as], {});

async function myListed(as: string, id: string) {
  const items = (await api('GET', '/api/expenses?limit=100', tokens[as])).body.items ?? [];
  return items.some((i) => i.id === id);
}

async function approvedByRule(amount: number, description: string, as = 'grace') {
  const response = await api('POST', '/api/expenses', tokens[as], {
    category: CATEGORY,
    amount,
    description,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  expect(response.body.status).toBe('approved');
  return String(response.body.expense_id);
}

describe('drafts', () => {
  it('are saved unrouted, private, editable, and submitted exactly like a submission', async () => {
    const saved = await api('POST', '/api/expenses/drafts', tokens.grace, {
      category: CATEGORY,
      amount: 120,
      description: 'Standing desk',
    });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({
      status: 'draft',
      amount: 120,
      category: CATEGORY,
      policy_id: null,
      money: { amount: '120.00', base_amount: '120.00', currency: 'USD' },
    });
    const id = String(saved.body.expense_id);
    // Not routed: no event, no chain.
    expect(await outboxCount('expense', 'ExpenseSubmitted', id)).toBe(0);
    expect((await statusAs('grace', id)).body).toMatchObject({
      status: 'draft',
      policy_name: null,
      approvals: [],
    });
    expect(await myListed('grace', id)).toBe(true);

    // Nobody else sees or touches it, admins and finance included.
    for (const other of ['frank', 'alice', 'hannah']) {
      expect((await statusAs(other, id)).status, other).toBe(404);
      expect(
        (await api('PATCH', `/api/expenses/${id}`, tokens[other], { description: 'Mine' })).status,
        other,
      ).toBe(404);
      expect((await submitDraft(id, other)).status, other).toBe(404);
      expect((await remove(id, other)).status, other).toBe(404);
    }

    const edited = await api('PATCH', `/api/expenses/${id}`, tokens.grace, {
      amount: 150,
      description: 'Standing desk, wider',
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ status: 'draft', amount: 150 });

    const submitted = await submitDraft(id);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    expect(submitted.body).toMatchObject({
      expense_id: id,
      status: 'pending',
      amount: 150,
      approvals_required: [{ step: 1, approver: 'Frank Miller' }, { step: 2 }],
    });
    expect(await outboxCount('expense', 'ExpenseSubmitted', id)).toBe(1);
    // The approval service stored the chain from ExpenseSubmitted: Frank is asked.
    await eventually(async () => {
      const queue = (await api('GET', '/api/approvals/pending?limit=100', tokens.frank)).body;
      return queue.items?.some((i) => i.expense_id === id) ? true : undefined;
    });
    const document = (await statusAs('frank', id)).body;
    expect(document).toMatchObject({
      status: 'pending',
      policy_name: 'Lifecycle desks',
      round: 1,
      description: 'Standing desk, wider',
    });

    // Submitted: no second submit, no edit, no delete, each with a clear problem.
    const again = await submitDraft(id);
    expect(again.status).toBe(409);
    expect(again.body.detail).toBe('only a draft can be submitted; this one is pending');
    const patch = await api('PATCH', `/api/expenses/${id}`, tokens.grace, { amount: 1 });
    expect(patch.status).toBe(409);
    expect(patch.body.detail).toBe(
      'only a draft or an expense sent back can be edited; this one is pending',
    );
    const deleted = await remove(id);
    expect(deleted.status).toBe(409);
    expect(deleted.contentType).toContain('application/problem+json');
    expect(deleted.body).toMatchObject({
      type: expect.stringContaining('not-deletable'),
      detail: 'only a draft or an expense sent back can be deleted; this one is pending',
    });
    expect(await outboxCount('expense', 'ExpenseSubmitted', id)).toBe(1);
  });

  it('route to every outcome a submission has: approved by a rule, blocked', async () => {
    const small = await draft(20, 'Desk lamp');
    const approved = await submitDraft(small);
    expect(approved.body).toMatchObject({ status: 'approved', approvals_required: [] });
    expect(await outboxCount('expense', 'ExpenseAutoApproved', small)).toBe(1);

    const huge = await draft(6000, 'A whole office');
    const blocked = await submitDraft(huge);
    expect(blocked.status).toBe(422);
    expect(blocked.body).toMatchObject({
      type: expect.stringContaining('blocked-by-policy'),
      expense_id: huge,
    });
    expect(await outboxCount('expense', 'ExpenseBlocked', huge)).toBe(1);
    expect((await statusAs('grace', huge)).body.status).toBe('blocked');
  });

  it('are validated as a submission is when saved', async () => {
    const unknownCategory = await api('POST', '/api/expenses/drafts', tokens.grace, {
      category: 'no-such-category',
      amount: 10,
      description: 'x',
    });
    expect(unknownCategory.status).toBe(422);
    const future = await api('POST', '/api/expenses/drafts', tokens.grace, {
      category: CATEGORY,
      amount: 10,
      description: 'x',
      spend_date: '2999-01-01',
    });
    expect(future.status).toBe(422);
    const neither = await api('POST', '/api/expenses/drafts', tokens.grace, {
      amount: 10,
      description: 'x',
    });
    expect(neither.status).toBe(400);
    const asSomeoneElse = await api('POST', '/api/expenses/drafts', tokens.grace, {
      category: CATEGORY,
      amount: 10,
      description: 'x',
      user_id: idOf('frank'),
    });
    expect(asSomeoneElse.status).toBe(403);
  });
});

describe('soft delete and restore', () => {
  it('hides a deleted draft everywhere, keeps it, and an admin brings it back', async () => {
    const id = await draft(70, 'Chair mat');
    const deleted = await remove(id);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ expense_id: id, status: 'draft' });
    expect((await statusAs('grace', id)).status).toBe(404);
    expect(await myListed('grace', id)).toBe(false);
    expect((await remove(id)).status).toBe(404);
    expect((await submitDraft(id)).status).toBe(404);
    // Kept in the table, with who and when.
    const row = await cluster.db.query(
      'select status, deleted_by, deleted_at is not null as deleted from expense.expense where id = $1',
      [id],
    );
    expect(row.rows).toEqual([{ status: 'draft', deleted_by: idOf('grace'), deleted: true }]);

    // Only admins list and restore deleted expenses.
    for (const other of ['grace', 'hannah', 'frank']) {
      expect((await api('GET', '/api/expenses/deleted', tokens[other])).status, other).toBe(403);
      expect((await restore(id, other)).status, other).toBe(403);
    }
    const listed = (await api('GET', '/api/expenses/deleted?limit=100', tokens.alice)).body.items;
    expect(listed?.find((i) => i.id === id)).toMatchObject({
      status: 'draft',
      submitter_id: idOf('grace'),
      deleted_by: idOf('grace'),
    });
    const restored = await restore(id);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ expense_id: id, status: 'draft' });
    expect((await restore(id)).status).toBe(409);
    expect((await restore(unknownId)).status).toBe(404);
    expect(await myListed('grace', id)).toBe(true);
    const unlisted = (await api('GET', '/api/expenses/deleted?limit=100', tokens.alice)).body;
    expect(unlisted.items?.some((i) => i.id === id)).toBe(false);
    // Back as it was: still the submitter's draft, submitted as any draft.
    expect((await submitDraft(id)).body).toMatchObject({ status: 'pending' });
  });

  it('ends a deleted sent-back expense’s chain, and hides it from summaries', async () => {
    const workspace = await api('POST', '/api/workspaces', tokens.grace, { name: 'Desks team' });
    const workspaceId = String(workspace.body.id);
    const submitted = await api('POST', '/api/expenses', tokens.grace, {
      policy_id: policies.small,
      amount: 60,
      description: 'Cable trays',
      workspace_id: workspaceId,
    });
    const id = String(submitted.body.expense_id);
    const sentBack = await eventually(async () => {
      const r = await api('POST', `/api/expenses/${id}/send-back`, tokens.frank, {
        comment: 'Which desks?',
      });
      return r.status === 200 ? r : undefined;
    });
    expect(sentBack.body).toMatchObject({ expense_status: 'sent_back' });
    await eventually(async () =>
      (await statusAs('grace', id)).body.status === 'sent_back' ? true : undefined,
    );
    const summary = () => api('GET', `/api/workspaces/${workspaceId}/summary`, tokens.grace);
    expect((await summary()).body.overall).toEqual({ count: 1, amount: '60.00' });

    const deleted = await remove(id);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ status: 'sent_back' });
    expect(await outboxCount('expense', 'ExpenseDeleted', id)).toBe(1);
    // The approval service closes the chain as a withdrawal: once.
    await eventually(async () =>
      (await outboxCount('approval', 'ExpenseWithdrawn', id)) === 1 ? true : undefined,
    );
    const chain = await cluster.db.query(
      'select status from approval.chain where expense_id = $1',
      [id],
    );
    expect(chain.rows).toEqual([{ status: 'withdrawn' }]);
    // The chain takes nothing any more; the expense follows, still hidden.
    const withdraw = await api('POST', `/api/expenses/${id}/withdraw`, tokens.grace, {});
    expect(withdraw.status).toBe(409);
    const queue = (await api('GET', '/api/approvals/pending?limit=100', tokens.frank)).body.items;
    expect(queue?.some((i) => i.expense_id === id)).toBe(false);
    await eventually(async () => {
      const row = await cluster.db.query('select status from expense.expense where id = $1', [id]);
      return row.rows[0]?.status === 'withdrawn' ? true : undefined;
    });
    expect((await statusAs('grace', id)).status).toBe(404);
    expect((await statusAs('alice', id)).status).toBe(404);
    expect((await summary()).body.overall).toEqual({ count: 0, amount: '0.00' });
    const listed = (await api('GET', `/api/workspaces/${workspaceId}/expenses`, tokens.grace)).body;
    expect(listed.items).toEqual([]);
    expect((await api('POST', `/api/expenses/${id}/resubmit`, tokens.grace, {})).status).toBe(404);
    expect(await outboxCount('approval', 'ExpenseWithdrawn', id)).toBe(1);

    // Restored as it now is: withdrawn, its chain ended.
    expect((await restore(id)).body).toMatchObject({ status: 'withdrawn' });
    expect((await statusAs('grace', id)).body.status).toBe('withdrawn');
    expect((await summary()).body.overall).toEqual({ count: 1, amount: '60.00' });
  });
});

describe('payouts', () => {
  it('pays a mixed batch per item, once per expense, and refuses a second payout', async () => {
    const first = await approvedByRule(20, 'Cable ties');
    const second = await approvedByRule(25.5, 'Desk pads');
    const later = await approvedByRule(30, 'Monitor arm');
    const pending = String(
      (
        await api('POST', '/api/expenses', tokens.grace, {
          category: CATEGORY,
          amount: 300,
          description: 'Desk',
        })
      ).body.expense_id,
    );
    const body = {
      expense_ids: [first, second, pending, unknownId, first],
      reference: 'RUN-2026-11',
    };
    for (const name of ['grace', 'frank', 'eve']) {
      expect((await api('POST', '/api/payouts', tokens[name], body)).status, name).toBe(403);
    }
    expect((await api('POST', '/api/payouts', tokens.hannah, { expense_ids: [] })).status).toBe(
      400,
    );

    const paid = await api('POST', '/api/payouts', tokens.hannah, body);
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    const payoutId = String(paid.body.payout_id);
    expect(paid.body).toMatchObject({ reference: 'RUN-2026-11', paid: 2, refused: 2 });
    expect(paid.body.results).toEqual([
      { expense_id: first, outcome: 'paid', paid_at: expect.any(String) },
      { expense_id: second, outcome: 'paid', paid_at: expect.any(String) },
      {
        expense_id: pending,
        outcome: 'refused',
        reason: 'not-approved',
        detail: 'only an approved expense can be paid; this one is pending',
      },
      { expense_id: unknownId, outcome: 'refused', reason: 'unknown', detail: expect.any(String) },
    ]);
    for (const id of [first, second]) {
      expect(await outboxCount('expense', 'ExpensePaid', id)).toBe(1);
    }
    expect(await outboxCount('expense', 'ExpensePaid', pending)).toBe(0);
    const document = (await statusAs('grace', first)).body;
    expect(document).toMatchObject({
      status: 'paid',
      payment: { payout_id: payoutId, paid_by: idOf('hannah') },
    });

    // The same payout again (a retry): harmless, no second event.
    const replay = await api('POST', '/api/payouts', tokens.hannah, body);
    expect(replay.body).toMatchObject({ payout_id: payoutId, paid: 2, refused: 2 });
    const firstResult = (response: typeof paid) => (response.body.results as unknown[])[0];
    expect(firstResult(replay)).toEqual(firstResult(paid));
    expect(await outboxCount('expense', 'ExpensePaid', first)).toBe(1);

    // Another payout: the paid one is refused, the new one paid.
    const other = await api('POST', '/api/payouts', tokens.alice, {
      expense_ids: [first, later],
    });
    expect(other.body.payout_id).not.toBe(payoutId);
    expect(other.body.results).toEqual([
      {
        expense_id: first,
        outcome: 'refused',
        reason: 'already-paid',
        detail: `already paid in payout ${payoutId}`,
      },
      { expense_id: later, outcome: 'paid', paid_at: expect.any(String) },
    ]);
    expect(await outboxCount('expense', 'ExpensePaid', first)).toBe(1);

    const read = await api('GET', `/api/payouts/${payoutId}`, tokens.hannah);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      id: payoutId,
      reference: 'RUN-2026-11',
      created_by: idOf('hannah'),
      base_currency: 'USD',
      total: '45.50',
    });
    const expenses = read.body.expenses as { expense_id: string }[];
    expect(expenses.map((e) => e.expense_id).sort()).toEqual([first, second].sort());
    expect((await api('GET', `/api/payouts/${payoutId}`, tokens.grace)).status).toBe(403);
    expect((await api('GET', `/api/payouts/${unknownId}`, tokens.hannah)).status).toBe(404);

    // The submitter is told, once per expense.
    const told = await eventually(async () => {
      const items = (await api('GET', '/api/notifications?limit=100', tokens.grace)).body.items;
      const paidNotes = (items ?? []).filter(
        (n) => n.kind === 'expense_paid' && [first, second].includes(String(n.expense_id)),
      );
      return paidNotes.length === 2 ? paidNotes : undefined;
    });
    expect(told.map((n) => n.message)).toContain(
      'Your expense of USD 20.00 was paid (payout RUN-2026-11)',
    );
  });

  it('never lets finance pay their own expense', async () => {
    const own = await approvedByRule(15, 'Hannah’s stapler', 'hannah');
    const refused = await api('POST', '/api/payouts', tokens.hannah, { expense_ids: [own] });
    expect(refused.body.results).toEqual([
      {
        expense_id: own,
        outcome: 'refused',
        reason: 'own-expense',
        detail: 'nobody pays their own expense',
      },
    ]);
    const paid = await api('POST', '/api/payouts', tokens.alice, { expense_ids: [own] });
    expect(paid.body).toMatchObject({ paid: 1, refused: 0 });
  });
});
