import { demoLevels, demoTeam, demoUsers } from '@countersign/demo-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, login, policies, TestCluster } from '../support/test-cluster.js';

let cluster: TestCluster;
const tokens: Record<string, string> = {};
const idOf = (first: string) =>
  demoUsers.find((u) => u.email.startsWith(`${first}@`))?.id ?? 'missing';

/** A UTC day relative to today: the services read delegation days on their own clock. */
const day = (offset: number) =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  cluster = await TestCluster.start();
  for (const name of ['alice', 'bob', 'carol', 'eve', 'frank', 'grace', 'ivan'])
    tokens[name] = await login(name);
});
afterAll(async () => cluster?.stop());

async function submit(policy: string, amount: number, description: string, as = 'grace') {
  const response = await api('POST', '/api/expenses', tokens[as], {
    policy_id: policy,
    amount,
    description,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  const expenseId = String(response.body.expense_id);
  // Wait until the approval service stored the chain.
  await eventually(async () => {
    const rows = await cluster.db.query('select 1 from approval.chain where expense_id = $1', [
      expenseId,
    ]);
    return rows.rowCount ? true : undefined;
  });
  return expenseId;
}

const approve = (expenseId: string, as: string) =>
  api('POST', '/api/expenses/approve', tokens[as], { expense_id: expenseId, comments: 'ok' });

async function delegate(from: string, to: string, extra: Record<string, unknown> = {}) {
  return api('POST', '/api/delegations', tokens[from], {
    delegate_id: idOf(to),
    starts_on: day(0),
    ends_on: day(5),
    ...extra,
  });
}

const pendingOf = async (as: string) =>
  (await api('GET', '/api/approvals/pending?limit=100', tokens[as])).body.items ?? [];

describe('delegation through the gateway', () => {
  let frankToBob = '';

  it('refuses a delegation to oneself, an auditor, a stranger, a deactivated person, or with bad dates', async () => {
    expect((await delegate('frank', 'frank')).status).toBe(422);
    expect((await delegate('frank', 'ivan')).status).toBe(422);
    const stranger = await api('POST', '/api/delegations', tokens.frank, {
      delegate_id: '0197ffff-0000-7000-8000-00000000abcd',
      starts_on: day(0),
      ends_on: day(1),
    });
    expect(stranger.status).toBe(404);
    expect((await delegate('frank', 'bob', { starts_on: day(3), ends_on: day(1) })).status).toBe(
      400,
    );
    expect((await delegate('frank', 'bob', { max_amount: 'lots' })).status).toBe(400);
    expect((await delegate('frank', 'bob', { starts_on: day(-9), ends_on: day(-2) })).status).toBe(
      422,
    );
    const added = await api('POST', '/api/users', tokens.alice, {
      email: 'temp.person@techcorp.example',
      name: 'Temp Person',
      role: 'manager',
      team_id: demoTeam.id,
      level_id: demoLevels[5].id,
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const leaving = String(added.body.id);
    expect(
      (await api('POST', `/api/users/${leaving}/deactivate`, tokens.alice, { reason: 'left' }))
        .status,
    ).toBe(200);
    const toInactive = await api('POST', '/api/delegations', tokens.frank, {
      delegate_id: leaving,
      starts_on: day(0),
      ends_on: day(1),
    });
    expect(toInactive.status).toBe(422);
    expect(String(toInactive.body.detail)).toContain('deactivated');
  });

  it('creates a delegation, announced, and refuses an overlapping one (409)', async () => {
    const created = await delegate('frank', 'bob', {
      max_amount: '500.00',
      categories: ['equipment'],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      delegator_id: idOf('frank'),
      delegate_id: idOf('bob'),
      starts_on: day(0),
      ends_on: day(5),
      max_amount: '500.00',
      categories: ['equipment'],
      revoked_at: null,
    });
    frankToBob = String(created.body.id);
    const overlapping = await delegate('frank', 'carol', { starts_on: day(5), ends_on: day(9) });
    expect(overlapping.status).toBe(409);
    const events = await cluster.db.query(
      "select payload from approval.outbox where payload->>'type' = 'ApprovalDelegated' and payload->>'subject' = $1",
      [frankToBob],
    );
    expect(events.rowCount).toBe(1);
    const listed = await api('GET', '/api/delegations', tokens.bob);
    expect((listed.body.received as { id: string }[]).map((d) => d.id)).toContain(frankToBob);
    expect(listed.body.company).toBeUndefined();
    const asAdmin = await api('GET', '/api/delegations', tokens.alice);
    expect((asAdmin.body.company as { id: string }[]).map((d) => d.id)).toContain(frankToBob);
    await eventually(async () => {
      const notes = await api('GET', '/api/notifications', tokens.bob);
      return notes.body.items?.find((n) => n.kind === 'delegation_granted');
    });
  });

  it('lets the delegate see and approve the delegator’s step; the record shows both', async () => {
    const expenseId = await submit(policies.small, 120, 'Keyboard');
    const queue = await pendingOf('bob');
    expect(queue.find((i) => i.expense_id === expenseId)).toMatchObject({
      on_behalf_of: { id: idOf('frank') },
    });
    const decided = await approve(expenseId, 'bob');
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    expect(decided.body).toMatchObject({
      expense_status: 'approved',
      decided_by: idOf('bob'),
      on_behalf_of: idOf('frank'),
    });
    const step = await cluster.db.query(
      'select approver_id, decided_by from approval.chain_step where expense_id = $1',
      [expenseId],
    );
    expect(step.rows).toEqual([{ approver_id: idOf('frank'), decided_by: idOf('bob') }]);
    const event = await cluster.db.query(
      "select payload->'data' as data from approval.outbox where payload->>'type' = 'StepApproved' and payload->>'subject' = $1",
      [expenseId],
    );
    expect(event.rows[0]?.data).toMatchObject({
      approver_id: idOf('frank'),
      decided_by: idOf('bob'),
    });
    const status = await eventually(async () => {
      const doc = await api('GET', `/api/expenses/${expenseId}/status`, tokens.grace);
      return doc.body.status === 'approved' ? doc.body : undefined;
    });
    expect((status.approvals as Record<string, unknown>[])[0]).toMatchObject({
      approver_name: 'Frank Miller',
      decided_by: { id: idOf('bob'), name: expect.stringContaining('Bob') },
    });
    await eventually(async () => {
      const notes = await api('GET', '/api/notifications', tokens.frank);
      return notes.body.items?.find(
        (n) => n.kind === 'decided_on_your_behalf' && n.expense_id === expenseId,
      );
    });
  });

  it('lets the delegate reject in the delegator’s name', async () => {
    const expenseId = await submit(policies.small, 60, 'Stickers');
    const rejected = await api('POST', '/api/expenses/reject', tokens.bob, {
      expense_id: expenseId,
      reason: 'Not needed',
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ expense_status: 'rejected', decided_by: idOf('bob') });
  });

  it('refuses an amount or a category outside the delegation (403), and hides them', async () => {
    const tooMuch = await submit(policies.small, 500.01, 'Monitor');
    const travel = await submit(policies.travel, 50, 'Taxi');
    const queue = (await pendingOf('bob')).map((i) => i.expense_id);
    expect(queue).not.toContain(tooMuch);
    expect(queue).not.toContain(travel);
    const overAmount = await approve(tooMuch, 'bob');
    expect(overAmount.status).toBe(403);
    expect(String(overAmount.body.detail)).toContain('up to 500.00');
    const overCategory = await approve(travel, 'bob');
    expect(overCategory.status).toBe(403);
    expect(String(overCategory.body.detail)).toContain('only equipment');
    const still = await cluster.db.query(
      "select count(*)::int n from approval.chain_step where expense_id = any($1) and status = 'pending' and approver_id = $2",
      [[tooMuch, travel], idOf('frank')],
    );
    expect(still.rows[0]?.n).toBe(2);
  });

  it('never lets a delegate act on their own expense, or on a chain they are part of', async () => {
    const created = await delegate('eve', 'frank');
    expect(created.status).toBe(201);
    // Frank's own expense goes to Eve, who delegated to Frank.
    const own = await submit(policies.small, 80, 'Frank’s headset', 'frank');
    const refusedOwn = await approve(own, 'frank');
    expect(refusedOwn.status).toBe(403);
    expect(String(refusedOwn.body.detail)).toContain('own expense');
    // Grace's travel: Frank then Eve. Frank approved step 1, so he may not decide step 2 for Eve.
    const travel = await submit(policies.travel, 90, 'Train');
    expect((await approve(travel, 'frank')).status).toBe(200);
    const refusedInChain = await approve(travel, 'frank');
    expect(refusedInChain.status).toBe(403);
    expect(String(refusedInChain.body.detail)).toContain('another step');
    expect((await pendingOf('frank')).map((i) => i.expense_id)).not.toContain(travel);
  });

  it('a revoked delegation no longer works; only the delegator or an admin may revoke', async () => {
    const expenseId = await submit(policies.small, 40, 'Cables');
    expect(
      (await api('POST', `/api/delegations/${frankToBob}/revoke`, tokens.bob, {})).status,
    ).toBe(403);
    const revoked = await api('POST', `/api/delegations/${frankToBob}/revoke`, tokens.frank, {});
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    const again = await api('POST', `/api/delegations/${frankToBob}/revoke`, tokens.alice, {});
    expect(again.status).toBe(409);
    expect((await pendingOf('bob')).map((i) => i.expense_id)).not.toContain(expenseId);
    expect((await approve(expenseId, 'bob')).status).toBe(403);
    const events = await cluster.db.query(
      "select 1 from approval.outbox where payload->>'type' = 'DelegationRevoked' and payload->>'subject' = $1",
      [frankToBob],
    );
    expect(events.rowCount).toBe(1);
  });

  it('an expired delegation no longer works', async () => {
    const created = await delegate('frank', 'carol');
    expect(created.status).toBe(201);
    const expenseId = await submit(policies.small, 30, 'Mouse pad');
    expect((await pendingOf('carol')).map((i) => i.expense_id)).toContain(expenseId);
    // Its last day is now yesterday.
    await cluster.db.query(
      "update approval.delegation set starts_on = current_date - 10, ends_on = (now() at time zone 'utc')::date - 1 where id = $1",
      [created.body.id],
    );
    expect((await pendingOf('carol')).map((i) => i.expense_id)).not.toContain(expenseId);
    expect((await approve(expenseId, 'carol')).status).toBe(403);
    expect((await approve(expenseId, 'frank')).status).toBe(200);
  });
});
