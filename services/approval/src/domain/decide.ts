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

/** One approver seat of a chain. The seats of a stage are asked together. */
export interface ChainSeat {
  step: number;
  approverId: string;
  required: boolean;
  status: StepStatus;
  /** The policy step the seat belongs to (1..k). */
  stage: number;
  /** `one`: the first approval settles the stage; `all`: every seat of the stage must approve. */
  needs: 'one' | 'all';
  /** A delegate who decided the seat in its approver's name; null or absent otherwise. */
  decidedBy?: string | null;
}

export interface ChainState {
  status: ChainStatus;
  /** 1 at submit, one more per resubmission; steps belong to the current round. */
  round: number;
  submitterId: string;
  steps: readonly ChainSeat[];
}

export type DecisionCommand =
  | { kind: 'approve'; actorId: string }
  | { kind: 'reject'; actorId: string }
  | { kind: 'send-back'; actorId: string };

export interface Decision {
  decidedStep: number;
  /** The stage of the decided seat. */
  stage: number;
  outcome: 'step-approved' | 'expense-approved' | 'expense-rejected' | 'expense-sent-back';
  /** Whether the decision settled its stage (an all-of stage waits for every seat). */
  stageCompleted: boolean;
  /** The seats that become pending next: every seat of the next stage, when the chain goes on. */
  nextSteps: number[];
  /**
   * Seats that will never be asked: the other seats of a one-of stage once one approved,
   * the other pending seats of the stage on a reject or send back, and the later seats
   * once the expense is decided.
   */
  skippedSteps: number[];
  /** Approvals still needed: each remaining seat of an all-of stage, one per one-of stage. */
  pendingRequired: number;
}

/** Refuses anyone but an approver of a seat of the current stage, and explains why. */
function assertActorMayDecide(state: ChainState, actorId: string): ChainSeat {
  if (actorId === state.submitterId) {
    throw new ForbiddenError('you cannot approve or reject your own expense');
  }
  if (state.status !== 'pending') {
    throw new ConflictError(
      `the expense is already ${state.status.replace('_', ' ')}`,
      'already-decided',
    );
  }
  // One person, one say: whoever decided a seat in someone's name decides no other seat.
  const inAnotherName = state.steps.find(
    (s) => s.decidedBy === actorId && s.approverId !== actorId,
  );
  if (inAnotherName) {
    throw new ForbiddenError(
      `you already decided step ${inAnotherName.step} of this expense in another approver's name, so you cannot decide another one`,
    );
  }
  const pending = state.steps.filter((s) => s.status === 'pending');
  const first = pending[0];
  if (!first) throw new ConflictError('no step is waiting for a decision', 'already-decided');
  const current = pending.find((s) => s.approverId === actorId);
  if (current) return current;
  const own = state.steps.find((s) => s.approverId === actorId);
  if (!own) throw new ForbiddenError('you are not an approver of this expense');
  if (own.status === 'waiting') {
    throw new ConflictError(
      `step ${own.step} is yours, but step ${first.step} must be decided first`,
      'out-of-turn',
    );
  }
  // While the chain is pending, a seat is skipped only when a sibling settled its one-of stage.
  if (own.status === 'skipped') {
    throw new ConflictError(
      `step ${own.step} was settled by another approver of the same stage`,
      'already-decided',
    );
  }
  throw new ConflictError(`you have already decided step ${own.step}`, 'already-decided');
}

/** A stage is settled when one seat approved (one-of) or every seat approved (all-of). */
function stageSettled(seats: readonly ChainSeat[]): boolean {
  const approved = seats.filter((s) => s.status === 'approved').length;
  return seats[0]?.needs === 'all' ? approved === seats.length : approved > 0;
}

function stagesOf(steps: readonly ChainSeat[]): Map<number, ChainSeat[]> {
  const stages = new Map<number, ChainSeat[]>();
  for (const seat of [...steps].sort((a, b) => a.step - b.step)) {
    stages.set(seat.stage, [...(stages.get(seat.stage) ?? []), seat]);
  }
  return stages;
}

