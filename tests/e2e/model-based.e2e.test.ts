import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { commandArbitraries, tally } from '../support/model/commands.js';
import { CompanyPool } from '../support/model/company.js';
import { initialState } from '../support/model/state.js';
import { TestCluster } from '../support/test-cluster.js';

/**
 * Stateful model-based test of the API (issue 15, point 4). fast-check generates random
 * sequences of calls (submit, approve, reject, send back, edit and resubmit, withdraw,
 * delegate and revoke, deactivate an approver, change the policy), including refused ones
 * (the wrong approver, a second decision, a closed expense). Each call's answer must be the
 * one the reference model in tests/support/model expects, and after each call the state
 * read back through the API must become the model's. A failure is shrunk to a shortest
 * sequence and printed with its seed (replay with MODEL_SEED and MODEL_PATH).
 * Each run gets a company of its own, so runs (and shrunk replays) are independent.
 */

/** Runs per CI pass: each builds a company (five sign-ups) and runs up to `maxCommands`. */
const runs = Number(process.env.MODEL_RUNS ?? 6);
const maxCommands = Number(process.env.MODEL_MAX_COMMANDS ?? 32);
const seed = process.env.MODEL_SEED === undefined ? undefined : Number(process.env.MODEL_SEED);
const path = process.env.MODEL_PATH;

let cluster: TestCluster;
let companies: CompanyPool;
const firstPolicy = 'two-step';
beforeAll(async () => {
  cluster = await TestCluster.start();
  companies = new CompanyPool(cluster, firstPolicy);
});
afterAll(async () => {
  await companies?.drain();
  await cluster?.stop();
});

function summary(): string {
  const kinds = [...tally.entries()].sort(([a], [b]) => a.localeCompare(b));
  const total = kinds.reduce((sum, [, c]) => sum + c.run, 0);
  const refused = kinds.reduce((sum, [, c]) => sum + c.refused, 0);
  const each = kinds.map(([kind, c]) => `${kind} ${c.run} (${c.refused} refused)`).join(', ');
  return `model-based: ${runs} runs, ${total} commands, ${refused} refused as the model expected: ${each}`;
}

describe('the API against a reference model', () => {
  it(
    'answers every generated sequence of calls as the model does, and ends in its state',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.commands(commandArbitraries, { maxCommands, size: 'max' }),
          async (commands) => {
            await fc.asyncModelRun(async () => {
              return { model: initialState(firstPolicy), real: await companies.next() };
            }, commands);
            if (process.env.MODEL_VERBOSE) process.stderr.write(`run: ${String(commands)}\n`);
          },
        ),
        {
          numRuns: runs,
          ...(seed === undefined ? {} : { seed }),
          ...(path === undefined ? {} : { path }),
        },
      );
      console.log(summary());
    },
    // Shrinking a failure replays many runs; a pass takes a fraction of this.
    30 * 60_000,
  );
});
