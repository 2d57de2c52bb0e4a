import { ExpensePage } from '@countersign/contracts';
import { demoFinanceTeam, demoLevels, demoUsers } from '@countersign/demo-data';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, api, eventually, login, TestCluster } from '../support/test-cluster.js';

/**
 * The expense list, checked against a reference computed here from what was submitted:
 * every filter, combinations of them, every order, full walks page by page, visibility per
 * role, another company, bad parameters, and walks while expenses keep arriving.
 */

let cluster: TestCluster;
const tokens: Record<string, string> = {};
const names = ['alice', 'bob', 'frank', 'grace', 'hannah', 'ivan', 'mona'] as const;
type Name = (typeof names)[number];

interface Person {
  id: string;
  role: string;
  teamId: string;
}
const firstNameOf = (fullName: string) => fullName.split(' ')[0]?.toLowerCase() ?? '';
/** The demo people by first name; Mona, Finance's manager, joins in `beforeAll`. */
const people = new Map<string, Person>(
  demoUsers.map((u) => [firstNameOf(u.name), { id: u.id, role: u.role, teamId: u.teamId }]),
);
const person = (first: string): Person => {
  const found = people.get(first);
  if (!found) throw new Error(`no person ${first}`);
  return found;
};

/**
 * Mona manages Finance (level AD), so Hannah's expenses have an approver in her team and
 * a second manager sees a team other than Technology.
 */
async function inviteMona(): Promise<void> {
  const invited = await api('POST', '/api/users', tokens.alice, {
    email: 'mona@techcorp.example',
    name: 'Mona Finance',
    role: 'manager',
    team_id: demoFinanceTeam.id,
    level_id: demoLevels.find((l) => l.name === 'AD')?.id,
    manager_id: person('alice').id,
  });
  expect(invited.status, JSON.stringify(invited.body)).toBe(201);
  people.set('mona', { id: String(invited.body.id), role: 'manager', teamId: demoFinanceTeam.id });
  const mail = await cluster.waitForMail('mona@techcorp.example', /invited/);
  const joined = await api('POST', '/api/auth/register', undefined, {
    email: 'mona@techcorp.example',
    invitation_code: /\b(\d{6})\b/.exec(mail.text)?.[1] ?? '',
    password: 'mona has a passphrase',
  });
  expect(joined.status, JSON.stringify(joined.body)).toBe(201);
  tokens.mona = String(joined.body.access_token);
  // The expense service learns of her (and her team) from UserAdded.
  await eventually(async () => {
    const { rowCount } = await cluster.db.query('select 1 from expense.person where id = $1', [
      person('mona').id,
    ]);
    return rowCount ? true : undefined;
  });
}

/** One expense as the test knows it: what it sent, and what it did to it since. */
interface Known {
  id: string;
  submitterId: string;
  category: string;
  vendor: string | null;
  description: string;
  spendDate: string;
  /** Base amount in cents, exact. */
  baseCents: bigint;
  baseAmount: string;
  workspaceId: string | null;
  status: string;
  /** From the database, microseconds kept: the order of `submitted_at`. */
  submittedKey: string;
  submittedDay: string;
}

const known: Known[] = [];
let workspaceId = '';

interface Spec {
  by: Name;
  category: 'equipment' | 'travel';
  amount: string;
  currency?: 'EUR';
  spend_date: string;
  vendor?: string;
  description: string;
  inWorkspace?: boolean;
  fate?: 'withdrawn' | 'rejected' | 'approved';
}

