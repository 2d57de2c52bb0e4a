import { UpstreamError } from './errors.js';

/**
 * How long a client is told to wait (Retry-After, seconds) when a dependency is down: long
 * enough not to hammer a database or bus that is restarting, short enough that a client
 * sees the service back within moments of its recovery.
 */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** Socket errors of a dependency that is down, restarting or unreachable. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL's SQLSTATEs for a server that cannot take the query now: shutting down or
 * crashed (57P01, 57P02), starting or recovering (57P03), out of connections (53300), a
 * statement cancelled by its timeout (57014). Class 08 (connection exceptions) is matched
 * by its prefix.
 */
const DATABASE_UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);

/** node-postgres's own errors for a connection lost, never made, or waited for too long. */
const DATABASE_CONNECTION_MESSAGES =
  /^Connection terminated|timeout exceeded when trying to connect|not queryable|Query read timeout/;

/** The NATS client's errors for a bus that is unreachable or did not answer in time. */
const BUS_UNAVAILABLE_NAMES = new Set([
  'TimeoutError',
  'ClosedConnectionError',
  'DrainingConnectionError',
  'ConnectionError',
  'NoResponders',
  'RequestError',
]);

/**
 * The database or the message bus failing to answer, as the UpstreamError a client sees
 * (503 with Retry-After) and a consumer retries; undefined for any other error, which stays
 * a bug (500). The dependency is named, never its address; the original error is the cause,
 * for the log.
 */
export function dependencyFailureOf(error: unknown): UpstreamError | undefined {
  const dependency = failedDependency(error);
  if (dependency === undefined) return undefined;
  const failure = new UpstreamError(`the ${dependency} is not answering; try again shortly`);
  failure.cause = error;
  return failure;
}

function failedDependency(error: unknown): 'database' | 'message bus' | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code } = error as { code?: unknown };
  if (typeof code === 'string') {
    if (UNREACHABLE_CODES.has(code)) return 'database';
    if (code.startsWith('08') || DATABASE_UNAVAILABLE_STATES.has(code)) return 'database';
  }
  if (DATABASE_CONNECTION_MESSAGES.test(error.message)) return 'database';
  if (BUS_UNAVAILABLE_NAMES.has(error.name)) return 'message bus';
  // A JetStream call that failed on a connection error keeps that error as its cause.
  if (error.cause !== undefined && error.cause !== error) return failedDependency(error.cause);
  return undefined;
}
