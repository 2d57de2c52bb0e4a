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
async function registerAdmin(cluster: TestCluster, email: string) {
  const registered = await api('POST', '/api/auth/register', undefined, {
    company_name: `Model run ${companies}`,
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
  const emailOf = (key: PersonKey) => `${key}@run${companies}.model.example`;
  const admin = await registerAdmin(cluster, emailOf('ada'));
  const levels = await levelIds(admin.token);
  const ids = { ada: admin.id } as Record<PersonKey, string>;
  for (const key of personKeys.filter((k) => k !== 'ada')) {
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
  }
  const tokens = { ada: admin.token } as Record<PersonKey, string>;
  const members = personKeys.filter((k) => k !== 'ada');
  const joined = await Promise.all(members.map((key) => join(cluster, emailOf(key))));
  for (const [index, key] of members.entries()) tokens[key] = joined[index] ?? '';
  const created = await api('POST', '/api/policies', admin.token, {
    name: 'Model policy',
    category: 'general',
    rules: policyRules(policy),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  // Submissions route from the expense service's copy of the directory and policies.
  await cluster.routingCopyCaughtUp();
  return { cluster, ids, tokens, policyId: String(created.body.id) };
}
