import { demoCompany, demoFinanceTeam, demoLevels, demoUsers } from '@countersign/demo-data';
import { hash } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ForwardedRoute,
  forwardedRoutes,
} from '../../services/gateway/src/http/api-routes.js';
import { TINY_PNG, uploadFile } from '../support/receipts.js';
import { api, eventually, login, policies, TestCluster } from '../support/test-cluster.js';

let cluster: TestCluster;
let alice: string;
let olga: string;
const idOf = (first: string) =>
  demoUsers.find((u) => u.email.startsWith(`${first}@`))?.id ?? 'missing';
const techcorp = {
  expense: '',
  workspace: '',
  approval: '',
  delegation: '',
  category: '',
  vendor: '',
  receipt: '',
  payout: '',
  webhook: '',
  notification: '',
};
const other = {
  company: '0197b000-0000-7000-8000-000000000001',
  team: '0197b000-0000-7000-8000-000000000002',
  level: '0197b000-0000-7000-8000-000000000003',
  person: '0197b000-0000-7000-8000-000000000004',
  workspace: '',
};

/** Other Corp, with Olga as its admin, written into each service's own tables. */
async function addOtherCompany(): Promise<void> {
  const q = (text: string, values: unknown[]) => cluster.db.query(text, values);
  await q("insert into approval.company values ($1, 'Other Corp')", [other.company]);
  await q("insert into approval.team values ($1, $2, 'Ops')", [other.team, other.company]);
  await q("insert into approval.level values ($1, $2, 1, 'Boss')", [other.level, other.company]);
  await q(
    `insert into approval.person (id, company_id, team_id, level_id, name, email, active, role)
     values ($1, $2, $3, $4, 'Olga Other', 'olga@other.example', true, 'admin')`,
    [other.person, other.company, other.team, other.level],
  );
  await q(
    `insert into identity.credential (user_id, company_id, email, name, role, password_hash, active, email_verified_at)
     values ($1, $2, 'olga@other.example', 'Olga Other', 'admin', $3, true, now())`,
    [other.person, other.company, await hash('other-password')],
  );
  await q(
    `insert into expense.person (id, company_id, name, email, role, team_id, active, revision)
     values ($1, $2, 'Olga Other', 'olga@other.example', 'admin', $3, true, 1)`,
    [other.person, other.company, other.team],
  );
}

/** Nobody listens there: TechCorp's webhook deliveries fail on loopback, reaching nothing. */
const webhookTarget = '127.0.0.1:9';

beforeAll(async () => {
  cluster = await TestCluster.start({ WEBHOOK_TEST_TARGETS: webhookTarget });
  await addOtherCompany();
  alice = await login('alice');
  const grace = await login('grace');
  const signIn = await api('POST', '/api/auth/login', undefined, {
    email: 'olga@other.example',
    password: 'other-password',
  });
  olga = String(signIn.body.access_token);
  const workspace = await api('POST', '/api/workspaces', grace, { name: 'TechCorp only' });
  techcorp.workspace = String(workspace.body.id);
  const expense = await api('POST', '/api/expenses', grace, {
    policy_id: policies.small,
    amount: 42,
    description: 'TechCorp secret',
    workspace_id: techcorp.workspace,
  });
  techcorp.expense = String(expense.body.expense_id);
  const receipt = await uploadFile(
    `/api/expenses/${techcorp.expense}/receipts`,
    grace,
    TINY_PNG,
    'receipt.png',
  );
  expect(receipt.status, JSON.stringify(receipt.body)).toBe(201);
  techcorp.receipt = String(receipt.body.id);
  const delegation = await api('POST', '/api/delegations', await login('frank'), {
    delegate_id: idOf('eve'),
    starts_on: '2026-01-01',
    ends_on: '2099-12-31',
  });
  techcorp.delegation = String(delegation.body.id);
  const catalog = await cluster.db.query<{ kind: string; id: string }>(
    'select distinct on (kind) kind, id from expense.catalog_entry where company_id = $1',
    [demoCompany.id],
  );
  techcorp.category = catalog.rows.find((r) => r.kind === 'category')?.id ?? 'missing';
  techcorp.vendor = catalog.rows.find((r) => r.kind === 'vendor')?.id ?? 'missing';
  // A TechCorp rate, whose creator's id must not show in Other Corp's list.
  const rate = await api('POST', '/api/exchange-rates', alice, {
    currency: 'EUR',
    rate: '1.1',
    effective_on: '2026-01-01',
  });
  expect(rate.status).toBe(201);
  other.workspace = String((await api('POST', '/api/workspaces', olga, { name: 'Ops' })).body.id);
  // A TechCorp payout (its one item refused: the expense is not approved yet).
  const payout = await api('POST', '/api/payouts', alice, { expense_ids: [techcorp.expense] });
  expect(payout.status).toBe(200);
  techcorp.payout = String(payout.body.payout_id);
  const webhook = await api('POST', '/api/webhooks', alice, {
    url: `http://${webhookTarget}/hook`,
    event_types: ['PolicyDeactivated'],
  });
  expect(webhook.status, JSON.stringify(webhook.body)).toBe(201);
  techcorp.webhook = String(webhook.body.id);
  const frank = await login('frank');
  techcorp.approval = await eventually(async () => {
    const items = (await api('GET', '/api/approvals/pending', frank)).body.items ?? [];
    const item = items.find((i) => i.expense_id === techcorp.expense);
    return item ? String(item.approval_id) : undefined;
  });
  // Frank's notification that the expense waits for him.
  techcorp.notification = await eventually(async () => {
    const items = (await api('GET', '/api/notifications', frank)).body.items ?? [];
    const item = items.find((i) => i.expense_id === techcorp.expense);
    return item ? String(item.id) : undefined;
  });
});
afterAll(async () => cluster?.stop());

