import { once } from 'node:events';
import { demoUsers } from '@countersign/demo-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, login, policies, ports, TestCluster } from '../support/test-cluster.js';

let cluster: TestCluster;
const tokens: Record<string, string> = {};
const idOf = (first: string) =>
  demoUsers.find((u) => u.email.startsWith(`${first}@`))?.id ?? 'missing';

beforeAll(async () => {
  // The timer looks often; deadlines are moved into the past by SQL, never waited for.
  cluster = await TestCluster.start({ ESCALATION_CHECK_INTERVAL_MS: '100' });
  for (const name of ['alice', 'david', 'eve', 'frank', 'grace', 'hannah'])
    tokens[name] = await login(name);
});
afterAll(async () => cluster?.stop());

const query = async (text: string, values: unknown[] = []) =>
  (await cluster.db.query(text, values)).rows;

async function submit(policy: string, amount: number, description: string) {
  const response = await api('POST', '/api/expenses', tokens.grace, {
    policy_id: policy,
    amount,
    description,
  });
  expect(response.status).toBe(201);
  return String(response.body.expense_id);
}

/** The deadline the approval service recorded, from its own ApprovalRequested event. */
const deadlineOf = (expenseId: string, approver: string) =>
  eventually(async () => {
    const rows = await query(
      'select state, due_at from approval.step_deadline where expense_id = $1 and approver_id = $2',
      [expenseId, idOf(approver)],
    );
    return rows[0] as { state: string; due_at: Date } | undefined;
  });

const makeDue = (expenseIds: string[]) =>
  query(
    "update approval.step_deadline set due_at = now() - interval '1 minute' where expense_id = any($1) and state = 'open'",
    [expenseIds],
  );

const approverOf = async (expenseId: string, step = 1) =>
  (
    await query('select approver_id from approval.chain_step where expense_id = $1 and step = $2', [
      expenseId,
      step,
    ])
  )[0]?.approver_id as string | undefined;

const escalations = (expenseId: string) =>
  query(
    "select payload->'data' as data from approval.outbox where payload->>'type' = 'ApprovalEscalated' and payload->>'subject' = $1",
    [expenseId],
  );

