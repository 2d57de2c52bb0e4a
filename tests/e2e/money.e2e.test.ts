import { type CatalogEntry, ExchangeRateList, ExpenseStatusDocument } from '@countersign/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, login, policies, TestCluster } from '../support/test-cluster.js';

let cluster: TestCluster;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  cluster = await TestCluster.start();
  for (const name of ['alice', 'grace', 'hannah', 'ivan']) tokens[name] = await login(name);
});
afterAll(async () => cluster?.stop());

async function addRate(currency: string, rate: string | number, effectiveOn: string) {
  return api('POST', '/api/exchange-rates', tokens.hannah, {
    currency,
    rate,
    effective_on: effectiveOn,
  });
}

async function submit(body: Record<string, unknown>, as = 'grace') {
  return api('POST', '/api/expenses', tokens[as], { description: 'Laptop dock', ...body });
}

/** The payload of the event the expense service wrote for an expense. */
async function eventOf(expenseId: string) {
  const rows = await cluster.db.query<{ payload: { type: string; data: Record<string, unknown> } }>(
    "select payload from expense.outbox where payload->>'subject' = $1",
    [expenseId],
  );
  return rows.rows[0]?.payload;
}

describe('base currency and exchange rates', () => {
  it('starts on USD, changeable only by an admin while the company has no expenses', async () => {
    const read = await api('GET', '/api/company/currency', tokens.grace);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ base_currency: 'USD', changeable: true });
    expect(
      (await api('PUT', '/api/company/currency', tokens.hannah, { base_currency: 'EUR' })).status,
    ).toBe(403);
    // KWD has three minor digits; policies compare cents, so it cannot be a base.
    const kwd = await api('PUT', '/api/company/currency', tokens.alice, { base_currency: 'KWD' });
    expect(kwd.status).toBe(400);
    expect(kwd.contentType).toContain('application/problem+json');
    const same = await api('PUT', '/api/company/currency', tokens.alice, { base_currency: 'usd' });
    expect(same.status).toBe(200);
    expect(same.body).toEqual({ base_currency: 'USD', changeable: true });
  });

  it('lets finance add dated rates, one per pair and day, and everyone read them', async () => {
    const first = await addRate('EUR', '1.10', '2026-01-01');
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({
      currency: 'EUR',
      base_currency: 'USD',
      rate: '1.1',
      effective_on: '2026-01-01',
    });
    expect((await addRate('eur', 0.5, '2026-06-01')).status).toBe(201);
    expect((await addRate('JPY', '0.0067', '2026-01-01')).status).toBe(201);
    expect((await addRate('KWD', '3.25', '2026-01-01')).status).toBe(201);
    const again = await addRate('EUR', '1.2', '2026-01-01');
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('2026-01-01');
    expect((await addRate('USD', '1', '2026-01-01')).status).toBe(422);
    expect((await addRate('EUR', '0', '2026-02-01')).status).toBe(400);
    expect((await addRate('XYZ', '1', '2026-02-01')).status).toBe(400);
    const byGrace = await api('POST', '/api/exchange-rates', tokens.grace, {
      currency: 'EUR',
      rate: '9',
      effective_on: '2026-02-01',
    });
    expect(byGrace.status).toBe(403);
    const list = await api('GET', '/api/exchange-rates?currency=EUR', tokens.ivan);
    expect(list.status).toBe(200);
    const rates = ExchangeRateList.parse(list.body).items;
    expect(rates.map((r) => [r.effective_on, r.rate])).toEqual([
      ['2026-06-01', '0.5'],
      ['2026-01-01', '1.1'],
    ]);
  });
});

