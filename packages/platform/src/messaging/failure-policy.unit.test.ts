import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  TooManyRequestsError,
  UnauthorizedError,
  UnprocessableError,
  UpstreamError,
  ValidationError,
} from '../errors.js';
import { failureOutcome } from './failure-policy.js';

describe('failureOutcome', () => {
  it.each([
    ['a missing thing', new NotFoundError('no expense e-1')],
    ['a refusal to the actor', new ForbiddenError('not an approver')],
    ['a clash with the state', new ConflictError('already decided', 'already-decided')],
    ['a business rule', new UnprocessableError('no approver', 'no-eligible-approver')],
    ['a malformed input', new ValidationError([{ path: 'amount', message: 'too small' }])],
    ['an unknown caller', new UnauthorizedError('no token')],
    ['an oversized content', new DomainError('too-large', 'body-too-large', 'too big')],
  ])('gives up on %s: the same message can never pass', (_, error) => {
    expect(failureOutcome(error)).toBe('give-up');
  });

  it.each([
    ['a dependency down', new UpstreamError('the approval service did not answer')],
    ['a rate limit', new TooManyRequestsError('slow down', 3)],
  ])('retries after %s: a later try may pass', (_, error) => {
    expect(failureOutcome(error)).toBe('retry');
  });

  it('retries anything that is not a domain error, such as a lost connection', () => {
    expect(failureOutcome(new Error('Connection terminated unexpectedly'))).toBe('retry');
    expect(failureOutcome('a thrown string')).toBe('retry');
  });
});