const key = (route: ForwardedRoute) => `${route.method} ${route.path}`;

/** A body each route would accept, so that only the object's company can make it fail. */
const validBodies: Record<string, Record<string, unknown>> = {
  'post /api/expenses': { policy_id: policies.small, amount: 10, description: 'Pens' },
  'post /api/expenses/approve': { expense_id: '0197ffff-0000-7000-8000-000000000001' },
  'post /api/expenses/reject': {
    expense_id: '0197ffff-0000-7000-8000-000000000001',
    reason: 'No',
  },
  'post /api/expenses/{id}/send-back': { comment: 'Redo it' },
  'patch /api/expenses/{id}': { description: 'Hijacked' },
  'post /api/expenses/{id}/resubmit': {},
  'post /api/expenses/{id}/withdraw': { reason: 'hijacked' },
  'post /api/expenses/drafts': { policy_id: policies.small, amount: 10, description: 'Pens' },
  'post /api/expenses/{id}/submit': {},
  'post /api/expenses/{id}/restore': {},
  'post /api/notifications/{id}/read': {},
  'post /api/notifications/read-all': {},
  'put /api/notification-preferences': { preferences: [{ kind: 'expense_paid', in_app: true }] },
  'post /api/payouts': { expense_ids: ['0197ffff-0000-7000-8000-000000000001'] },
  'post /api/approvals/{approval_id}/decision': { approved: true },
  'post /api/approvals/bulk': {
    decisions: [{ expense_id: '0197ffff-0000-7000-8000-000000000001', action: 'approve' }],
  },
  'post /api/workspaces': { name: 'Another' },
  'put /api/company/currency': { base_currency: 'USD' },
  'post /api/exchange-rates': { currency: 'EUR', rate: '1.2', effective_on: '2026-02-01' },
  'post /api/categories': { name: 'Another category' },
  'post /api/vendors': { name: 'Another vendor' },
  'patch /api/categories/{id}': { name: 'Hijacked' },
  'patch /api/vendors/{id}': { name: 'Hijacked' },
  'post /api/workspaces/{id}/members': { user_id: other.person, role: 'member' },
  'patch /api/workspaces/{id}/members/{user_id}': { role: 'viewer' },
  'post /api/users': {
    email: 'new.person@techcorp.example',
    name: 'New Person',
    role: 'employee',
    team_id: demoFinanceTeam.id,
    level_id: demoLevels[6].id,
  },
  'patch /api/users/{id}': { name: 'Hijacked' },
  'post /api/users/{id}/deactivate': { reason: 'hijacked' },
  'post /api/teams': { name: 'Brand new team' },
  'patch /api/teams/{id}': { name: 'Hijacked' },
  'post /api/levels': { number: 12, name: 'Brand new level' },
  'patch /api/levels/{id}': { name: 'Hijacked' },
  'post /api/delegations': {
    delegate_id: other.person,
    starts_on: '2026-01-01',
    ends_on: '2099-12-31',
  },
  'post /api/delegations/{id}/revoke': { reason: 'hijacked' },
  'post /api/policies': {
    name: 'Another policy',
    category: 'misc',
    rules: [
      {
        priority: 1,
        condition: { field: 'amount', op: 'gte', value: '0' },
        action: {
          type: 'require_approval',
          steps: [{ approver: { by: 'level', level: 6, scope: 'submitter_team' }, required: true }],
        },
      },
    ],
  },
  'patch /api/policies/{id}': { name: 'Hijacked' },
  'post /api/policies/{id}/deactivate': { reason: 'hijacked' },
  'post /api/expenses/preview': { policy_id: policies.small, amount: 10 },
  'post /api/webhooks': { url: 'http://127.0.0.1:9/hook', event_types: ['ExpenseApproved'] },
  'patch /api/webhooks/{id}': { description: 'Hijacked' },
  'post /api/webhooks/{id}/rotate-secret': {},
  'post /api/webhooks/{id}/deliveries/{delivery_id}/redeliver': {},
  'post /api/policies/simulate': {
    rules: [
      {
        priority: 1,
        condition: { field: 'amount', op: 'gte', value: '0' },
        action: { type: 'auto_approve' },
      },
    ],
  },
};