/** Varied on purpose: submitters of two teams, categories, vendors, currencies, days, text. */
const specs: Spec[] = [
  {
    by: 'grace',
    category: 'equipment',
    amount: '25.00',
    spend_date: '2026-03-01',
    vendor: 'Dell',
    description: 'USB-C dock',
  },
  {
    by: 'grace',
    category: 'equipment',
    amount: '1999.99',
    spend_date: '2026-03-01',
    vendor: 'Dell',
    description: 'Laptop',
    fate: 'approved',
  },
  {
    by: 'grace',
    category: 'travel',
    amount: '100',
    currency: 'EUR',
    spend_date: '2026-04-10',
    vendor: 'Lufthansa',
    description: 'Flight to Berlin',
  },
  {
    by: 'grace',
    category: 'travel',
    amount: '250.50',
    currency: 'EUR',
    spend_date: '2026-04-11',
    vendor: 'Marriott',
    description: 'Hotel, 50% off',
  },
  {
    by: 'grace',
    category: 'travel',
    amount: '42',
    spend_date: '2026-04-11',
    description: 'Taxi_ride to airport',
    inWorkspace: true,
  },
  {
    by: 'grace',
    category: 'equipment',
    amount: '310.10',
    spend_date: '2026-05-20',
    description: 'Monitor arm',
    inWorkspace: true,
    fate: 'withdrawn',
  },
  {
    by: 'grace',
    category: 'travel',
    amount: '75.25',
    spend_date: '2026-05-21',
    vendor: 'Marriott',
    description: 'Offsite dinner',
    inWorkspace: true,
    fate: 'rejected',
  },
  {
    by: 'frank',
    category: 'travel',
    amount: '880',
    spend_date: '2026-02-14',
    vendor: 'Lufthansa',
    description: 'Team offsite flights',
  },
  {
    by: 'frank',
    category: 'equipment',
    amount: '42',
    spend_date: '2026-04-11',
    vendor: 'dell',
    description: 'Keyboard',
  },
  {
    by: 'frank',
    category: 'equipment',
    amount: '2500',
    spend_date: '2026-06-30',
    vendor: 'Dell',
    description: 'Workstation',
    fate: 'withdrawn',
  },
  {
    by: 'frank',
    category: 'travel',
    amount: '19.99',
    spend_date: '2026-06-30',
    description: 'Parking 100%',
    inWorkspace: true,
  },
  {
    by: 'bob',
    category: 'travel',
    amount: '1200',
    spend_date: '2026-01-15',
    vendor: 'Marriott',
    description: 'Conference hotel',
  },
  {
    by: 'bob',
    category: 'equipment',
    amount: '90',
    currency: 'EUR',
    spend_date: '2026-07-04',
    description: 'Headset',
    fate: 'rejected',
  },
  {
    by: 'bob',
    category: 'travel',
    amount: '42',
    spend_date: '2026-03-01',
    description: 'Train ticket',
  },
  {
    by: 'hannah',
    category: 'equipment',
    amount: '640',
    spend_date: '2026-02-14',
    vendor: 'Lufthansa',
    description: 'Audit trip flight',
  },
  {
    by: 'hannah',
    category: 'equipment',
    amount: '42',
    spend_date: '2026-08-08',
    vendor: 'Dell',
    description: 'Calculator',
  },
  {
    by: 'hannah',
    category: 'equipment',
    amount: '310.10',
    spend_date: '2026-05-20',
    vendor: 'Marriott',
    description: 'HOTEL for audit',
    fate: 'withdrawn',
  },
  {
    by: 'hannah',
    category: 'equipment',
    amount: '55',
    currency: 'EUR',
    spend_date: '2026-09-09',
    description: 'Desk lamp',
    fate: 'approved',
  },
  {
    by: 'alice',
    category: 'travel',
    amount: '3000',
    spend_date: '2026-10-01',
    vendor: 'Lufthansa',
    description: 'Board meeting travel',
  },
  {
    by: 'alice',
    category: 'equipment',
    amount: '0.01',
    spend_date: '2026-10-02',
    description: 'Cable tie \\ backslash',
  },
];

