import { describe, expect, it } from 'vitest';
import {
  acceptsResubmission,
  type ChainState,
  decide,
  decideResubmission,
  decideWithdrawal,
  evolve,
  evolveResubmitted,
  evolveWithdrawn,
} from './decide.js';

const refusalOf = (act: () => unknown) => {
  try {
    act();
  } catch (error) {
    return error as { code: string; type: string };
  }
  throw new Error('expected a refusal');
};

const chain = (
  statuses: ChainState['steps'][number]['status'][],
  required = [true, true, true],
): ChainState => ({
  status: 'pending',
  round: 1,
  submitterId: 'grace',
  steps: ['frank', 'eve', 'david'].slice(0, statuses.length).map((approverId, i) => ({
    step: i + 1,
    approverId,
    required: required[i] ?? true,
    status: statuses[i] ?? 'waiting',
    stage: i + 1,
    needs: 'one' as const,
  })),
});

/**
 * A chain of stages: each entry is one stage's seats (approver and status), with whether
 * one or all of them must approve and whether the stage is required.
 */
const staged = (
  stages: {
    needs: 'one' | 'all';
    required?: boolean;
    seats: [string, ChainState['steps'][number]['status']][];
  }[],
): ChainState => {
  let step = 0;
  return {
    status: 'pending',
    round: 1,
    submitterId: 'grace',
    steps: stages.flatMap((stage, index) =>
      stage.seats.map(([approverId, status]) => ({
        step: ++step,
        approverId,
        status,
        required: stage.required ?? true,
        stage: index + 1,
        needs: stage.needs,
      })),
    ),
  };
};

describe('decide', () => {
  it('approves the current step and hands over to the next', () => {
    expect(
      decide(chain(['pending', 'waiting', 'waiting']), { kind: 'approve', actorId: 'frank' }),
    ).toEqual({
      decidedStep: 1,
      stage: 1,
      outcome: 'step-approved',
      stageCompleted: true,
      nextSteps: [2],
      skippedSteps: [],
      pendingRequired: 2,
    });
  });

  it('approves the expense at the last required step and skips optional ones after it', () => {
    const state = chain(['approved', 'pending', 'waiting'], [true, true, false]);
    expect(decide(state, { kind: 'approve', actorId: 'eve' })).toMatchObject({
      outcome: 'expense-approved',
      skippedSteps: [3],
      pendingRequired: 0,
    });
  });

  it('rejects terminally and skips what is left', () => {
    expect(
      decide(chain(['pending', 'waiting', 'waiting']), { kind: 'reject', actorId: 'frank' }),
    ).toMatchObject({
      outcome: 'expense-rejected',
      skippedSteps: [2, 3],
    });
  });

  it('refuses the submitter (403), someone outside the chain (403), out of turn (409), twice (409), after the end (409)', () => {
    const state = chain(['approved', 'pending', 'waiting']);
    const refusal = (actorId: string, s = state) => {
      try {
        decide(s, { kind: 'approve', actorId });
      } catch (error) {
        return error as { code: string; type: string };
      }
      throw new Error('expected a refusal');
    };
    expect(refusal('grace')).toMatchObject({ code: 'forbidden' });
    expect(refusal('mallory')).toMatchObject({ code: 'forbidden' });
    expect(refusal('david')).toMatchObject({ code: 'conflict', type: 'out-of-turn' });
    expect(refusal('frank')).toMatchObject({ code: 'conflict', type: 'already-decided' });
    expect(refusal('david', { ...state, status: 'rejected' })).toMatchObject({
      code: 'conflict',
      type: 'already-decided',
    });
  });
});

