import { hash } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, login, policies, TestCluster } from '../support/test-cluster.js';

let cluster: TestCluster;
let grace: string;
let outsider: string;
let expenseId: string;

/** A second company with one employee, written straight into the owning services' tables. */
async function addOtherCompany(): Promise<void> {
  const ids = {
    company: '0197b000-0000-7000-8000-000000000001',
    team: '0197b000-0000-7000-8000-000000000002',
    level: '0197b000-0000-7000-8000-000000000003',
    person: '0197b000-0000-7000-8000-000000000004',
  };
  const db = cluster.db;
  await db.query("insert into approval.company values ($1, 'Other Corp')", [ids.company]);
  await db.query("insert into approval.team values ($1, $2, 'Ops')", [ids.team, ids.company]);
  await db.query("insert into approval.level values ($1, $2, 1, 'Boss')", [ids.level, ids.company]);
  await db.query(
    "insert into approval.person values ($1, $2, $3, $4, 'Olga Other', 'olga@other.example', true)",
    [ids.person, ids.company, ids.team, ids.level],
  );
  await db.query(
    "insert into identity.credential (user_id, company_id, email, name, role, password_hash, active, email_verified_at) values ($1, $2, 'olga@other.example', 'Olga Other', 'admin', $3, true, now())",
    [ids.person, ids.company, await hash('other-password')],
  );
}

beforeAll(async () => {
  cluster = await TestCluster.start();
  await addOtherCompany();
  grace = await login('grace');
  const response = await api('POST', '/api/auth/login', undefined, {
    email: 'olga@other.example',
    password: 'other-password',
  });
  outsider = String(response.body.access_token);
  const created = await api('POST', '/api/expenses', grace, {
    policy_id: policies.small,
    amount: 25,
    description: 'TechCorp only',
  });
  expenseId = String(created.body.expense_id);
  await eventually(async () => {
    const r = await api('GET', '/api/approvals/pending?limit=100', await login('frank'));
    return r.body.items?.some((i) => i.expense_id === expenseId) ? true : undefined;
  });
});
afterAll(async () => cluster?.stop());

describe('every read and write is scoped to the caller’s company', () => {
  it("another company's admin cannot read, approve or reject TechCorp's expense", async () => {
    expect((await api('GET', `/api/expenses/${expenseId}/status`, outsider)).status).toBe(404);
    expect(
      (await api('POST', '/api/expenses/approve', outsider, { expense_id: expenseId })).status,
    ).toBe(404);
    expect(
      (await api('POST', '/api/expenses/reject', outsider, { expense_id: expenseId, reason: 'x' }))
        .status,
    ).toBe(404);
  });

  it("another company cannot route by TechCorp's policies, and sees none of its data in lists", async () => {
    const refused = await api('POST', '/api/expenses', outsider, {
      policy_id: policies.small,
      amount: 10,
      description: 'borrowed policy',
    });
    expect(refused.status).toBe(404);
    for (const path of ['/api/expenses', '/api/approvals/pending', '/api/notifications']) {
      const response = await api('GET', path, outsider);
      expect(response.status).toBe(200);
      expect(response.body.items).toEqual([]);
    }
  });
});