describe('escalation of overdue steps', () => {
  it('records a deadline per requested step, 48 hours after the request by default', async () => {
    const expenseId = await submit(policies.small, 70, 'Desk lamp');
    const deadline = await deadlineOf(expenseId, 'frank');
    expect(deadline.state).toBe('open');
    const [gap] = await query(
      `select extract(epoch from d.due_at - s.requested_at) / 3600 as hours
       from approval.step_deadline d join approval.chain_step s using (expense_id, step)
       where d.expense_id = $1`,
      [expenseId],
    );
    // The deadline counts from the event's time, a few milliseconds from the stored request.
    expect(Math.round(Number(gap?.hours))).toBe(48);
  });

  it('moves each overdue step one level up exactly once, with two approval replicas', async () => {
    await cluster.startReplica('approval', ports.approval + 10);
    const expenses = [];
    for (let i = 0; i < 6; i += 1) expenses.push(await submit(policies.small, 10 + i, `Pens ${i}`));
    for (const id of expenses) await deadlineOf(id, 'frank');
    await makeDue(expenses);
    for (const id of expenses) {
      await eventually(async () => ((await approverOf(id)) === idOf('eve') ? true : undefined));
    }
    // Both replicas keep looking for a while: nothing fires twice.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const id of expenses) {
      const events = await escalations(id);
      expect(events).toHaveLength(1);
      expect(events[0]?.data).toMatchObject({
        step: 1,
        from_approver_id: idOf('frank'),
        to_approver_id: idOf('eve'),
        submitter_id: idOf('grace'),
        assignment: 2,
      });
      const requested = await query(
        "select 1 from approval.outbox where payload->>'type' = 'ApprovalRequested' and payload->>'subject' = $1 and payload->'data'->>'approver_id' = $2",
        [id, idOf('eve')],
      );
      expect(requested).toHaveLength(1);
      const reassigned = await query(
        "select 1 from approval.outbox where payload->>'type' = 'ApproverReassigned' and payload->>'subject' = $1",
        [id],
      );
      expect(reassigned).toHaveLength(1);
    }
    const [first] = expenses;
    if (!first) throw new Error('no expense');
    // The old approver may no longer decide; the new one may, and has a deadline of their own.
    const old = await api('POST', '/api/expenses/approve', tokens.frank, { expense_id: first });
    expect(old.status).toBe(403);
    expect((await deadlineOf(first, 'eve')).state).toBe('open');
    const decided = await api('POST', '/api/expenses/approve', tokens.eve, { expense_id: first });
    expect(decided.status).toBe(200);
    expect(decided.body.expense_status).toBe('approved');
    const status = await eventually(async () => {
      const doc = await api('GET', `/api/expenses/${first}/status`, tokens.grace);
      return doc.body.status === 'approved' ? doc.body : undefined;
    });
    expect((status.approvals as Record<string, unknown>[])[0]?.approver_name).toBe('Eve Davis');
    for (const name of ['frank', 'grace']) {
      await eventually(async () => {
        const notes = await api('GET', '/api/notifications', tokens[name]);
        return notes.body.items?.find(
          (n) => n.kind === 'approval_escalated' && n.expense_id === first,
        );
      });
    }
  });

  it('never hands a step to someone already in the chain', async () => {
    // Business travel: Frank, then Eve. Frank's overdue step skips Eve and goes to David.
    const expenseId = await submit(policies.travel, 300, 'Conference train');
    await deadlineOf(expenseId, 'frank');
    await makeDue([expenseId]);
    await eventually(async () =>
      (await approverOf(expenseId)) === idOf('david') ? true : undefined,
    );
    expect(await approverOf(expenseId, 2)).toBe(idOf('eve'));
  });

  it('leaves a decided step alone when its deadline comes', async () => {
    const expenseId = await submit(policies.small, 25, 'Notebook');
    await deadlineOf(expenseId, 'frank');
    expect(
      (await api('POST', '/api/expenses/approve', tokens.frank, { expense_id: expenseId })).status,
    ).toBe(200);
    await makeDue([expenseId]);
    await eventually(async () =>
      (await deadlineOf(expenseId, 'frank')).state === 'settled' ? true : undefined,
    );
    expect(await escalations(expenseId)).toHaveLength(0);
  });

  it('loses no timer when every approval process is killed and one comes back', async () => {
    const expenseId = await submit(policies.small, 55, 'Chair mat');
    await deadlineOf(expenseId, 'frank');
    for (const replica of cluster.gatewayReplicas) {
      if (replica.exitCode === null && replica.signalCode === null) {
        const exited = once(replica, 'exit');
        replica.kill('SIGKILL');
        await exited;
      }
    }
    await cluster.crash('approval');
    await makeDue([expenseId]);
    await cluster.startService('approval');
    await eventually(async () =>
      (await approverOf(expenseId)) === idOf('eve') ? true : undefined,
    );
    expect(await escalations(expenseId)).toHaveLength(1);
    const old = await api('POST', '/api/expenses/approve', tokens.frank, { expense_id: expenseId });
    expect(old.status).toBe(403);
  });

  it('hands an overdue step to the fallback its policy names, then climbs from there', async () => {
    const policy = await api('POST', '/api/policies', tokens.alice, {
      name: 'Fallback to finance',
      category: 'equipment',
      rules: [
        {
          priority: 1,
          condition: { field: 'amount', op: 'gte', value: '0' },
          action: {
            type: 'require_approval',
            steps: [
              {
                approver: { by: 'level', level: 6, scope: 'submitter_team' },
                required: true,
                escalate_to: idOf('hannah'),
              },
            ],
          },
        },
      ],
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);
    const expenseId = await submit(String(policy.body.id), 45, 'Cable tray');
    await deadlineOf(expenseId, 'frank');
    await makeDue([expenseId]);
    await eventually(async () =>
      (await approverOf(expenseId)) === idOf('hannah') ? true : undefined,
    );
    const [first] = await escalations(expenseId);
    expect(first?.data).toMatchObject({
      from_approver_id: idOf('frank'),
      to_approver_id: idOf('hannah'),
      reason: expect.stringContaining('fallback'),
    });
    // Overdue again: the fallback holds it now, so it climbs one level up from her (5 → 4).
    await deadlineOf(expenseId, 'hannah');
    await makeDue([expenseId]);
    await eventually(async () =>
      (await approverOf(expenseId)) === idOf('david') ? true : undefined,
    );
    expect(await escalations(expenseId)).toHaveLength(2);
  });

  it('refuses a fallback who is not in the company, naming where', async () => {
    const refused = await api('POST', '/api/policies', tokens.alice, {
      name: 'Fallback to a stranger',
      category: 'equipment',
      rules: [
        {
          priority: 1,
          condition: { field: 'amount', op: 'gte', value: '0' },
          action: {
            type: 'require_approval',
            steps: [
              {
                approver: { by: 'role', role: 'manager' },
                required: true,
                escalate_to: '0197a000-0000-7000-8000-00000000dead',
              },
            ],
          },
        },
      ],
    });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toContain('rules.0.action.steps.0.escalate_to');
  });
});