/** TechCorp's real ids, by the resource a path names. */
function techcorpParams(path: string): Record<string, string> {
  const resource = path.split('/')[2];
  const id =
    resource === 'expenses'
      ? techcorp.expense
      : resource === 'workspaces'
        ? techcorp.workspace
        : resource === 'users'
          ? idOf('grace')
          : resource === 'teams'
            ? demoFinanceTeam.id
            : resource === 'delegations'
              ? techcorp.delegation
              : resource === 'policies'
                ? policies.small
                : resource === 'categories'
                  ? techcorp.category
                  : resource === 'vendors'
                    ? techcorp.vendor
                    : resource === 'payouts'
                      ? techcorp.payout
                      : resource === 'webhooks'
                        ? techcorp.webhook
                        : resource === 'notifications'
                          ? techcorp.notification
                          : demoLevels[6].id;
  return {
    id,
    user_id: idOf('grace'),
    approval_id: techcorp.approval,
    receipt_id: techcorp.receipt,
    // TechCorp's webhook is not found first, whatever the delivery.
    delivery_id: '0197ffff-0000-7000-8000-0000000000d1',
  };
}

const fill = (path: string, params: Record<string, string>) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? 'missing');
/** Routes with a JSON body; file uploads take multipart and are walked with a file. */
const hasBody = (route: ForwardedRoute) =>
  !['get', 'delete'].includes(route.method) && route.multipart === undefined;