describe('parallel stages', () => {
  const oneOf = () =>
    staged([
      {
        needs: 'one',
        seats: [
          ['frank', 'pending'],
          ['eve', 'pending'],
          ['bob', 'pending'],
        ],
      },
      { needs: 'one', seats: [['david', 'waiting']] },
    ]);
  const allOf = () =>
    staged([
      {
        needs: 'all',
        seats: [
          ['frank', 'pending'],
          ['eve', 'pending'],
        ],
      },
      { needs: 'one', seats: [['david', 'waiting']] },
    ]);

  it('one-of: the first approval settles the stage, skips its other seats and asks the next stage', () => {
    const state = oneOf();
    const decision = decide(state, { kind: 'approve', actorId: 'eve' });
    expect(decision).toEqual({
      decidedStep: 2,
      stage: 1,
      outcome: 'step-approved',
      stageCompleted: true,
      nextSteps: [4],
      skippedSteps: [1, 3],
      pendingRequired: 1,
    });
    const after = evolve(state, decision);
    expect(after.steps.map((s) => s.status)).toEqual(['skipped', 'approved', 'skipped', 'pending']);
    // The seat that lost the race is told it was settled by another approver.
    expect(refusalOf(() => decide(after, { kind: 'approve', actorId: 'frank' }))).toMatchObject({
      code: 'conflict',
      type: 'already-decided',
    });
  });

  it('all-of: the stage waits for every seat, then asks the next stage', () => {
    const state = allOf();
    const first = decide(state, { kind: 'approve', actorId: 'frank' });
    expect(first).toMatchObject({
      outcome: 'step-approved',
      stageCompleted: false,
      nextSteps: [],
      skippedSteps: [],
      pendingRequired: 2,
    });
    const half = evolve(state, first);
    expect(half.steps.map((s) => s.status)).toEqual(['approved', 'pending', 'waiting']);
    const second = decide(half, { kind: 'approve', actorId: 'eve' });
    expect(second).toMatchObject({
      outcome: 'step-approved',
      stageCompleted: true,
      nextSteps: [3],
      pendingRequired: 1,
    });
    expect(evolve(half, second).steps.map((s) => s.status)).toEqual([
      'approved',
      'approved',
      'pending',
    ]);
  });

  it('all-of as the last stage approves the expense only when every seat approved', () => {
    const state = staged([
      { needs: 'one', seats: [['david', 'approved']] },
      {
        needs: 'all',
        seats: [
          ['frank', 'approved'],
          ['eve', 'pending'],
        ],
      },
      { needs: 'one', required: false, seats: [['bob', 'waiting']] },
    ]);
    expect(decide(state, { kind: 'approve', actorId: 'eve' })).toMatchObject({
      outcome: 'expense-approved',
      skippedSteps: [4],
      pendingRequired: 0,
    });
  });

  it('a reject or send back by any seat decides the expense and skips the other pending seats', () => {
    const state = allOf();
    const approved = evolve(state, decide(state, { kind: 'approve', actorId: 'frank' }));
    expect(decide(approved, { kind: 'reject', actorId: 'eve' })).toMatchObject({
      outcome: 'expense-rejected',
      skippedSteps: [3],
    });
    expect(decide(oneOf(), { kind: 'reject', actorId: 'bob' })).toMatchObject({
      outcome: 'expense-rejected',
      skippedSteps: [1, 2, 4],
    });
    const sentBack = decide(oneOf(), { kind: 'send-back', actorId: 'frank' });
    expect(sentBack).toMatchObject({ outcome: 'expense-sent-back', skippedSteps: [2, 3] });
    expect(evolve(oneOf(), sentBack).steps.map((s) => s.status)).toEqual([
      'sent_back',
      'skipped',
      'skipped',
      'waiting',
    ]);
  });

  it('a seat of a later stage is out of turn; a seat that already approved is refused', () => {
    const state = allOf();
    expect(refusalOf(() => decide(state, { kind: 'approve', actorId: 'david' }))).toMatchObject({
      code: 'conflict',
      type: 'out-of-turn',
    });
    const half = evolve(state, decide(state, { kind: 'approve', actorId: 'frank' }));
    expect(refusalOf(() => decide(half, { kind: 'approve', actorId: 'frank' }))).toMatchObject({
      code: 'conflict',
      type: 'already-decided',
    });
  });

  it('one person, one say: a delegate who decided a seat in its name cannot decide one of their own', () => {
    // Eve's seat was decided by Bob for her; Bob then got the other seat (re-routed to him).
    const state = staged([
      {
        needs: 'all',
        seats: [
          ['eve', 'approved'],
          ['bob', 'pending'],
        ],
      },
    ]);
    const decidedForEve = {
      ...state,
      steps: state.steps.map((s) => (s.approverId === 'eve' ? { ...s, decidedBy: 'bob' } : s)),
    };
    expect(
      refusalOf(() => decide(decidedForEve, { kind: 'approve', actorId: 'bob' })),
    ).toMatchObject({ code: 'forbidden' });
    expect(decide(state, { kind: 'approve', actorId: 'bob' }).outcome).toBe('expense-approved');
  });

  it('a new round asks every seat of its first stage', () => {
    const next = evolveResubmitted({ ...allOf(), status: 'sent_back' }, 2, [
      { approverId: 'frank', required: true, stage: 1, needs: 'all' },
      { approverId: 'eve', required: true, stage: 1, needs: 'all' },
      { approverId: 'david', required: true, stage: 2, needs: 'one' },
    ]);
    expect(next.steps.map((s) => s.status)).toEqual(['pending', 'pending', 'waiting']);
  });

  it('withdrawal names every pending seat', () => {
    expect(decideWithdrawal(oneOf(), 'grace')).toEqual({
      skippedSteps: [1, 2, 3, 4],
      pendingApproverIds: ['frank', 'eve', 'bob'],
    });
  });
});