describe('an expense in another currency', () => {
  it('routes by its base amount: EUR 1,900 at 1.10 is USD 2,090, a large equipment chain', async () => {
    const large = await submit({
      category: 'equipment',
      amount: '1900.00',
      currency: 'EUR',
      spend_date: '2026-03-15',
      vendor: 'dell',
    });
    expect(large.status, JSON.stringify(large.body)).toBe(201);
    expect(large.body.amount).toBe(1900);
    expect(large.body.money).toEqual({
      amount: '1900.00',
      currency: 'EUR',
      base_amount: '2090.00',
      base_currency: 'USD',
      exchange_rate: '1.1',
      rate_date: '2026-01-01',
    });
    // Small equipment stops at USD 1,999.99: the base amount, not 1,900, chose the policy.
    expect(large.body.policy_id).toBe(policies.large);
    expect(large.body.approvals_required).toHaveLength(3);

    const small = await submit({
      category: 'equipment',
      amount: 1700,
      currency: 'EUR',
      spend_date: '2026-03-15',
    });
    expect(small.status, JSON.stringify(small.body)).toBe(201);
    expect(small.body.policy_id).toBe(policies.small);
    expect(small.body.money).toMatchObject({ base_amount: '1870.00' });

    // From June the later rate applies: EUR 3,000 at 0.5 is USD 1,500, small again.
    const june = await submit({
      category: 'equipment',
      amount: 3000,
      currency: 'EUR',
      spend_date: '2026-07-01',
    });
    expect(june.status).toBe(201);
    expect(june.body.money).toMatchObject({
      base_amount: '1500.00',
      exchange_rate: '0.5',
      rate_date: '2026-06-01',
    });
    expect(june.body.policy_id).toBe(policies.small);

    const id = String(large.body.expense_id);
    const status = await api('GET', `/api/expenses/${id}/status`, tokens.grace);
    expect(status.status).toBe(200);
    const document = ExpenseStatusDocument.parse(status.body);
    expect(document).toMatchObject({
      amount: 1900,
      money: large.body.money,
      category: 'equipment',
      vendor: 'Dell',
      spend_date: '2026-03-15',
      source: 'manual',
    });
    const event = await eventOf(id);
    expect(event?.type).toBe('ExpenseSubmitted');
    expect(event?.data).toMatchObject({
      amount: '2090.00',
      money: large.body.money,
      vendor: 'Dell',
      spend_date: '2026-03-15',
    });
    // The approval service stored the chain with the base amount.
    const chain = await eventually(async () => {
      const rows = await cluster.db.query<{ amount: string }>(
        'select amount::text from approval.chain where expense_id = $1',
        [id],
      );
      return rows.rows[0];
    });
    expect(chain.amount).toBe('2090.00');
    const listed = await api('GET', '/api/expenses?limit=5', tokens.grace);
    const item = (listed.body.items as { id: string; money: unknown }[]).find((e) => e.id === id);
    expect(item?.money).toEqual(large.body.money);
  });

  it('keeps every currency to its own minor unit and rounds half-even into the base', async () => {
    const yen = await submit({
      category: 'equipment',
      amount: 150000,
      currency: 'JPY',
      spend_date: '2026-03-01',
    });
    expect(yen.status, JSON.stringify(yen.body)).toBe(201);
    expect(yen.body.money).toMatchObject({ amount: '150000', base_amount: '1005.00' });
    const fils = await submit({
      category: 'equipment',
      amount: '1.234',
      currency: 'KWD',
      spend_date: '2026-03-01',
    });
    expect(fils.status, JSON.stringify(fils.body)).toBe(201);
    // 1.234 × 3.25 = 4.0105, a tie at the cent: half-even keeps 4.01.
    expect(fils.body.money).toMatchObject({ amount: '1.234', base_amount: '4.01' });
    const tooFine = await submit({ category: 'equipment', amount: '10.5', currency: 'JPY' });
    expect(tooFine.status).toBe(422);
    expect(tooFine.body.detail).toContain('no minor unit');
    expect((await submit({ category: 'equipment', amount: '10.005' })).status).toBe(422);
  });

  it('refuses an expense with no rate for its pair and date, saying which', async () => {
    const gbp = await submit({
      category: 'equipment',
      amount: 10,
      currency: 'GBP',
      spend_date: '2026-03-15',
    });
    expect(gbp.status).toBe(422);
    expect(gbp.contentType).toContain('application/problem+json');
    expect(gbp.body.detail).toContain('GBP to USD on or before 2026-03-15');
    const early = await submit({
      category: 'equipment',
      amount: 10,
      currency: 'EUR',
      spend_date: '2025-12-31',
    });
    expect(early.status).toBe(422);
    expect(early.body.detail).toContain('EUR to USD on or before 2025-12-31');
    const future = await submit({ category: 'equipment', amount: 10, spend_date: '2099-01-01' });
    expect(future.status).toBe(422);
  });

  it('keeps seed 001 clients working: a JSON number and no currency is the base currency', async () => {
    const seedStyle = await submit({ policy_id: policies.small, amount: 800 });
    expect(seedStyle.status, JSON.stringify(seedStyle.body)).toBe(201);
    expect(seedStyle.body.amount).toBe(800);
    expect(seedStyle.body.money).toEqual({
      amount: '800.00',
      currency: 'USD',
      base_amount: '800.00',
      base_currency: 'USD',
      exchange_rate: '1',
      rate_date: null,
    });
  });

  it('cannot change the base currency once the company has expenses', async () => {
    const read = await api('GET', '/api/company/currency', tokens.alice);
    expect(read.body).toEqual({ base_currency: 'USD', changeable: false });
    const change = await api('PUT', '/api/company/currency', tokens.alice, {
      base_currency: 'EUR',
    });
    expect(change.status).toBe(409);
  });
});

