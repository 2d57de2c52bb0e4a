import {
  ApprovalTimes,
  CategoryReport,
  ExpenseStatus,
  JournalExport,
  MonthlyTrends,
  RecentExpenses,
  SpendingSummary,
} from '@countersign/contracts';
import { demoFinanceTeam, demoTeam, demoUsers } from '@countersign/demo-data';
import { hash } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../services/expense/src/domain/csv.js';
import { api, eventually, gatewayUrl, login, TestCluster } from '../support/test-cluster.js';

let cluster: TestCluster;
const tokens: Record<string, string> = {};

/** What the test submitted and how it ended, the reference every report is checked against. */
interface Filed {
  id: string;
  submitter: string;
  team: string;
  category: string;
  /** Base amount in cents, exact. */
  cents: bigint;
  spendDate: string;
  workspaceId: string | null;
  description: string;
  status: ExpenseStatus;
}
const filed: Filed[] = [];
let workspaceId = '';
/** Approvals the test made, by approver name. */
const approvalsBy = new Map<string, number>();
const approvedSteps = new Set<number>();

const cents = (decimal: string) => BigInt(decimal.replace('.', ''));
const decimal = (value: bigint) => {
  const digits = value.toString().padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
};
const sum = (items: Filed[]) => decimal(items.reduce((total, f) => total + f.cents, 0n));
const APPROVED: ExpenseStatus[] = ['approved'];

const other = {
  company: '0197c000-0000-7000-8000-000000000001',
  team: '0197c000-0000-7000-8000-000000000002',
  person: '0197c000-0000-7000-8000-000000000004',
};

/** Another company, with Olga as its admin, written straight into the services' tables. */
async function addOtherCompany(): Promise<string> {
  const q = (text: string, values: unknown[]) => cluster.db.query(text, values);
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
  const signIn = await api('POST', '/api/auth/login', undefined, {
    email: 'olga@other.example',
    password: 'other-password',
  });
  return String(signIn.body.access_token);
}

