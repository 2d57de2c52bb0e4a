import type { DomainError, ErrorCode } from '@countersign/platform';
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
 * machine, written independently here. Chains are made of stages of one or several seats,
 * where one or all of the seats must approve. Each command must be accepted or refused
 * alike (with the same status code), and leave both in the same state; a terminal state
 * stays terminal.
 */

const submitter = 'grace';
const approvers = ['frank', 'eve', 'david', 'bob', 'carol', 'dan'] as const;
const actors = [submitter, ...approvers, 'mallory'] as const;
type Actor = (typeof actors)[number];

interface Stage {
  required: boolean;
  needs: 'one' | 'all';
  size: number;
}

type Command =
  | { kind: 'approve' | 'reject' | 'send-back' | 'withdraw'; actor: Actor }
  | { kind: 'resubmit'; actor: Actor; stages: Stage[] };

interface Model {
  status: 'pending' | 'approved' | 'rejected' | 'sent_back' | 'withdrawn';
  round: number;
  stages: Stage[];
  /** Index of the stage being asked while pending. */
  current: number;
  /** Who of the current stage already approved. */
  approvedHere: string[];
}

type Outcome = { ok: true } | { ok: false; code: ErrorCode };

const terminal = new Set<Model['status']>(['approved', 'rejected', 'withdrawn']);

/** Approvers take the seats in order: stage 1's seats first, and so on. */
function seatsOf(stages: Stage[]) {
  let next = 0;
  return stages.flatMap((stage, index) =>
    Array.from({ length: stage.size }, () => {
      const actor = approvers[next] ?? 'nobody';
      next += 1;
      return { step: next, stage: index, actor };
    }),
  );
}

/** The reference: what each command does, as the issue describes it, stage by stage. */
function runModel(model: Model, command: Command): [Model, Outcome] {
  const refuse = (code: ErrorCode): [Model, Outcome] => [model, { ok: false, code }];
  const { actor } = command;
  if (command.kind === 'withdraw') {
    if (actor !== submitter) return refuse('forbidden');
    if (model.status !== 'pending' && model.status !== 'sent_back') return refuse('conflict');
    return [{ ...model, status: 'withdrawn' }, { ok: true }];
  }
  if (command.kind === 'resubmit') {
    if (actor !== submitter) return refuse('forbidden');
    if (model.status !== 'sent_back') return refuse('conflict');
    const next: Model = {
      status: 'pending',
      round: model.round + 1,
      stages: command.stages,
      current: 0,
      approvedHere: [],
    };
    return [next, { ok: true }];
  }
  if (actor === submitter) return refuse('forbidden');
  if (model.status !== 'pending') return refuse('conflict');
  const seat = seatsOf(model.stages).find((s) => s.actor === actor);
  if (!seat) return refuse('forbidden');
  // Out of turn, already approved, or a seat of a settled stage: all 409.
  if (seat.stage !== model.current || model.approvedHere.includes(actor)) return refuse('conflict');
  if (command.kind === 'reject') return [{ ...model, status: 'rejected' }, { ok: true }];
  if (command.kind === 'send-back') return [{ ...model, status: 'sent_back' }, { ok: true }];
  const stage = model.stages[model.current];
  const approvedHere = [...model.approvedHere, actor];
  if (stage?.needs === 'all' && approvedHere.length < stage.size) {
    return [{ ...model, approvedHere }, { ok: true }];
  }
  const requiredLeft = model.stages.slice(model.current + 1).some((s) => s.required);
  if (!requiredLeft) return [{ ...model, status: 'approved', approvedHere }, { ok: true }];
  return [{ ...model, current: model.current + 1, approvedHere: [] }, { ok: true }];
}

/** The seats the model expects pending: the current stage's, less those that approved. */
function expectedPending(model: Model): number[] {
  if (model.status !== 'pending') return [];
  return seatsOf(model.stages)
    .filter((s) => s.stage === model.current && !model.approvedHere.includes(s.actor))
    .map((s) => s.step);
}

function stepsOf(stages: Stage[]) {
  return seatsOf(stages).map((seat) => {
    const stage = stages[seat.stage] as Stage;
    return {
      approverId: seat.actor,
      required: stage.required,
      stage: seat.stage + 1,
      needs: stage.needs,
    };
  });
}

/** The domain under test, driven the way the use cases drive it. */
function runDomain(state: ChainState, command: Command): [ChainState, Outcome] {
  try {
    if (command.kind === 'withdraw') {
      return [evolveWithdrawn(state, decideWithdrawal(state, command.actor)), { ok: true }];
    }
    if (command.kind === 'resubmit') {
      const { round } = decideResubmission(state, command.actor);
      return [evolveResubmitted(state, round, stepsOf(command.stages)), { ok: true }];
    }
    const decision = decide(state, { kind: command.kind, actorId: command.actor });
    return [evolve(state, decision), { ok: true }];
  } catch (error) {
    return [state, { ok: false, code: (error as DomainError).code }];
  }
}

const stageShape: fc.Arbitrary<Stage> = fc.record({
  required: fc.boolean(),
  needs: fc.constantFrom('one' as const, 'all' as const),
  size: fc.integer({ min: 1, max: 3 }),
});
const chainShape = fc
  .array(stageShape, { minLength: 1, maxLength: 4 })
  .filter((stages) => stages.reduce((n, s) => n + s.size, 0) <= approvers.length);

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
    stages: chainShape,
  }),
);

describe('the decision state machine agrees with its reference model', () => {
  it('for random command sequences by random actors', () => {
    fc.assert(
      fc.property(chainShape, fc.array(command, { maxLength: 40 }), (stages, commands) => {
        let model: Model = { status: 'pending', round: 1, stages, current: 0, approvedHere: [] };
        let state = evolveResubmitted(
          { status: 'pending', round: 1, submitterId: submitter, steps: [] },
          1,
          stepsOf(stages),
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
          expect(pending).toEqual(expectedPending(model));
          // Whatever happened, no seat is both approved and of a stage not yet reached.
          const approvedStages = state.steps.filter((s) => s.status === 'approved');
          expect(approvedStages.every((s) => s.stage <= model.current + 1)).toBe(true);
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