/** EUR is 1.10 USD from 2026-01-01: exact cents (the specs pick amounts that divide). */
function baseCentsOf(amount: string, currency?: 'EUR'): bigint {
  const [whole = '0', fraction = ''] = amount.split('.');
  const cents = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
  if (!currency) return cents;
  const scaled = cents * 110n;
  if (scaled % 100n !== 0n) throw new Error(`${amount} EUR is not exact in cents at 1.10`);
  return scaled / 100n;
}
const formatCents = (cents: bigint) => `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;

async function submit(spec: Spec): Promise<void> {
  const response = await api('POST', '/api/expenses', tokens[spec.by], {
    category: spec.category,
    amount: spec.amount,
    ...(spec.currency ? { currency: spec.currency } : {}),
    spend_date: spec.spend_date,
    ...(spec.vendor ? { vendor: spec.vendor } : {}),
    description: spec.description,
    ...(spec.inWorkspace ? { workspace_id: workspaceId } : {}),
  });
  expect(response.status, `${spec.description}: ${JSON.stringify(response.body)}`).toBe(201);
  const baseCents = baseCentsOf(spec.amount, spec.currency);
  known.push({
    id: String(response.body.expense_id),
    submitterId: person(spec.by).id,
    category: spec.category,
    // The list's spelling is stored whatever the case sent.
    vendor: spec.vendor ? (spec.vendor === 'dell' ? 'Dell' : spec.vendor) : null,
    description: spec.description,
    spendDate: spec.spend_date,
    baseCents,
    baseAmount: formatCents(baseCents),
    workspaceId: spec.inWorkspace ? workspaceId : null,
    status: String(response.body.status),
    submittedKey: '',
    submittedDay: '',
  });
}

async function statusDocument(id: string, as: Name) {
  return (await api('GET', `/api/expenses/${id}/status`, tokens[as])).body;
}

/** Retries while the approval service has not yet stored the chain from the event. */
async function until200(call: () => Promise<ApiResponse>): Promise<void> {
  await eventually(async () => ((await call()).status === 200 ? true : undefined));
}

async function bringAbout(expense: Known, by: Name, fate: NonNullable<Spec['fate']>) {
  if (fate === 'withdrawn') {
    await until200(() => api('POST', `/api/expenses/${expense.id}/withdraw`, tokens[by], {}));
  } else {
    // Each pending step's approver decides, until the expense is settled.
    for (let round = 0; round < 6; round++) {
      const document = await statusDocument(expense.id, by);
      if (document.status !== 'pending') break;
      const approvals = (document.approvals ?? []) as { status: string; approver_name: string }[];
      const step = approvals.find((a) => a.status === 'pending');
      if (!step) break;
      const approver = firstNameOf(step.approver_name);
      tokens[approver] ??= await login(approver);
      const token = tokens[approver];
      const path = fate === 'approved' ? '/api/expenses/approve' : '/api/expenses/reject';
      const body =
        fate === 'approved'
          ? { expense_id: expense.id }
          : { expense_id: expense.id, reason: 'Not this quarter' };
      await until200(() => api('POST', path, token, body));
      if (fate === 'rejected') break;
      await eventually(async () => {
        const now = await statusDocument(expense.id, by);
        const same = JSON.stringify(now.approvals) === JSON.stringify(document.approvals);
        return same && now.status === 'pending' ? undefined : true;
      });
    }
  }
  await eventually(async () =>
    (await statusDocument(expense.id, by)).status === fate ? true : undefined,
  );
  expense.status = fate;
}

/** Reads each expense's submitted_at from the database: the reference's own order key. */
async function readSubmittedKeys(): Promise<void> {
  const { rows } = await cluster.db.query<{ id: string; key: string; day: string }>(
    `select id, to_char(submitted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as key,
            to_char(submitted_at at time zone 'UTC', 'YYYY-MM-DD') as day
       from expense.expense where id = any($1::uuid[])`,
    [known.map((k) => k.id)],
  );
  for (const row of rows) {
    const expense = known.find((k) => k.id === row.id);
    if (expense) {
      expense.submittedKey = row.key;
      expense.submittedDay = row.day;
    }
  }
}

beforeAll(async () => {
  cluster = await TestCluster.start();
  for (const name of names) if (name !== 'mona') tokens[name] = await login(name);
  await inviteMona();
  const rate = await api('POST', '/api/exchange-rates', tokens.hannah, {
    currency: 'EUR',
    rate: '1.10',
    effective_on: '2026-01-01',
  });
  expect(rate.status).toBe(201);
  const workspace = await api('POST', '/api/workspaces', tokens.grace, { name: 'Offsite' });
  workspaceId = String(workspace.body.id);
  const joined = await api('POST', `/api/workspaces/${workspaceId}/members`, tokens.grace, {
    user_id: person('frank').id,
    role: 'member',
  });
  expect(joined.status).toBe(201);
  for (const spec of specs) await submit(spec);
  await Promise.all(
    specs.map((spec, index) => {
      const expense = known[index];
      return spec.fate && expense ? bringAbout(expense, spec.by, spec.fate) : undefined;
    }),
  );
  await readSubmittedKeys();
}, 240_000);
afterAll(async () => cluster?.stop());

type Query = Record<string, string>;

/** Who may see an expense of `submitterId`, by the caller's role and team. */
function visibleTo(caller: Name, submitterId: string): boolean {
  const me = person(caller);
  if (['admin', 'finance', 'auditor'].includes(me.role)) return true;
  if (submitterId === me.id) return true;
  if (me.role !== 'manager') return false;
  return [...people.values()].find((p) => p.id === submitterId)?.teamId === me.teamId;
}

function matches(expense: Known, query: Query): boolean {
  const lower = (text: string) => text.toLowerCase();
  const cents = (text: string) => baseCentsOf(text);
  const checks: [string, (value: string) => boolean][] = [
    ['status', (v) => v.split(',').includes(expense.status)],
    ['category', (v) => lower(v) === lower(expense.category)],
    ['vendor', (v) => expense.vendor !== null && lower(v) === lower(expense.vendor)],
    ['spend_from', (v) => expense.spendDate >= v],
    ['spend_to', (v) => expense.spendDate <= v],
    ['submitted_from', (v) => expense.submittedDay >= v],
    ['submitted_to', (v) => expense.submittedDay <= v],
    ['amount_min', (v) => expense.baseCents >= cents(v)],
    ['amount_max', (v) => expense.baseCents <= cents(v)],
    ['submitter_id', (v) => expense.submitterId === v],
    ['workspace_id', (v) => expense.workspaceId === v],
    [
      'q',
      (v) =>
        lower(expense.description).includes(lower(v)) ||
        (expense.vendor !== null && lower(expense.vendor).includes(lower(v))),
    ],
  ];
  return checks.every(([name, check]) => query[name] === undefined || check(query[name]));
}

const sortKeyOf: Record<string, (e: Known) => string | bigint> = {
  submitted_at: (e) => e.submittedKey,
  spend_date: (e) => e.spendDate,
  amount: (e) => e.baseCents,
};

/** The ids the list must show, in order: the sort key, then id, both one direction. */
function reference(caller: Name, query: Query, pool: Known[] = known): string[] {
  const sort = query.sort ?? '-submitted_at';
  const descending = sort.startsWith('-');
  const keyOf = sortKeyOf[descending ? sort.slice(1) : sort];
  if (!keyOf) throw new Error(`no sort ${sort}`);
  const compare = (a: Known, b: Known) => {
    const [ka, kb] = [keyOf(a), keyOf(b)];
    const byKey = ka < kb ? -1 : ka > kb ? 1 : 0;
    const order = byKey !== 0 ? byKey : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    return descending ? -order : order;
  };
  return pool
    .filter((e) => visibleTo(caller, e.submitterId) && matches(e, query))
    .sort(compare)
    .map((e) => e.id);
}

function listPath(query: Query, cursor?: string): string {
  const params = new URLSearchParams({ ...query, ...(cursor ? { cursor } : {}) });
  const text = params.toString();
  return text ? `/api/expenses?${text}` : '/api/expenses';
}

/** Every page of a list, cursor after cursor; fails on a repeated id. */
async function walk(caller: Name, query: Query, between?: () => Promise<void>) {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 200; pages++) {
    const response = await api('GET', listPath(query, cursor), tokens[caller]);
    expect(
      response.status,
      `${caller} ${listPath(query, cursor)}: ${JSON.stringify(response.body)}`,
    ).toBe(200);
    const page = ExpensePage.parse(response.body);
    expect(page.items.length).toBeLessThanOrEqual(Number(query.limit ?? 20));
    ids.push(...page.items.map((item) => item.id));
    if (page.next_cursor === null) break;
    // A full page with more to come; an empty page never carries a cursor.
    expect(page.items.length).toBe(Number(query.limit ?? 20));
    cursor = page.next_cursor;
    await between?.();
  }
  expect(new Set(ids).size, `no duplicates in ${JSON.stringify(query)}`).toBe(ids.length);
  return ids;
}

async function expectListed(caller: Name, query: Query, label = JSON.stringify(query)) {
  const expected = reference(caller, query);
  expect(await walk(caller, query), `${caller} ${label}`).toEqual(expected);
  return expected;
}

const today = () => new Date().toISOString().slice(0, 10);
const dayAfter = (day: string, days: number) =>
  new Date(new Date(`${day}T00:00:00Z`).getTime() + days * 86_400_000).toISOString().slice(0, 10);

describe('the expense list', () => {
  it('shows a company-wide reader everything, newest first, with the money and filter fields', async () => {
    expect(known.map((k) => k.status)).toContain('approved');
    expect(known.map((k) => k.status)).toContain('rejected');
    expect(known.map((k) => k.status)).toContain('withdrawn');
    const response = await api('GET', '/api/expenses?limit=100', tokens.alice);
    expect(response.status).toBe(200);
    const page = ExpensePage.parse(response.body);
    expect(page.next_cursor).toBeNull();
    expect(page.items.map((i) => i.id)).toEqual(reference('alice', {}));
    expect(page.items).toHaveLength(specs.length);
    const hotel = known.find((k) => k.description === 'Hotel, 50% off');
    expect(page.items.find((i) => i.id === hotel?.id)).toMatchObject({
      amount: 250.5,
      money: {
        amount: '250.50',
        currency: 'EUR',
        base_amount: '275.55',
        base_currency: 'USD',
        exchange_rate: '1.1',
        rate_date: '2026-01-01',
      },
      description: 'Hotel, 50% off',
      status: 'pending',
      category: 'travel',
      vendor: 'Marriott',
      spend_date: '2026-04-11',
      source: 'manual',
      submitter_id: person('grace').id,
      submitter_name: 'Grace Taylor',
      workspace_id: null,
      completed_at: null,
    });
    const withdrawn = page.items.find((i) => i.status === 'withdrawn');
    expect(withdrawn?.completed_at).not.toBeNull();
  });

  it('applies each filter alone, in every order, walking small pages', async () => {
    const day = known[0]?.submittedDay ?? today();
    const single: Query[] = [
      { status: 'pending' },
      { status: 'withdrawn,rejected' },
      { status: 'approved' },
      { status: 'blocked' },
      { category: 'travel' },
      { category: 'EQUIPMENT' },
      { vendor: 'dell' },
      { vendor: 'Nobody' },
      { spend_from: '2026-04-11' },
      { spend_to: '2026-04-11' },
      { spend_from: '2026-04-11', spend_to: '2026-04-11' },
      { submitted_to: dayAfter(day, -1) },
      { submitted_from: dayAfter(day, 1) },
      { amount_min: '42' },
      { amount_max: '42.00' },
      { amount_min: '42', amount_max: '42' },
      { amount_min: '275.55', amount_max: '275.55' },
      { amount_min: '0.02' },
      { submitter_id: person('hannah').id },
      { workspace_id: workspaceId },
      { q: 'hotel' },
      { q: '50%' },
      { q: '%' },
      { q: '_' },
      { q: 'taxi_' },
      { q: '\\' },
      { q: 'lufthansa' },
    ];
    // Everything was submitted today (UTC): the day bounds are inclusive.
    expect(reference('alice', { submitted_from: day, submitted_to: day })).toHaveLength(
      specs.length,
    );
    await expectListed('alice', { submitted_from: day, submitted_to: day, limit: '6' });
    for (const query of single) {
      expect(reference('alice', query).length, JSON.stringify(query)).toBeLessThan(specs.length);
      await expectListed('alice', { ...query, limit: '4' });
    }
    // Pinned, so the reference cannot be wrong in the same way as the query.
    expect(reference('alice', { q: '%' })).toHaveLength(2);
    expect(reference('alice', { amount_min: '42', amount_max: '42' })).toHaveLength(4);
    expect(reference('alice', { vendor: 'dell' })).toHaveLength(5);
    for (const sort of [
      '-submitted_at',
      'submitted_at',
      '-spend_date',
      'spend_date',
      '-amount',
      'amount',
    ]) {
      await expectListed('ivan', { sort, limit: '3' });
      await expectListed('hannah', { sort, status: 'pending', limit: '2' });
      // Many ties on the key (42.00, 2026-04-11): the id keeps the order total.
      await expectListed('alice', { sort, amount_max: '100', limit: '1' });
    }
  });

  it('combines filters', async () => {
    const combos: Query[] = [
      { category: 'travel', status: 'pending', sort: 'amount' },
      { vendor: 'Marriott', spend_from: '2026-02-01', spend_to: '2026-05-31' },
      { submitter_id: person('grace').id, workspace_id: workspaceId, sort: '-spend_date' },
      { q: 'audit', amount_min: '300', category: 'equipment' },
      { status: 'pending,approved', amount_min: '50', amount_max: '1999.99', sort: '-amount' },
      { category: 'equipment', vendor: 'Dell', q: 'lap' },
      { spend_from: '2026-03-01', submitter_id: person('frank').id, status: 'withdrawn' },
    ];
    for (const query of combos) {
      expect(reference('alice', query).length, JSON.stringify(query)).toBeGreaterThan(0);
      await expectListed('alice', { ...query, limit: '2' });
    }
  });

  it('shows employees their own, managers their team’s, and filters never reach beyond', async () => {
    const grace = await expectListed('grace', { limit: '3' });
    expect(grace.length).toBe(specs.filter((s) => s.by === 'grace').length);
    const frank = await expectListed('frank', { limit: '5' });
    // Frank's team is Technology: Grace, Bob, Alice and himself; not Hannah (Finance).
    expect(frank.length).toBe(specs.filter((s) => s.by !== 'hannah').length);
    expect(await expectListed('bob', { limit: '50' })).toEqual(frank);
    // Mona manages Finance: Hannah's, none of Technology's.
    const mona = await expectListed('mona', { limit: '2' });
    expect(mona.length).toBe(specs.filter((s) => s.by === 'hannah').length);
    const company = reference('ivan', {});
    expect(await walk('hannah', { limit: '7' })).toEqual(company);
    expect(await walk('ivan', { limit: '100' })).toEqual(company);
    // Naming someone outside one's view gives nothing, not a refusal.
    for (const [caller, other] of [
      ['grace', 'frank'],
      ['frank', 'hannah'],
      ['grace', 'bob'],
      ['mona', 'grace'],
    ] as const) {
      const response = await api(
        'GET',
        listPath({ submitter_id: person(other).id }),
        tokens[caller],
      );
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [], next_cursor: null });
    }
    await expectListed('frank', { submitter_id: person('grace').id, limit: '2' });
    // A workspace filter does not widen the list: Grace sees only her own filed ones
    // there (Frank's are in the workspace's own list).
    await expectListed('grace', { workspace_id: workspaceId });
    expect(reference('grace', { workspace_id: workspaceId })).toHaveLength(3);
  });

  it('refuses bad parameters with a problem naming the parameter', async () => {
    const cursorFor = async (query: Query) =>
      String((await api('GET', listPath({ ...query, limit: '1' }), tokens.alice)).body.next_cursor);
    const travelCursor = await cursorFor({ category: 'travel' });
    const bad: [Query, string][] = [
      [{ limit: '101' }, 'limit'],
      [{ limit: '0' }, 'limit'],
      [{ limit: 'ten' }, 'limit'],
      [{ status: 'pending,lost' }, 'status'],
      [{ sort: 'description' }, 'sort'],
      [{ amount_min: '1.005' }, 'amount_min'],
      [{ amount_max: '12,50' }, 'amount_max'],
      [{ amount_min: '10', amount_max: '9.99' }, 'amount_max'],
      [{ spend_from: '2026-02-30' }, 'spend_from'],
      [{ spend_from: '2026-05-02', spend_to: '2026-05-01' }, 'spend_to'],
      [{ submitted_to: 'yesterday' }, 'submitted_to'],
      [{ submitter_id: 'grace' }, 'submitter_id'],
      [{ workspace_id: 'x' }, 'workspace_id'],
      [{ q: 'x'.repeat(101) }, 'q'],
      [{ colour: 'red' }, 'colour'],
      [{ cursor: 'bm90IG91cnM' }, 'cursor'],
      [{ cursor: travelCursor, category: 'equipment' }, 'cursor'],
      [{ cursor: travelCursor, category: 'travel', sort: 'amount' }, 'cursor'],
      [{ cursor: travelCursor }, 'cursor'],
    ];
    for (const [query, parameter] of bad) {
      const response = await api('GET', listPath(query), tokens.alice);
      expect(response.status, JSON.stringify(query)).toBe(400);
      expect(response.contentType).toContain('application/problem+json');
      expect(JSON.stringify(response.body.errors), JSON.stringify(query)).toContain(parameter);
    }
    // The same cursor with its own filters (another page size is fine) goes on.
    const next = await api(
      'GET',
      listPath({ category: 'travel', limit: '5', cursor: travelCursor }),
      tokens.alice,
    );
    expect(next.status).toBe(200);
    expect(ExpensePage.parse(next.body).items.map((i) => i.id)).toEqual(
      reference('alice', { category: 'travel' }).slice(1, 6),
    );
  });

  it('agrees with the reference for random filters, orders, callers and page sizes', async () => {
    const vendors = ['Dell', 'marriott', 'Lufthansa'];
    const days = ['2026-02-14', '2026-04-11', '2026-05-20', '2026-08-01'];
    const amounts = ['0.01', '42', '75.25', '310.10', '1200', '5000'];
    const filters = fc.record({
      status: fc
        .subarray(['pending', 'approved', 'rejected', 'withdrawn', 'sent_back'], { minLength: 1 })
        .map((s) => s.join(',')),
      category: fc.constantFrom('travel', 'equipment', 'Travel'),
      vendor: fc.constantFrom(...vendors),
      spend_from: fc.constantFrom(...days),
      spend_to: fc.constantFrom(...days),
      amount_min: fc.constantFrom(...amounts),
      amount_max: fc.constantFrom(...amounts),
      submitter_id: fc.constantFrom(...names.map((n) => person(n).id)),
      workspace_id: fc.constant(workspaceId),
      q: fc.constantFrom('a', 'o', 'TRIP', '%', '_', 'dell', 'hotel'),
      sort: fc.constantFrom(
        '-submitted_at',
        'submitted_at',
        '-spend_date',
        'spend_date',
        '-amount',
        'amount',
      ),
    });
    // Up to three filters at a time (and maybe a sort): more would leave most lists empty.
    const someFilters = fc
      .tuple(
        filters,
        fc.subarray(
          [
            'status',
            'category',
            'vendor',
            'spend_from',
            'spend_to',
            'amount_min',
            'amount_max',
            'submitter_id',
            'workspace_id',
            'q',
            'sort',
          ],
          { maxLength: 3 },
        ),
      )
      .map(
        ([all, keys]) =>
          Object.fromEntries(keys.map((k) => [k, all[k as keyof typeof all]])) as Query,
      );
    let multiPage = 0;
    await fc.assert(
      fc.asyncProperty(
        someFilters,
        fc.constantFrom(...names),
        fc.integer({ min: 1, max: 6 }),
        async (query, caller, limit) => {
          const ranges =
            (query.spend_from ?? '') <= (query.spend_to ?? '9') &&
            baseCentsOf(query.amount_min ?? '0') <= baseCentsOf(query.amount_max ?? '99999');
          fc.pre(ranges);
          const expected = reference(caller, query);
          if (expected.length > limit) multiPage += 1;
          expect(await walk(caller, { ...query, limit: String(limit) })).toEqual(expected);
        },
      ),
      { numRuns: 80 },
    );
    // The property is worth something only if many runs walked several pages.
    expect(multiPage).toBeGreaterThan(20);
  });

  it('shows another company none of these, whatever the filters', async () => {
    const registered = await api('POST', '/api/auth/register', undefined, {
      company_name: 'Elsewhere Ltd',
      name: 'Edna Else',
      email: 'edna@elsewhere.example',
      password: 'correct horse battery',
    });
    expect(registered.status).toBe(202);
    const mail = await cluster.waitForMail('edna@elsewhere.example', /verification/);
    const code = /\b(\d{6})\b/.exec(mail.subject)?.[1];
    const verified = await api('POST', '/api/auth/verify-email', undefined, {
      email: 'edna@elsewhere.example',
      code,
      password: 'correct horse battery',
    });
    expect(verified.status).toBe(200);
    const edna = String(verified.body.access_token);
    const queries: Query[] = [
      {},
      { submitter_id: person('grace').id },
      { workspace_id: workspaceId },
      { status: 'pending,approved,rejected,withdrawn', sort: 'amount' },
    ];
    for (const query of queries) {
      const response = await api('GET', listPath(query), edna);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [], next_cursor: null });
    }
    // A TechCorp cursor means nothing there either: refused, not followed.
    const cursor = String(
      (await api('GET', listPath({ limit: '1' }), tokens.alice)).body.next_cursor,
    );
    const followed = await api('GET', listPath({ limit: '1', cursor }), edna);
    expect([200, 400]).toContain(followed.status);
    expect(followed.body.items ?? []).toEqual([]);
  });

  it('walks without duplicates or gaps while expenses keep arriving', async () => {
    const before = [...known];
    let arrivals = 0;
    const arrive = async () => {
      arrivals += 1;
      await submit({
        by: arrivals % 2 ? 'grace' : 'hannah',
        category: 'equipment',
        amount: ['42', '500', '0.01'][arrivals % 3] ?? '1',
        spend_date: ['2026-04-11', '2026-01-01', '2026-11-01'][arrivals % 3] ?? '2026-04-11',
        vendor: 'Dell',
        description: `Late arrival ${arrivals}`,
      });
    };
    for (const sort of ['-submitted_at', 'submitted_at', 'amount', '-spend_date']) {
      const query = { sort, limit: '3' };
      const snapshot = reference('alice', query, before);
      const walked = await walk('alice', query, arrive);
      // Every expense there before the walk shows once, in its place; arrivals may show
      // (after the cursor) or not (before it), never twice.
      expect(
        walked.filter((id) => snapshot.includes(id)),
        sort,
      ).toEqual(snapshot);
    }
    expect(arrivals).toBeGreaterThan(10);
    await readSubmittedKeys();
    // Newest first, none of the arrivals can have come after the cursor of a walk that
    // started before them; oldest first, each arrival is after every earlier row.
    expect(await walk('alice', { limit: '100' })).toEqual(reference('alice', {}));
  });
});
