import { describe, expect, it } from 'vitest';
import { type ChainState, decide } from './decide.js';

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
