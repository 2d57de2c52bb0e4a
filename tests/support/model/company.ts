import { expect } from 'vitest';
import { api, eventually, type TestCluster } from '../test-cluster.js';
import { type PersonKey, people, personKeys } from './people.js';
import { type PolicyVariant, policyRules } from './policies.js';

/** One run's company, as the commands reach it: its people's ids and tokens, its policy. */
export interface RunCompany {
  cluster: TestCluster;
  ids: Record<PersonKey, string>;
  tokens: Record<PersonKey, string>;
  policyId: string;
}

const password = 'model run passphrase';
const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1] ?? '';
let companies = 0;

/** Registers a company and verifies its admin: Ada, at the top level of its one team. */
async function registerAdmin(cluster: TestCluster, run: number, email: string) {
  const registered = await api('POST', '/api/auth/register', undefined, {
    company_name: `Model run ${run}`,
    name: people.ada.name,
    email,
    password,
  });
  expect(registered.status, JSON.stringify(registered.body)).toBe(202);
  const mail = await cluster.waitForMail(email, /verification/);
  const verified = await api('POST', '/api/auth/verify-email', undefined, {
    email,
    code: codeIn(mail.subject),
    password,
  });
  expect(verified.status, JSON.stringify(verified.body)).toBe(200);
  const token = String(verified.body.access_token);
  // The approval service builds the company from CompanyRegistered.
  const me = await eventually(async () => {
    const response = await api('GET', '/api/users/me', token);
    return response.status === 200 ? response.body : undefined;
  });
  return { token, id: String(me.id), teamId: String((me.team as { id: string }).id) };
}

async function levelIds(token: string): Promise<Map<number, string>> {
  const levels = (await api('GET', '/api/levels', token)).body.items ?? [];
  return new Map(levels.map((l) => [Number(l.number), String(l.id)]));
}

/** Accepts the invitation e-mailed to `email`; returns the member's access token. */
async function join(cluster: TestCluster, email: string): Promise<string> {
  const mail = await cluster.waitForMail(email, /invited/);
  const joined = await api('POST', '/api/auth/register', undefined, {
    email,
    invitation_code: codeIn(mail.text),
    password,
  });
  expect(joined.status, JSON.stringify(joined.body)).toBe(201);
  return String(joined.body.access_token);
}

/**
 * A fresh company for one run, so every run (and every shrunk replay) starts from the
 * state the model starts from: nothing a previous run did can reach it.
 */
export async function startCompany(
  cluster: TestCluster,
  policy: PolicyVariant,
): Promise<RunCompany> {
  companies += 1;
  const run = companies;
  const emailOf = (key: PersonKey) => `${key}@run${run}.model.example`;
  const admin = await registerAdmin(cluster, run, emailOf('ada'));
  const levels = await levelIds(admin.token);
  const ids = { ada: admin.id } as Record<PersonKey, string>;
  const add = async (key: PersonKey) => {
    const spec = people[key];
    const added = await api('POST', '/api/users', admin.token, {
      email: emailOf(key),
      name: spec.name,
      role: spec.role,
      team_id: admin.teamId,
      level_id: levels.get(spec.level),
      ...(spec.manager ? { manager_id: ids[spec.manager] } : {}),
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    ids[key] = String(added.body.id);
  };
  // Managers before their reports.
  await add('dora');
  await Promise.all([add('max'), add('mia')]);
  await add('emma');
  const created = await api('POST', '/api/policies', admin.token, {
    name: 'Model policy',
    category: 'general',
    rules: policyRules(policy),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const members = personKeys.filter((k) => k !== 'ada');
  const [joined] = await Promise.all([
    Promise.all(members.map((key) => join(cluster, emailOf(key)))),
    // Submissions route from the expense service's copy of the directory and policies.
    cluster.routingCopyCaughtUp(),
  ]);
  const tokens = { ada: admin.token } as Record<PersonKey, string>;
  for (const [index, key] of members.entries()) tokens[key] = joined[index] ?? '';
  return { cluster, ids, tokens, policyId: String(created.body.id) };
}

/**
 * Companies built one ahead: while a run executes its commands, the next run's company
 * (five sign-ups, mostly waiting on mail and events) is already being built. Each run
 * still gets a company nothing else touched.
 */
export class CompanyPool {
  private ahead: Promise<RunCompany> | undefined;

  constructor(
    private readonly cluster: TestCluster,
    private readonly policy: PolicyVariant,
  ) {}

  next(): Promise<RunCompany> {
    const company = this.ahead ?? startCompany(this.cluster, this.policy);
    this.ahead = startCompany(this.cluster, this.policy);
    // Awaited by the next run; a failure surfaces there, not as an unhandled rejection.
    this.ahead.catch(() => undefined);
    return company;
  }

  /** Lets the company being built finish before the cluster stops. */
  async drain(): Promise<void> {
    await this.ahead?.catch(() => undefined);
  }
}