describe("another company's ids are not found, on every object route", () => {
  it('every route with an id in its path answers 404 to Other Corp’s admin', async () => {
    const objectRoutes = forwardedRoutes.filter((r) => r.path.includes('{'));
    expect(objectRoutes.length).toBeGreaterThan(10);
    for (const route of objectRoutes) {
      const body = hasBody(route) ? validBodies[key(route)] : undefined;
      if (hasBody(route)) expect(body, `a valid body for ${key(route)}`).toBeDefined();
      const path = fill(route.path, techcorpParams(route.path));
      const response = route.multipart
        ? await uploadFile(path, olga, TINY_PNG, 'receipt.png')
        : await api(route.method.toUpperCase(), path, olga, body);
      expect(response.status, `${key(route)}: ${JSON.stringify(response.body)}`).toBe(404);
    }
  });

  it('ids of TechCorp inside bodies are not found either', async () => {
    const refusals = [
      await api('POST', '/api/expenses/approve', olga, { expense_id: techcorp.expense }),
      await api('POST', '/api/expenses', olga, {
        category: 'general',
        amount: 10,
        description: 'x',
        workspace_id: techcorp.workspace,
      }),
      await api('POST', '/api/expenses', olga, {
        policy_id: policies.small,
        amount: 10,
        description: 'x',
      }),
      await api('POST', `/api/workspaces/${other.workspace}/members`, olga, {
        user_id: idOf('grace'),
        role: 'member',
      }),
    ];
    expect(refusals.map((r) => r.status)).toEqual([404, 404, 404, 404]);
    // A bulk decision on TechCorp's expense: the call is fine, the item is not found.
    const bulk = await api('POST', '/api/approvals/bulk', olga, {
      decisions: [{ expense_id: techcorp.expense, action: 'approve' }],
    });
    expect(bulk.status).toBe(200);
    expect(bulk.body.results).toMatchObject([{ status: 404 }]);
    // A payout of TechCorp's expense: refused like an id that does not exist.
    const payout = await api('POST', '/api/payouts', olga, {
      expense_ids: [techcorp.expense, '0197ffff-0000-7000-8000-000000000001'],
    });
    expect(payout.status).toBe(200);
    expect(payout.body.results).toEqual([
      expect.objectContaining({
        expense_id: techcorp.expense,
        outcome: 'refused',
        reason: 'unknown',
      }),
      expect.objectContaining({ outcome: 'refused', reason: 'unknown' }),
    ]);
    const [foreign, missing] = payout.body.results as Record<string, unknown>[];
    expect(foreign).toEqual({ ...missing, expense_id: techcorp.expense });
    refusals.push(
      await api('POST', '/api/delegations', olga, {
        delegate_id: idOf('grace'),
        starts_on: '2026-01-01',
        ends_on: '2099-12-31',
      }),
    );
    expect(refusals.map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
    const placed = await api('POST', '/api/users', olga, {
      ...validBodies['post /api/users'],
      email: 'mole@other.example',
    });
    expect([404, 422]).toContain(placed.status);
    const managed = await api('PATCH', `/api/users/${other.person}`, olga, {
      manager_id: idOf('alice'),
    });
    expect([404, 422]).toContain(managed.status);
  });

  it('no list shows Other Corp anything of TechCorp, and nothing of TechCorp changed', async () => {
    const lists = forwardedRoutes.filter((r) => r.method === 'get' && !r.path.includes('{'));
    expect(lists.length).toBeGreaterThan(5);
    const techcorpMarks = [demoCompany.id, ...demoUsers.map((u) => u.id), 'techcorp', 'TechCorp'];
    for (const route of lists) {
      const path = route.path === '/api/workspaces' ? '/api/workspaces?scope=company' : route.path;
      const response = await api('GET', path, olga);
      expect(response.status, key(route)).toBe(200);
      const text = JSON.stringify(response.body);
      for (const mark of techcorpMarks)
        expect(text, `${key(route)} shows ${mark}`).not.toContain(mark);
    }
    // Filters naming TechCorp's people or workspace do not reach into TechCorp either.
    for (const query of [`submitter_id=${idOf('grace')}`, `workspace_id=${techcorp.workspace}`]) {
      const filtered = await api('GET', `/api/expenses?${query}`, olga);
      expect(filtered.body, query).toEqual({ items: [], next_cursor: null });
    }
    const hijacked = await cluster.db.query(
      `select name from approval.person where name = 'Hijacked'
       union all select name from approval.team where name = 'Hijacked'
       union all select name from approval.level where name = 'Hijacked'
       union all select name from approval.policy where name = 'Hijacked'
       union all select name from expense.catalog_entry where name = 'Hijacked'`,
    );
    expect(hijacked.rows).toEqual([]);
    const delegation = await cluster.db.query(
      'select revoked_at from approval.delegation where id = $1',
      [techcorp.delegation],
    );
    expect(delegation.rows).toEqual([{ revoked_at: null }]);
    const notification = await cluster.db.query(
      'select read_at from notification.notification where id = $1',
      [techcorp.notification],
    );
    expect(notification.rows).toEqual([{ read_at: null }]);
    const graceProfile = await api('GET', `/api/users/${idOf('grace')}`, alice);
    expect(graceProfile.body).toMatchObject({ name: 'Grace Taylor', active: true });
  });
});

describe('mass assignment: fields a client may not set are refused, never applied', () => {
  const forbidden = { company_id: other.company, id: other.person, status: 'approved' };

  it('every body route answers 400 naming the field, through the gateway', async () => {
    const bodyRoutes = forwardedRoutes.filter(hasBody);
    for (const route of bodyRoutes) {
      const valid = validBodies[key(route)];
      expect(valid, `a valid body for ${key(route)}`).toBeDefined();
      for (const [field, value] of Object.entries(forbidden)) {
        const response = await api(
          route.method.toUpperCase(),
          fill(route.path, techcorpParams(route.path)),
          alice,
          { ...valid, [field]: value },
        );
        expect(response.status, `${key(route)} with ${field}`).toBe(400);
        expect(JSON.stringify(response.body.errors), `${key(route)} names ${field}`).toContain(
          field,
        );
      }
    }
  });

  it('a role, amount or approver smuggled into other routes is refused too', async () => {
    const grace = await login('grace');
    const smuggled = [
      await api('POST', '/api/workspaces', grace, { name: 'W', created_by: idOf('alice') }),
      await api('POST', '/api/auth/register', undefined, {
        company_name: 'X',
        name: 'Y',
        email: 'y@x.example',
        password: 'long enough pass',
        role: 'auditor',
      }),
      await api('POST', '/api/expenses', grace, {
        ...validBodies['post /api/expenses'],
        approvals_required: [],
      }),
      await api('PATCH', `/api/expenses/${techcorp.expense}`, grace, {
        submitter_id: idOf('alice'),
      }),
      await api('POST', `/api/expenses/${techcorp.expense}/withdraw`, grace, {
        status: 'withdrawn',
      }),
      await api('POST', '/api/approvals/bulk', alice, {
        decisions: [
          { expense_id: techcorp.expense, action: 'approve', approver_id: idOf('frank') },
        ],
      }),
    ];
    expect(smuggled.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400]);
  });
});
