import { DomainError, type ErrorCode } from '../errors.js';

/**
 * What a consumer does with a message whose handler threw a domain error: the one table.
 * `give-up`: the same message can never succeed (dead-letter it now); `retry`: it may once
 * the world has moved on (redeliver after a delay).
 */
export type FailureOutcome = 'retry' | 'give-up';

export const FAILURE_OUTCOME_BY_CODE: Readonly<Record<ErrorCode, FailureOutcome>> = {
  invalid: 'give-up',
  unauthenticated: 'give-up',
  forbidden: 'give-up',
  'not-found': 'give-up',
  conflict: 'give-up',
  'too-large': 'give-up',
  'unsupported-media-type': 'give-up',
  unprocessable: 'give-up',
  'too-many-requests': 'retry',
  unavailable: 'retry',
};

/**
 * What to do after a handler threw `error`: a domain error by its code; anything else (a
 * lost connection, a deadlock) may pass on a later try.
 */
export function failureOutcome(error: unknown): FailureOutcome {
  return error instanceof DomainError ? FAILURE_OUTCOME_BY_CODE[error.code] : 'retry';
}
