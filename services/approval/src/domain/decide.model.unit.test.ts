import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ChainState,
  decide,
  decideResubmission,
  decideWithdrawal,
  evolve,
  evolveResubmitted,
  evolveWithdrawn,
  terminalChainStatuses,
} from './decide.js';

/**
 * Model-based test: random sequences of approve / reject / send back / resubmit / withdraw
 * by random actors run against the domain and against a small reference model of the state
 * machine, written independently here. Each command must be accepted or refused alike (with
 * the same status code), and leave both in the same state; a terminal state stays terminal.
 */

const submitter = 'grace';
const approvers = ['frank', 'eve', 'david'] as const;
const actors = [submitter, ...approvers, 'mallory'] as const;
type Actor = (typeof actors)[number];

type Command =
  | { kind: 'approve' | 'reject' | 'send-back' | 'withdraw'; actor: Actor }
  | { kind: 'resubmit'; actor: Actor; required: boolean[] };

interface Model {
  status: 'pending' | 'approved' | 'rejected' | 'sent_back' | 'withdrawn';
  round: number;
  required: boolean[];
  /** Index of the pending step while pending. */
  current: number;
}

type Outcome = { ok: true } | { ok: false; status: number };

const terminal = new Set<Model['status']>(['approved', 'rejected', 'withdrawn']);

/** The reference: what each command does, as the issue describes it, step by step. */
function runModel(model: Model, command: Command): [Model, Outcome] {
  const refuse = (status: number): [Model, Outcome] => [model, { ok: false, status }];
  const { actor } = command;
  if (command.kind === 'withdraw') {
    if (actor !== submitter) return refuse(403);
    if (model.status !== 'pending' && model.status !== 'sent_back') return refuse(409);
    return [{ ...model, status: 'withdrawn' }, { ok: true }];
  }
  if (command.kind === 'resubmit') {
    if (actor !== submitter) return refuse(403);
    if (model.status !== 'sent_back') return refuse(409);
    const next: Model = {
      status: 'pending',
      round: model.round + 1,
      required: command.required,
      current: 0,
    };
    return [next, { ok: true }];
  }
  if (actor === submitter) return refuse(403);
  if (model.status !== 'pending') return refuse(409);
  const index = approvers.indexOf(actor as (typeof approvers)[number]);
  if (index < 0 || index >= model.required.length) return refuse(403);
  if (index !== model.current) return refuse(409);
  if (command.kind === 'reject') return [{ ...model, status: 'rejected' }, { ok: true }];
  if (command.kind === 'send-back') return [{ ...model, status: 'sent_back' }, { ok: true }];
  const requiredLeft = model.required.slice(index + 1).some((r) => r);
  if (!requiredLeft) return [{ ...model, status: 'approved' }, { ok: true }];
  return [{ ...model, current: index + 1 }, { ok: true }];
}

function stepsOf(required: boolean[]) {
  return required.map((r, i) => ({ approverId: approvers[i] ?? 'nobody', required: r }));
}

/** The domain under test, driven the way the use cases drive it. */
function runDomain(state: ChainState, command: Command): [ChainState, Outcome] {
  try {
    if (command.kind === 'withdraw') {
      return [evolveWithdrawn(state, decideWithdrawal(state, command.actor)), { ok: true }];
    }
    if (command.kind === 'resubmit') {
      const { round } = decideResubmission(state, command.actor);
      return [evolveResubmitted(state, round, stepsOf(command.required)), { ok: true }];
    }
    const decision = decide(state, { kind: command.kind, actorId: command.actor });
    return [evolve(state, decision), { ok: true }];
  } catch (error) {
    return [state, { ok: false, status: (error as { status: number }).status }];
  }
}

const chainShape = fc.array(fc.boolean(), { minLength: 1, maxLength: approvers.length });

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('approve', 'reject', 'send-back', 'withdraw') as fc.Arbitrary<
      'approve' | 'reject' | 'send-back' | 'withdraw'
    >,
    actor: fc.constantFrom(...actors),
  }),
  fc.record({
    kind: fc.constant('resubmit' as const),
    actor: fc.constantFrom(...actors),
    required: chainShape,
  }),
);

describe('the decision state machine agrees with its reference model', () => {
  it('for random command sequences by random actors', () => {
    fc.assert(
      fc.property(chainShape, fc.array(command, { maxLength: 40 }), (required, commands) => {
        let model: Model = { status: 'pending', round: 1, required, current: 0 };
        let state = evolveResubmitted(
          { status: 'pending', round: 1, submitterId: submitter, steps: [] },
          1,
          stepsOf(required),
        );
        for (const next of commands) {
          const wasTerminal = terminal.has(model.status);
          const before = state;
          const [nextModel, expected] = runModel(model, next);
          const [nextState, actual] = runDomain(state, next);
          expect(actual).toEqual(expected);
          model = nextModel;
          state = nextState;
          expect(state.status).toBe(model.status);
          expect(state.round).toBe(model.round);
          const pending = state.steps.filter((s) => s.status === 'pending').map((s) => s.step);
          expect(pending).toEqual(model.status === 'pending' ? [model.current + 1] : []);
          // Nobody ever approves their own expense.
          expect(
            state.steps.some((s) => s.approverId === submitter && s.status === 'approved'),
          ).toBe(false);
          if (wasTerminal) {
            expect(terminalChainStatuses.has(state.status)).toBe(true);
            expect(state).toBe(before);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
