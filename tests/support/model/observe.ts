import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';
import { api } from '../test-cluster.js';
import type { RunCompany } from './company.js';
import { type PersonKey, personKeys } from './people.js';
import type { ModelState } from './state.js';
import { type ExpectedDocument, expectedDocument, expectedQueue } from './transitions.js';

/**
 * What the API shows of a run, in the model's terms: each expense's status document (the
 * expense service's read model), its chain's status (the approval service) and everyone's
 * pending queue (401 once their deactivation revoked their tokens).
 */
export interface Snapshot {
  documents: Record<string, ExpectedDocument>;
  chains: Record<string, string>;
  queues: Record<PersonKey, string[] | 'revoked'>;
}

export function expectedSnapshot(state: ModelState): Snapshot {
  return {
    documents: Object.fromEntries(state.expenses.map((e) => [e.id, expectedDocument(e)])),
    chains: Object.fromEntries(state.expenses.map((e) => [e.id, e.status])),
    queues: Object.fromEntries(
      personKeys.map((key) => [key, state.active[key] ? expectedQueue(state, key) : 'revoked']),
    ) as Snapshot['queues'],
  };
}

type Item = Record<string, unknown>;

function toDocument(body: Item): ExpectedDocument {
  const approvals = (body.approvals ?? []) as Item[];
  return {
    status: body.status as ExpectedDocument['status'],
    round: Number(body.round),
    amount: Number(body.amount),
    approvals: approvals
      .map((a) => ({
        step: Number(a.step_number),
        approver: String(a.approver_name),
        status: String(a.status),
        decidedBy: (a.decided_by as { name?: string } | undefined)?.name ?? null,
      }))
      .sort((a, b) => a.step - b.step),
  };
}

async function queueOf(company: RunCompany, key: PersonKey): Promise<string[] | 'revoked'> {
  const response = await api('GET', '/api/approvals/pending?limit=100', company.tokens[key]);
  if (response.status === 401) return 'revoked';
  return (response.body.items ?? [])
    .map((item) => {
      const entry = `${String(item.expense_id)}#${Number(item.step)}`;
      const onBehalfOf = item.on_behalf_of as { name?: string } | undefined;
      return onBehalfOf ? `${entry} for ${onBehalfOf.name}` : entry;
    })
    .sort();
}

/** Reads the run's state back through the API; the admin reads every expense. */
export async function observe(company: RunCompany, state: ModelState): Promise<Snapshot> {
  const admin = company.tokens.ada;
  const ids = state.expenses.map((e) => e.id);
  const [documents, chains, queues] = await Promise.all([
    Promise.all(ids.map((id) => api('GET', `/api/expenses/${id}/status`, admin))),
    Promise.all(ids.map((id) => api('GET', `/api/expenses/${id}/routing`, admin))),
    Promise.all(personKeys.map((key) => queueOf(company, key))),
  ]);
  return {
    documents: Object.fromEntries(ids.map((id, i) => [id, toDocument(documents[i]?.body ?? {})])),
    chains: Object.fromEntries(ids.map((id, i) => [id, String(chains[i]?.body.status)])),
    queues: Object.fromEntries(personKeys.map((key, i) => [key, queues[i]])) as Snapshot['queues'],
  };
}

/** How long effects may take to travel through NATS on a loaded machine. */
const catchUpMs = Number(process.env.MODEL_CATCH_UP_MS ?? 20_000);

/**
 * Waits until the API shows what the model expects (events travel through NATS), bounded;
 * past the bound it fails with the difference between the two.
 */
export async function assertMatchesModel(company: RunCompany, state: ModelState): Promise<void> {
  const expected = expectedSnapshot(state);
  const deadline = Date.now() + catchUpMs;
  let seen = await observe(company, state);
  while (!isDeepStrictEqual(seen, expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    seen = await observe(company, state);
  }
  expect(seen, 'the state read back through the API').toEqual(expected);
}
