/**
 * What every answer to a request the contracts refuse must be: a 4xx (never a 5xx, never
 * a success, never a dropped connection), as RFC 9457 problem+json, and a 400 for a params,
 * query or body violation names at least one of the fields the contract names.
 */
import type { Verdict } from './contract-oracle.js';
import type { HostileRequest } from './hostile-request.js';
import type { ProbeResult } from './http-probe.js';

interface ProblemBody {
  type?: unknown;
  title?: unknown;
  status?: unknown;
  errors?: { path?: unknown; message?: unknown }[];
}

/** Why the answer breaks the rules; undefined when it keeps them. */
export function refusalFault(result: ProbeResult, verdict: Verdict): string | undefined {
  if (result.kind === 'answered' && result.status < 400) {
    return `accepted with ${result.status} although the contracts refuse it`;
  }
  return (
    answerFault(result) ??
    (result.kind === 'answered' && result.status === 400
      ? unnamedField(JSON.parse(result.text) as ProblemBody, verdict)
      : undefined)
  );
}

/**
 * For any request, accepted by the contracts or not: an answer (no dropped connection),
 * no 5xx, and a 4xx as RFC 9457 problem+json.
 */
export function answerFault(result: ProbeResult): string | undefined {
  if (result.kind === 'dropped') return `connection dropped (${result.error})`;
  if (result.status >= 500) return `server error ${result.status}`;
  if (result.status < 400) return undefined;
  if (!result.contentType.startsWith('application/problem+json')) {
    return `${result.status} is not problem+json (content-type "${result.contentType}")`;
  }
  let problem: ProblemBody;
  try {
    problem = JSON.parse(result.text) as ProblemBody;
  } catch {
    return `${result.status} problem body is not JSON`;
  }
  if (
    problem.status !== result.status ||
    typeof problem.type !== 'string' ||
    typeof problem.title !== 'string'
  ) {
    return `${result.status} problem lacks type, title or a matching status`;
  }
  return undefined;
}

/** A 400 for a schema violation must name a field the contract names ('' is the whole body). */
function unnamedField(problem: ProblemBody, verdict: Verdict): string | undefined {
  if (String(problem.type).endsWith('/invalid-idempotency-key')) {
    return verdict.reasons.includes('bad-idempotency-key')
      ? undefined
      : 'an Idempotency-Key refused although valid';
  }
  const named = (problem.errors ?? []).map((error) => error.path);
  if (named.length === 0 || named.some((path) => typeof path !== 'string')) {
    return '400 without errors[].path naming the bad field';
  }
  if (verdict.fieldPaths.size === 0) return undefined;
  return named.some((path) => verdict.fieldPaths.has(String(path)))
    ? undefined
    : `400 names ${JSON.stringify(named)}, the contract ${JSON.stringify([...verdict.fieldPaths])}`;
}

/** One line that lets a failure be read and replayed by hand. */
export function describeRequest(
  request: HostileRequest,
  verdict: Verdict,
  result: ProbeResult,
): string {
  const shown = (text: string | undefined) =>
    text === undefined
      ? ''
      : JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…(${text.length})` : text);
  const answer =
    result.kind === 'answered' ? `${result.status} ${shown(result.text)}` : result.error;
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [
      name,
      value.length > 80 ? `${value.slice(0, 80)}…(${value.length})` : value,
    ]),
  );
  return [
    `${request.method} ${shown(request.target)} as ${request.caller?.name ?? 'nobody'}`,
    `headers ${JSON.stringify(headers)}`,
    `body ${shown(request.body)}`,
    `aspects ${request.aspects.join(',')}; refused for ${verdict.reasons.join(',')}`,
    `answer ${answer}`,
  ].join('\n  ');
}