describe('categories and vendors', () => {
  it('are the company’s lists: read by all, managed by finance and admins', async () => {
    const categories = await api('GET', '/api/categories', tokens.grace);
    expect(categories.status).toBe(200);
    const names = (categories.body.items as CatalogEntry[]).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['equipment', 'travel']));
    expect((await api('POST', '/api/categories', tokens.grace, { name: 'Meals' })).status).toBe(
      403,
    );
    expect((await api('POST', '/api/categories', tokens.ivan, { name: 'Meals' })).status).toBe(403);
    const meals = await api('POST', '/api/categories', tokens.hannah, { name: 'Meals' });
    expect(meals.status).toBe(201);
    expect((await api('POST', '/api/categories', tokens.alice, { name: 'MEALS' })).status).toBe(
      409,
    );
    expect((await api('POST', '/api/categories', tokens.alice, { name: '' })).status).toBe(400);
    const id = String(meals.body.id);
    const renamed = await api('PATCH', `/api/categories/${id}`, tokens.alice, {
      name: 'Team meals',
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Team meals', archived: false });
    expect(
      (await api('PATCH', `/api/categories/${id}`, tokens.alice, { name: 'travel' })).status,
    ).toBe(409);
    expect((await api('PATCH', `/api/categories/${id}`, tokens.alice, {})).status).toBe(400);
    expect(
      (
        await api('PATCH', '/api/categories/0197ffff-0000-7000-8000-000000000001', tokens.alice, {
          archived: true,
        })
      ).status,
    ).toBe(404);
    const vendors = await api('GET', '/api/vendors', tokens.ivan);
    expect((vendors.body.items as CatalogEntry[]).map((v) => v.name)).toEqual([
      'Dell',
      'Lufthansa',
      'Marriott',
    ]);
  });

  it('an expense names a listed, active category and vendor; archived ones are refused', async () => {
    const unknown = await submit({ category: 'yachts', amount: 10 });
    expect(unknown.status).toBe(422);
    expect(unknown.body.detail).toContain('yachts');
    expect((await submit({ category: 'equipment', amount: 10, vendor: 'Acme' })).status).toBe(422);
    const lufthansa = (
      (await api('GET', '/api/vendors', tokens.grace)).body.items as CatalogEntry[]
    ).find((v) => v.name === 'Lufthansa');
    const archived = await api('PATCH', `/api/vendors/${lufthansa?.id}`, tokens.hannah, {
      archived: true,
    });
    expect(archived.body).toMatchObject({ archived: true });
    const refused = await submit({ category: 'travel', amount: 10, vendor: 'Lufthansa' });
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toContain('archived');
    const active = (
      (await api('GET', '/api/vendors', tokens.grace)).body.items as CatalogEntry[]
    ).map((v) => v.name);
    expect(active).not.toContain('Lufthansa');
    const all = await api('GET', '/api/vendors?include_archived=true', tokens.grace);
    expect((all.body.items as CatalogEntry[]).map((v) => v.name)).toContain('Lufthansa');
  });

  it('reach the approval service as facts: a vendor rule decides the route', async () => {
    expect((await api('POST', '/api/categories', tokens.alice, { name: 'hardware' })).status).toBe(
      201,
    );
    const policy = await api('POST', '/api/policies', tokens.alice, {
      name: 'Hardware',
      category: 'hardware',
      rules: [
        {
          priority: 1,
          condition: {
            all: [
              { field: 'vendor', op: 'eq', value: 'DELL' },
              { field: 'currency', op: 'eq', value: 'EUR' },
            ],
          },
          action: { type: 'auto_approve' },
        },
        {
          priority: 2,
          condition: { field: 'amount', op: 'gte', value: '0' },
          action: {
            type: 'require_approval',
            steps: [
              { approver: { by: 'level', level: 6, scope: 'submitter_team' }, required: true },
            ],
          },
        },
      ],
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);
    const euroDell = await submit({
      category: 'hardware',
      amount: 50,
      currency: 'EUR',
      vendor: 'Dell',
      spend_date: '2026-03-15',
    });
    expect(euroDell.status, JSON.stringify(euroDell.body)).toBe(201);
    expect(euroDell.body.status).toBe('approved');
    const dollarDell = await submit({ category: 'hardware', amount: 50, vendor: 'Dell' });
    expect(dollarDell.body.status).toBe('pending');
  });
});
