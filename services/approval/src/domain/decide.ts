import { ConflictError, ForbiddenError } from '@countersign/platform';

export type ChainStatus = 'pending' | 'approved' | 'rejected';
export type StepStatus = 'waiting' | 'pending' | 'approved' | 'rejected' | 'skipped';

export interface ChainState {
  status: ChainStatus;
  submitterId: string;
  steps: readonly { step: number; approverId: string; required: boolean; status: StepStatus }[];
}

export type DecisionCommand =
  | { kind: 'approve'; actorId: string }
  | { kind: 'reject'; actorId: string };

export interface Decision {
  decidedStep: number;
  outcome: 'step-approved' | 'expense-approved' | 'expense-rejected';
  /** The step that becomes pending next, when the chain goes on. */
  nextStep: number | null;
  /** Steps that will never be asked, because the expense is decided. */
  skippedSteps: number[];
  pendingRequired: number;
}

/** Refuses anyone but the approver of the current step, and explains why. */
function assertActorMayDecide(state: ChainState, actorId: string) {
  if (actorId === state.submitterId) {
    throw new ForbiddenError('you cannot approve or reject your own expense');
  }
  if (state.status !== 'pending') {
    throw new ConflictError(`the expense is already ${state.status}`, 'already-decided');
  }
  const current = state.steps.find((s) => s.status === 'pending');
  if (!current) throw new ConflictError('no step is waiting for a decision', 'already-decided');
  if (current.approverId === actorId) return current;
  const own = state.steps.find((s) => s.approverId === actorId);
  if (!own) throw new ForbiddenError('you are not an approver of this expense');
  if (own.status === 'waiting') {
    throw new ConflictError(
      `step ${own.step} is yours, but step ${current.step} must be decided first`,
      'out-of-turn',
    );
  }
  throw new ConflictError(`you have already decided step ${own.step}`, 'already-decided');
}

/**
 * Decides an approve or reject command against a chain: who may act, which step it
 * settles, and whether the expense is now approved, rejected, or waits for the next step.
 */
export function decide(state: ChainState, command: DecisionCommand): Decision {
  const current = assertActorMayDecide(state, command.actorId);
  const later = state.steps.filter((s) => s.step > current.step && s.status === 'waiting');
  if (command.kind === 'reject') {
    return {
      decidedStep: current.step,
      outcome: 'expense-rejected',
      nextStep: null,
      skippedSteps: later.map((s) => s.step),
      pendingRequired: 0,
    };
  }
  const requiredLeft = later.filter((s) => s.required).length;
  if (requiredLeft === 0) {
    return {
      decidedStep: current.step,
      outcome: 'expense-approved',
      nextStep: null,
      skippedSteps: later.map((s) => s.step),
      pendingRequired: 0,
    };
  }
  return {
    decidedStep: current.step,
    outcome: 'step-approved',
    nextStep: later[0]?.step ?? null,
    skippedSteps: [],
    pendingRequired: requiredLeft,
  };
}