/** Approvals a chain still needs before it is approved: its unsettled required stages. */
export function approvalsStillNeeded(steps: readonly ChainSeat[]): number {
  let needed = 0;
  for (const seats of stagesOf(steps).values()) {
    if (!seats[0]?.required || stageSettled(seats)) continue;
    const open = seats.filter((s) => s.status === 'pending' || s.status === 'waiting').length;
    needed += seats[0].needs === 'all' ? open : Math.min(open, 1);
  }
  return needed;
}

/**
 * Decides an approve, reject or send-back command against a chain: who may act, which seat
 * it settles, and whether the expense is now approved, rejected, sent back, or goes on
 * (the stage waits for its other seats, or the next stage's seats are asked).
 */
export function decide(state: ChainState, command: DecisionCommand): Decision {
  const current = assertActorMayDecide(state, command.actorId);
  const siblings = state.steps.filter(
    (s) => s.stage === current.stage && s.step !== current.step && s.status === 'pending',
  );
  const later = state.steps.filter((s) => s.stage > current.stage && s.status === 'waiting');
  const base = { decidedStep: current.step, stage: current.stage, nextSteps: [] };
  if (command.kind === 'send-back') {
    // Later stages stay waiting: the resubmission replaces every step of the round.
    return {
      ...base,
      outcome: 'expense-sent-back',
      stageCompleted: true,
      skippedSteps: siblings.map((s) => s.step),
      pendingRequired: 0,
    };
  }
  if (command.kind === 'reject') {
    return {
      ...base,
      outcome: 'expense-rejected',
      stageCompleted: true,
      skippedSteps: [...siblings, ...later].map((s) => s.step),
      pendingRequired: 0,
    };
  }
  const after = state.steps.map((s) =>
    s.step === current.step ? { ...s, status: 'approved' as const } : s,
  );
  if (!stageSettled(after.filter((s) => s.stage === current.stage))) {
    return {
      ...base,
      outcome: 'step-approved',
      stageCompleted: false,
      skippedSteps: [],
      pendingRequired: approvalsStillNeeded(after),
    };
  }
  // One-of: the other seats of the stage are no longer needed.
  const settledSiblings = siblings.map((s) => s.step);
  if (!later.some((s) => s.required)) {
    return {
      ...base,
      outcome: 'expense-approved',
      stageCompleted: true,
      skippedSteps: [...settledSiblings, ...later.map((s) => s.step)],
      pendingRequired: 0,
    };
  }
  const nextStage = Math.min(...later.map((s) => s.stage));
  const nextSteps = later.filter((s) => s.stage === nextStage).map((s) => s.step);
  const skipped = new Set(settledSiblings);
  return {
    ...base,
    outcome: 'step-approved',
    stageCompleted: true,
    nextSteps,
    skippedSteps: settledSiblings,
    pendingRequired: approvalsStillNeeded(
      after.map((s) => (skipped.has(s.step) ? { ...s, status: 'skipped' as const } : s)),
    ),
  };
}

export interface Withdrawal {
  /** Steps of the round never decided, now skipped. */
  skippedSteps: number[];
  /** Whose queue the expense leaves: the approvers of the pending seats, if any. */
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

/**
 * A new round: every seat replaced, the first stage's seats pending; earlier approvals do
 * not carry over. Seats are numbered 1..n in the order given.
 */
export function evolveResubmitted(
  state: ChainState,
  round: number,
  steps: readonly Pick<ChainSeat, 'approverId' | 'required' | 'stage' | 'needs'>[],
): ChainState {
  const firstStage = Math.min(...steps.map((s) => s.stage));
  return {
    ...state,
    status: 'pending',
    round,
    steps: steps.map((s, index) => ({
      ...s,
      step: index + 1,
      status: s.stage === firstStage ? 'pending' : 'waiting',
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
  const next = new Set(decision.nextSteps);
  return {
    ...state,
    status: chainStatus[decision.outcome],
    steps: state.steps.map((s) => {
      if (s.step === decision.decidedStep) return { ...s, status: decidedStatus[decision.outcome] };
      if (skipped.has(s.step)) return { ...s, status: 'skipped' };
      if (next.has(s.step)) return { ...s, status: 'pending' };
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