async function submit(
  as: string,
  team: string,
  body: { category: string; amount: string; spend_date: string; currency?: string },
  options: { workspace?: boolean } = {},
) {
  const description = `${body.category} by ${as}, ${body.spend_date}, "quoted", with comma`;
  const response = await api('POST', '/api/expenses', tokens[as], {
    ...body,
    description,
    ...(options.workspace ? { workspace_id: workspaceId } : {}),
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  const money = response.body.money as { base_amount: string };
  const item: Filed = {
    id: String(response.body.expense_id),
    submitter: as,
    team,
    category: body.category,
    cents: cents(money.base_amount),
    spendDate: body.spend_date,
    workspaceId: options.workspace ? workspaceId : null,
    description,
    status: response.body.status as ExpenseStatus,
  };
  filed.push(item);
  return item;
}

type Seat = { step_number: number; approver_name: string; status: string };

async function statusOf(item: Filed) {
  const response = await api('GET', `/api/expenses/${item.id}/status`, tokens[item.submitter]);
  expect(response.status).toBe(200);
  return {
    status: response.body.status as ExpenseStatus,
    seats: response.body.approvals as Seat[],
  };
}

/** Who is asked at `step` while the expense is pending; undefined once it is not. */
async function pendingApprover(item: Filed, step: number): Promise<string | undefined> {
  const { status, seats } = await statusOf(item);
  if (status !== 'pending') return undefined;
  return seats.find((s) => s.step_number === step && s.status === 'pending')?.approver_name;
}

/** Decides `step` as whoever it waits for, once routing has stored the chain. */
async function decide(item: Filed, step: number, approve: boolean) {
  // A later step is asked once the one before it is approved (the read model shows it).
  await eventually(async () => {
    const { seats } = await statusOf(item);
    const before = seats.filter((seat) => seat.step_number < step);
    return before.every((seat) => seat.status === 'approved') ? true : undefined;
  });
  const approverName = await eventually(() => pendingApprover(item, step));
  const as = approverName.split(' ')[0]?.toLowerCase() ?? '';
  tokens[as] ??= await login(as);
  const response = await eventually(async () => {
    const answer = approve
      ? await api('POST', '/api/expenses/approve', tokens[as], { expense_id: item.id })
      : await api('POST', '/api/expenses/reject', tokens[as], {
          expense_id: item.id,
          reason: 'Not this quarter',
        });
    return answer.status === 404 ? undefined : answer;
  });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  if (approve) {
    approvalsBy.set(approverName, (approvalsBy.get(approverName) ?? 0) + 1);
    approvedSteps.add(step);
  }
}

async function settledStatus(item: Filed, expected: ExpenseStatus) {
  await eventually(async () => {
    const response = await api('GET', `/api/expenses/${item.id}/status`, tokens[item.submitter]);
    return response.body.status === expected ? true : undefined;
  });
  item.status = expected;
}

beforeAll(async () => {
  cluster = await TestCluster.start();
  for (const name of ['alice', 'frank', 'eve', 'grace', 'hannah', 'ivan'])
    tokens[name] = await login(name);
  tokens.olga = await addOtherCompany();
  // Eve moves to Finance, so that Hannah's expenses have an approver in her team.
  const eve = demoUsers.find((u) => u.email.startsWith('eve@'))?.id ?? '';
  const moved = await api('PATCH', `/api/users/${eve}`, tokens.alice, {
    team_id: demoFinanceTeam.id,
  });
  expect(moved.status, JSON.stringify(moved.body)).toBe(200);
  await eventually(async () => {
    const copy = await cluster.db.query('select team_id from expense.person where id = $1', [eve]);
    return copy.rows[0]?.team_id === demoFinanceTeam.id ? true : undefined;
  });
  const workspace = await api('POST', '/api/workspaces', tokens.grace, { name: 'Offsite' });
  workspaceId = String(workspace.body.id);
  const rate = await api('POST', '/api/exchange-rates', tokens.hannah, {
    currency: 'EUR',
    rate: '1.1',
    effective_on: '2026-01-01',
  });
  expect(rate.status).toBe(201);

  const tech = demoTeam.id;
  const dock = await submit('grace', tech, {
    category: 'equipment',
    amount: '800.00',
    spend_date: '2026-01-10',
  });
  const chair = await submit('grace', tech, {
    category: 'equipment',
    amount: '1500.25',
    spend_date: '2026-01-20',
  });
  const train = await submit('grace', tech, {
    category: 'travel',
    amount: '300.10',
    spend_date: '2026-02-05',
  });
  await submit(
    'grace',
    tech,
    { category: 'travel', amount: '120.00', spend_date: '2026-03-15' },
    { workspace: true },
  );
  const cable = await submit(
    'grace',
    tech,
    { category: 'equipment', amount: '99.99', spend_date: '2026-03-01' },
    { workspace: true },
  );
  // EUR 100 at 1.1: the reports count its base amount, USD 110.00.
  const monitor = await submit('grace', tech, {
    category: 'equipment',
    amount: '100',
    currency: 'EUR',
    spend_date: '2026-04-02',
  });
  expect(monitor.cents).toBe(11000n);
  const books = await submit('hannah', demoFinanceTeam.id, {
    category: 'equipment',
    amount: '250.50',
    spend_date: '2026-02-10',
  });
  await submit('grace', tech, { category: 'travel', amount: '450.00', spend_date: '2026-04-20' });

  for (const item of [dock, cable, monitor, books]) {
    await decide(item, 1, true);
    await settledStatus(item, 'approved');
  }
  await decide(chair, 1, false);
  await settledStatus(chair, 'rejected');
  await decide(train, 1, true);
  await decide(train, 2, true);
  await settledStatus(train, 'approved');
}, 180_000);
afterAll(async () => cluster?.stop());

const get = (path: string, as = 'hannah') => api('GET', path, tokens[as]);

function inRange(item: Filed, from?: string, to?: string) {
  return (!from || item.spendDate >= from) && (!to || item.spendDate <= to);
}

function expectedSummary(items: Filed[]) {
  return {
    count: items.length,
    total_amount: sum(items),
    approved_amount: sum(items.filter((f) => APPROVED.includes(f.status))),
    pending_amount: sum(items.filter((f) => f.status === 'pending')),
    by_status: ExpenseStatus.options.map((status) => {
      const these = items.filter((f) => f.status === status);
      return { status, count: these.length, amount: sum(these) };
    }),
  };
}

describe('the spending summary', () => {
  it('adds up every status exactly, in the base currency', async () => {
    const response = await get('/api/reports/summary');
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const summary = SpendingSummary.parse(response.body);
    expect(summary).toEqual({
      base_currency: 'USD',
      filters: { from: null, to: null, team_id: null, workspace_id: null },
      ...expectedSummary(filed),
    });
    expect(summary.approved_amount).not.toBe('0.00');
    expect(summary.pending_amount).not.toBe('0.00');
  });

  it('narrows by spend dates (both inclusive), team and workspace', async () => {
    const cases: [string, Filed[]][] = [
      [
        'from=2026-02-01&to=2026-03-15',
        filed.filter((f) => inRange(f, '2026-02-01', '2026-03-15')),
      ],
      ['from=2026-04-02', filed.filter((f) => inRange(f, '2026-04-02'))],
      ['to=2026-01-10', filed.filter((f) => inRange(f, undefined, '2026-01-10'))],
      [`team_id=${demoTeam.id}`, filed.filter((f) => f.team === demoTeam.id)],
      [`team_id=${demoFinanceTeam.id}`, filed.filter((f) => f.team === demoFinanceTeam.id)],
      [`workspace_id=${workspaceId}`, filed.filter((f) => f.workspaceId === workspaceId)],
      [
        `workspace_id=${workspaceId}&from=2026-03-10`,
        filed.filter((f) => f.workspaceId === workspaceId && inRange(f, '2026-03-10')),
      ],
    ];
    for (const [query, items] of cases) {
      expect(items.length, query).toBeGreaterThan(0);
      const response = await get(`/api/reports/summary?${query}`);
      expect(response.status, query).toBe(200);
      expect(SpendingSummary.parse(response.body), query).toMatchObject(expectedSummary(items));
    }
  });

  it('refuses bad parameters with 400 problem details', async () => {
    for (const query of [
      'from=2026-13-01',
      'from=2026-03-01&to=2026-02-01',
      'team_id=not-a-uuid',
      'workspace_id=42',
    ]) {
      const response = await get(`/api/reports/summary?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.contentType).toContain('application/problem+json');
    }
    const tooLong = await get('/api/reports/trends?from=2025-01-01&to=2027-01-01');
    expect(tooLong.status).toBe(400);
    expect(JSON.stringify(tooLong.body.errors)).toContain('24 months');
    expect((await get('/api/reports/trends?from=2025-01-01&to=2026-12-31')).status).toBe(200);
    expect((await get('/api/reports/recent?limit=0')).status).toBe(400);
    expect((await get('/api/reports/recent?limit=101')).status).toBe(400);
    expect((await get('/api/exports/journal?format=xml')).status).toBe(400);
  });
});

describe('categories, trends and recent expenses', () => {
  it('sums each category, largest first', async () => {
    const response = await get('/api/reports/categories');
    expect(response.status).toBe(200);
    const report = CategoryReport.parse(response.body);
    const expected = [...new Set(filed.map((f) => f.category))]
      .map((category) => {
        const these = filed.filter((f) => f.category === category);
        return {
          category,
          count: these.length,
          amount: sum(these),
          approved_amount: sum(these.filter((f) => APPROVED.includes(f.status))),
        };
      })
      .sort(
        (a, b) => Number(cents(b.amount) - cents(a.amount)) || a.category.localeCompare(b.category),
      );
    expect(report.items).toEqual(expected);
    const travelOnly = CategoryReport.parse(
      (await get(`/api/reports/categories?workspace_id=${workspaceId}&from=2026-03-10`)).body,
    );
    expect(travelOnly.items.map((i) => i.category)).toEqual(['travel']);
  });

  it('sums each spend month, empty months included', async () => {
    const response = await get('/api/reports/trends');
    expect(response.status).toBe(200);
    const trends = MonthlyTrends.parse(response.body);
    const month = (m: string) => {
      const these = filed.filter((f) => f.spendDate.startsWith(m));
      return {
        month: m,
        count: these.length,
        amount: sum(these),
        approved_amount: sum(these.filter((f) => APPROVED.includes(f.status))),
      };
    };
    expect(trends.items).toEqual(['2026-01', '2026-02', '2026-03', '2026-04'].map(month));
    // A range wider than the data: its empty months are listed as zeros.
    const wide = MonthlyTrends.parse(
      (await get(`/api/reports/trends?from=2025-12-15&to=2026-06-30&team_id=${demoTeam.id}`)).body,
    );
    expect(wide.items.map((i) => i.month)).toEqual([
      '2025-12',
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
      '2026-06',
    ]);
    expect(wide.items[0]).toEqual({
      month: '2025-12',
      count: 0,
      amount: '0.00',
      approved_amount: '0.00',
    });
    const febTech = filed.filter(
      (f) => f.team === demoTeam.id && f.spendDate.startsWith('2026-02'),
    );
    expect(wide.items[2]).toMatchObject({ count: febTech.length, amount: sum(febTech) });
  });

  it('lists the latest submitted first, limited and filtered', async () => {
    const response = await get('/api/reports/recent?limit=3', 'ivan');
    expect(response.status).toBe(200);
    const recent = RecentExpenses.parse(response.body);
    expect(recent.items.map((i) => i.id)).toEqual(
      [...filed]
        .reverse()
        .slice(0, 3)
        .map((f) => f.id),
    );
    const latest = filed[filed.length - 1];
    expect(recent.items[0]).toMatchObject({
      amount: latest ? decimal(latest.cents) : '',
      status: latest?.status,
      submitter_name: 'Grace Taylor',
    });
    const finance = RecentExpenses.parse(
      (await get(`/api/reports/recent?team_id=${demoFinanceTeam.id}`)).body,
    );
    expect(finance.items.map((i) => i.id)).toEqual(
      filed.filter((f) => f.team === demoFinanceTeam.id).map((f) => f.id),
    );
    const euro = RecentExpenses.parse(
      (await get('/api/reports/recent?from=2026-04-01&to=2026-04-05')).body,
    );
    expect(euro.items).toMatchObject([
      { currency: 'EUR', original_amount: '100.00', amount: '110.00' },
    ]);
  });
});

describe('time to approve', () => {
  it('counts every approval, per step and per approver, with plausible hours', async () => {
    const approvals = [...approvalsBy.values()].reduce((a, b) => a + b, 0);
    const times = await eventually(async () => {
      const response = await get('/api/reports/approval-times');
      const parsed = ApprovalTimes.parse(response.body);
      return parsed.overall.count === approvals ? parsed : undefined;
    });
    const plausible = (s: {
      count: number;
      mean_hours: number | null;
      p50_hours: number | null;
      p90_hours: number | null;
    }) => {
      expect(s.count).toBeGreaterThan(0);
      for (const value of [s.mean_hours, s.p50_hours, s.p90_hours]) {
        expect(value).not.toBeNull();
        // Decided within this test run: non-negative and well under an hour.
        expect(value ?? -1).toBeGreaterThanOrEqual(0);
        expect(value ?? 99).toBeLessThan(1);
      }
      expect(s.p50_hours ?? 0).toBeLessThanOrEqual(s.p90_hours ?? 0);
    };
    plausible(times.overall);
    expect(times.by_step.map((s) => s.step)).toEqual([...approvedSteps].sort());
    expect(times.by_step.reduce((n, s) => n + s.count, 0)).toBe(approvals);
    for (const step of times.by_step) plausible(step);
    expect(Object.fromEntries(times.by_approver.map((a) => [a.approver_name, a.count]))).toEqual(
      Object.fromEntries(approvalsBy),
    );
    for (const approver of times.by_approver) plausible(approver);
    // A filter narrows them too: Finance's expenses only.
    const finance = ApprovalTimes.parse(
      (await get(`/api/reports/approval-times?team_id=${demoFinanceTeam.id}`)).body,
    );
    const financeApproved = filed.filter(
      (f) => f.team === demoFinanceTeam.id && f.status === 'approved',
    );
    expect(finance.overall.count).toBe(financeApproved.length);
  });
});

describe('the accounting journal', () => {
  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

  it('has one balanced entry per approved expense, the same on every export', async () => {
    const path = `/api/exports/journal?from=${yesterday}&to=${tomorrow}`;
    const first = await get(path);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const journal = JournalExport.parse(first.body);
    const approved = filed.filter((f) => f.status === 'approved');
    expect(journal.entries.map((e) => e.expense_id).sort()).toEqual(
      approved.map((f) => f.id).sort(),
    );
    for (const entry of journal.entries) {
      const item = approved.find((f) => f.id === entry.expense_id);
      const debit = entry.lines.reduce((t, l) => t + cents(l.debit), 0n);
      const credit = entry.lines.reduce((t, l) => t + cents(l.credit), 0n);
      expect(debit).toBe(credit);
      expect(debit).toBe(item?.cents);
      expect(entry).toMatchObject({ kind: 'approval', entry_id: `${entry.expense_id}/approval` });
      expect(entry.lines.map((l) => l.account)).toEqual([`6000-${item?.category}`, '2100']);
    }
    const sorted = [...journal.entries].sort(
      (a, b) => a.posted_at.localeCompare(b.posted_at) || a.expense_id.localeCompare(b.expense_id),
    );
    expect(journal.entries).toEqual(sorted);
    const again = await get(path);
    expect(again.body).toEqual(first.body);
  });

  it('as CSV: a header, two lines per entry, RFC 4180 quoting, byte-identical twice', async () => {
    const path = `/api/exports/journal?from=${today}&to=${today}&format=csv`;
    const fetchText = async () => {
      const response = await fetch(`${gatewayUrl}${path}`, {
        headers: { authorization: `Bearer ${tokens.hannah}` },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/csv');
      return response.text();
    };
    const text = await fetchText();
    expect(await fetchText()).toBe(text);
    const records = parseCsv(text);
    const [header, ...rows] = records;
    expect(header).toEqual([
      'entry_id',
      'posted_at',
      'kind',
      'expense_id',
      'line',
      'account',
      'account_name',
      'debit',
      'credit',
      'currency',
      'party_id',
      'party_name',
      'memo',
    ]);
    const json = JournalExport.parse(
      (await get(`/api/exports/journal?from=${today}&to=${today}`)).body,
    );
    expect(rows).toHaveLength(json.entries.length * 2);
    expect(rows.length).toBeGreaterThan(0);
    rows.forEach((row, index) => {
      const entry = json.entries[Math.floor(index / 2)];
      const line = entry?.lines[index % 2];
      expect(row.slice(0, 4)).toEqual([
        entry?.entry_id,
        entry?.posted_at,
        'approval',
        entry?.expense_id,
      ]);
      expect(row.slice(5, 10)).toEqual([
        line?.account,
        line?.account_name,
        line?.debit,
        line?.credit,
        'USD',
      ]);
      // The description's quotes and comma came through the quoting intact.
      expect(row[12]).toBe(entry?.memo);
      expect(row[12]).toContain('"quoted", with comma');
    });
  });

  it('leaves out what was approved outside the range', async () => {
    const before = JournalExport.parse(
      (await get(`/api/exports/journal?from=2020-01-01&to=${yesterday}`)).body,
    );
    expect(before.entries).toEqual([]);
    const after = JournalExport.parse((await get(`/api/exports/journal?from=${tomorrow}`)).body);
    expect(after.entries).toEqual([]);
  });
});

describe('who may read reports', () => {
  it('finance, admins and auditors; employees and managers get 403', async () => {
    const paths = [
      '/api/reports/summary',
      '/api/reports/categories',
      '/api/reports/trends',
      '/api/reports/recent',
      '/api/reports/approval-times',
      '/api/exports/journal',
    ];
    for (const path of paths) {
      for (const who of ['hannah', 'alice', 'ivan'])
        expect((await get(path, who)).status).toBe(200);
      for (const who of ['grace', 'frank']) {
        const refused = await get(path, who);
        expect(refused.status, `${who} ${path}`).toBe(403);
        expect(refused.contentType).toContain('application/problem+json');
      }
    }
  });

  it('shows another company nothing of TechCorp', async () => {
    const summary = SpendingSummary.parse((await get('/api/reports/summary', 'olga')).body);
    expect(summary).toMatchObject({ count: 0, total_amount: '0.00', approved_amount: '0.00' });
    const withTechcorpTeam = SpendingSummary.parse(
      (await get(`/api/reports/summary?team_id=${demoTeam.id}`, 'olga')).body,
    );
    expect(withTechcorpTeam.count).toBe(0);
    expect(CategoryReport.parse((await get('/api/reports/categories', 'olga')).body).items).toEqual(
      [],
    );
    expect(MonthlyTrends.parse((await get('/api/reports/trends', 'olga')).body).items).toEqual([]);
    expect(RecentExpenses.parse((await get('/api/reports/recent', 'olga')).body).items).toEqual([]);
    expect(
      ApprovalTimes.parse((await get('/api/reports/approval-times', 'olga')).body).overall.count,
    ).toBe(0);
    expect(JournalExport.parse((await get('/api/exports/journal', 'olga')).body).entries).toEqual(
      [],
    );
  });
});

describe('the trends range, capped at both ends', () => {
  /** The first day of the month `offset` months from now (UTC), `YYYY-MM-DD`. */
  const monthFromNow = (offset: number) => {
    const now = new Date();
    return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1))
      .toISOString()
      .slice(0, 10);
  };
  const months = async (query: string) => {
    const response = await get(`/api/reports/trends${query}`, 'olga');
    expect(response.status, `${query}: ${JSON.stringify(response.body).slice(0, 300)}`).toBe(200);
    return MonthlyTrends.parse(response.body).items.map((item) => item.month);
  };

  it('lists no more than the capped range, whatever spend dates a company typed', async () => {
    // The other company's expenses: one six months ago, and two at the ends of what a
    // spend date may be, which on their own made an open range list ~97,000 months.
    const sixMonthsAgo = monthFromNow(-6);
    for (const spendDate of ['1900-01-01', sixMonthsAgo, '9999-12-31']) {
      await cluster.db.query(
        `insert into expense.expense (id, company_id, submitter_id, submitter_name, policy_id, policy_name,
           category, amount, original_amount, description, status, submitted_at, round, spend_date)
         values (gen_random_uuid(), $1, $2, 'Olga Other', $1, 'Any', 'general', 10, 10, 'far', 'pending', now(), 1, $3)`,
        [other.company, other.person, spendDate],
      );
    }
    const month = sixMonthsAgo.slice(0, 7);
    expect(await months('')).toEqual([month]);
    // An open end is filled from the data inside the window, never past it.
    const sinceFrom = await months(`?from=${monthFromNow(-7)}`);
    expect(sinceFrom).toHaveLength(2);
    expect(sinceFrom[1]).toBe(month);
    const untilTo = await months(`?to=${monthFromNow(0)}`);
    expect(untilTo).toHaveLength(7);
    expect(untilTo[0]).toBe(month);
  });

  it('refuses an end beyond the window with 400 problem details saying which end', async () => {
    for (const [query, end] of [
      ['?from=1900-01-01', 'from'],
      ['?to=9999-12-31', 'to'],
    ] as const) {
      const response = await get(`/api/reports/trends${query}`, 'olga');
      expect(response.status, query).toBe(400);
      expect(response.contentType).toContain('application/problem+json');
      expect(JSON.stringify(response.body.errors), query).toContain(`"${end}"`);
    }
  });
});
