import { ConflictError, ForbiddenError } from '@countersign/platform';

/**
 * A chain's life: `pending` until a decision ends its round. `sent_back` waits for the
 * submitter to resubmit (a new round replaces the steps); `refused` means a resubmission
 * found nobody to approve; `blocked` means a policy rule blocked the submission or the
 * resubmission. `approved`, `rejected`, `withdrawn`, `refused` and `blocked` are terminal.
 */
export type ChainStatus =
  | 'pending'
  | 'approved'
  | 'rejected'
  | 'sent_back'
  | 'withdrawn'
  | 'refused'
  | 'blocked';
export type StepStatus = 'waiting' | 'pending' | 'approved' | 'rejected' | 'skipped' | 'sent_back';

export const terminalChainStatuses: ReadonlySet<ChainStatus> = new Set([
  'approved',
  'rejected',
  'withdrawn',
  'refused',
  'blocked',
]);

export interface ChainState {
  status: ChainStatus;
  /** 1 at submit, one more per resubmission; steps belong to the current round. */
  round: number;
  submitterId: string;
  steps: readonly { step: number; approverId: string; required: boolean; status: StepStatus }[];
}

export type DecisionCommand =
  | { kind: 'approve'; actorId: string }
  | { kind: 'reject'; actorId: string }
  | { kind: 'send-back'; actorId: string };

export interface Decision {
  decidedStep: number;
  outcome: 'step-approved' | 'expense-approved' | 'expense-rejected' | 'expense-sent-back';
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
    throw new ConflictError(
      `the expense is already ${state.status.replace('_', ' ')}`,
      'already-decided',
    );
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
  if (command.kind === 'send-back') {
    // Later steps stay waiting: the resubmission replaces every step of the round.
    return {
      decidedStep: current.step,
      outcome: 'expense-sent-back',
      nextStep: null,
      skippedSteps: [],
      pendingRequired: 0,
    };
  }
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

export interface Withdrawal {
  /** Steps of the round never decided, now skipped. */
  skippedSteps: number[];
  /** Whose queue the expense leaves: the approver of the pending step, if any. */
  pendingApproverIds: string[];
}

/** Only the submitter withdraws, and only while the expense is pending or sent back. */
export function decideWithdrawal(state: ChainState, actorId: string): Withdrawal {
  if (actorId !== state.submitterId) {
    throw new ForbiddenError('only the submitter can withdraw an expense');
  }
  if (state.status !== 'pending' && state.status !== 'sent_back') {
    throw new ConflictError(
      `the expense is already ${state.status.replace('_', ' ')}`,
      'already-decided',
    );
  }
  const open = state.steps.filter((s) => s.status === 'waiting' || s.status === 'pending');
  return {
    skippedSteps: open.map((s) => s.step),
    pendingApproverIds: open.filter((s) => s.status === 'pending').map((s) => s.approverId),
  };
}

/**
 * Whether a resubmission of `round` starts a new round of this chain: only the round after
 * the one sent back. A replayed or late resubmission, or one racing a withdrawal that won,
 * changes nothing.
 */
export function acceptsResubmission(state: Pick<ChainState, 'status' | 'round'>, round: number) {
  return state.status === 'sent_back' && round === state.round + 1;
}

/**
 * The submitter's resubmission, as the chain sees it: only theirs, only when sent back.
 * (The expense service checks the same before routing; the chain is the last word.)
 */
export function decideResubmission(state: ChainState, actorId: string): { round: number } {
  if (actorId !== state.submitterId) {
    throw new ForbiddenError('only the submitter can resubmit an expense');
  }
  if (state.status !== 'sent_back') {
    throw new ConflictError(
      `only an expense sent back can be resubmitted; this one is ${state.status.replace('_', ' ')}`,
      'not-sent-back',
    );
  }
  return { round: state.round + 1 };
}

/** A new round: every step replaced, the first one pending; earlier approvals do not carry over. */
export function evolveResubmitted(
  state: ChainState,
  round: number,
  steps: readonly { approverId: string; required: boolean }[],
): ChainState {
  return {
    ...state,
    status: 'pending',
    round,
    steps: steps.map((s, index) => ({
      step: index + 1,
      approverId: s.approverId,
      required: s.required,
      status: index === 0 ? 'pending' : 'waiting',
    })),
  };
}

/** The chain after a decision: what the database holds once the decision is stored. */
export function evolve(state: ChainState, decision: Decision): ChainState {
  const decidedStatus: Record<Decision['outcome'], StepStatus> = {
    'step-approved': 'approved',
    'expense-approved': 'approved',
    'expense-rejected': 'rejected',
    'expense-sent-back': 'sent_back',
  };
  const chainStatus: Record<Decision['outcome'], ChainStatus> = {
    'step-approved': 'pending',
    'expense-approved': 'approved',
    'expense-rejected': 'rejected',
    'expense-sent-back': 'sent_back',
  };
  const skipped = new Set(decision.skippedSteps);
  return {
    ...state,
    status: chainStatus[decision.outcome],
    steps: state.steps.map((s) => {
      if (s.step === decision.decidedStep) return { ...s, status: decidedStatus[decision.outcome] };
      if (skipped.has(s.step)) return { ...s, status: 'skipped' };
      if (s.step === decision.nextStep) return { ...s, status: 'pending' };
      return s;
    }),
  };
}

/** The chain after a withdrawal. */
export function evolveWithdrawn(state: ChainState, withdrawal: Withdrawal): ChainState {
  const skipped = new Set(withdrawal.skippedSteps);
  return {
    ...state,
    status: 'withdrawn',
    steps: state.steps.map((s) => (skipped.has(s.step) ? { ...s, status: 'skipped' } : s)),
  };
}
