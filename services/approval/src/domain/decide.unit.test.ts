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
    return error as { status: number; code: string };
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
  })),
});

describe('decide', () => {
  it('approves the current step and hands over to the next', () => {
    expect(
      decide(chain(['pending', 'waiting', 'waiting']), { kind: 'approve', actorId: 'frank' }),
    ).toEqual({
      decidedStep: 1,
      outcome: 'step-approved',
      nextStep: 2,
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
        return error as { status: number; code: string };
      }
      throw new Error('expected a refusal');
    };
    expect(refusal('grace')).toMatchObject({ status: 403 });
    expect(refusal('mallory')).toMatchObject({ status: 403 });
    expect(refusal('david')).toMatchObject({ status: 409, code: 'out-of-turn' });
    expect(refusal('frank')).toMatchObject({ status: 409, code: 'already-decided' });
    expect(refusal('david', { ...state, status: 'rejected' })).toMatchObject({
      status: 409,
      code: 'already-decided',
    });
  });
});

describe('send back', () => {
  it('settles the current step, leaves later ones waiting for the next round, pends nothing', () => {
    const state = chain(['approved', 'pending', 'waiting']);
    const decision = decide(state, { kind: 'send-back', actorId: 'eve' });
    expect(decision).toEqual({
      decidedStep: 2,
      outcome: 'expense-sent-back',
      nextStep: null,
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
      status: 403,
    });
    expect(refusalOf(() => decide(state, { kind: 'send-back', actorId: 'eve' }))).toMatchObject({
      status: 409,
      code: 'out-of-turn',
    });
  });

  it('refuses any decision while the expense waits for its submitter', () => {
    const state = { ...chain(['sent_back', 'waiting', 'waiting']), status: 'sent_back' as const };
    for (const kind of ['approve', 'reject', 'send-back'] as const) {
      expect(refusalOf(() => decide(state, { kind, actorId: 'frank' }))).toMatchObject({
        status: 409,
      });
    }
  });
});

describe('resubmission', () => {
  const sentBack = { ...chain(['sent_back', 'waiting', 'waiting']), status: 'sent_back' as const };

  it('starts the next round, replacing every step, only for the submitter of a sent-back chain', () => {
    expect(decideResubmission(sentBack, 'grace')).toEqual({ round: 2 });
    const next = evolveResubmitted(sentBack, 2, [
      { approverId: 'eve', required: true },
      { approverId: 'david', required: false },
    ]);
    expect(next).toMatchObject({ status: 'pending', round: 2 });
    expect(next.steps.map((s) => [s.step, s.approverId, s.status])).toEqual([
      [1, 'eve', 'pending'],
      [2, 'david', 'waiting'],
    ]);
    expect(refusalOf(() => decideResubmission(sentBack, 'frank'))).toMatchObject({ status: 403 });
    expect(refusalOf(() => decideResubmission(chain(['pending']), 'grace'))).toMatchObject({
      status: 409,
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
    expect(refusalOf(() => decideWithdrawal(state, 'frank'))).toMatchObject({ status: 403 });
    for (const status of ['approved', 'rejected', 'withdrawn', 'refused'] as const) {
      expect(refusalOf(() => decideWithdrawal({ ...state, status }, 'grace'))).toMatchObject({
        status: 409,
      });
    }
  });

  it('stops decisions: nobody approves a withdrawn expense', () => {
    const state = chain(['pending', 'waiting']);
    const after = evolveWithdrawn(state, decideWithdrawal(state, 'grace'));
    expect(refusalOf(() => decide(after, { kind: 'approve', actorId: 'frank' }))).toMatchObject({
      status: 409,
    });
  });
});