describe('send back', () => {
  it('settles the current step, leaves later ones waiting for the next round, pends nothing', () => {
    const state = chain(['approved', 'pending', 'waiting']);
    const decision = decide(state, { kind: 'send-back', actorId: 'eve' });
    expect(decision).toEqual({
      decidedStep: 2,
      stage: 2,
      outcome: 'expense-sent-back',
      stageCompleted: true,
      nextSteps: [],
      skippedSteps: [],
      pendingRequired: 0,
    });
    const after = evolve(state, decision);
    expect(after.status).toBe('sent_back');
    expect(after.steps.map((s) => s.status)).toEqual(['approved', 'sent_back', 'waiting']);
    expect(after.steps.some((s) => s.status === 'pending')).toBe(false);
  });

  it('follows the same rules as approve: never the submitter, only the current approver', () => {
    const state = chain(['pending', 'waiting', 'waiting']);
    expect(refusalOf(() => decide(state, { kind: 'send-back', actorId: 'grace' }))).toMatchObject({
      code: 'forbidden',
    });
    expect(refusalOf(() => decide(state, { kind: 'send-back', actorId: 'eve' }))).toMatchObject({
      code: 'conflict',
      type: 'out-of-turn',
    });
  });

  it('refuses any decision while the expense waits for its submitter', () => {
    const state = { ...chain(['sent_back', 'waiting', 'waiting']), status: 'sent_back' as const };
    for (const kind of ['approve', 'reject', 'send-back'] as const) {
      expect(refusalOf(() => decide(state, { kind, actorId: 'frank' }))).toMatchObject({
        code: 'conflict',
      });
    }
  });
});

describe('resubmission', () => {
  const sentBack = { ...chain(['sent_back', 'waiting', 'waiting']), status: 'sent_back' as const };

  it('starts the next round, replacing every step, only for the submitter of a sent-back chain', () => {
    expect(decideResubmission(sentBack, 'grace')).toEqual({ round: 2 });
    const next = evolveResubmitted(sentBack, 2, [
      { approverId: 'eve', required: true, stage: 1, needs: 'one' },
      { approverId: 'david', required: false, stage: 2, needs: 'one' },
    ]);
    expect(next).toMatchObject({ status: 'pending', round: 2 });
    expect(next.steps.map((s) => [s.step, s.approverId, s.status])).toEqual([
      [1, 'eve', 'pending'],
      [2, 'david', 'waiting'],
    ]);
    expect(refusalOf(() => decideResubmission(sentBack, 'frank'))).toMatchObject({
      code: 'forbidden',
    });
    expect(refusalOf(() => decideResubmission(chain(['pending']), 'grace'))).toMatchObject({
      code: 'conflict',
    });
  });

  it('accepts only the round after the one sent back: replays and late events change nothing', () => {
    expect(acceptsResubmission(sentBack, 2)).toBe(true);
    expect(acceptsResubmission(sentBack, 1)).toBe(false);
    expect(acceptsResubmission(sentBack, 3)).toBe(false);
    expect(acceptsResubmission({ status: 'pending', round: 2 }, 2)).toBe(false);
    expect(acceptsResubmission({ status: 'withdrawn', round: 1 }, 2)).toBe(false);
  });
});

describe('withdrawal', () => {
  it('skips every open step and names whose queue the expense leaves', () => {
    const state = chain(['approved', 'pending', 'waiting']);
    const withdrawal = decideWithdrawal(state, 'grace');
    expect(withdrawal).toEqual({ skippedSteps: [2, 3], pendingApproverIds: ['eve'] });
    const after = evolveWithdrawn(state, withdrawal);
    expect(after.status).toBe('withdrawn');
    expect(after.steps.map((s) => s.status)).toEqual(['approved', 'skipped', 'skipped']);
  });

  it('is allowed while sent back, with nobody to tell', () => {
    const state = { ...chain(['sent_back', 'waiting']), status: 'sent_back' as const };
    expect(decideWithdrawal(state, 'grace')).toEqual({ skippedSteps: [2], pendingApproverIds: [] });
  });

  it('is the submitter’s alone, and impossible once the expense is decided', () => {
    const state = chain(['pending', 'waiting']);
    expect(refusalOf(() => decideWithdrawal(state, 'frank'))).toMatchObject({ code: 'forbidden' });
    for (const status of ['approved', 'rejected', 'withdrawn', 'refused'] as const) {
      expect(refusalOf(() => decideWithdrawal({ ...state, status }, 'grace'))).toMatchObject({
        code: 'conflict',
      });
    }
  });

  it('stops decisions: nobody approves a withdrawn expense', () => {
    const state = chain(['pending', 'waiting']);
    const after = evolveWithdrawn(state, decideWithdrawal(state, 'grace'));
    expect(refusalOf(() => decide(after, { kind: 'approve', actorId: 'frank' }))).toMatchObject({
      code: 'conflict',
    });
  });
});
